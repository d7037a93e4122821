-- The daily rollup folded to every combination of its dimensions, per day
-- and per month: a filtered or grouped question reads one row per period
-- and group instead of every cell of every day. level 0 = day, 1 = month
-- (bucket is then the month's first day); dims says which dimensions the
-- row is split by (bit 0 channel, 1 category, 2 team); '' where it is not.
CREATE TABLE rollup_cube (
    level BIGINT NOT NULL,
    dims BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    team TEXT NOT NULL,
    tickets BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    resolved_on_day BIGINT NOT NULL,
    frt_n BIGINT NOT NULL,
    frt_sum_s BIGINT NOT NULL,
    resolution_sum_s BIGINT NOT NULL,
    sla_met BIGINT NOT NULL,
    fcr BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    escalated BIGINT NOT NULL,
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
    PRIMARY KEY (level, dims, bucket, channel, category, team)
);
