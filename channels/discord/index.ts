/** Discord: citizens write to the bot by direct message; replies go back to the DM. See adapter.ts. */
export {
  createDiscordAdapter,
  DISCORD_LIMITS,
  DEFAULT_SINK_RETRY_DELAYS_MS,
  type DiscordAdapter,
  type DiscordAdapterOptions,
} from "./adapter.js";
export { ignoreReason, toInbound, downloadLimited, type DiscordMessageView } from "./inbound.js";
export { classifyDiscordError, plan, type RestLike } from "./send.js";
export { toDiscordMarkdown, DISCORD_TEXT_LIMIT } from "./text.js";
