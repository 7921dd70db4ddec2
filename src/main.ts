/**
 * Wiring: config → database → templates and SOP → channels → pipeline → HTTP server → outbox worker.
 * The only file under src/ that imports channels/. `npm start` runs the bot; `npm run chat` runs the
 * same pipeline on the same database with the terminal as the channel.
 */
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createTerminalAdapter, type TerminalTexts } from "../channels/terminal/adapter.js";
import { createDiscordAdapter } from "../channels/discord/index.js";
import { createEmailAdapter } from "../channels/email/index.js";
import { createMetaChannels } from "../channels/meta/index.js";
import { createTelegramAdapter, telegramWebhookUrl } from "../channels/telegram/index.js";
import { createWebchatAdapter, WEBCHAT_PUBLIC_DIR } from "../channels/webchat/adapter.js";
import { createWhatsAppWebAdapter } from "../channels/whatsapp-web/index.js";
import { dutyRoster, periodicDuty, singletonChannel, type Duty, type SingletonChannel } from "./cluster/index.js";
import {
  loadSopPreset,
  sopStartupNotices,
  staffFeedNotifier,
  startSopScheduler,
  type SopPreset,
  type SopScheduler,
} from "./complaints/index.js";
import { loadConfig, type Config } from "./config/index.js";
import { consolePlugin } from "./console/index.js";
import {
  KanalError,
  type ChannelAdapter,
  type ChannelLimits,
  type ChannelName,
  type InboundFailure,
  type Locale,
  type Log,
  type StaffFeed,
  type StaffSink,
  type Webhook,
} from "./core/index.js";
import {
  channelStateStore,
  collectMetrics,
  createLeaderElection,
  forgetEndedRateWindows,
  openDatabase,
  recordFailedInbound,
  repoRoot,
  rethrowUnavailable,
  sessionLock,
  sharedRateCounter,
  type Database,
  type LeaderElection,
} from "./db/index.js";
import { buildServer, type AdminPage } from "./http/index.js";
import { loadTemplates, render, type Templates } from "./i18n/index.js";
import { createOutboxWorker, databaseLedger, Pacer, recordDeliveryStatus, type OutboxWorker } from "./outbox/index.js";
import { createConversationStore, createPipeline, purgeIdleWebchatSessions, type Pipeline } from "./pipeline/index.js";
import { logbookReport, recapReport, reportSettings } from "./reports/index.js";
import {
  createStaffConsole,
  reportDeliveryFailure,
  reportFailedInbound,
  reportUnreadableMail,
  reportWhatsAppLoggedOut,
  type FailedRow,
  type StaffReports,
} from "./staff/index.js";
import { AttachmentStore, attachmentSweeper } from "./storage/index.js";
import { retentionDuty } from "./privacy/index.js";

const TEMPLATES_DIR = join(repoRoot, "templates");

/** Limits assumed for a channel with no adapter here (rows for it wait in the outbox). */
const PUSH_DEFAULT: ChannelLimits = { maxTextLength: 4000, media: false, buttons: false, delivery: "push", canReachLater: true };

export const jsonLog: Log = (msg, fields = {}) => {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), msg, ...fields }) + "\n");
};

interface Core {
  db: Database;
  pipeline: Pipeline;
  /** Not started: the server starts it, `npm run chat` does not. */
  worker: OutboxWorker;
  /** Finishes the pipeline's steps, then deliveries, then closes the database; stop the channels first. */
  close(): Promise<void>;
}

/** The staff console, once built; channels are created before it and call it through this. */
type StaffSinkRef = { current?: StaffSink };

/** What everything else stands on: the database (migrated), the texts, the SOP, the evidence store. */
interface Base {
  db: Database;
  templates: Templates;
  sop: SopPreset;
  attachments: AttachmentStore;
}

async function openBase(config: Config, log?: Log): Promise<Base> {
  const templates = loadTemplates(TEMPLATES_DIR);
  const sop = loadSopPreset(TEMPLATES_DIR, config.SOP_PRESET, { timeZone: config.OFFICE_TIMEZONE });
  const db = await openDatabase(config.DATABASE_URL, { log, identityKey: config.IDENTITY_KEY });
  // Missing holiday lists, complaints on steps the preset lacks: said once, at start.
  if (log)
    for (const notice of await sopStartupNotices(db, sop, new Date())) log(notice.message, { level: notice.level, ...notice.fields });
  return { db, templates, sop, attachments: new AttachmentStore(config.ATTACHMENTS_DIR, config.ATTACHMENT_MAX_BYTES) };
}

