import {
  describeError,
  KanalError,
  type ChannelAdapter,
  type ChannelName,
  type ChannelServices,
  type InboundSink,
  type Log,
} from "../core/index.js";

/** Something only the elected leader runs (a channel's connection, the SOP scheduler). */
export interface Duty {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type SingletonState = "standby" | "starting" | "running" | "failed";

/**
 * A channel started in the background, never holding anything else back: a channel whose connection
 * exists once per office, as a duty of the leader, and (started once at start-up) every other channel.
 */
export interface SingletonChannel<A extends ChannelAdapter = ChannelAdapter> extends Duty {
  readonly name: ChannelName;
  /** The adapter of the current term (or the last one, or the first, not yet started). */
  current(): A;
  state(): SingletonState;
  /** Why the last start failed, while state() is "failed". */
  failure(): string | undefined;
}

export interface SingletonChannelDeps<A extends ChannelAdapter> {
  /** The adapter made at start-up: it serves the first term. */
  first: A;
  /**
   * Makes a fresh adapter: adapters start once, and a later term or a new try needs a new one.
   * Without it a failed start is not tried again (the channel stays "failed" until the bot restarts).
   */
  create?: () => A;
  sink: InboundSink;
  /** Given to the adapter's start() beside the sink (the staff console). */
  services?: ChannelServices;
  /** The adapters this instance may send through now; the channel is in it while it runs here. */
  sendable: Map<ChannelName, ChannelAdapter>;
  log: Log;
  /** Waits before starting again after a failed start (default 30 s, doubling to 5 min). */
  retryDelaysMs?: readonly number[];
  /**
   * A start still unfinished after this long fails ("did not start within …"), the adapter is
   * stopped and, with `create`, tried again like any failed start. Without it a start may take forever
   * (an API that accepts connections and never answers).
   */
  startTimeoutMs?: number;
}

const RETRY_DELAYS_MS = [30_000, 60_000, 120_000, 300_000];

/**
 * A failed start (the gateway unreachable, a mail server down) is tried again while this instance
 * leads; a refused credential (KA_CONFIG) is not: it needs the operator, and the log says so once.
 */
export function singletonChannel<A extends ChannelAdapter>(deps: SingletonChannelDeps<A>): SingletonChannel<A> {
  const name = deps.first.name;
  const delays = deps.retryDelaysMs ?? RETRY_DELAYS_MS;
  let adapter = deps.first;
  let used = false;
  let state: SingletonState = "standby";
  let failure: string | undefined;
  let term = 0;
  let retry: NodeJS.Timeout | undefined;
  /** The start in progress: stop() waits for it, so a deposed leader's connection is really gone. */
  let inFlight: Promise<void> = Promise.resolve();

  function attempt(myTerm: number, failures: number): Promise<void> {
    inFlight = tryStart(myTerm, failures);
    return inFlight;
  }

  /** The adapter's start(), bounded by startTimeoutMs; a start that finishes after its timeout is stopped again. */
  function startWithin(started: A): Promise<void> {
    const starting = started.start(deps.sink, deps.services);
    const limitMs = deps.startTimeoutMs;
    if (limitMs === undefined) return starting;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`${name} did not start within ${limitMs / 1000} s (timeout)`));
      }, limitMs);
    });
    starting.then(
      () => (timedOut ? started.stop().catch(() => undefined) : undefined),
      () => undefined,
    );
    return Promise.race([starting, timeout]).finally(() => clearTimeout(timer));
  }

  async function tryStart(myTerm: number, failures: number): Promise<void> {
    if (myTerm !== term) return;
    if (used) {
      if (!deps.create) {
        state = "failed";
        failure ??= "this channel cannot be started again without restarting the bot";
        return;
      }
      adapter = deps.create();
    }
    used = true;
    state = "starting";
    try {
      await startWithin(adapter);
    } catch (error) {
      await adapter.stop().catch(() => undefined);
      if (myTerm !== term) return;
      state = "failed";
      failure = describeError(error);
      const permanent = (error instanceof KanalError && error.code === "KA_CONFIG") || !deps.create;
      const delayMs = delays[Math.min(failures, delays.length - 1)]!;
      deps.log(`${name}: could not start${permanent ? "" : "; trying again"}`, {
        error: failure,
        ...(permanent ? {} : { retryInMs: delayMs }),
      });
      if (!permanent) retry = setTimeout(() => void attempt(myTerm, failures + 1), delayMs);
      return;
    }
    if (myTerm !== term) {
      // Deposed while starting: stop() found nothing to stop yet.
      await adapter.stop().catch(() => undefined);
      return;
    }
    state = "running";
    failure = undefined;
    deps.sendable.set(name, adapter);
  }

  return {
    name,
    current: () => adapter,
    state: () => state,
    failure: () => failure,
    start() {
      term += 1;
      return attempt(term, 0);
    },
    async stop() {
      term += 1;
      clearTimeout(retry);
      await inFlight;
      const wasRunning = state === "running";
      state = "standby";
      failure = undefined;
      if (deps.sendable.get(name) === adapter) deps.sendable.delete(name);
      if (wasRunning) await adapter.stop();
    },
  };
}

/** Starts every duty side by side (one failing does not hold back the others); stops them likewise. */
export function dutyRoster(duties: readonly Duty[], log: Log) {
  const each = (verb: "start" | "stop") =>
    Promise.all(
      duties.map((duty) =>
        duty[verb]().catch((error: unknown) => log(`leader duty ${duty.name} did not ${verb}`, { error: describeError(error) })),
      ),
    ).then(() => undefined);
  return { startAll: () => each("start"), stopAll: () => each("stop") };
}
