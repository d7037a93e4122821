//! The dashboards' benchmark (issue 11): synthetic tickets and orders over
//! 36 months are imported into a fresh database through the product's own
//! CSV import, then every loader a dashboard page calls is timed in-process,
//! twice: asked again (the rollup reads it repeats kept in memory, as a
//! dashboard viewed again finds them) and as the first time after a data
//! change (nothing kept). The pages are fetched through the real router
//! for their time to first byte, and 32 clients load a fresh `aftercare
//! serve` process on the same database for a fixed time. SQLite always; Postgres too when
//! `AFTERCARE_TEST_POSTGRES_URL` is set (`server/tests/with-postgres.sh`
//! sets it).
//!
//! On SQLite the `sqlite3` shell, when installed, imports the same ticket
//! file into a bare table just before, for SQLite's own speed on the same
//! machine at the same moment.
//!
//! Before timing, one month's ticket count and CSAT, as the loaders answer
//! them, are compared with SQL over the raw `tickets` table: the run fails
//! when they differ, or on any error. Missed budgets never fail it.
//!
//! Settings (environment):
//! - `BENCH_MODE=full|smoke`: full by default; smoke runs few repetitions
//!   and a 3 s load, and never writes the report file.
//! - `BENCH_TICKETS=100000,1000000`: the sizes (default 100k and 1M in full
//!   mode, 20k in smoke mode: at 100k the Postgres import alone takes ~3 min
//!   on a 2-core machine, SQLite ~25 s). Orders: `BENCH_ORDERS_PER_TICKET` (2).
//! - `BENCH_OUT=path`: where the full run writes its markdown
//!   (`../docs/benchmarks.md`, i.e. the repository's docs, by default).
//! - `BENCH_AGENTS` (72, spread over the 6 teams) and `BENCH_PRODUCTS`
//!   (400): the synthetic agents and products, i.e. the size of the agent
//!   and product matrices.
//! - `BENCH_RUNS` (100 in full mode), `BENCH_WARMUPS`, `BENCH_MAX_SECONDS`
//!   (per measure, at least 5 runs are kept), `BENCH_LOAD_SECONDS`,
//!   `BENCH_CLIENTS`.
//! - `BENCH_BACKENDS=sqlite,postgres`: which of the two to run (both by
//!   default, Postgres only when its URL is set), e.g. `postgres` alone
//!   for a long run at 10M.
//!
//! Run with `make bench` (both backends) or `make bench-smoke`.

mod generate;
mod report;

use app::api::early_warning::{self, EarlyWarningQuery};
use app::api::matrix::{self, MatrixQuery};
use app::api::overview;
use app::api::query::RangeParams;
use app::api::register::{self, ActionsQuery};
use app::api::series::{self, SeriesQuery};
use app::api::trend::{self, TrendQuery};
use app::api::variance::{self, VarianceQuery};
use app::import::run::{import, ImportOptions};
use app::import::{mapping, Kind};
use app::models::TokenScope;
use app::store::Db;
use generate::{FIRST_DAY, LAST_DAY};
use leptos::prelude::LeptosOptions;
use report::{Backend, Load, Stats, Timed, Timings};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SEED: u64 = 11;
const PASSWORD: &str = "a long enough benchmark password";
/// The month whose answers are checked against SQL over the raw rows.
const CHECKED_MONTH: (&str, &str, &str) = ("2025-06", "2025-06-01", "2025-06-30");

#[derive(Clone, Debug)]
pub struct Config {
    pub full: bool,
    pub sizes: Vec<u64>,
    pub orders_per_ticket: f64,
    pub warmups: usize,
    pub runs: usize,
    pub max_seconds: f64,
    pub load_seconds: f64,
    pub clients: usize,
    pub out: Option<PathBuf>,
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().parse().unwrap_or_else(|_| panic!("{name}={v} is not a valid value"))
        }
        _ => default,
    }
}