/** Where complaint cards go: the Telegram staff group, when the bot and the group are configured. */
function staffFeedOf(config: Config): StaffFeed | undefined {
  return config.TELEGRAM_BOT_TOKEN && config.TELEGRAM_OPS_CHAT_ID
    ? { channel: "telegram", chatId: config.TELEGRAM_OPS_CHAT_ID, locale: config.DEFAULT_LOCALE, replyMode: config.STAFF_REPLY_MODE }
    : undefined;
}

/** A message that failed for good is told to staff under its complaint's card. */
function deliveryFailureReporter(config: Config, base: Base): ((row: FailedRow) => Promise<void>) | undefined {
  const feed = staffFeedOf(config);
  if (!feed) return undefined;
  return (row) => reportDeliveryFailure({ db: base.db, templates: base.templates, officeName: config.OFFICE_NAME, feed }, row);
}

/** A message that failed because of what it held: recorded once, and told to staff once. */
function failedInboundRecorder(config: Config, base: Base): (failure: InboundFailure) => Promise<void> {
  const feed = staffFeedOf(config);
  return async (failure) => {
    const first = await recordFailedInbound(base.db, failure).catch(rethrowUnavailable);
    if (first && feed) {
      const notice = { db: base.db, templates: base.templates, officeName: config.OFFICE_NAME, feed };
      await reportFailedInbound(notice, failure).catch(rethrowUnavailable);
    }
  };
}

/**
 * A configured channel: the adapter made at start-up and, for a channel only the leader runs
 * (ChannelAdapter.singleton), how to make a fresh one for each later leader term.
 */
interface ChannelEntry {
  first: ChannelAdapter;
  create?: () => ChannelAdapter;
}

const entryOf = (make: () => ChannelAdapter): ChannelEntry => ({ first: make(), create: make });

interface Channels {
  entries: ChannelEntry[];
  /** Webhooks not carried by one adapter (Meta's one route for three products). */
  webhooks: Webhook[];
  /** Operator pages (the WhatsApp Web QR code). */
  adminPages: AdminPage[];
}

