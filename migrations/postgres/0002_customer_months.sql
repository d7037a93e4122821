-- One row per customer and month with orders: distinct and returning
-- customers of a month become a small indexed count instead of a scan of
-- every order. `is_returning` is 1 when the customer had ordered before the month.
CREATE TABLE customer_months (
    month TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    orders BIGINT NOT NULL,
    amount DOUBLE PRECISION NOT NULL,
    is_returning BIGINT NOT NULL,
    PRIMARY KEY (month, customer_id)
);
CREATE INDEX customer_months_customer ON customer_months (customer_id);

-- The monthly totals of customer_months, kept up to date for the months an
-- ingest changed: the overview reads one row per month.
CREATE TABLE order_months (
    month TEXT PRIMARY KEY,
    orders BIGINT NOT NULL,
    amount DOUBLE PRECISION NOT NULL,
    customers BIGINT NOT NULL,
    returning_customers BIGINT NOT NULL
);
