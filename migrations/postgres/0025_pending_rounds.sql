-- The dimension rows an import sets aside are numbered by the round that
-- set them aside, and folded into a month round by round. A file out of
-- time order sets every month's rows aside once per round, so reading a
-- month's pending rows at once held them all in memory: most of a large
-- import's peak (2.0 GB for 10M tickets in random order). Empty outside an
-- import's transaction, so the default never applies to a kept row.
ALTER TABLE dim_rollup_pending ADD COLUMN round BIGINT NOT NULL DEFAULT 0;
DROP INDEX dim_rollup_pending_month;
CREATE INDEX dim_rollup_pending_month ON dim_rollup_pending (month, round);