/** The channels whose credentials are set (the website chat always). */
function configuredChannels(config: Config, base: Base, staff: StaffSinkRef, log: Log): Channels {
  const entries: ChannelEntry[] = [{ first: createWebchatAdapter() }];
  const webhooks: Webhook[] = [];
  const adminPages: AdminPage[] = [];
  const telegramToken = config.TELEGRAM_BOT_TOKEN;
  if (telegramToken) {
    entries.push(
      entryOf(() =>
        createTelegramAdapter({
          token: telegramToken,
          apiRoot: config.TELEGRAM_API_ROOT,
          opsChatId: config.TELEGRAM_OPS_CHAT_ID,
          webhook:
            config.TELEGRAM_WEBHOOK_SECRET && config.PUBLIC_BASE_URL
              ? { url: telegramWebhookUrl(config.PUBLIC_BASE_URL), secret: config.TELEGRAM_WEBHOOK_SECRET }
              : undefined,
          maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES,
          staffSink: (message) => (staff.current ? staff.current(message) : Promise.resolve({ messages: [] })),
          log,
        }),
      ),
    );
  }
  if (config.META_APP_SECRET && config.META_VERIFY_TOKEN) {
    const reportFailure = deliveryFailureReporter(config, base);
    const meta = createMetaChannels({
      appSecret: config.META_APP_SECRET,
      verifyToken: config.META_VERIFY_TOKEN,
      graphApiBase: config.META_GRAPH_API_BASE,
      whatsapp:
        config.WHATSAPP_CLOUD_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID
          ? {
              token: config.WHATSAPP_CLOUD_TOKEN,
              phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
              replyTemplate: config.WHATSAPP_REPLY_TEMPLATE
                ? { name: config.WHATSAPP_REPLY_TEMPLATE, language: config.WHATSAPP_REPLY_TEMPLATE_LANGUAGE }
                : undefined,
            }
          : undefined,
      pageAccessToken: config.META_PAGE_ACCESS_TOKEN,
      maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES,
      log,
      // A status that cannot be recorded for want of the database is rejected, so Meta delivers it again.
      onStatus: async (update) => {
        const failed = await recordDeliveryStatus(base.db, "whatsapp-cloud", update).catch(rethrowUnavailable);
        if (failed) await reportFailure?.(failed);
      },
      onFailedMessage: failedInboundRecorder(config, base),
    });
    entries.push(...meta.adapters.map((first) => ({ first })));
    webhooks.push(meta.webhook);
  }
  const { EMAIL_IMAP_HOST, EMAIL_IMAP_USER, EMAIL_IMAP_PASSWORD, EMAIL_SMTP_HOST, EMAIL_FROM } = config;
  if (EMAIL_IMAP_HOST && EMAIL_IMAP_USER && EMAIL_IMAP_PASSWORD && EMAIL_SMTP_HOST && EMAIL_FROM) {
    const feed = staffFeedOf(config);
    entries.push(
      entryOf(() =>
        createEmailAdapter({
          imap: {
            host: EMAIL_IMAP_HOST,
            port: config.EMAIL_IMAP_PORT ?? (config.EMAIL_IMAP_SECURE ? 993 : 143),
            secure: config.EMAIL_IMAP_SECURE,
            user: EMAIL_IMAP_USER,
            password: EMAIL_IMAP_PASSWORD,
            mailbox: config.EMAIL_IMAP_MAILBOX,
          },
          smtp: {
            host: EMAIL_SMTP_HOST,
            port: config.EMAIL_SMTP_PORT ?? (config.EMAIL_SMTP_SECURE ? 465 : 587),
            secure: config.EMAIL_SMTP_SECURE,
            user: config.EMAIL_SMTP_USER,
            password: config.EMAIL_SMTP_PASSWORD,
          },
          from: EMAIL_FROM,
          officeName: config.OFFICE_NAME,
          state: channelStateStore(base.db, "email"),
          maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES,
          log,
          onUnreadable: feed
            ? (mail) => reportUnreadableMail({ db: base.db, templates: base.templates, officeName: config.OFFICE_NAME, feed }, mail)
            : undefined,
        }),
      ),
    );
  } else if (config.EMAIL_IMAP_HOST || config.EMAIL_SMTP_HOST) {
    log("e-mail is off: it needs EMAIL_IMAP_HOST, EMAIL_IMAP_USER, EMAIL_IMAP_PASSWORD, EMAIL_SMTP_HOST and EMAIL_FROM", {});
  }
  if (config.WHATSAPP_WEB_ENABLED) {
    const feed = staffFeedOf(config);
    const make = () =>
      createWhatsAppWebAdapter({
        sessionDir: config.WHATSAPP_WEB_SESSION_DIR,
        chromiumPath: config.CHROMIUM_PATH,
        maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES,
        adminToken: config.WHATSAPP_WEB_ADMIN_TOKEN,
        lock: sessionLock(config.DATABASE_URL, "kanal-aduan:whatsapp-web", `${config.WHATSAPP_WEB_SESSION_DIR.replace(/\/+$/, "")}.lock`),
        onLoggedOut: feed
          ? () => reportWhatsAppLoggedOut({ db: base.db, templates: base.templates, officeName: config.OFFICE_NAME, feed })
          : undefined,
        timeZone: config.OFFICE_TIMEZONE,
        log,
      });
    // The page shows the adapter of the current leader term (each term makes a new one).
    let whatsapp = make();
    entries.push({ first: whatsapp, create: () => (whatsapp = make()) });
    adminPages.push({ path: "whatsapp", page: () => whatsapp.adminPage });
  }
  const discordToken = config.DISCORD_BOT_TOKEN;
  if (discordToken) {
    entries.push(
      entryOf(() =>
        createDiscordAdapter({
          token: discordToken,
          apiBase: config.DISCORD_API_BASE,
          maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES,
          log,
        }),
      ),
    );
  }
  return { entries, webhooks, adminPages };
}

/** The monthly reports for `/logbook` and `/rekap`, written where `npm run logbook|recap` writes them. */
function staffReports(config: Config, db: Database): StaffReports {
  const dir = join(process.cwd(), "data", "reports");
  const settings = reportSettings(config);
  const save = async (file: { filename: string; content: Buffer }) => {
    await mkdir(dir, { recursive: true });
    const path = join(dir, file.filename);
    await writeFile(path, file.content);
    return path;
  };
  return {
    async logbook(month, format) {
      const file = await logbookReport(db, month, format, settings);
      return { path: await save(file), filename: file.filename, rows: file.rows };
    },
    async recap(month) {
      const { recap, json, pdf } = await recapReport(db, month, settings);
      await save(json);
      return {
        path: await save(pdf),
        filename: pdf.filename,
        total: recap.total,
        open: recap.open,
        overdue: recap.overdue,
        averageRating: recap.averageRating,
      };
    },
  };
}

