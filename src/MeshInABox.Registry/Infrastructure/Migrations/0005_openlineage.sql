-- OpenLineage 2-0-2 events as received (POST /api/v1/lineage), in the order the registry took them in.
-- content_hash (SHA-256 of the event's compact JSON) makes a re-post of the same event a no-op; readers page by
-- (tx_id, position) as the outbox does, so an event that commits late never lands behind a reader's cursor.
CREATE TABLE lineage_events (
    position      bigserial   PRIMARY KEY,
    tx_id         xid8        NOT NULL DEFAULT pg_current_xact_id(),
    content_hash  bytea       NOT NULL UNIQUE,
    event_kind    text        NOT NULL CHECK (event_kind IN ('run', 'job', 'dataset')),
    domain        text        NOT NULL,
    event_type    text,
    event_time    timestamptz NOT NULL,
    run_id        uuid,
    job_namespace text,
    job_name      text,
    event         jsonb       NOT NULL,
    received_at   timestamptz NOT NULL
);

CREATE INDEX lineage_events_order_idx ON lineage_events (tx_id, position);
CREATE INDEX lineage_events_run_idx ON lineage_events (run_id) WHERE run_id IS NOT NULL;

-- Dataset lineage: a job read source and wrote target. origin tells where an edge was learnt: 'runtime' from
-- run events; design-time lineage (declared in contracts, parsed from SQL) will add its own origin beside it.
CREATE TABLE lineage_dataset_edges (
    origin           text        NOT NULL CHECK (origin IN ('runtime')),
    source_namespace text        NOT NULL,
    source_name      text        NOT NULL,
    target_namespace text        NOT NULL,
    target_name      text        NOT NULL,
    job_namespace    text        NOT NULL,
    job_name         text        NOT NULL,
    domain           text        NOT NULL,
    first_event      bigint      NOT NULL REFERENCES lineage_events (position),
    last_event       bigint      NOT NULL REFERENCES lineage_events (position),
    last_run_id      uuid,
    last_seen_at     timestamptz NOT NULL,
    PRIMARY KEY (origin, source_namespace, source_name, target_namespace, target_name, job_namespace, job_name)
);

CREATE INDEX lineage_dataset_edges_target_idx ON lineage_dataset_edges (target_namespace, target_name);

-- Column lineage from the columnLineage facet of a run's outputs; transformations as the last event reported them.
CREATE TABLE lineage_column_edges (
    origin           text        NOT NULL CHECK (origin IN ('runtime')),
    source_namespace text        NOT NULL,
    source_name      text        NOT NULL,
    source_field     text        NOT NULL,
    target_namespace text        NOT NULL,
    target_name      text        NOT NULL,
    target_field     text        NOT NULL,
    job_namespace    text        NOT NULL,
    job_name         text        NOT NULL,
    domain           text        NOT NULL,
    transformations  jsonb       NOT NULL,
    first_event      bigint      NOT NULL REFERENCES lineage_events (position),
    last_event       bigint      NOT NULL REFERENCES lineage_events (position),
    last_seen_at     timestamptz NOT NULL,
    PRIMARY KEY (origin, source_namespace, source_name, source_field, target_namespace, target_name, target_field, job_namespace, job_name)
);

CREATE INDEX lineage_column_edges_target_idx ON lineage_column_edges (target_namespace, target_name, target_field);
