-- The cube's sketches in a table of their own, as on SQLite (where a row's
-- kilobytes of sketches spread its counters over several pages). Postgres
-- keeps large values out of line already; the tables stay alike so that
-- one set of statements serves both backends. The dropped columns' space
-- is reclaimed as ingest rewrites the rows.
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
INSERT INTO rollup_cube_sketches
SELECT level, dims, bucket, channel, category, team, frt_sketch, resolution_sketch FROM rollup_cube;
ALTER TABLE rollup_cube DROP COLUMN frt_sketch, DROP COLUMN resolution_sketch;