/**
 * Where outgoing messages can go from this instance: `all` (every configured adapter) tells each
 * channel's limits; `sendable` holds the adapters the outbox worker may send through now (a
 * channel only the leader runs is in it while this instance leads); `excludeChannels` names the
 * channels whose rows the worker leaves to another instance.
 */
interface Delivery {
  all: readonly ChannelAdapter[];
  sendable: Map<ChannelName, ChannelAdapter>;
  excludeChannels?: () => readonly string[];
  /** Why a configured channel cannot send here (it failed to start), for the outbox's lastError. */
  whyUnavailable?: (channel: string) => string | undefined;
}

/** What both entry points share: pipeline, staff console and the outbox worker (not started here). */
function startCore(config: Config, base: Base, delivery: Delivery, log: Log, staffRef: StaffSinkRef = {}): Core {
  const { db, templates, sop, attachments } = base;
  const staffFiles = new AttachmentStore(join(config.ATTACHMENTS_DIR, "staff"), config.ATTACHMENT_MAX_BYTES);
  const limits = new Map(delivery.all.map((a) => [a.name, a.limits]));
  const limitsOf = (channel: ChannelName) => limits.get(channel) ?? PUSH_DEFAULT;
  const staffFeed = staffFeedOf(config);
  const worker = createOutboxWorker({
    db,
    adapters: delivery.sendable,
    excludeChannels: delivery.excludeChannels,
    whyUnavailable: delivery.whyUnavailable,
    // Sending limits counted in the database, so that they hold for every instance together.
    pacer: new Pacer(databaseLedger(db)),
    log,
    onPermanentFailure: deliveryFailureReporter(config, base),
  });
  const pipeline = createPipeline({
    db,
    templates,
    sop,
    settings: {
      officeName: config.OFFICE_NAME,
      ticketPrefix: config.TICKET_PREFIX,
      defaultLocale: config.DEFAULT_LOCALE,
      timeZone: config.OFFICE_TIMEZONE,
      maxFilesPerComplaint: config.ATTACHMENT_MAX_FILES,
      maxBytesPerConversation: config.ATTACHMENT_MAX_BYTES_PER_CONVERSATION,
    },
    attachments,
    limitsOf,
    staffFeed,
    onOutboxRows: () => worker.notify(),
  });
  staffRef.current = createStaffConsole({
    db,
    voice: pipeline,
    templates,
    sop,
    settings: {
      officeName: config.OFFICE_NAME,
      timeZone: config.OFFICE_TIMEZONE,
      locale: config.DEFAULT_LOCALE,
      replyMode: config.STAFF_REPLY_MODE,
      staffIds: config.STAFF_TELEGRAM_IDS,
      opsChannel: "telegram",
      opsChatId: config.TELEGRAM_OPS_CHAT_ID,
    },
    limitsOf,
    reports: staffReports(config, db),
    storeFile: async (file) => {
      // Staff files have no Attachment row (the outbox payload names them): kept apart, where the sweep never looks.
      const checked = await staffFiles.accept(file);
      return checked.accepted
        ? { path: staffFiles.pathOf(checked.stored.storagePath), mime: checked.stored.mime, filename: checked.stored.filename }
        : undefined;
    },
  });
  return {
    db,
    pipeline,
    worker,
    async close() {
      // The pipeline finishes its steps (their replies are outbox rows), then deliveries stop,
      // then the database closes.
      await pipeline.close();
      await worker.stop();
      await db.close();
    },
  };
}

/**
 * Time standards: warnings to a step's holder and escalations to the head go to the staff group,
 * so the scheduler runs only when there is one — and, like the channels' connections, on the leader.
 */
