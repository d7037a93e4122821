-- An import replaces the dimension rows month by month (read, merge, delete,
-- write). The primary key leads with the dimension, so without this index
-- each of those statements scanned the whole table.
CREATE INDEX dim_rollup_month ON dim_rollup (month);

-- Rollup cells a large import collected but could not keep in memory: set
-- aside here as they are (several rows may share a key) and folded into
-- daily_rollup and dim_rollup month by month when the import commits, so
-- each stored row is rewritten once however the file is ordered. Empty
-- outside an import's transaction.
CREATE TABLE daily_rollup_pending (LIKE daily_rollup INCLUDING DEFAULTS);
CREATE INDEX daily_rollup_pending_day ON daily_rollup_pending (day);
CREATE TABLE dim_rollup_pending (LIKE dim_rollup INCLUDING DEFAULTS);
CREATE INDEX dim_rollup_pending_month ON dim_rollup_pending (month);
