/**
 * Group commit: jobs submitted while a batch is being written wait and go together in the next
 * one. SQLite allows one writer at a time and Prisma's cost is per statement, so one transaction
 * of a few multi-row statements for many concurrent messages is what makes the pipeline fast
 * (see README, Benchmark). A batch that fails is retried one job at a time, so one bad message
 * fails alone.
 */
export interface Batcher<J, R> {
  submit(job: J): Promise<R>;
  /** Resolves when everything submitted so far has been processed. */
  drain(): Promise<void>;
  readonly pending: number;
}

type Entry<J, R> = { job: J; resolve: (r: R) => void; reject: (e: unknown) => void };

/**
 * `keyOf` names the conversation a job belongs to: a batch takes at most one job per key, later
 * ones wait for the next batch, so one conversation's messages are stepped one after another
 * and each step sees the state the previous one committed.
 */
export function createBatcher<J, R>(
  processBatch: (jobs: J[]) => Promise<R[]>,
  options: { maxBatch?: number; keyOf?: (job: J) => string } = {},
): Batcher<J, R> {
  const maxBatch = options.maxBatch ?? 256;
  const keyOf = options.keyOf;
  let queue: Entry<J, R>[] = [];
  let running: Promise<void> | undefined;

  async function runOne(entries: Entry<J, R>[]): Promise<void> {
    try {
      const results = await processBatch(entries.map((e) => e.job));
      entries.forEach((e, i) => e.resolve(results[i]!));
    } catch (error) {
      if (entries.length === 1) {
        entries[0]!.reject(error);
        return;
      }
      for (const entry of entries) await runOne([entry]);
    }
  }

  async function loop(): Promise<void> {
    // Let the current tick's submissions join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const entries: Entry<J, R>[] = [];
      const later: Entry<J, R>[] = [];
      const keys = new Set<string>();
      for (const entry of queue) {
        const key = keyOf?.(entry.job);
        if (entries.length >= maxBatch || (key !== undefined && keys.has(key))) {
          later.push(entry);
          continue;
        }
        if (key !== undefined) keys.add(key);
        entries.push(entry);
      }
      queue = later;
      await runOne(entries);
    }
    running = undefined;
  }

  return {
    submit(job) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        running ??= loop();
      });
    },
    async drain() {
      while (running) await running;
    },
    get pending() {
      return queue.length;
    },
  };
}
