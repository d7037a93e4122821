-- Sign-in limits are counted per key ('pair:<user>|<address>' and
-- 'address:<address>') in one row each, so that counting and checking is a
-- single atomic statement (issue 16 F4, F5). On SQLite these rows and the
-- sessions live in a second file attached as `auth` (created at start-up,
-- see store/mod.rs): signing in then never waits for an import that holds
-- the main file's write lock (F6). Sessions open before this migration end;
-- their users sign in again once.
DROP TABLE login_failures;
DROP TABLE sessions;
