import { WEBCHAT_PUBLIC_DIR } from "../../channels/webchat/adapter.js";
import { dutyRoster } from "../cluster/index.js";
import type { Config } from "../config/index.js";
import { consolePlugin } from "../console/index.js";
import type { ChannelAdapter, ChannelName, Log } from "../core/index.js";
import {
  channelStateStore,
  collectMetrics,
  createLeaderElection,
  sharedRateCounter,
  type Database,
  type LeaderElection,
} from "../db/index.js";
import { buildServer } from "../http/index.js";
import { render } from "../i18n/index.js";
import { createConversationStore, type Pipeline } from "../pipeline/index.js";
import { createStaffCommands } from "../staff/index.js";
import { openBase, TEMPLATES_DIR } from "./base.js";
import { channelRunner, type ChannelRunner } from "./channel-runner.js";
import { configuredChannels } from "./channels.js";
import { startCore } from "./core.js";
import { leaderDuties } from "./duties.js";
import { secretRedactor } from "./redact.js";
import { jsonLog } from "./log.js";

export interface RunningServer {
  url: string;
  db: Database;
  pipeline: Pipeline;
  /** Who runs the once-per-office connections among the instances on this database. */
  election: LeaderElection;
  /**
   * Resolves once every channel's first start on this instance is over, running or failed (the
   * server answers before that: channels start in the background).
   */
  channelsSettled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `npm start`: the HTTP server answers as soon as the database is open; the channels start behind
 * it, each bounded by CHANNEL_START_TIMEOUT_SECONDS, and /health shows where each stands.
 */
export async function startServer(config: Config, log: Log = jsonLog): Promise<RunningServer> {
  const base = await openBase(config, log);
  const { entries, webhooks, adminPages } = await configuredChannels(config, base, log);
  const sendable = new Map<ChannelName, ChannelAdapter>();
  // `runner` and `election` are made below, before the worker (the only caller of these) starts.
  const core = startCore(
    config,
    base,
    {
      all: entries.map((e) => e.first),
      sendable,
      // A channel that failed to start is not excluded: its rows fail after their attempts and staff are told.
      excludeChannels: () => runner.excluded(election.isLeader()),
      whyUnavailable: (channel) => runner.whyUnavailable(channel),
    },
    log,
  );
  const runner: ChannelRunner = channelRunner({
    entries,
    sink: (inbound) => core.pipeline.receive(inbound),
    services: { staff: core.staff },
    sendable,
    startTimeoutMs: config.CHANNEL_START_TIMEOUT_SECONDS * 1000,
    log,
    redact: secretRedactor(config),
  });
  const roster = dutyRoster([...runner.leaderOnly, ...leaderDuties(config, base, log)], log);
  const leaderState = channelStateStore(core.db, "cluster");
  /** The duties of the first term won during start-up, still starting in the background. */
  let firstTerm: Promise<void> | undefined;
  const election: LeaderElection = createLeaderElection({
    databaseUrl: config.DATABASE_URL,
    leaseMs: config.LEADER_LEASE_SECONDS * 1000,
    retryMs: Math.ceil((config.LEADER_LEASE_SECONDS * 1000) / 3),
    log,
    onElected: async () => {
      await leaderState
        .set("leader", JSON.stringify({ instance: election.instance, since: new Date().toISOString() }))
        .catch(() => undefined);
      // Not awaited: a leader's channel that is slow to connect must not hold the election's round.
      const starting = roster.startAll();
      firstTerm ??= starting;
    },
    onDeposed: () => roster.stopAll(),
  });
  const everywhereStarted = runner.startEverywhere();
  election.start();
  // The first round (and, when won, the start of the leader's duties) is over before the server answers.
  await election.ready();
  core.worker.start();

  const channelStates = () => Object.fromEntries(Object.entries(runner.details()).map(([name, status]) => [name, status.state]));
  const app = await buildServer({
    pipeline: core.pipeline,
    conversations: createConversationStore(core.db),
    databaseOk: async () => {
      await core.db.prisma.$queryRawUnsafe("SELECT 1");
      return true;
    },
    channels: channelStates,
    channelDetails: () => runner.details(),
    leader: async () => {
      const recorded = await leaderState.get("leader").catch(() => undefined);
      const current = recorded ? (JSON.parse(recorded) as { instance: string; since: string }) : undefined;
      return {
        instance: election.instance,
        isLeader: election.isLeader(),
        ...(current ? { leader: current.instance, leaderSince: current.since } : {}),
      };
    },
    metrics: () => collectMetrics(core.db, new Date(), channelStates(), election.isLeader()),
    webchat: {
      publicDir: WEBCHAT_PUBLIC_DIR,
      templatesDir: TEMPLATES_DIR,
      maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES,
      sessionIdleDays: config.WEBCHAT_SESSION_IDLE_DAYS,
      filePath: (storagePath) => base.attachments.pathOf(storagePath),
    },
    defaultLocale: config.DEFAULT_LOCALE,
    officeName: config.OFFICE_NAME,
    webhooks: [...entries.flatMap((e) => (e.first.webhook ? [e.first.webhook] : [])), ...webhooks],
    adminPages,
    security: {
      frameAncestors: config.WEBCHAT_FRAME_ANCESTORS,
      https: config.PUBLIC_BASE_URL !== undefined,
      rateLimit: config.RATE_LIMIT,
      sharedCounter: sharedRateCounter(core.db),
      trustProxy: config.TRUST_PROXY,
    },
    texts: (locale, key, vars) => render(base.templates, locale, { key, vars }, { office: config.OFFICE_NAME }).text,
    tracking: {
      sql: core.db.sql,
      sop: base.sop,
      publicDir: WEBCHAT_PUBLIC_DIR,
      templatesDir: TEMPLATES_DIR,
      text: (locale, key, vars) => render(base.templates, locale, { key, ...(vars ? { vars } : {}) }, { office: config.OFFICE_NAME }).text,
      defaultLocale: config.DEFAULT_LOCALE,
      rateLimit: config.RATE_LIMIT,
    },
    staffConsole: consolePlugin({
      db: core.db,
      templates: base.templates,
      sop: base.sop,
      settings: {
        officeName: config.OFFICE_NAME,
        timeZone: config.OFFICE_TIMEZONE,
        defaultLocale: config.DEFAULT_LOCALE,
        idleMinutes: config.STAFF_SESSION_IDLE_MINUTES,
        publicBaseUrl: config.PUBLIC_BASE_URL,
        staffIds: config.STAFF_TELEGRAM_IDS,
        replyFiles: { max: config.ATTACHMENT_MAX_FILES, maxBytes: config.ATTACHMENT_MAX_BYTES },
      },
      commands: createStaffCommands(core.staffDeps),
      attachmentsDir: config.ATTACHMENTS_DIR,
      log,
    }),
    log,
  });
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  const url = address.replace("[::1]", "127.0.0.1");
  let closed: Promise<void> | undefined;
  return {
    url,
    db: core.db,
    pipeline: core.pipeline,
    election,
    channelsSettled: () => Promise.all([everywhereStarted, firstTerm]).then(() => undefined),
    close() {
      closed ??= (async () => {
        // Stop accepting connections first; requests in flight finish before the pipeline closes.
        // Then the channels stop taking updates (finishing those in hand): the leader's connections
        // with its term, the others after them.
        await app.close();
        await election.stop();
        await runner.stopEverywhere();
        await core.close();
      })();
      return closed;
    },
  };
}
