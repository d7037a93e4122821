-- The data version: one more on every change of the cube or the dimension
-- rollup, with the days it changed. A server keeps rollup reads in memory
-- for the version it read them at, and drops those of changed days when
-- the version moves, so every server sees every change at once.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);
CREATE TABLE data_changes (
    version BIGINT PRIMARY KEY,
    first_day BIGINT NOT NULL,
    last_day BIGINT NOT NULL
);
