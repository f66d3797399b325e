-- The storage plane's results per version, as they come in (a version's status shows each step).
ALTER TABLE product_versions ADD COLUMN provisioning jsonb;

-- Owner roles' passwords, encrypted by the registry's data protection keys: no API returns them, rotation replaces them.
CREATE TABLE owner_credentials (
    role       text        PRIMARY KEY,
    protected  text        NOT NULL,
    rotated_at timestamptz NOT NULL
);

-- Access requests: asked with a purpose, decided by the owning domain (never by the requester), applied where the data is.
CREATE TABLE access_requests (
    id            bigserial   PRIMARY KEY,
    product_id    text        NOT NULL REFERENCES data_products (id),
    requester     text        NOT NULL,
    purpose       text        NOT NULL,
    level         text        NOT NULL CHECK (level IN ('open', 'restricted')),
    status        text        NOT NULL CHECK (status IN ('pending', 'approved', 'granted', 'denied', 'failed', 'revoked')),
    decided_by    text,
    decided_at    timestamptz,
    decision_note text,
    steps         jsonb       NOT NULL DEFAULT '[]',
    requested_at  timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- One live request per consumer and product: asking again returns the one that stands.
CREATE UNIQUE INDEX access_requests_live ON access_requests (product_id, requester) WHERE status IN ('pending', 'approved', 'granted', 'failed');
CREATE INDEX access_requests_requester ON access_requests (requester, id);

-- Who asked, who decided, what was applied and when: rows are only ever added.
CREATE TABLE access_audit (
    id         bigserial   PRIMARY KEY,
    request_id bigint      NOT NULL REFERENCES access_requests (id),
    product_id text        NOT NULL,
    actor      text        NOT NULL,
    action     text        NOT NULL,
    detail     jsonb       NOT NULL,
    at         timestamptz NOT NULL
);

CREATE INDEX access_audit_request ON access_audit (request_id, id);

CREATE FUNCTION access_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'access_audit is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER access_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON access_audit
    FOR EACH STATEMENT EXECUTE FUNCTION access_audit_append_only();