impl Config {
    fn from_env() -> Config {
        let full = match std::env::var("BENCH_MODE").as_deref() {
            Ok("smoke") => false,
            Ok("full") | Ok("") | Err(_) => true,
            Ok(other) => panic!("BENCH_MODE must be full or smoke, not {other}"),
        };
        let sizes = match std::env::var("BENCH_TICKETS") {
            Ok(v) if !v.trim().is_empty() => v
                .split(',')
                .map(|s| {
                    s.trim().replace('_', "").parse().expect("BENCH_TICKETS: numbers separated by commas")
                })
                .collect(),
            _ if full => vec![100_000, 1_000_000],
            _ => vec![20_000],
        };
        Config {
            full,
            sizes,
            orders_per_ticket: env("BENCH_ORDERS_PER_TICKET", 2.0),
            warmups: env("BENCH_WARMUPS", if full { 3 } else { 1 }),
            runs: env("BENCH_RUNS", if full { report::FULL_RUNS } else { 5 }),
            max_seconds: env("BENCH_MAX_SECONDS", if full { 30.0 } else { 5.0 }),
            load_seconds: env("BENCH_LOAD_SECONDS", if full { 30.0 } else { 3.0 }),
            clients: env("BENCH_CLIENTS", 32),
            out: full.then(|| {
                std::env::var("BENCH_OUT")
                    .map(PathBuf::from)
                    .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/benchmarks.md"))
            }),
        }
    }
}

#[tokio::main]
async fn main() {
    let config = Config::from_env();
    let postgres = std::env::var("AFTERCARE_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty());
    let wanted = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into()).to_lowercase();
    let wants = |name: &str| wanted.split(',').any(|w| w.trim() == name);
    let mut backends = Vec::new();
    if wants("sqlite") {
        backends.push(Backend::Sqlite);
    }
    if wants("postgres") {
        if postgres.is_some() {
            backends.push(Backend::Postgres);
        } else {
            println!("AFTERCARE_TEST_POSTGRES_URL is not set: no Postgres run");
        }
    }
    assert!(!backends.is_empty(), "BENCH_BACKENDS names no backend to run: {wanted:?}");
    let dir = std::env::temp_dir().join(format!("aftercare-dashboards-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "mode {}, sizes {:?}, {} warm-ups + {} runs (at most {} s per measure), {} clients for {} s",
        if config.full { "full" } else { "smoke" },
        config.sizes,
        config.warmups,
        config.runs,
        config.max_seconds,
        config.clients,
        config.load_seconds
    );
    let mut results: Vec<(Backend, Vec<Timed>)> = backends.iter().map(|b| (*b, Vec::new())).collect();
    let mut failure = None;
    'sizes: for &tickets in &config.sizes {
        let orders = (tickets as f64 * config.orders_per_ticket).round() as u64;
        let ticket_file = dir.join(format!("tickets-{tickets}.csv"));
        let order_file = dir.join(format!("orders-{tickets}.csv"));
        let started = Instant::now();
        let ticket_bytes = generate::write_tickets(&ticket_file, SEED, tickets, orders).unwrap();
        let order_bytes = generate::write_orders(&order_file, SEED, orders, (tickets / 3).max(1)).unwrap();
        println!(
            "\n{tickets} tickets ({:.0} MB) and {orders} orders ({:.0} MB) generated in {:.1} s",
            ticket_bytes as f64 / 1e6,
            order_bytes as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
        for i in 0..results.len() {
            let backend = results[i].0;
            println!("--- {} ---", backend.name());
            let (db, url) = match fresh_db(backend, &dir, tickets, postgres.as_deref()).await {
                Ok(opened) => opened,
                Err(e) => {
                    failure = Some(format!("{}: cannot open a database: {e}", backend.name()));
                    break 'sizes;
                }
            };
            let mut t = Timed { tickets, orders, ticket_mb: ticket_bytes as f64 / 1e6, ..Timed::default() };
            let outcome = run(&db, &url, &config, &ticket_file, &order_file, &mut t).await;
            db.pool.close().await;
            drop_db(backend, &dir, tickets, postgres.as_deref()).await;
            results[i].1.push(t);
            // A long run leaves what it has measured so far, marked partial.
            if let (Some(out), Ok(())) = (&config.out, &outcome) {
                let _ =
                    std::fs::write(out, report::markdown(&report::Machine::here(), &config, &results, false));
            }
            if let Err(e) = outcome {
                failure = Some(format!("{} at {tickets} tickets: {e}", backend.name()));
                break 'sizes;
            }
        }
        let _ = std::fs::remove_file(&ticket_file);
        let _ = std::fs::remove_file(&order_file);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let machine = report::Machine::here();
    let markdown = report::markdown(&machine, &config, &results, true);
    println!("\n{markdown}");
    if let Some(e) = failure {
        eprintln!("benchmark failed: {e}");
        std::process::exit(1);
    }
    if let Some(out) = &config.out {
        std::fs::write(out, &markdown).unwrap();
        println!("written to {}", out.display());
    }
}

fn db_name(tickets: u64) -> String {
    format!("aftercare_bench_{}_{tickets}", std::process::id())
}

/// A migrated, empty database and its URL.
async fn fresh_db(
    backend: Backend,
    dir: &Path,
    tickets: u64,
    pg: Option<&str>,
) -> Result<(Db, String), String> {
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.join(format!("{}.db", db_name(tickets))).display()),
        Backend::Postgres => {
            let url = pg.ok_or("no Postgres URL")?;
            let admin = Db::connect(url).await.map_err(|e| e.to_string())?;
            sqlx::query(&format!("CREATE DATABASE {}", db_name(tickets)))
                .execute(&admin.pool)
                .await
                .map_err(|e| e.to_string())?;
            admin.pool.close().await;
            format!(
                "{}/{}",
                url.rsplit_once('/').ok_or("a Postgres URL ends with /database")?.0,
                db_name(tickets)
            )
        }
    };
    let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok((db, url))
}

