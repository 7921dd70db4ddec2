import { KanalError, typeOfExtension, type AttachmentKind, type InboundAttachment } from "../../src/core/index.js";
import { downloadLimited, GRAPH_TIMEOUT_MS, tooLarge } from "./graph.js";
import { waMediaInfoSchema } from "./schemas.js";

/** What a WhatsApp media download needs: the Graph base, the token and the size limit. */
export interface MediaAccess {
  graphApiBase: string;
  token: string;
  maxBytes: number;
}

/** Hosts Meta serves media from; the WhatsApp token is sent to these (and to the Graph base) only. */
const META_MEDIA_HOSTS = ["fbsbx.com", "facebook.com", "fbcdn.net", "whatsapp.net", "cdninstagram.com"];

export function mayCarryToken(url: string, graphApiBase: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.origin === new URL(graphApiBase).origin) return true;
  return target.protocol === "https:" && META_MEDIA_HOSTS.some((h) => target.hostname === h || target.hostname.endsWith(`.${h}`));
}

/** A CDN URL's file extension as a MIME type ("…/123_n.jpg?…" → image/jpeg). */
export function mimeFromUrl(url: string): string | undefined {
  try {
    const ext = /\.([a-z0-9]{2,5})$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
    return ext ? typeOfExtension(ext) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves a WhatsApp media id to its (short-lived) URL with the token: GET <base>/<media-id> →
 * `{url, mime_type, file_size}` (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media).
 */
async function mediaInfo(access: MediaAccess, mediaId: string): Promise<{ url: string; size?: number }> {
  let response: Response;
  try {
    response = await fetch(`${access.graphApiBase}/${encodeURIComponent(mediaId)}`, {
      headers: { authorization: `Bearer ${access.token}` },
      signal: AbortSignal.timeout(GRAPH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new KanalError("KA_UNAVAILABLE", `meta: looking up WhatsApp media ${mediaId} failed (${(error as Error).name})`, {
      cause: error,
    });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    // Media ids expire after 30 days; an unknown one will not come back.
    if (response.status === 400 || response.status === 404) {
      throw new KanalError("KA_NOT_FOUND", `WhatsApp media ${mediaId} is no longer available (HTTP ${response.status})`);
    }
    const message = `meta: looking up WhatsApp media ${mediaId} failed with HTTP ${response.status}`;
    // Graph's 5xx and throttling pass; Meta delivers the message again and the lookup is tried anew.
    throw response.status >= 500 || response.status === 429 ? new KanalError("KA_UNAVAILABLE", message) : new Error(message);
  }
  const parsed = waMediaInfoSchema.safeParse(body);
  if (!parsed.success) throw new Error(`meta: the Graph API answered an unexpected media description for ${mediaId}`);
  return { url: parsed.data.url, size: parsed.data.file_size };
}

/**
 * A WhatsApp file, fetched only when asked (a declined file is never downloaded): the media URL from
 * Graph, then the bytes from that URL with the same token, stopped as soon as they pass the limit.
 */
export function whatsappMedia(
  access: MediaAccess,
  mediaId: string,
  meta: { kind: AttachmentKind; mime: string; filename?: string },
): InboundAttachment {
  return {
    ...meta,
    // The webhook does not say how large the file is; the store checks the bytes it gets.
    size: 0,
    async fetch() {
      const info = await mediaInfo(access, mediaId);
      if (info.size !== undefined && info.size > access.maxBytes) throw tooLarge(access.maxBytes);
      if (!mayCarryToken(info.url, access.graphApiBase)) {
        throw new Error(`meta: WhatsApp media ${mediaId} points outside Meta's hosts; the token is not sent there`);
      }
      return downloadLimited(info.url, access.maxBytes, { authorization: `Bearer ${access.token}` });
    },
  };
}

/** A Messenger or Instagram attachment: a public CDN URL, no token (https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages). */
export function urlMedia(
  url: string,
  maxBytes: number,
  meta: { kind: AttachmentKind; mime: string; filename?: string },
): InboundAttachment {
  return {
    ...meta,
    size: 0,
    fetch: () => downloadLimited(url, maxBytes),
  };
}

/** A shared location as a GeoJSON Feature with a Point (RFC 7946: [longitude, latitude]), as the Telegram channel stores it. */
export function locationAttachment(location: { latitude: number; longitude: number; name?: string; address?: string }): InboundAttachment {
  const feature = {
    type: "Feature",
    geometry: { type: "Point", coordinates: [location.longitude, location.latitude] },
    properties: {
      ...(location.name !== undefined ? { title: location.name } : {}),
      ...(location.address !== undefined ? { address: location.address } : {}),
    },
  };
  const bytes = new Uint8Array(Buffer.from(JSON.stringify(feature), "utf8"));
  return { kind: "location", mime: "application/geo+json", size: bytes.byteLength, filename: "location.geojson", fetch: async () => bytes };
}
