/**
 * The webhook payloads this adapter reads, as zod schemas. Each level is parsed on its own (the
 * envelope, then every entry, change, message, status and messaging item), so one malformed item
 * is skipped and logged while the rest of the batch is handled. Objects are not strict: Meta adds
 * fields without notice.
 *
 * WhatsApp: https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
 * Messenger: https://developers.facebook.com/docs/messenger-platform/webhooks
 * Instagram: https://developers.facebook.com/docs/instagram-platform/webhooks
 */
import { z } from "zod";

export const envelopeSchema = z.object({
  object: z.string(),
  entry: z.array(z.unknown()),
});

// ---- WhatsApp Cloud API (object "whatsapp_business_account")

export const waEntrySchema = z.object({
  id: z.string().optional(),
  changes: z.array(z.unknown()),
});

export const waChangeSchema = z.object({
  field: z.string(),
  value: z.unknown(),
});

export const waValueSchema = z.object({
  messaging_product: z.string().optional(),
  metadata: z.object({
    display_phone_number: z.string().optional(),
    phone_number_id: z.string().min(1),
  }),
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
});

export const waContactSchema = z.object({
  wa_id: z.string().min(1),
  profile: z.object({ name: z.string().optional() }).optional(),
});

const waMediaSchema = z.object({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});

/** Unix seconds, sent as a string by WhatsApp ("1767236400"); a number is accepted as well. */
const unixSeconds = z.union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative()]).transform((v) => new Date(Number(v) * 1000));

const replySchema = z.object({ id: z.string(), title: z.string(), description: z.string().optional() });

export const waMessageSchema = z.object({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: unixSeconds,
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: replySchema.optional(),
      list_reply: replySchema.optional(),
    })
    .optional(),
  /** A template's quick-reply button. */
  button: z.object({ text: z.string(), payload: z.string().optional() }).optional(),
  image: waMediaSchema.optional(),
  document: waMediaSchema.optional(),
  audio: waMediaSchema.optional(),
  video: waMediaSchema.optional(),
  sticker: waMediaSchema.optional(),
  location: z
    .object({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  reaction: z.object({ message_id: z.string().optional(), emoji: z.string().optional() }).optional(),
});
export type WaMessage = z.infer<typeof waMessageSchema>;
export type WaMedia = z.infer<typeof waMediaSchema>;

export const waStatusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: unixSeconds,
  recipient_id: z.string().optional(),
  errors: z
    .array(
      z.object({
        code: z.number(),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.object({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
export type WaStatus = z.infer<typeof waStatusSchema>;

/** GET <base>/<media-id>: where the file is (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#retrieve-media-url). */
export const waMediaInfoSchema = z.object({
  url: z.string().min(1),
  mime_type: z.string().optional(),
  file_size: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
});

export const waSendResponseSchema = z.object({
  messages: z.array(z.object({ id: z.string().min(1) })).min(1),
});

export const waUploadResponseSchema = z.object({ id: z.string().min(1) });

// ---- Messenger (object "page") and Instagram (object "instagram")

export const pageEntrySchema = z.object({
  id: z.string().optional(),
  time: z.number().optional(),
  /** Absent when the entry carries `changes` (feed, comments): not conversation, ignored. */
  messaging: z.array(z.unknown()).optional(),
});

const messengerAttachmentSchema = z.object({
  type: z.string(),
  payload: z
    .object({
      url: z.string().optional(),
      sticker_id: z.union([z.number(), z.string()]).optional(),
    })
    .nullish(),
});

export const messagingItemSchema = z.object({
  sender: z.object({ id: z.string().min(1) }),
  recipient: z.object({ id: z.string() }),
  /** Milliseconds. */
  timestamp: z.number(),
  message: z
    .object({
      mid: z.string().min(1),
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
      is_deleted: z.boolean().optional(),
      is_unsupported: z.boolean().optional(),
      quick_reply: z.object({ payload: z.string() }).optional(),
      attachments: z.array(messengerAttachmentSchema).optional(),
    })
    .optional(),
  postback: z.object({ title: z.string().optional(), payload: z.string().optional(), mid: z.string().optional() }).optional(),
});
export type MessagingItem = z.infer<typeof messagingItemSchema>;

export const messengerSendResponseSchema = z.object({ message_id: z.string().min(1) });
