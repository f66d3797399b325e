-- How far each outbound feed (DataHub, OpenLineage forwarding) has delivered: the position of the last row of its
-- source table that the receiver accepted (or refused for good). A restart resumes after it.
CREATE TABLE feed_positions (
    feed       text        PRIMARY KEY,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);
