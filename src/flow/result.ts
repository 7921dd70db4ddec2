import type { Effect, IntakeState, Reply, StepResult } from "./types.js";

export function result(state: IntakeState, replies: Reply[], effects: Effect[] = []): StepResult {
  return { state, replies, effects };
}

/** Replies and effects that happened first (declined files, file acks) go before the step's own. */
export function after(first: { replies: Reply[]; effects: Effect[] }, then: StepResult): StepResult {
  return {
    state: then.state,
    replies: [...first.replies, ...then.replies],
    effects: [...first.effects, ...then.effects],
  };
}
