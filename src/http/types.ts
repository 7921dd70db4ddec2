import type { FastifyInstance } from "fastify";
import type { AdminPage } from "./admin-routes.js";
import type { ChannelStatus, Locale, Log, Webhook } from "../core/index.js";
import type { SharedCounter } from "./rate-limit.js";
import type { TrackingDeps } from "./track-routes.js";
import type { Pipeline, ConversationStore } from "../pipeline/index.js";

export interface ServerDeps {
  pipeline: Pipeline;
  conversations: ConversationStore;
  /** True when the database answers. */
  databaseOk(): Promise<boolean>;
  /** Prometheus text for GET /metrics. */
  metrics?(): Promise<string>;
  /** Name and state of each started channel, for /health. */
  channels(): Record<string, string>;
  /** Each channel's state with why it is not running (a failed start's reason), for /health's `channelDetails`. */
  channelDetails?(): Record<string, ChannelStatus>;
  /** This instance and the leader among the instances on the database, for /health. */
  leader?(): Promise<{ instance: string; isLeader: boolean; leader?: string; leaderSince?: string }>;
  webchat: {
    /** channels/webchat/public: index.html, app.js, style.css */
    publicDir: string;
    /** templates/: webchat UI texts are templates/<locale>/webchat.json */
    templatesDir: string;
    maxAttachmentBytes: number;
    /** WEBCHAT_SESSION_IDLE_DAYS: past it, the page shows nothing of a conversation it kept (default 30). */
    sessionIdleDays?: number;
    /** Where a stored evidence file is on disk (AttachmentStore.pathOf); absent, no thumbnails are served. */
    filePath?: (storagePath: string) => string;
  };
  officeName: string;
  /** The locale of a session that does not ask for one. */
  defaultLocale: "id" | "en";
  /** Operator pages at /admin/<path> (the WhatsApp Web QR code). */
  adminPages?: readonly AdminPage[];
  /** The staff web console, mounted at /staff in a context of its own (src/console). */
  staffConsole?: (app: FastifyInstance) => Promise<void>;
  /** Mounted at /webhooks/<path> (Telegram webhook mode, Meta). */
  webhooks?: readonly Webhook[];
  /** Hardening (README "Security"); absent, the safe defaults: limits on (in memory), no proxy trusted, no framing. */
  security?: {
    /** WEBCHAT_FRAME_ANCESTORS: origins allowed to embed the chat page. */
    frameAncestors?: readonly string[];
    /** PUBLIC_BASE_URL is https: HSTS is sent, cookies are Secure. */
    https?: boolean;
    /** RATE_LIMIT: false turns every per-client limit off. */
    rateLimit?: boolean;
    /** The database's counter for the limits every instance shares (sessions, uploads, logins). */
    sharedCounter?: SharedCounter;
    /** TRUST_PROXY: whose X-Forwarded-For (and X-Forwarded-Proto) is believed. */
    trustProxy?: false | number | readonly string[];
  };
  /** The public tracking page /lacak and GET /api/track (src/http/track-routes.ts); absent, not served. */
  tracking?: TrackingDeps;
  /** A text from templates/ in a locale (the polite 429); absent, English built-ins. */
  texts?: (locale: Locale, key: string, vars: Record<string, string | number>) => string;
  log: Log;
  clock?: () => Date;
}
