-- The pace ledger's keys are keyed hashes from now on (src/outbox/pacing.ts): the rows keyed by a
-- chat address in clear (a citizen's number) go. Their windows are a minute at most; the next
-- sends start them afresh.
DELETE FROM "SendPace" WHERE "key" NOT LIKE 'h:%';
