-- The version a product's catalog entry and design-time lineage are read from: its highest active version. It moves
-- in the transaction that activates a version, so lineage of SQL that has since changed is never read again.
CREATE TABLE current_versions (
    product_id text        PRIMARY KEY REFERENCES data_products (id),
    version_id bigint      NOT NULL REFERENCES product_versions (id),
    updated_at timestamptz NOT NULL
);

-- Each active version's columns per output, from its contract: the catalog's schema tables and its column search.
CREATE TABLE version_columns (
    version_id    bigint  NOT NULL REFERENCES product_versions (id),
    output        text    NOT NULL,
    position      integer NOT NULL,
    name          text    NOT NULL,
    logical_type  text,
    physical_type text,
    required      boolean NOT NULL,
    primary_key   boolean NOT NULL,
    classification text,
    description   text,
    PRIMARY KEY (version_id, output, position)
);

CREATE INDEX version_columns_name_idx ON version_columns (lower(name));

-- What each output's SQL was found to compute from, once per version: the statement's target, why part of it
-- could not be determined, or why it has no lineage at all (syntax, binding, refused).
CREATE TABLE design_lineage_outputs (
    version_id    bigint NOT NULL REFERENCES product_versions (id),
    output        text   NOT NULL,
    target        text,
    undetermined  text,
    error_kind    text CHECK (error_kind IN ('syntax', 'refused', 'binding')),
    error_message text,
    PRIMARY KEY (version_id, output)
);

-- Design-time dataset lineage: the tables a version's SQL reads. source_product and source_output are set when the
-- table is a registered product's output; otherwise (a file, a table outside the mesh) only source_table is.
CREATE TABLE design_dataset_edges (
    version_id     bigint NOT NULL REFERENCES product_versions (id),
    output         text   NOT NULL,
    source_table   text   NOT NULL,
    source_product text,
    source_output  text,
    PRIMARY KEY (version_id, output, source_table)
);

CREATE INDEX design_dataset_edges_source_idx ON design_dataset_edges (source_product) WHERE source_product IS NOT NULL;

-- Design-time column lineage, OpenLineage's edge types and subtypes. column_name is NULL for an edge that decides
-- the whole output's rows (JOIN, FILTER, GROUP_BY, SORT): the column-lineage facet's "dataset" list.
CREATE TABLE design_column_edges (
    version_id     bigint NOT NULL REFERENCES product_versions (id),
    output         text   NOT NULL,
    column_name    text,
    source_table   text   NOT NULL,
    source_product text,
    source_output  text,
    source_column  text   NOT NULL,
    edge_type      text   NOT NULL CHECK (edge_type IN ('DIRECT', 'INDIRECT')),
    subtype        text   NOT NULL CHECK (subtype IN ('IDENTITY', 'TRANSFORMATION', 'AGGREGATION', 'JOIN', 'GROUP_BY', 'FILTER', 'SORT', 'WINDOW', 'CONDITIONAL')),
    UNIQUE NULLS NOT DISTINCT (version_id, output, column_name, source_table, source_column, subtype)
);

CREATE INDEX design_column_edges_source_idx ON design_column_edges (source_product, source_output, source_column) WHERE source_product IS NOT NULL;

-- Who a MAJOR version breaks: the downstream products (and their owners) when it was decided.
ALTER TABLE product_versions ADD COLUMN impact jsonb NOT NULL DEFAULT '[]';

-- What a deprecation notice names: the products built on this one and its recent consumers, when it was deprecated.
ALTER TABLE data_products ADD COLUMN deprecation_impact jsonb;

-- Products published before this schema: their highest active version is current (its lineage comes with its next publish).
INSERT INTO current_versions (product_id, version_id, updated_at)
SELECT DISTINCT ON (product_id) product_id, id, updated_at
FROM product_versions
WHERE status = 'active'
ORDER BY product_id, major DESC, minor DESC, patch DESC, id DESC;
