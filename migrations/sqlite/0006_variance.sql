-- Targets come in versions ('plan', the annual plan, and 'reforecast'), each
-- with an optional tolerance band in % of the target. SQLite cannot change a
-- primary key, so the table is rebuilt; existing targets become the plan.
CREATE TABLE targets_versioned (
    kpi TEXT NOT NULL,
    period TEXT NOT NULL,
    scope_dim TEXT NOT NULL DEFAULT '',
    scope_value TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT 'plan',
    value DOUBLE PRECISION NOT NULL,
    tolerance_pct DOUBLE PRECISION,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kpi, period, scope_dim, scope_value, version)
);
INSERT INTO targets_versioned (kpi, period, scope_dim, scope_value, version, value, tolerance_pct, set_by, set_at, note)
    SELECT kpi, period, scope_dim, scope_value, 'plan', value, NULL, set_by, set_at, note FROM targets;
DROP TABLE targets;
ALTER TABLE targets_versioned RENAME TO targets;
CREATE INDEX targets_period ON targets (period);

ALTER TABLE target_history ADD COLUMN version TEXT NOT NULL DEFAULT 'plan';
ALTER TABLE target_history ADD COLUMN tolerance_pct DOUBLE PRECISION;
-- The value it replaced, if any.
ALTER TABLE target_history ADD COLUMN previous_value DOUBLE PRECISION;
