-- Rollup rows with their sketches are stored uncompressed up to a page.
-- Postgres compresses a row once it passes about 2 KB, and a month row's
-- two sketches often do (1.8 KB on average for a month's FRT by category
-- at 10.3M tickets): every read then decompressed them. The drivers of a
-- 36-month FRT median trend read 217 such rows by category; that read took
-- 3.7-6.1 ms with pglz, 3.4-4.7 ms with LZ4 and 2.6-3.3 ms uncompressed
-- (`psql`, the same rows, five runs each). Rows stay compressed only past
-- 8,160 bytes, Postgres's largest target; the stored ones are rewritten.
ALTER TABLE daily_rollup SET (toast_tuple_target = 8160);
ALTER TABLE rollup_cube_sketches SET (toast_tuple_target = 8160);
ALTER TABLE dim_rollup SET (toast_tuple_target = 8160);
ALTER TABLE dim_rollup_coarse SET (toast_tuple_target = 8160);

-- A compressed value takes less room than its bytes; `|| ''` makes a new
-- value, which is stored by the new target.
UPDATE daily_rollup SET frt_sketch = frt_sketch || ''::bytea, resolution_sketch = resolution_sketch || ''::bytea
    WHERE pg_column_size(frt_sketch) < octet_length(frt_sketch) OR pg_column_size(resolution_sketch) < octet_length(resolution_sketch);
UPDATE rollup_cube_sketches SET frt_sketch = frt_sketch || ''::bytea, resolution_sketch = resolution_sketch || ''::bytea
    WHERE pg_column_size(frt_sketch) < octet_length(frt_sketch) OR pg_column_size(resolution_sketch) < octet_length(resolution_sketch);
UPDATE dim_rollup SET frt_sketch = frt_sketch || ''::bytea, resolution_sketch = resolution_sketch || ''::bytea
    WHERE pg_column_size(frt_sketch) < octet_length(frt_sketch) OR pg_column_size(resolution_sketch) < octet_length(resolution_sketch);
UPDATE dim_rollup_coarse SET frt_sketch = frt_sketch || ''::bytea, resolution_sketch = resolution_sketch || ''::bytea
    WHERE pg_column_size(frt_sketch) < octet_length(frt_sketch) OR pg_column_size(resolution_sketch) < octet_length(resolution_sketch);