function sopSchedulerDuty(config: Config, base: Base, log: Log): Duty | undefined {
  const feed = staffFeedOf(config);
  if (!feed) return undefined;
  let scheduler: SopScheduler | undefined;
  return {
    name: "sop-scheduler",
    async start() {
      scheduler = startSopScheduler({
        db: base.db,
        sop: base.sop,
        notify: staffFeedNotifier({
          sop: base.sop,
          templates: base.templates,
          officeName: config.OFFICE_NAME,
          timeZone: config.OFFICE_TIMEZONE,
          feed,
          staffIds: config.STAFF_TELEGRAM_IDS,
        }),
        onError: (error) => log("SOP scheduler round failed", { error: error.message }),
      });
    },
    async stop() {
      await scheduler?.stop();
      scheduler = undefined;
    },
  };
}

/** Hourly on the leader: idle web-chat sessions purged, ended rate-limit windows forgotten. */
function housekeepingDuty(config: Config, db: Database, log: Log): Duty {
  return periodicDuty(
    "housekeeping",
    3600_000,
    async () => {
      const purged = await purgeIdleWebchatSessions(db, { idleDays: config.WEBCHAT_SESSION_IDLE_DAYS });
      if (purged.conversations > 0) log("idle web-chat sessions purged", { ...purged, idleDays: config.WEBCHAT_SESSION_IDLE_DAYS });
      await forgetEndedRateWindows(db);
    },
    log,
  );
}

export interface RunningServer {
  url: string;
  db: Database;
  pipeline: Pipeline;
  /** Who runs the once-per-office connections among the instances on this database. */
  election: LeaderElection;
  close(): Promise<void>;
}

/** Channels that know more than "running" (WhatsApp Web's link, e-mail's IMAP connection) say so on /health. */
function liveState(adapter: ChannelAdapter): string | undefined {
  const extra = adapter as ChannelAdapter & { state?: () => { state: string }; status?: unknown };
  if (typeof extra.state === "function") return extra.state().state;
  if (typeof extra.status === "string") return extra.status;
  return undefined;
}

export async function startServer(config: Config, log: Log = jsonLog): Promise<RunningServer> {
  const staffRef: StaffSinkRef = {};
  const base = await openBase(config, log);
  const { entries, webhooks, adminPages } = configuredChannels(config, base, staffRef, log);
  const sendable = new Map<ChannelName, ChannelAdapter>();
  const singletons: SingletonChannel[] = [];
  const everywhere: ChannelAdapter[] = [];
  const core = startCore(
    config,
    base,
    {
      all: entries.map((e) => e.first),
      sendable,
      // A follower leaves the leader's channels alone; the leader too while one of them is still
      // starting (a row claimed then would find no adapter). A channel that failed to start is not
      // excluded: its rows fail after their attempts and staff are told. (`election` is created
      // below, before the worker, the only caller, starts.)
      excludeChannels: () =>
        singletons.filter((c) => !election.isLeader() || c.state() === "standby" || c.state() === "starting").map((c) => c.name),
      whyUnavailable: (channel) => {
        const failed = singletons.find((c) => c.name === channel && c.state() === "failed");
        return failed ? `channel ${channel} failed to start: ${failed.failure() ?? "unknown error"}` : undefined;
      },
    },
    log,
    staffRef,
  );
  const receive = (inbound: Parameters<Pipeline["receive"]>[0]) => core.pipeline.receive(inbound);
  for (const entry of entries) {
    if (entry.first.singleton && entry.create) {
      singletons.push(singletonChannel({ first: entry.first, create: entry.create, sink: receive, sendable, log }));
      continue;
    }
    await entry.first.start(receive);
    sendable.set(entry.first.name, entry.first);
    everywhere.push(entry.first);
  }
  const scheduler = sopSchedulerDuty(config, base, log);
  // Files no complaint refers to: one instance removes them (src/storage/sweep.ts).
  const sweeper = attachmentSweeper({
    db: base.db,
    dir: config.ATTACHMENTS_DIR,
    graceMs: config.ATTACHMENT_SWEEP_GRACE_HOURS * 3_600_000,
    log,
  });
  // RETENTION_MONTHS: closed complaints past it are anonymised (src/privacy/retention.ts).
  const retention =
    config.RETENTION_MONTHS > 0
      ? [retentionDuty(core.db, { months: config.RETENTION_MONTHS, attachmentsDir: config.ATTACHMENTS_DIR }, log)]
      : [];
  const roster = dutyRoster(
    [...singletons, ...(scheduler ? [scheduler] : []), sweeper, housekeepingDuty(config, core.db, log), ...retention],
    log,
  );
  const leaderState = channelStateStore(core.db, "cluster");
  const election: LeaderElection = createLeaderElection({
    databaseUrl: config.DATABASE_URL,
    leaseMs: config.LEADER_LEASE_SECONDS * 1000,
    retryMs: Math.ceil((config.LEADER_LEASE_SECONDS * 1000) / 3),
    log,
    onElected: async () => {
      await leaderState
        .set("leader", JSON.stringify({ instance: election.instance, since: new Date().toISOString() }))
        .catch(() => undefined);
      await roster.startAll();
    },
    onDeposed: () => roster.stopAll(),
  });
  election.start();
  // The first term starts before the server answers, so a lone instance is ready when it says so.
  await election.ready();
  core.worker.start();

  const channelStates = (): Record<string, string> =>
    Object.fromEntries([
      ...everywhere.map((a): [string, string] => [a.name, liveState(a) ?? (a.webhook ? "webhook" : "running")]),
      ...singletons.map((c): [string, string] => [c.name, c.state() === "running" ? (liveState(c.current()) ?? "running") : c.state()]),
    ]);
  const app = await buildServer({
    pipeline: core.pipeline,
    conversations: createConversationStore(core.db),
    databaseOk: async () => {
      await core.db.prisma.$queryRawUnsafe("SELECT 1");
      return true;
    },
    channels: channelStates,
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
    webchat: { publicDir: WEBCHAT_PUBLIC_DIR, templatesDir: TEMPLATES_DIR, maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES },
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
      },
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
    close() {
      closed ??= (async () => {
        // Stop accepting connections first; requests in flight finish before the pipeline closes.
        // Then the channels stop taking updates (finishing those in hand): the leader's connections
        // with its term, the others after them.
        await app.close();
        await election.stop();
        await Promise.all(everywhere.map((a) => a.stop().catch(() => undefined)));
        await core.close();
      })();
      return closed;
    },
  };
}

