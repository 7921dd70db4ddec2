import type { ChannelName } from "../core/index.js";
import type { ReportTexts } from "./texts.js";

/** Social-media channels and the platform name the logbook shows after "Sosmed". */
const SOCIAL: Partial<Record<ChannelName, string>> = {
  telegram: "Telegram",
  "whatsapp-web": "WhatsApp",
  "whatsapp-cloud": "WhatsApp",
  messenger: "Messenger",
  instagram: "Instagram",
  discord: "Discord",
};

/**
 * The medium in the words of form FM-PDIP-03-02 ("Form/surat/website/Sosmed/Email dll"): the web
 * chat is the office's website, the chat apps are social media with the platform named.
 */
export function mediumLabel(channel: string, texts: ReportTexts): string {
  const platform = SOCIAL[channel as ChannelName];
  if (platform) return texts.t("media.social", { platform });
  if (channel === "webchat") return texts.t("media.website");
  if (channel === "email") return texts.t("media.email");
  if (channel === "terminal") return texts.t("media.terminal");
  return channel;
}

/** A channel's plain name for charts ("WhatsApp", "Website"). */
export function channelName(channel: string, texts: ReportTexts): string {
  return SOCIAL[channel as ChannelName] ?? mediumLabel(channel, texts);
}
