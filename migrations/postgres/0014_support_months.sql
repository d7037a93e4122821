-- The post-support repurchase KPI per month and per combination of channel,
-- category and team (`dims`, blank where left out, as in rollup_cube):
-- customers with a ticket in the month, and those of them who ordered within
-- 90 days after one of those tickets. Ingest keeps it current; the server
-- fills it at start-up for tickets that predate it.
CREATE TABLE support_months (
    month TEXT NOT NULL,
    dims BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    team TEXT NOT NULL,
    customers BIGINT NOT NULL,
    repurchased BIGINT NOT NULL,
    PRIMARY KEY (month, dims, channel, category, team)
);
