-- The dimension rollup's months folded into quarters (level 4) and years
-- (level 2, the cube's level numbers), so that a matrix of agents,
-- priorities or products over three whole years merges three rows per cell
-- instead of 36. `bucket` is the period's first day number. The same
-- counters and sketches as `dim_rollup`; derived data, refolded from the
-- months whenever they change. The dimension rollup is emptied here so
-- that start-up rebuilds it, these rows with it.
CREATE TABLE dim_rollup_coarse (
    level BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    dim TEXT NOT NULL,
    value TEXT NOT NULL,
    base TEXT NOT NULL,
    base_value TEXT NOT NULL,
    tickets BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    frt_n BIGINT NOT NULL,
    frt_sum_s BIGINT NOT NULL,
    resolution_sum_s BIGINT NOT NULL,
    sla_met BIGINT NOT NULL,
    fcr BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    escalated BIGINT NOT NULL,
    repeat_contacts BIGINT NOT NULL,
    csat_n BIGINT NOT NULL,
    csat_satisfied BIGINT NOT NULL,
    csat_sum BIGINT NOT NULL,
    nps_n BIGINT NOT NULL,
    nps_promoters BIGINT NOT NULL,
    nps_detractors BIGINT NOT NULL,
    ces_n BIGINT NOT NULL,
    ces_sum BIGINT NOT NULL,
    frt_sketch BYTEA NOT NULL,
    resolution_sketch BYTEA NOT NULL,
    PRIMARY KEY (dim, base, level, bucket, value, base_value)
);
-- Refolding a period deletes its rows first, across dimensions.
CREATE INDEX dim_rollup_coarse_bucket ON dim_rollup_coarse (level, bucket);
DELETE FROM dim_rollup;
DELETE FROM dim_cumulative;
