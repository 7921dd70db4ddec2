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

export function createBatcher<J, R>(processBatch: (jobs: J[]) => Promise<R[]>, maxBatch = 256): Batcher<J, R> {
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
      const entries = queue.slice(0, maxBatch);
      queue = queue.slice(entries.length);
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
