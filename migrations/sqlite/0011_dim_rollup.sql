-- Matrix dimensions outside the daily rollup (agent, priority, product):
-- one row per month × one such dimension's value, alone (base = '') or
-- crossed with one rollup dimension (base = 'channel', 'category' or
-- 'team', base_value its value). The same additive columns and sketches as
-- the cube, so an agent × month or agent × category matrix reads one row
-- per cell whatever the ticket count. Ingest recomputes the touched months
-- from the raw tickets; the application fills it at start-up when empty.
CREATE TABLE dim_rollup (
    month BIGINT NOT NULL,
    dim TEXT NOT NULL,
    value TEXT NOT NULL,
    base TEXT NOT NULL,
    base_value TEXT NOT NULL,
    tickets BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    frt_n BIGINT NOT NULL,
    frt_sum_s BIGINT NOT NULL,
    resolution_sum_s BIGINT NOT NULL,
    sla_met BIGINT NOT NULL,
    fcr BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    escalated BIGINT NOT NULL,
    repeat_contacts BIGINT NOT NULL,
    csat_n BIGINT NOT NULL,
    csat_satisfied BIGINT NOT NULL,
    csat_sum BIGINT NOT NULL,
    nps_n BIGINT NOT NULL,
    nps_promoters BIGINT NOT NULL,
    nps_detractors BIGINT NOT NULL,
    ces_n BIGINT NOT NULL,
    ces_sum BIGINT NOT NULL,
    frt_sketch BLOB NOT NULL,
    resolution_sketch BLOB NOT NULL,
    PRIMARY KEY (dim, base, month, value, base_value)
);

-- Repeat contacts: tickets on which the customer got in touch more than once.
-- The daily rollup is backfilled from the tickets (a ticket's day is its
-- UTC day, as the rollup's); the cube is emptied and refolded from the
-- daily rollup at start-up (cube::build_if_missing).
ALTER TABLE daily_rollup ADD COLUMN repeat_contacts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rollup_cube ADD COLUMN repeat_contacts BIGINT NOT NULL DEFAULT 0;
-- One pass over the tickets, grouped, then one join: not a subquery per
-- rollup row, which would read each day's tickets once per cell.
CREATE TEMP TABLE repeat_backfill AS
    SELECT created_at / 86400 AS day, channel, category, team, COUNT(*) AS n
    FROM tickets WHERE contacts > 1 AND created_at >= 0
    GROUP BY created_at / 86400, channel, category, team;
CREATE INDEX repeat_backfill_key ON repeat_backfill (day, channel, category, team);
UPDATE daily_rollup SET repeat_contacts = r.n FROM repeat_backfill r
    WHERE r.day = daily_rollup.day AND r.channel = daily_rollup.channel
      AND r.category = daily_rollup.category AND r.team = daily_rollup.team;
DROP TABLE repeat_backfill;
DELETE FROM rollup_cube;

-- The drill-through's keyset, (created_at, id) > (?, ?), seeks this index.
CREATE INDEX tickets_created_id ON tickets (created_at, id);
