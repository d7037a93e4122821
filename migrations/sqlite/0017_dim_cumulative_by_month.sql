-- The running totals keyed by month first, and dense only from each value's
-- first month. Ingest rebuilds them a month at a time, each month from the
-- one before: with the month first that month is one contiguous range. One
-- window sum over every value × month took 3.6 s for the benchmark's
-- 20k-ticket file in random time order (308,700 rows). Reads seek (month,
-- dim, base) as before. Derived data: the application fills the new table
-- at start-up.
DROP TABLE dim_cumulative;
CREATE TABLE dim_cumulative (
    month BIGINT NOT NULL,
    dim TEXT NOT NULL,
    base TEXT NOT NULL,
    value TEXT NOT NULL,
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
    PRIMARY KEY (month, dim, base, value, base_value)
) WITHOUT ROWID;
