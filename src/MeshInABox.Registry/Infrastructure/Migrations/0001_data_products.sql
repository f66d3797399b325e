-- Data products as registered by their domain teams.
CREATE TABLE data_products (
    id             text        PRIMARY KEY,
    name           text        NOT NULL,
    domain         text        NOT NULL,
    owner          text        NOT NULL,
    description    text        NOT NULL,
    tags           text[]      NOT NULL DEFAULT '{}',
    classification text        NOT NULL DEFAULT 'open' CHECK (classification IN ('open', 'restricted')),
    status         text        NOT NULL DEFAULT 'active',
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE INDEX data_products_domain_idx ON data_products (domain);
