-- SQLite ends every entry of an index with the row's id (the rowid, which
-- `id` is), so an index on created_at alone is already in (created_at, id)
-- order and seeks a (created_at, id) keyset. Naming the id as well wrote it
-- twice in each entry: at 10M tickets that index took 174 MB against 131 MB
-- for the one on resolved_at, and a first import builds it at the end.
DROP INDEX tickets_created_id;
CREATE INDEX tickets_created_at ON tickets (created_at);
