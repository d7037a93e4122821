-- The cube's sketches in a table of their own, and each row's medians
-- stored with its counters. A day row's two sketches are kilobytes (11 KB
-- on average for the company row at 1M tickets): stored inline they spread
-- each row over several 4 KB pages, and a 36-month series by day read
-- 1,096 rows' overflow pages to reach the counters behind them (9.5 ms
-- through Python's sqlite3 module, against 3.4 ms for the same counters in
-- a table of their own, best of 20 each). A day or a whole month of a
-- group is one row, so its median needs no sketch at all: sketches are
-- read only where an answer merges rows. A median is stored as the bits
-- of its double, which JSON carries exactly as an integer.
--
-- As on SQLite (where inline sketches spread rows over pages) so that one
-- set of statements serves both backends.
--
-- Derived data: both tables start empty and the application refolds them
-- from the daily rollup at start-up.
DROP TABLE rollup_cube;
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
    repeat_contacts BIGINT NOT NULL,
    csat_n BIGINT NOT NULL,
    csat_satisfied BIGINT NOT NULL,
    csat_sum BIGINT NOT NULL,
    nps_n BIGINT NOT NULL,
    nps_promoters BIGINT NOT NULL,
    nps_detractors BIGINT NOT NULL,
    ces_n BIGINT NOT NULL,
    ces_sum BIGINT NOT NULL,
    frt_median_h_bits BIGINT,
    resolution_median_h_bits BIGINT,
    PRIMARY KEY (level, dims, bucket, channel, category, team)
);
CREATE TABLE rollup_cube_sketches (
    level BIGINT NOT NULL,
    dims BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    team TEXT NOT NULL,
    frt_sketch BYTEA NOT NULL,
    resolution_sketch BYTEA NOT NULL,
    PRIMARY KEY (level, dims, bucket, channel, category, team)
);
