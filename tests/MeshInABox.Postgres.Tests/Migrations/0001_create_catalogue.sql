-- A schema as a service would ship it: a table, and a function whose body holds semicolons.
CREATE TABLE catalogue (id int PRIMARY KEY, title text NOT NULL);
CREATE FUNCTION catalogue_size() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM catalogue; $$;
