-- The variance register. Root causes (with a category: volume, mix, rate,
-- timing, one_off, data_quality) and corrective actions (owner, status,
-- due and completion dates) are annotations; dates are `YYYY-MM-DD` text,
-- '' when there is none. Every change to one is kept in annotation_history.
-- Materiality: per KPI, the unfavourable variance (% of target) beyond which
-- a variance needs an explanation in the register.
ALTER TABLE annotations ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE annotations ADD COLUMN due_on TEXT NOT NULL DEFAULT '';
ALTER TABLE annotations ADD COLUMN completed_on TEXT NOT NULL DEFAULT '';
ALTER TABLE annotations ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX annotations_kind_status ON annotations (kind, status);

CREATE TABLE annotation_history (
    id INTEGER PRIMARY KEY,
    annotation_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    change TEXT NOT NULL,
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT ''
);
CREATE INDEX annotation_history_of ON annotation_history (annotation_id, id);

CREATE TABLE kpi_materiality (
    kpi TEXT PRIMARY KEY,
    threshold_pct DOUBLE PRECISION NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL
);