export async function startTerminalChat(
  config: Config,
  options: { chatId?: string; input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } = {},
) {
  const locale: Locale = config.DEFAULT_LOCALE;
  const texts = JSON.parse(readFileSync(join(TEMPLATES_DIR, locale, "terminal.json"), "utf8")) as TerminalTexts;
  const chatId = options.chatId ?? `terminal:${userInfo().username}`;
  let cursor: number | undefined;
  // `core` is set below, before the adapter starts polling.
  const conversations = () => createConversationStore(core.db);
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const adapter = createTerminalAdapter({
    input: options.input ?? process.stdin,
    output: options.output ?? process.stdout,
    chatId,
    texts,
    poll: async () => {
      const { messages, cursor: next } = await conversations().history("terminal", chatId, cursor);
      const fresh = cursor === undefined ? [] : messages;
      cursor = Number(next);
      return fresh;
    },
    onClose: () => done(),
  });
  // Logs would interleave with the conversation: in the terminal only errors are shown.
  // No outbox worker and no leader duties here: a worker that knows only the terminal would claim
  // other channels' messages, and the terminal's replies are read from the database anyway.
  const core = startCore(config, await openBase(config), { all: [adapter], sendable: new Map([[adapter.name, adapter]]) }, (msg, fields) =>
    process.stderr.write(`${msg} ${JSON.stringify(fields ?? {})}\n`),
  );
  await adapter.start((inbound) => core.pipeline.receive(inbound));
  return {
    finished,
    async close() {
      await adapter.stop().catch(() => undefined);
      await core.close();
    },
  };
}

async function main(argv: string[]): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof KanalError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  if (argv.includes("--chat")) {
    const chat = await startTerminalChat(config, { chatId: argv.includes("--new") ? `terminal:${Date.now()}` : undefined });
    await chat.finished;
    await chat.close();
    return;
  }
  const server = await startServer(config);
  jsonLog("Kanal Aduan is running", { url: server.url, office: config.OFFICE_NAME, database: config.DATABASE_URL.split(":")[0] });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    jsonLog("shutting down", { signal });
    server.close().then(
      () => process.exit(0),
      (error: Error) => {
        jsonLog("shutdown failed", { error: error.message });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // `npm start` execs this process, so a process manager's SIGTERM to npm reaches it. Should the
  // process that started it die without passing a signal on (npm killed, a shell in between), this
  // process is orphaned: it stops the same way instead of holding the port and the database.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop("parent exited");
  }, 1000).unref();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: Error) => {
    process.stderr.write(`Kanal Aduan could not start: ${error.message}\n`);
    process.exit(1);
  });
}
