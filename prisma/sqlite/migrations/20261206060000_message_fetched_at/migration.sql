-- When the web page fetched a message of the office (src/pipeline/conversation-store.ts): the
-- staff console shows a web-chat reply as delivered once the citizen's page has it. Nullable, no
-- default: every existing row reads as not fetched, which is what is known of them.
ALTER TABLE "Message" ADD COLUMN "fetchedAt" DATETIME;
