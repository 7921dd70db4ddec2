/**
 * Meta: WhatsApp Cloud API, Facebook Messenger and Instagram behind one Meta app and one webhook
 * (/webhooks/meta). See channels.ts.
 */
export {
  createMetaChannels,
  whatsappLimits,
  MESSENGER_LIMITS,
  INSTAGRAM_LIMITS,
  type MetaChannels,
  type MetaChannelsOptions,
} from "./channels.js";
export type { StatusUpdate, MetaChannelName } from "./inbound.js";
export { verifySignature, MAX_BODY_BYTES } from "./webhook.js";
export { classifyGraphError, THROTTLING_CODES } from "./graph.js";
export { LIST_BUTTON_LABEL, templateParameter } from "./send-whatsapp.js";
