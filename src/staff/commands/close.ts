import { closeAndAskRating } from "./citizen.js";
import type { ComplaintCommand } from "./types.js";

/** /selesai: closes the complaint and asks the citizen for a rating. */
export const closeCommand: ComplaintCommand<"close"> = {
  scope: "complaint",
  writes: true,
  run: (ctx, _intent, complaint) =>
    closeAndAskRating(ctx, complaint, { type: "staff.close", data: {}, done: { key: "staff.closed", vars: { ticket: complaint.ticket } } }),
};
