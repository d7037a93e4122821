-- The repurchase rollup (support_months) reads every ticket of a page of
-- customers: their time, channel, category and team. With the three
-- columns included in the customer index, that read can be an index-only
-- scan instead of one heap fetch per ticket.
DROP INDEX tickets_customer;
CREATE INDEX tickets_customer ON tickets (customer_id, created_at) INCLUDE (channel, category, team);
