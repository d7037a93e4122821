-- The repurchase rollup (support_months) reads every ticket of a page of
-- customers: their time, channel, category and team. Through an index of
-- (customer_id, created_at) alone each ticket was one more read of the
-- table at a random place; with the three columns in the index the read
-- never leaves it (1.1M tickets: 2.3 s -> 0.19 s in sqlite3).
DROP INDEX tickets_customer;
CREATE INDEX tickets_customer ON tickets (customer_id, created_at, channel, category, team);
