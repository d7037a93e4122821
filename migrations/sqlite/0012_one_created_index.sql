-- tickets_created_id (created_at, id) serves every read by creation time that
-- tickets_created_at (created_at) served; keeping both only made each
-- ticket written update one more index.
DROP INDEX tickets_created_at;
