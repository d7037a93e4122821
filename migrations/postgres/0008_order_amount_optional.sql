-- An order may come without an amount (a marketplace export has none): it
-- is stored as unknown (NULL) and left out of money KPIs, never as 0.
ALTER TABLE orders ALTER COLUMN amount DROP NOT NULL;

-- How many orders of a customer's month (and of a month) have a known
-- amount: the average order value divides by these, not by all orders.
ALTER TABLE customer_months ADD COLUMN priced_orders BIGINT NOT NULL DEFAULT 0;
UPDATE customer_months SET priced_orders = orders;
ALTER TABLE order_months ADD COLUMN priced_orders BIGINT NOT NULL DEFAULT 0;
UPDATE order_months SET priced_orders = orders;
