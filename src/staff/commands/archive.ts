import { applySopAction } from "./sop-action.js";
import type { ComplaintCommand } from "./types.js";

/** /arsip: closes the complaint on a final step and asks the citizen for a rating. */
export const archiveCommand: ComplaintCommand<"archive"> = {
  scope: "complaint",
  writes: true,
  run: (ctx, _intent, complaint) => applySopAction(ctx, complaint, { type: "archive" }),
};
