/**
 * Why a citizen's file was not kept. Decided by the store (the bytes), the pipeline (the
 * conversation's byte budget) and the flow (the step, the complaint's file count); the flow turns
 * each into a polite reply and the web chat into an HTTP status.
 * - tooLarge: over ATTACHMENT_MAX_BYTES
 * - type: the bytes are not a type we take as evidence (or no type we know)
 * - empty: no bytes at all
 * - unavailable: the provider no longer has the file (an expired media link)
 * - quota: the conversation's files would pass ATTACHMENT_MAX_BYTES_PER_CONVERSATION
 * - tooMany: the complaint (or the one being written) already holds ATTACHMENT_MAX_FILES
 * - notNow: no complaint is being written and none was filed here (the menu, a status question)
 */
export type FileRefusal = "tooLarge" | "type" | "empty" | "unavailable" | "quota" | "tooMany" | "notNow";
