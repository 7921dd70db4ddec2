/**
 * Mechanisms several channels share (bounded downloads, in-order hand-over with retries). Like the
 * channels, this folder imports only src/core; channels import it, never each other.
 */
export { attachmentTooLarge, collectLimited, downloadLimited, type DownloadOptions } from "./download.js";
export { createDeliveryQueue, type DeliveryQueue } from "./delivery-queue.js";
