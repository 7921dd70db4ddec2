import { result } from "./result.js";
import type { FiledRef, IntakeState, StepResult } from "./types.js";

/** After filing, whatever the citizen sends belongs to that complaint (CONTRACT: follow-ups). */
export function followUp(state: IntakeState & { filed: FiledRef }, text: string, files: readonly string[]): StepResult {
  const { complaintId, ticket } = state.filed;
  return result(
    state,
    [{ key: "followup.received", vars: { ticket } }],
    [{ type: "appendToComplaint", complaintId, text, attachmentIds: [...files] }],
  );
}
