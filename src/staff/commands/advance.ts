import { applySopAction } from "./sop-action.js";
import type { ComplaintCommand } from "./types.js";

/** /lanjut: on to the next step (on a branching step the first word picks the branch). */
export const advanceCommand: ComplaintCommand<"advance"> = {
  scope: "complaint",
  writes: true,
  run: (ctx, intent, complaint) => applySopAction(ctx, complaint, { type: "advance", text: intent.text }),
};
