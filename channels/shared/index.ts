/**
 * Mechanisms several channels share (bounded downloads, in-order hand-over with retries, splitting
 * long text, listing options that cannot be buttons, resuming a partly sent message, telling a
 * failure worth retrying). Like the channels, this folder imports only src/core;
 * channels import it, never each other.
 */
export { attachmentTooLarge, collectLimited, downloadLimited, type DownloadOptions } from "./download.js";
export { createDeliveryQueue, type DeliveryQueue } from "./delivery-queue.js";
export { sizeOf, splitText, type TextUnit } from "./split-text.js";
export { createPartSender, type PartResult, type PartSender, type SendFailure } from "./send-parts.js";
export { isNetworkErrorCode, readUpload } from "./send-errors.js";
export { withOptionsListed } from "./options-text.js";
