-- Sign-in limits are counted per key ('pair:<user>|<address>' and
-- 'address:<address>') in one row each, so that counting and checking is a
-- single atomic statement (issue 16 F4, F5).
DROP TABLE login_failures;
CREATE TABLE login_limits (
    key TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    strikes BIGINT NOT NULL
);