async fn drop_db(backend: Backend, dir: &Path, tickets: u64, pg: Option<&str>) {
    match backend {
        Backend::Sqlite => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(dir.join(format!("{}.db{suffix}", db_name(tickets))));
            }
        }
        Backend::Postgres => {
            if let Some(Ok(admin)) = match pg {
                Some(url) => Some(Db::connect(url).await),
                None => None,
            } {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {}", db_name(tickets)))
                    .execute(&admin.pool)
                    .await;
                admin.pool.close().await;
            }
        }
    }
}

/// Rows per second of the `sqlite3` shell's own `.import` of `file` into a
/// bare table of a scratch database, with its default settings: SQLite's
/// own speed on this machine at this moment, which the import budget is
/// stated against. None when the shell is not installed.
fn sqlite3_import_rate(file: &Path, rows: u64) -> Result<Option<f64>, String> {
    let scratch = file.with_extension("sqlite3-import.db");
    let started = Instant::now();
    let ran = std::process::Command::new("sqlite3")
        .arg(&scratch)
        .args(["-cmd", ".mode csv"])
        .arg(format!(".import \"{}\" raw", file.display()))
        .status();
    let seconds = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&scratch);
    match ran {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("sqlite3: {e}")),
        Ok(status) if !status.success() => Err(format!("sqlite3 .import: {status}")),
        Ok(_) => {
            let rate = rows as f64 / seconds;
            println!("sqlite3 .import of the same file: {rows} rows in {seconds:.1} s, {rate:.0} rows/s");
            Ok(Some(rate))
        }
    }
}

