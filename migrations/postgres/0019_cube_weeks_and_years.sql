-- The cube gains three levels: weeks (Monday to Sunday) and quarters, so
-- that a weekly or quarterly series reads one row per period with its
-- medians stored, and years, so that a matrix over whole years merges one
-- row per year and cell instead of twelve months (a range's ends are read
-- as quarters, months and days). Levels are a column's values, so no
-- column changes.
-- The cube is derived data: it is emptied here and refolded from the
-- daily rollup at start-up, with every level and its sketches in the
-- compact stored form (two or three bytes a bucket instead of twelve),
-- which the cube's reads carry in hex inside one JSON document.
DELETE FROM rollup_cube;
DELETE FROM rollup_cube_sketches;
