-- A query can read several versions of one table (AT (VERSION => ...) side by
-- side with the current one): each snapshot it read is its own row.
ALTER TABLE product_reads DROP CONSTRAINT product_reads_pkey;
ALTER TABLE product_reads ADD CONSTRAINT product_reads_once
    UNIQUE NULLS NOT DISTINCT (query_id, product_id, output, snapshot);