/// Everything measured on one database of one size.
async fn run(
    db: &Db,
    url: &str,
    config: &Config,
    tickets: &Path,
    orders: &Path,
    t: &mut Timed,
) -> Result<(), String> {
    // Import: tickets then orders, each timed, peak memory from a reset.
    for (kind, file, expected) in [(Kind::Tickets, tickets, t.tickets), (Kind::Orders, orders, t.orders)] {
        let start_mb = rss_mb("self");
        reset_peak_rss();
        let mut header_line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(std::fs::File::open(file).map_err(|e| e.to_string())?),
            &mut header_line,
        )
        .map_err(|e| e.to_string())?;
        let headers: Vec<String> = header_line.trim_end().split(',').map(str::to_string).collect();
        let options = ImportOptions {
            kind,
            mapping: mapping::guess(kind, &headers),
            actor: "benchmark".into(),
            keep_valid: false,
        };
        if kind == Kind::Tickets && db.backend == app::store::Backend::Sqlite {
            t.sqlite3_rows_per_s = sqlite3_import_rate(file, expected)?;
        }
        let started = Instant::now();
        let file = std::fs::File::open(file).map_err(|e| e.to_string())?;
        let report = import(db, file, &options, None, |_| {}).await.map_err(|e| format!("import: {e}"))?;
        let seconds = started.elapsed().as_secs_f64();
        if report.inserted as u64 != expected {
            return Err(format!("{} imported of {expected} {}", report.inserted, kind.key()));
        }
        let rate = expected as f64 / seconds;
        let peak = peak_rss_mb("self");
        println!(
            "import {}: {expected} rows in {seconds:.1} s, {rate:.0} rows/s, peak RSS {peak:.0} MB",
            kind.key()
        );
        match kind {
            Kind::Tickets => (t.ticket_rows_per_s, t.ticket_import_mb) = (Some(rate), Some((start_mb, peak))),
            _ => (t.order_rows_per_s, t.order_import_mb) = (Some(rate), Some((start_mb, peak))),
        }
    }

    t.checked = Some(check_against_sql(db).await?);
    println!("{}", t.checked.as_deref().unwrap_or_default());
    // The imports write gigabytes, which the system may still be writing
    // out when they return: in one run at 10M on SQLite the first reads met
    // 150 MB/s of it (vmstat). Reads are timed once that is done.
    let started = Instant::now();
    let synced = std::process::Command::new("sync").status().map_err(|e| format!("sync: {e}"))?;
    if !synced.success() {
        return Err(format!("sync: {synced}"));
    }
    t.flushed_s = Some(started.elapsed().as_secs_f64());
    println!("imports written out in {:.1} s", started.elapsed().as_secs_f64());

    // The loaders, in-process.
    let range = |from: &str, to: &str, grain: &str| RangeParams {
        from: Some(from.into()),
        to: Some(to.into()),
        grain: Some(grain.into()),
        ..RangeParams::default()
    };
    let (month, month_first, month_last) = CHECKED_MONTH;
    let series_query = |r: RangeParams| SeriesQuery { kpi: "csat".into(), range: r };
    let s1 = series_query(range(month_first, month_last, "month"));
    let s36 = series_query(range(FIRST_DAY, LAST_DAY, "month"));
    let s36d = series_query(range(FIRST_DAY, LAST_DAY, "day"));
    // Medians: a day or month of the cube is one row with its median stored;
    // a range of months merges sketches.
    let frt36d = SeriesQuery { kpi: "frt_median_h".into(), range: range(FIRST_DAY, LAST_DAY, "day") };
    let frt36w = SeriesQuery { kpi: "frt_median_h".into(), range: range(FIRST_DAY, LAST_DAY, "week") };
    let m1 = MatrixQuery { range: range(month_first, month_last, ""), ..MatrixQuery::default() };
    let mall = MatrixQuery { range: range(FIRST_DAY, LAST_DAY, ""), ..MatrixQuery::default() };
    let frt_m1 = MatrixQuery { kpi: Some("frt_median_h".into()), ..m1.clone() };
    let frt_mall = MatrixQuery { kpi: Some("frt_median_h".into()), ..mall.clone() };
    // Not whole years or months: the ends are read month by month and day by day.
    let frt_mpart = MatrixQuery { range: range("2023-02-15", "2025-11-20", ""), ..frt_mall.clone() };
    // Agent, priority and product come from the monthly dimension rollup.
    let dims = |rows: &str, cols: &str, r: RangeParams, top: Option<&str>| MatrixQuery {
        rows: Some(rows.into()),
        cols: Some(cols.into()),
        top: top.map(str::to_string),
        range: r,
        ..MatrixQuery::default()
    };
    let agent_months = dims("agent", "month", range("2025-01-01", LAST_DAY, ""), None);
    let agent_category = dims("agent", "category", range(month_first, month_last, ""), None);
    let product_all = dims("product", "channel", range(FIRST_DAY, LAST_DAY, ""), Some("20"));
    let priority_all = dims("priority", "team", range(FIRST_DAY, LAST_DAY, ""), None);
    let tr36 = TrendQuery {
        kpi: "csat".into(),
        window: None,
        min_n: None,
        range: range(FIRST_DAY, LAST_DAY, "month"),
    };
    let warn = EarlyWarningQuery { period: Some(month.into()), by: Some("category".into()) };
    let var =
        VarianceQuery { month: Some(month.into()), kpi: Some("csat".into()), ..VarianceQuery::default() };
    let actions = ActionsQuery::default();
    let c = config;
    t.loaders.push(("overview, one month", 4.0, measure(c, db, || overview::load(db, Some(month))).await?));
    t.loaders.push(("series, 1 month", 4.0, measure(c, db, || series::load(db, &s1)).await?));
    t.loaders.push(("series, 36 months by month", 10.0, measure(c, db, || series::load(db, &s36)).await?));
    t.loaders.push(("series, 36 months by day", 10.0, measure(c, db, || series::load(db, &s36d)).await?));
    t.loaders.push(("matrix, one month", 4.0, measure(c, db, || matrix::load(db, &m1)).await?));
    t.loaders.push(("matrix, all time (36 months)", 26.0, measure(c, db, || matrix::load(db, &mall)).await?));
    let frt = measure(c, db, || series::load(db, &frt36d)).await?;
    t.loaders.push(("series of FRT median, 36 months by day", 10.0, frt));
    let frt = measure(c, db, || series::load(db, &frt36w)).await?;
    t.loaders.push(("series of FRT median, 36 months by week", 10.0, frt));
    t.loaders.push((
        "matrix of FRT median, one month",
        4.0,
        measure(c, db, || matrix::load(db, &frt_m1)).await?,
    ));
    let frt = measure(c, db, || matrix::load(db, &frt_mall)).await?;
    t.loaders.push(("matrix of FRT median, all time (36 months)", 26.0, frt));
    let frt = measure(c, db, || matrix::load(db, &frt_mpart)).await?;
    t.loaders.push(("matrix of FRT median, 2023-02-15 to 2025-11-20", 26.0, frt));
    let agents = measure(c, db, || matrix::load(db, &agent_months)).await?;
    t.loaders.push(("matrix, agent × month (12 months)", 10.0, agents));
    let agents = measure(c, db, || matrix::load(db, &agent_category)).await?;
    t.loaders.push(("matrix, agent × category, one month", 4.0, agents));
    let products = measure(c, db, || matrix::load(db, &product_all)).await?;
    t.loaders.push(("matrix, product × channel, 36 months, top 20", 26.0, products));
    let priorities = measure(c, db, || matrix::load(db, &priority_all)).await?;
    t.loaders.push(("matrix, priority × team, 36 months", 26.0, priorities));
    t.loaders.push(("trend, 36 months", 10.0, measure(c, db, || trend::load(db, &tr36)).await?));
    t.loaders.push((
        "early warning, one month by category",
        4.0,
        measure(c, db, || early_warning::load(db, &warn)).await?,
    ));
    t.loaders.push((
        "variance, one month with CSAT's drill and register",
        10.0,
        measure(c, db, || variance::load(db, &var)).await?,
    ));
    t.loaders.push((
        "actions list, all",
        4.0,
        measure(c, db, || register::server::load_actions(db, &actions)).await?,
    ));

    // The pages and the REST route through the real router.
    let server = Server::start(db).await?;
    for page in ["/", "/trends", "/charts"] {
        let (ttfb, whole) = measure_page(c, &server, page).await?;
        t.pages.push((page, ttfb, whole));
    }
    // The load goes to the product's own server process on the same
    // database: its memory is the server's, not what the imports left here.
    let served = Served::start(url).await?;
    t.load = Some(load(c, &server.at(&served.base), served.pid()).await?);
    Ok(())
}

