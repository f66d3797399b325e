-- Refused queries are recorded too: how a query ended gains the refusals
-- (nothing was read), and every record says the HTTP status the caller got
-- and, when it did not complete, why.
ALTER TABLE queries DROP CONSTRAINT queries_outcome_check;
ALTER TABLE queries ADD CONSTRAINT queries_outcome_check CHECK (outcome IN (
    'completed', 'truncated', 'failed', 'cancelled',
    'invalid', 'forbidden', 'unknown', 'throttled', 'unavailable'));

ALTER TABLE queries ADD COLUMN status_code integer CHECK (status_code BETWEEN 100 AND 599);
ALTER TABLE queries ADD COLUMN reason text;

-- A query refused for being one too many (429) is refused before its body is read.
ALTER TABLE queries ALTER COLUMN sql DROP NOT NULL;

-- Before this, only queries that ran were recorded; those that completed had answered 200.
UPDATE queries SET status_code = 200 WHERE outcome IN ('completed', 'truncated');

-- A caller lists its own queries, newest first.
CREATE INDEX queries_by_subject ON queries (subject, started_at);
