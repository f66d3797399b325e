-- Open PostgreSQL products are readable by every consumer: the storage plane grants each open product's open role
-- to mesh_product_reader, which must inherit it to hold its rights (it still has no login and nothing of its own).
ALTER ROLE mesh_product_reader INHERIT;
