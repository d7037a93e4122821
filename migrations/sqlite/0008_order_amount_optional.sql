-- An order may come without an amount (a marketplace export has none): it
-- is stored as unknown (NULL) and left out of money KPIs, never as 0.
-- SQLite cannot drop a NOT NULL constraint in place, so the table is rebuilt.
CREATE TABLE orders_new (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL,
    placed_at BIGINT NOT NULL,
    amount DOUBLE PRECISION,
    currency TEXT NOT NULL
);
INSERT INTO orders_new (id, external_id, customer_id, placed_at, amount, currency)
    SELECT id, external_id, customer_id, placed_at, amount, currency FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE INDEX orders_placed_at ON orders (placed_at);
CREATE INDEX orders_customer ON orders (customer_id, placed_at);

-- How many orders of a customer's month (and of a month) have a known
-- amount: the average order value divides by these, not by all orders.
ALTER TABLE customer_months ADD COLUMN priced_orders BIGINT NOT NULL DEFAULT 0;
UPDATE customer_months SET priced_orders = orders;
ALTER TABLE order_months ADD COLUMN priced_orders BIGINT NOT NULL DEFAULT 0;
UPDATE order_months SET priced_orders = orders;
