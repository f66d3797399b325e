-- Who may read a restricted product, granted by its owning domain.
CREATE TABLE grants (
    product_id text        NOT NULL REFERENCES data_products (id),
    subject    text        NOT NULL,
    granted_by text        NOT NULL,
    granted_at timestamptz NOT NULL,
    PRIMARY KEY (product_id, subject)
);
