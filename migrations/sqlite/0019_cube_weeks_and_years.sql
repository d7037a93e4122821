-- The cube gains two levels: weeks (Monday to Sunday), so that a weekly
-- series reads one row per week with its medians stored, and years, so
-- that a matrix over whole years merges one row per year and cell instead
-- of twelve months. Levels are a column's values, so no column changes.
-- The cube is derived data: it is emptied here and refolded from the
-- daily rollup at start-up, with every level and its sketches in the
-- compact stored form (two or three bytes a bucket instead of twelve),
-- which the cube's reads carry in hex inside one JSON document.
DELETE FROM rollup_cube;
DELETE FROM rollup_cube_sketches;
