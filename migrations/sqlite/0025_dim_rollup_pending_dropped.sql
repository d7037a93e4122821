-- An import no longer sets dimension rows aside: past its memory bound it
-- counts the months it touched again from their tickets at commit (a file
-- out of time order set nearly one pending row per ticket and row aside).
-- Empty outside an import's transaction, so nothing kept is lost.
DROP TABLE dim_rollup_pending;
