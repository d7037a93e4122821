-- The cube gains two levels: weeks (Monday to Sunday), so that a weekly
-- series reads one row per week with its medians stored, and years, so
-- that a matrix over whole years merges one row per year and cell instead
-- of twelve months. Levels are a column's values, so no column changes:
-- the cube is derived data, emptied here and refolded from the daily
-- rollup at start-up with every level.
DELETE FROM rollup_cube;
DELETE FROM rollup_cube_sketches;
