-- Targets come in versions ('plan', the annual plan, and 'reforecast'), each
-- with an optional tolerance band in % of the target; existing targets
-- become the plan.
ALTER TABLE targets ADD COLUMN version TEXT NOT NULL DEFAULT 'plan';
ALTER TABLE targets ADD COLUMN tolerance_pct DOUBLE PRECISION;
ALTER TABLE targets DROP CONSTRAINT targets_pkey;
ALTER TABLE targets ADD PRIMARY KEY (kpi, period, scope_dim, scope_value, version);
CREATE INDEX targets_period ON targets (period);

ALTER TABLE target_history ADD COLUMN version TEXT NOT NULL DEFAULT 'plan';
ALTER TABLE target_history ADD COLUMN tolerance_pct DOUBLE PRECISION;
-- The value it replaced, if any.
ALTER TABLE target_history ADD COLUMN previous_value DOUBLE PRECISION;
