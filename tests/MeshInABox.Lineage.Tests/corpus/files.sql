-- case: read-parquet
-- expect: {"target": null, "sources": ["file:data/x.parquet"], "columns": {}, "undetermined": true}
SELECT * FROM read_parquet('data/x.parquet')

-- case: file-join
-- expect: {"target": null, "sources": ["file:s3://bucket/k.csv", "orders.lines"], "columns": {}, "undetermined": true}
SELECT l.id FROM orders.lines l JOIN read_csv_auto('s3://bucket/k.csv') f ON l.id = f.id

-- case: generate-series
-- expect: {"target": null, "sources": [], "columns": {"generate_series": []}}
SELECT * FROM generate_series(1, 10)

-- case: file-list
-- expect: {"target": null, "sources": ["file:a.parquet", "file:b.parquet"], "columns": {}, "undetermined": true}
SELECT * FROM read_parquet(['a.parquet', 'b.parquet'])

