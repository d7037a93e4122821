-- Nothing seeks tickets by resolution time any more: when an update
-- recomputes a day, the tickets resolved on it are the stored count moved
-- by what the update changed (`rollup::recompute_days`), and a whole
-- rebuild counts them in one pass. The index was a fifth of a first
-- import's index builds and a place at random for every row written later.
DROP INDEX IF EXISTS tickets_resolved_at;
