import type { ServerResponse } from "node:http";

/** What a fake's file download has sent so far: a client that stops reading early shows in `bytesSent`. */
export interface StreamProgress {
  bytesSent: number;
  completed?: boolean;
}

/**
 * Writes `bytes` in pieces of `pieceBytes`, waiting when the client does not read on (backpressure)
 * and stopping when it goes away, then ends the answer and marks `progress` completed. The headers
 * are the caller's (written before).
 */
export async function streamInPieces(
  response: ServerResponse,
  bytes: Uint8Array,
  pieceBytes: number,
  progress?: StreamProgress,
): Promise<void> {
  for (let at = 0; at < bytes.byteLength; at += pieceBytes) {
    if (response.destroyed) return;
    const piece = bytes.subarray(at, at + pieceBytes);
    if (progress) progress.bytesSent += piece.byteLength;
    if (!response.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          response.off("drain", done);
          response.off("close", done);
          resolve();
        };
        response.on("drain", done);
        response.on("close", done);
      });
    }
  }
  if (response.destroyed) return;
  response.end();
  if (progress) progress.completed = true;
}
