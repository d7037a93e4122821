-- The dimension rollup is derived data: it is emptied here and rebuilt
-- from the tickets at start-up, its sketches in the compact stored form
-- (two or three bytes a bucket instead of twelve), so that its reads carry
-- them in hex inside one JSON document, as the cube's do (migration 0019).
-- Its running totals are rebuilt with it.
DELETE FROM dim_rollup;
DELETE FROM dim_cumulative;
