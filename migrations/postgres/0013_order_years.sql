-- Distinct customers who ordered in the 12 months ending with `month`: the
-- denominator of CLV's orders per customer and year. Ingest keeps it exact
-- (a customer counts in every window that holds one of their months), so the
-- read is one row instead of a distinct count over a year of orders.
CREATE TABLE order_years (
    month TEXT PRIMARY KEY,
    customers BIGINT NOT NULL
);

-- The backfill, with months numbered (year * 12 + month - 1): a customer's
-- month m counts them in the windows ending m .. m + 11, or up to their next
-- month, whose own windows go on from there. Each such run adds 1 at its
-- start and takes it away at its end; a running sum over every month from
-- the first to the last gives each window.
WITH months AS (
    SELECT customer_id, CAST(substr(month, 1, 4) AS INTEGER) * 12 + CAST(substr(month, 6, 2) AS INTEGER) - 1 AS m
    FROM customer_months
),
runs AS (
    SELECT m, LEAST(m + 12, COALESCE(LEAD(m) OVER (PARTITION BY customer_id ORDER BY m), m + 12)) AS until
    FROM months
),
steps AS (
    SELECT m AS w, COUNT(*) AS n FROM runs GROUP BY m
    UNION ALL
    SELECT until AS w, -COUNT(*) AS n FROM runs GROUP BY until
),
totals AS (SELECT w, SUM(n) AS n FROM steps GROUP BY w),
span AS (SELECT generate_series((SELECT MIN(w) FROM totals), (SELECT MAX(w) FROM totals)) AS w),
windows AS (
    SELECT span.w, CAST(SUM(COALESCE(totals.n, 0)) OVER (ORDER BY span.w) AS BIGINT) AS customers
    FROM span LEFT JOIN totals ON totals.w = span.w
)
INSERT INTO order_years (month, customers)
SELECT lpad(CAST(w / 12 AS TEXT), 4, '0') || '-' || lpad(CAST(w % 12 + 1 AS TEXT), 2, '0'), customers
FROM windows WHERE customers > 0;
