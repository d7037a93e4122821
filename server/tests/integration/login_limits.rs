//! Issue 16 F4 and F5: the sign-in limit cannot be raced, and it cannot be
//! turned against a user: it counts per account at an address and per
//! address, and `X-Forwarded-For` names the address only when a trusted
//! proxy sends it.

use super::app::{TestApp, PASSWORD};
use super::support::{postgres, sqlite};
use app::api::auth::server::{LIMIT_PERIOD_SECONDS, MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS};
use app::store::{login_limits, Db};

/// A sign-in through the app's own client, from `client` as a proxy reports it.
async fn login_from(app: &TestApp, client: &str, username: &str, password: &str) -> u16 {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", client.parse().unwrap());
    let form = [("username", username), ("password", password), ("next", "/")];
    app.post_with("/api/login", None, &form, headers).await.status().as_u16()
}

async fn parallel_wrong_passwords_are_counted_before_they_are_checked(app: TestApp) {
    app.add_user("vera", "viewer").await;
    let attempts = (0..12).map(|_| app.login_with("vera", "wrong password!"));
    let statuses: Vec<u16> =
        futures_util::future::join_all(attempts).await.iter().map(|r| r.status().as_u16()).collect();
    let evaluated = statuses.iter().filter(|s| **s == 422).count() as i64;
    assert!(evaluated <= MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS, "{evaluated} evaluated: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 422 || *s == 429), "{statuses:?}");
}

#[tokio::test]
async fn twelve_parallel_wrong_passwords_evaluate_at_most_the_limit_on_sqlite_and_postgres() {
    parallel_wrong_passwords_are_counted_before_they_are_checked(TestApp::spawn().await).await;
    parallel_wrong_passwords_are_counted_before_they_are_checked(TestApp::spawn_with(postgres().await).await)
        .await;
}

async fn an_attacker_cannot_lock_a_user_out(app: TestApp) {
    app.add_user("vera", "viewer").await;
    let attacker = "203.0.113.66";
    let mut refused = 0;
    for _ in 0..25 {
        if login_from(&app, attacker, "vera", "wrong password!").await == 429 {
            refused += 1;
        }
    }
    assert!(refused >= 20, "the attacker is slowed down: {refused} of 25 refused");
    assert_eq!(login_from(&app, attacker, "vera", PASSWORD).await, 429, "not even with the right password");
    // Vera, elsewhere, signs in while the attack goes on.
    assert_eq!(login_from(&app, "198.51.100.7", "vera", PASSWORD).await, 200);
    // The attacker's address is refused for other accounts too.
    app.add_user("olga", "viewer").await;
    assert_eq!(login_from(&app, attacker, "olga", PASSWORD).await, 429);
    assert_eq!(login_from(&app, "198.51.100.8", "olga", PASSWORD).await, 200);
}

#[tokio::test]
async fn an_attacker_hammering_an_account_does_not_lock_its_user_out_on_sqlite_and_postgres() {
    an_attacker_cannot_lock_a_user_out(TestApp::spawn_behind_proxy(sqlite().await).await).await;
    an_attacker_cannot_lock_a_user_out(TestApp::spawn_behind_proxy(postgres().await).await).await;
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    // No trusted proxies: a new X-Forwarded-For per guess does not buy new guesses.
    let app = TestApp::spawn().await;
    app.add_user("vera", "viewer").await;
    for i in 0..MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS {
        assert_eq!(login_from(&app, &format!("192.0.2.{i}"), "vera", "wrong password!").await, 422);
    }
    assert_eq!(login_from(&app, "192.0.2.200", "vera", "wrong password!").await, 429);
}

#[tokio::test]
async fn successful_sign_ins_do_not_use_up_an_addresss_limit() {
    // An office behind one address: many good sign-ins never lock it.
    let app = TestApp::spawn().await;
    app.add_user("vera", "viewer").await;
    for _ in 0..25 {
        assert_eq!(app.login_with("vera", PASSWORD).await.status(), 200);
    }
}

async fn the_limit_slows_down_after_a_period_over_it(db: Db) {
    let (max, period) = (MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS, LIMIT_PERIOD_SECONDS);
    let take = |now| login_limits::take(&db, "pair:x|192.0.2.1", now, max, period);
    for n in 1..=max + 2 {
        assert_eq!(take(1_000).await.unwrap().attempts, n);
    }
    // The next period, after one over the limit, is twice as long.
    let next = take(1_000 + period).await.unwrap();
    assert_eq!((next.attempts, next.period_end), (1, 1_000 + 3 * period));
    // A period within the limit is followed by an ordinary one.
    let calm = take(1_000 + 3 * period).await.unwrap();
    assert_eq!((calm.attempts, calm.period_end), (1, 1_000 + 4 * period));
}

#[tokio::test]
async fn the_limit_slows_down_after_a_period_over_it_on_sqlite_and_postgres() {
    the_limit_slows_down_after_a_period_over_it(sqlite().await).await;
    the_limit_slows_down_after_a_period_over_it(postgres().await).await;
}
