-- Every query run through the lakehouse, and the product tables it read:
-- usage figures per product and the consumer side of lineage.
CREATE TABLE queries (
    id          uuid        PRIMARY KEY,
    subject     text,                      -- the token's sub; NULL when anonymous
    started_at  timestamptz NOT NULL,
    duration_ms integer     NOT NULL,
    row_count   bigint      NOT NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('completed', 'truncated', 'failed', 'cancelled')),
    sql         text        NOT NULL
);

CREATE TABLE product_reads (
    query_id   uuid   NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
    product_id text   NOT NULL,
    output     text   NOT NULL,
    snapshot   bigint,                      -- the Iceberg snapshot read, for lakehouse tables
    PRIMARY KEY (query_id, product_id, output)
);

CREATE INDEX product_reads_by_product ON product_reads (product_id);
CREATE INDEX queries_by_time ON queries (started_at);