/// `aftercare serve` on the benchmark's database, stopped when dropped.
struct Served {
    child: std::process::Child,
    base: String,
}

impl Served {
    async fn start(url: &str) -> Result<Served, String> {
        // A free port, given up for the server to take.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_aftercare"))
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("AFTERCARE_DEMO", "0")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_OUTPUT_NAME", "aftercare")
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("LEPTOS_SITE_PKG_DIR", "pkg")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let served = Served { child, base: format!("http://127.0.0.1:{port}") };
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            let health = client.get(format!("{}/api/v1/health", served.base)).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return Ok(served);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("the server process did not answer within 60 s".into())
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One month's ticket count and CSAT (overview, series and matrix) equal SQL
/// over the raw `tickets` table.
async fn check_against_sql(db: &Db) -> Result<String, String> {
    use sqlx::Row;
    let (month, first, last) = CHECKED_MONTH;
    // The checked month's first day, and the day after its last.
    let epoch = |day: &str| {
        let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a date");
        date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp()
    };
    let (start, end) = (epoch(first), epoch(last) + 86_400);
    let row = sqlx::query(
        "SELECT COUNT(*), COUNT(csat), SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END) FROM tickets \
         WHERE created_at >= $1 AND created_at < $2",
    )
    .bind(start)
    .bind(end)
    .fetch_one(&db.pool)
    .await
    .map_err(|e| e.to_string())?;
    let count: i64 = row.try_get(0).map_err(|e| e.to_string())?;
    let rated: i64 = row.try_get(1).map_err(|e| e.to_string())?;
    let satisfied: Option<i64> = row.try_get(2).map_err(|e| e.to_string())?;
    let csat = 100.0 * satisfied.unwrap_or(0) as f64 / rated as f64;

    let overview = overview::load(db, Some(month)).await.map_err(|e| e.to_string())?.ok_or("no overview")?;
    if overview.tickets != count {
        return Err(format!("overview {month}: {} tickets, SQL over raw rows: {count}", overview.tickets));
    }
    let range = RangeParams {
        from: Some(first.into()),
        to: Some(last.into()),
        grain: Some("month".into()),
        ..RangeParams::default()
    };
    let series = series::load(db, &SeriesQuery { kpi: "csat".into(), range: range.clone() })
        .await
        .map_err(|e| e.to_string())?;
    let point = series.points.first().ok_or("an empty CSAT series")?;
    let close = |v: Option<f64>| v.is_some_and(|v| (v - csat).abs() < 1e-9);
    if !close(point.value) || point.n != rated {
        return Err(format!(
            "series {month}: CSAT {:?} of {} ratings, SQL over raw rows: {csat} of {rated}",
            point.value, point.n
        ));
    }
    let m = matrix::load(db, &MatrixQuery { range, ..MatrixQuery::default() })
        .await
        .map_err(|e| e.to_string())?;
    if !close(m.total.value) || m.total.n != rated {
        return Err(format!(
            "matrix {month}: CSAT {:?} of {} ratings, SQL over raw rows: {csat} of {rated}",
            m.total.value, m.total.n
        ));
    }
    Ok(format!(
        "checked: {month} has {count} tickets and CSAT {csat:.4} % of {rated} ratings in the overview, \
         the series and the matrix, as SQL over the raw rows"
    ))
}

/// Warm-ups, then timed runs until `runs` or `max_seconds` (at least 5),
/// first as a dashboard asks again (its rollup reads kept in memory), then
/// each run as the first after a data change (none kept).
async fn measure<F, Fut, T, E>(config: &Config, db: &Db, mut call: F) -> Result<Timings, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    for _ in 0..config.warmups {
        call().await.map_err(|e| e.to_string())?;
    }
    let mut stats = [Stats::default(), Stats::default()];
    for (uncached, stats) in [false, true].into_iter().zip(&mut stats) {
        let mut times = Vec::with_capacity(config.runs);
        let started = Instant::now();
        while times.len() < config.runs
            && (times.len() < 5 || started.elapsed().as_secs_f64() < config.max_seconds)
        {
            if uncached {
                db.forget_reads();
            }
            let t = Instant::now();
            std::hint::black_box(call().await.map_err(|e| e.to_string())?);
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        *stats = Stats::of(times);
    }
    let [cached, uncached] = stats;
    Ok(Timings { cached, uncached })
}

/// The app on a loopback port, a signed-in session and a read token.
#[derive(Clone)]
struct Server {
    base: String,
    cookie: String,
    token: String,
    client: reqwest::Client,
}

impl Server {
    async fn start(db: &Db) -> Result<Server, String> {
        let options = LeptosOptions::builder()
            .output_name("aftercare")
            .site_root("target/site")
            .site_pkg_dir("pkg")
            .build();
        let app = server::http::router(db.clone(), options, false);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap()
        });
        app::api::users::server::create(db, "benchmark", "bench-admin", "admin", PASSWORD)
            .await
            .map_err(|e| format!("creating the admin: {e}"))?;
        let token = app::store::tokens::create(db, "benchmark", "benchmark", TokenScope::Read)
            .await
            .map_err(|e| e.to_string())?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| e.to_string())?;
        let base = format!("http://{addr}");
        let response = client
            .post(format!("{base}/api/login"))
            .header(reqwest::header::ACCEPT, "text/html")
            .form(&[("username", "bench-admin"), ("password", PASSWORD), ("next", "/")])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let cookie = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("aftercare_session=") && !v.starts_with("aftercare_session=;"))
            .and_then(|v| v.split(';').next())
            .map(str::to_string)
            .ok_or_else(|| format!("no session cookie after signing in ({})", response.status()))?;
        Ok(Server { base, cookie, token, client })
    }

    /// The same session and token, against the server at `base`.
    fn at(&self, base: &str) -> Server {
        Server { base: base.to_string(), ..self.clone() }
    }

    fn page(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(format!("{}{path}", self.base)).header(reqwest::header::COOKIE, &self.cookie)
    }

    fn rest(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(format!("{}/api/v1{path}", self.base)).bearer_auth(&self.token)
    }
}

