import type { SendResult } from "../../src/core/index.js";
import type { SendFailure } from "./graph.js";

export type StepResult = { ok: true; id: string } | SendFailure;

interface Progress {
  done: number;
  firstId?: string;
}

const MAX_ENTRIES = 500;

/**
 * Runs the API calls of one outgoing message in order. The same message sent again after a partial
 * failure (the outbox retrying) skips the parts that already arrived, so the citizen does not read
 * the first half twice. Memory only and bounded: after a restart a retry starts from the beginning.
 */
export function createStepRunner() {
  const progress = new Map<string, Progress>();
  return async function run<S>(
    key: string,
    steps: readonly S[],
    exec: (step: S, index: number) => Promise<StepResult>,
  ): Promise<SendResult> {
    const state = progress.get(key) ?? { done: 0 };
    for (let i = state.done; i < steps.length; i++) {
      const result = await exec(steps[i]!, i);
      if (!result.ok) {
        if (state.done > 0) {
          progress.delete(key);
          progress.set(key, state);
          if (progress.size > MAX_ENTRIES) progress.delete(progress.keys().next().value!);
        }
        return result;
      }
      state.firstId ??= result.id;
      state.done = i + 1;
    }
    progress.delete(key);
    return { ok: true, providerMessageId: state.firstId! };
  };
}

/** Hours since an ISO time; undefined when absent or unreadable (then no window applies). */
export function hoursSince(iso: string | undefined, now: Date): number | undefined {
  if (iso === undefined) return undefined;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : (now.getTime() - at) / 3_600_000;
}
