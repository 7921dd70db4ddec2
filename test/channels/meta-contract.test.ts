/**
 * The shared ChannelAdapter contract (test/contract/channel-adapter.ts) for each Meta product, through
 * the one Meta webhook and the fake Graph API. The remote behaves as Meta does: a webhook answered with
 * anything but 200 is delivered again, with the same message id.
 */
import { createMetaChannels, type MetaChannelName } from "../../channels/meta/index.js";
import { describeChannelAdapter, type ContractSubject } from "../contract/channel-adapter.js";
import { signedRequest, startFakeGraph, whatsappTextWebhook } from "../fakes/meta-graph.js";

const APP_SECRET = "contract-app-secret";
const CHAT: Record<MetaChannelName, string> = {
  "whatsapp-cloud": "6281298765432",
  messenger: "7203948572610001",
  instagram: "1234567890120002",
};

/** Throttling as Graph sends it: HTTP 400 with a throttling code (here with a Retry-After header). */
const THROTTLED: Record<MetaChannelName, { message: string; code: number }> = {
  "whatsapp-cloud": { message: "(#130429) Rate limit hit", code: 130429 },
  messenger: { message: "(#613) Calls to this api have exceeded the rate limit.", code: 613 },
  instagram: { message: "(#4) Application request limit reached", code: 4 },
};

const REFUSED: Record<MetaChannelName, { message: string; code: number; error_subcode?: number }> = {
  "whatsapp-cloud": { message: "(#131026) Message undeliverable", code: 131026 },
  messenger: { message: "(#551) This person isn't available right now.", code: 551, error_subcode: 1545041 },
  instagram: { message: "(#100) No matching user found", code: 100, error_subcode: 2534014 },
};

function payloadFor(channel: MetaChannelName, chatId: string, id: string, text: string, phoneNumberId: string): unknown {
  if (channel === "whatsapp-cloud") return whatsappTextWebhook(phoneNumberId, [{ from: chatId, id, text, name: "Warga" }]);
  return {
    object: channel === "messenger" ? "page" : "instagram",
    entry: [
      {
        id: "104857291738562",
        time: Date.now(),
        messaging: [{ sender: { id: chatId }, recipient: { id: "104857291738562" }, timestamp: Date.now(), message: { mid: id, text } }],
      },
    ],
  };
}

function contract(channel: MetaChannelName) {
  describeChannelAdapter(channel, async (): Promise<ContractSubject> => {
    const graph = await startFakeGraph({ instagramRecipients: [CHAT.instagram] });
    const meta = createMetaChannels({
      appSecret: APP_SECRET,
      verifyToken: "verify",
      graphApiBase: graph.url,
      ...(channel === "whatsapp-cloud"
        ? { whatsapp: { token: graph.whatsappToken, phoneNumberId: graph.phoneNumberId } }
        : { pageAccessToken: graph.pageAccessToken }),
      maxAttachmentBytes: 1024 * 1024,
    });
    const adapter = meta.adapters.find((a) => a.name === channel)!;
    const chatId = CHAT[channel];
    let counter = 0;
    return {
      adapter,
      remote: {
        chatId,
        async deliverText(text) {
          const id = channel === "whatsapp-cloud" ? `wamid.CONTRACT${++counter}` : `m_contract${++counter}`;
          const request = signedRequest(APP_SECRET, payloadFor(channel, chatId, id, text, graph.phoneNumberId));
          // Meta retries a delivery that was not answered with 200 (here at once, a few times).
          for (let attempt = 0; attempt < 5; attempt++) {
            if ((await meta.webhook.handle(request)).status === 200) return;
          }
        },
        refuseNextSend(kind: "rateLimit" | "permanent", retryAfterSeconds?: number) {
          const path = channel === "whatsapp-cloud" ? "/messages" : "/me/messages";
          if (kind === "rateLimit")
            graph.inject(path, 400, THROTTLED[channel], 1, { headers: { "retry-after": String(retryAfterSeconds ?? 60) } });
          else graph.inject(path, 400, REFUSED[channel]);
        },
        sentTexts: () => graph.sent(chatId).map((m) => m.text ?? ""),
        close: () => graph.close(),
      },
    };
  });
}

contract("whatsapp-cloud");
contract("messenger");
contract("instagram");
