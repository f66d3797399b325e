-- The role PostgreSQL products are read as (SET ROLE before every COPY): no
-- login, no superuser, no rights of its own. Producing teams (later the
-- storage plane) grant it USAGE on their product's schema and SELECT on the
-- tables they publish; nothing else is readable through the lakehouse service.
-- Roles are cluster-wide: created only if absent, and another database's
-- migration may create it at the same moment.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mesh_product_reader') THEN
        CREATE ROLE mesh_product_reader NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- The service's login may switch to it (a superuser may anyway).
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'mesh_product_reader', 'MEMBER') THEN
        EXECUTE format('GRANT mesh_product_reader TO %I', current_user);
    END IF;
END
$$;
