-- The outbox worker's findDue (src/outbox/store.ts) walks the unfinished rows oldest first and
-- stops at its LIMIT, and asks per row whether an older unfinished row of the same chat holds it
-- back. Both indexes hold only unfinished rows, so a backlog behind a provider's rate limit (or
-- the growing pile of sent rows) no longer makes every poll read all of them. They replace the
-- (status, nextAttemptAt) index: with it, PostgreSQL without fresh statistics (a new database, a
-- burst) read the whole backlog and sorted it on every poll. Partial indexes cannot be written in
-- the Prisma schema; they live here (see prisma/models.prisma.part).
DROP INDEX "OutboxMessage_status_nextAttemptAt_idx";
CREATE INDEX "OutboxMessage_unfinished_order_idx" ON "OutboxMessage" ("createdAt", "id") WHERE "status" IN ('pending', 'sending');
CREATE INDEX "OutboxMessage_unfinished_chat_idx" ON "OutboxMessage" ("channel", "chatId", "createdAt") WHERE "status" IN ('pending', 'sending');
