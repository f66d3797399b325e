-- Registration fields beyond the basics, and the product lifecycle.
ALTER TABLE data_products
    ADD COLUMN business_unit       text,
    ADD COLUMN outputs             jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN inputs              jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN sunset_at           timestamptz,
    ADD COLUMN deprecation_message text;

ALTER TABLE data_products
    ADD CONSTRAINT data_products_status_check CHECK (status IN ('active', 'deprecated', 'retired'));

CREATE INDEX data_products_owner_idx ON data_products (owner);
CREATE INDEX data_products_tags_idx ON data_products USING gin (tags);

-- Published versions: accepted -> validating -> active | rejected.
CREATE TABLE product_versions (
    id               bigserial   PRIMARY KEY,
    product_id       text        NOT NULL REFERENCES data_products (id),
    version          text        NOT NULL,
    major            integer     NOT NULL,
    minor            integer     NOT NULL,
    patch            integer     NOT NULL,
    status           text        NOT NULL CHECK (status IN ('accepted', 'validating', 'active', 'rejected')),
    contract         text        NOT NULL,
    stream_contract  text,
    content_hash     text        NOT NULL,
    outputs          jsonb       NOT NULL,
    idempotency_key  text        NOT NULL,
    request_hash     text        NOT NULL,
    reasons          jsonb       NOT NULL DEFAULT '[]',
    changes          jsonb       NOT NULL DEFAULT '[]',
    attempts         integer     NOT NULL DEFAULT 0,
    lease_until      timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (product_id, idempotency_key)
);

-- A rejected version does not use up its number.
CREATE UNIQUE INDEX product_versions_number_idx ON product_versions (product_id, version) WHERE status <> 'rejected';
CREATE INDEX product_versions_pending_idx ON product_versions (id) WHERE status IN ('accepted', 'validating');

-- Where each output's data lives (the locator); never secrets.
CREATE TABLE product_endpoints (
    product_id text        NOT NULL REFERENCES data_products (id),
    output     text        NOT NULL,
    kind       text        NOT NULL,
    location   jsonb       NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (product_id, output)
);

-- Every change's event, written in the change's transaction. Readers page in
-- (tx_id, position) order and only up to the oldest running transaction, so a
-- late commit can never slip behind a reader's cursor.
CREATE TABLE outbox (
    position   bigserial   PRIMARY KEY,
    tx_id      xid8        NOT NULL DEFAULT pg_current_xact_id(),
    event_type text        NOT NULL,
    product_id text        NOT NULL,
    payload    jsonb       NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX outbox_order_idx ON outbox (tx_id, position);

-- How far each outbox consumer (the Kafka relay, the catalog...) has read.
CREATE TABLE outbox_cursors (
    consumer   text        PRIMARY KEY,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);
