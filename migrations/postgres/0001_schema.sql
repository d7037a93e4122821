-- Aftercare schema (Postgres). Times are UTC epoch seconds; days are days since
-- 1970-01-01; flags are 0/1 integers so that both backends sum them alike.

CREATE TABLE tickets (
    id BIGSERIAL PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    first_response_at BIGINT,
    resolved_at BIGINT,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    team TEXT NOT NULL,
    agent TEXT NOT NULL,
    status TEXT NOT NULL,
    csat BIGINT,
    nps BIGINT,
    ces BIGINT,
    contacts BIGINT NOT NULL DEFAULT 1,
    first_contact_resolved BIGINT NOT NULL DEFAULT 0,
    reopened BIGINT NOT NULL DEFAULT 0,
    escalated BIGINT NOT NULL DEFAULT 0,
    customer_id TEXT,
    order_id TEXT,
    product TEXT
);
CREATE INDEX tickets_created_at ON tickets (created_at);
CREATE INDEX tickets_resolved_at ON tickets (resolved_at);
CREATE INDEX tickets_customer ON tickets (customer_id, created_at);

CREATE TABLE orders (
    id BIGSERIAL PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL,
    placed_at BIGINT NOT NULL,
    amount DOUBLE PRECISION NOT NULL,
    currency TEXT NOT NULL
);
CREATE INDEX orders_placed_at ON orders (placed_at);
CREATE INDEX orders_customer ON orders (customer_id, placed_at);

CREATE TABLE financials (
    month TEXT PRIMARY KEY,
    revenue DOUBLE PRECISION NOT NULL,
    net_income DOUBLE PRECISION NOT NULL,
    operating_expenses DOUBLE PRECISION NOT NULL,
    support_cost DOUBLE PRECISION NOT NULL,
    marketing_spend DOUBLE PRECISION NOT NULL,
    new_customers BIGINT NOT NULL,
    gross_margin DOUBLE PRECISION
);

CREATE TABLE financial_channel_costs (
    month TEXT NOT NULL,
    channel TEXT NOT NULL,
    support_cost DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (month, channel)
);

-- The current target of each KPI, month and scope; scope_dim '' means all.
CREATE TABLE targets (
    kpi TEXT NOT NULL,
    period TEXT NOT NULL,
    scope_dim TEXT NOT NULL DEFAULT '',
    scope_value TEXT NOT NULL DEFAULT '',
    value DOUBLE PRECISION NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kpi, period, scope_dim, scope_value)
);

-- Every change of a target, kept for good.
CREATE TABLE target_history (
    id BIGSERIAL PRIMARY KEY,
    kpi TEXT NOT NULL,
    period TEXT NOT NULL,
    scope_dim TEXT NOT NULL,
    scope_value TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX target_history_key ON target_history (kpi, period, scope_dim, scope_value);

CREATE TABLE benchmarks (
    id BIGSERIAL PRIMARY KEY,
    kpi TEXT NOT NULL,
    segment TEXT NOT NULL,
    p25 DOUBLE PRECISION,
    p50 DOUBLE PRECISION,
    p75 DOUBLE PRECISION,
    p90 DOUBLE PRECISION,
    unit TEXT NOT NULL,
    source TEXT NOT NULL,
    year BIGINT NOT NULL,
    UNIQUE (kpi, segment, source, year)
);

CREATE TABLE annotations (
    id BIGSERIAL PRIMARY KEY,
    kpi TEXT NOT NULL,
    period TEXT NOT NULL,
    scope_dim TEXT NOT NULL DEFAULT '',
    scope_value TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',
    due BIGINT,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX annotations_kpi ON annotations (kpi, period);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- day × channel × category × team. Ticket measures count the tickets created
-- that day; resolved_on_day counts those resolved that day (for the backlog).
CREATE TABLE daily_rollup (
    day BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    team TEXT NOT NULL,
    tickets BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    resolved_on_day BIGINT NOT NULL,
    frt_n BIGINT NOT NULL,
    frt_sum_s BIGINT NOT NULL,
    resolution_sum_s BIGINT NOT NULL,
    sla_met BIGINT NOT NULL,
    fcr BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    escalated BIGINT NOT NULL,
    csat_n BIGINT NOT NULL,
    csat_satisfied BIGINT NOT NULL,
    csat_sum BIGINT NOT NULL,
    nps_n BIGINT NOT NULL,
    nps_promoters BIGINT NOT NULL,
    nps_detractors BIGINT NOT NULL,
    ces_n BIGINT NOT NULL,
    ces_sum BIGINT NOT NULL,
    frt_sketch BYTEA NOT NULL,
    resolution_sketch BYTEA NOT NULL,
    PRIMARY KEY (day, channel, category, team)
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
