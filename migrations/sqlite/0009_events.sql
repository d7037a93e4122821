-- Business events (promotions, carrier outages, releases, price changes):
-- date ranges shown as markers on every time chart.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, title, starts_on)
);
CREATE INDEX events_starts_on ON events (starts_on);