/// A page's time to first byte (the response head; pages render in
/// `SsrMode::Async`, so the head follows the whole render) and to its last.
async fn measure_page(config: &Config, server: &Server, path: &str) -> Result<(Stats, Stats), String> {
    let get = || async {
        let started = Instant::now();
        let response = server.page(path).send().await.map_err(|e| e.to_string())?;
        let ttfb = started.elapsed().as_secs_f64() * 1e3;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        let whole = started.elapsed().as_secs_f64() * 1e3;
        if !status.is_success() || body.len() < 1_000 {
            return Err(format!("{path}: {status}, {} bytes", body.len()));
        }
        Ok::<_, String>((ttfb, whole))
    };
    for _ in 0..config.warmups {
        get().await?;
    }
    let (mut ttfb, mut whole) = (Vec::new(), Vec::new());
    let started = Instant::now();
    while ttfb.len() < config.runs && (ttfb.len() < 5 || started.elapsed().as_secs_f64() < config.max_seconds)
    {
        let (a, b) = get().await?;
        ttfb.push(a);
        whole.push(b);
    }
    Ok((Stats::of(ttfb), Stats::of(whole)))
}

/// A load-test request unanswered after this counts as an error.
const LOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// `clients` clients, each alternating the overview page and a 36-month
/// CSAT series over REST, for `load_seconds`. Server errors and timeouts
/// are counted, whatever their status (under overload a session or token
/// check that cannot reach the database answers 401); both requests are
/// made once unloaded first, and a refusal then fails the run.
async fn load(config: &Config, server: &Server, pid: u32) -> Result<Load, String> {
    let series = format!("/kpis/csat/series?grain=month&from={FIRST_DAY}&to={LAST_DAY}");
    let server = Arc::new(server.clone());
    // Each request once, unloaded: a refusal here is the harness's fault.
    for request in [server.page("/"), server.rest(&series)] {
        let response = request.send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("before the load, {} answered {}", response.url().path(), response.status()));
        }
    }
    let process = pid.to_string();
    let start_rss_mb = rss_mb(&process);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(config.load_seconds);
    let sampled_process = process.clone();
    let sampler = tokio::spawn(async move {
        let mut peak = 0.0f64;
        while Instant::now() < deadline {
            peak = peak.max(rss_mb(&sampled_process));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        peak
    });
    let mut tasks = Vec::new();
    for client in 0..config.clients {
        let (server, series) = (server.clone(), series.clone());
        tasks.push(tokio::spawn(async move {
            let (mut page_ms, mut series_ms, mut errors) = (Vec::new(), Vec::new(), Vec::new());
            let mut i = client;
            while Instant::now() < deadline {
                let is_page = i % 2 == 0;
                i += 1;
                let request = if is_page { server.page("/") } else { server.rest(&series) };
                let t = Instant::now();
                let outcome = match request.timeout(LOAD_TIMEOUT).send().await {
                    Ok(r) if r.status().is_success() => {
                        r.bytes().await.map(|_| ()).map_err(|e| e.to_string())
                    }
                    Ok(r) => Err(r.status().to_string()),
                    Err(e) if e.is_timeout() => Err(format!("no answer within {LOAD_TIMEOUT:?}")),
                    Err(e) => Err(e.to_string()),
                };
                let ms = t.elapsed().as_secs_f64() * 1e3;
                match outcome {
                    Ok(()) if is_page => page_ms.push(ms),
                    Ok(()) => series_ms.push(ms),
                    Err(e) => errors.push(e),
                }
            }
            (page_ms, series_ms, errors)
        }));
    }
    let (mut page_ms, mut series_ms, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for task in tasks {
        let (p, s, e) = task.await.map_err(|e| e.to_string())?;
        page_ms.extend(p);
        series_ms.extend(s);
        errors.extend(e);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let sampled = sampler.await.unwrap_or(0.0);
    let result = Load {
        clients: config.clients,
        seconds: elapsed,
        ok: page_ms.len() + series_ms.len(),
        errors: errors.len(),
        first_error: errors.first().cloned(),
        page: (!page_ms.is_empty()).then(|| Stats::of(page_ms)),
        series: (!series_ms.is_empty()).then(|| Stats::of(series_ms)),
        peak_rss_mb: peak_rss_mb(&process).max(sampled),
        start_rss_mb,
    };
    println!(
        "{} clients for {:.1} s: {} answered, {} errors (first: {}), peak RSS {:.0} MB",
        result.clients,
        result.seconds,
        result.ok,
        result.errors,
        result.first_error.as_deref().unwrap_or("none"),
        result.peak_rss_mb
    );
    Ok(result)
}

/// A field of `/proc/<process>/status` (`self` or a pid), in kB.
fn status_kb(process: &str, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0)
}

/// Peak resident set size of a process since it started or since the last
/// reset (Linux), MB.
fn peak_rss_mb(process: &str) -> f64 {
    status_kb(process, "VmHWM:") / 1024.0
}

fn rss_mb(process: &str) -> f64 {
    status_kb(process, "VmRSS:") / 1024.0
}

/// Resets the peak to the current resident size (Linux ≥ 4.0); where that
/// is refused the peak stays the process's peak so far.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
