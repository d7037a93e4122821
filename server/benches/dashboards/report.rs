//! What was measured, and the markdown report: one table per backend, one
//! column per data size, each figure next to its budget from issue 11.

use crate::Config;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "Postgres",
        }
    }
}

/// Percentiles of a set of timings, in milliseconds.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub runs: usize,
    pub p50: f64,
    pub p95: f64,
}

impl Stats {
    /// Nearest-rank percentiles.
    pub fn of(mut ms: Vec<f64>) -> Stats {
        ms.sort_by(f64::total_cmp);
        let rank = |p: f64| ms[((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
        Stats { runs: ms.len(), p50: rank(0.50), p95: rank(0.95) }
    }
}

/// A loader's timings: asked again with its rollup reads kept in memory,
/// and asked as the first time after a data change.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub cached: Stats,
    pub uncached: Stats,
}

/// The load test's outcome.
#[derive(Clone, Debug, Default)]
pub struct Load {
    pub clients: usize,
    pub seconds: f64,
    pub ok: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub page: Option<Stats>,
    pub series: Option<Stats>,
    pub peak_rss_mb: f64,
    /// Resident memory when the load began (what earlier phases left).
    pub start_rss_mb: f64,
}

/// Everything measured at one size on one backend.
#[derive(Clone, Debug, Default)]
pub struct Timed {
    pub tickets: u64,
    pub orders: u64,
    pub ticket_mb: f64,
    pub ticket_rows_per_s: Option<f64>,
    /// The `sqlite3` shell's `.import` of the same file (SQLite, when installed).
    pub sqlite3_rows_per_s: Option<f64>,
    /// Resident memory at the start and peak during the import, MB.
    pub ticket_import_mb: Option<(f64, f64)>,
    pub order_rows_per_s: Option<f64>,
    pub order_import_mb: Option<(f64, f64)>,
    pub checked: Option<String>,
    /// Seconds the system took to write the imports out (`sync`) before the reads were timed.
    pub flushed_s: Option<f64>,
    /// Loader, p95 budget in ms, timings.
    pub loaders: Vec<(&'static str, f64, Timings)>,
    /// Page, time to first byte, time to last byte.
    pub pages: Vec<(&'static str, Stats, Stats)>,
    pub load: Option<Load>,
}

pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub ram_gb: f64,
    pub date: String,
    pub commit: String,
}

impl Machine {
    pub fn here() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_string())
            .unwrap_or_else(|| "unknown CPU".into());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let ram_kb: f64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        let commit = std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            ram_gb: ram_kb / 1024.0 / 1024.0,
            date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
            commit,
        }
    }
}

fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn size(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => thousands(n as f64),
    }
}

fn ms(v: f64) -> String {
    if v >= 100.0 {
        thousands(v)
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn rss((start, peak): (f64, f64)) -> String {
    format!("{peak:.0} MB ({start:.0} MB)")
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "**missed**"
    }
}

/// Runs per measure in a full run: a nearest-rank p95 of 30 runs is the
/// second-slowest run, so two stalls of a few ms decided a measure; of 100
/// it is the 95th.
pub const FULL_RUNS: usize = 100;

fn timing(s: &Stats, budget: Option<f64>) -> String {
    let runs = if s.runs < FULL_RUNS { format!(" (n={})", s.runs) } else { String::new() };
    match budget {
        Some(b) => format!("{} / {} ms{runs}, {}", ms(s.p50), ms(s.p95), verdict(s.p95 <= b)),
        None => format!("{} / {} ms{runs}", ms(s.p50), ms(s.p95)),
    }
}

/// The whole report: machine, settings, one table per backend.
pub fn markdown(
    machine: &Machine,
    config: &Config,
    results: &[(Backend, Vec<Timed>)],
    complete: bool,
) -> String {
    let mut out = String::new();
    out.push_str("# Benchmarks\n\n");
    if !complete {
        out.push_str(
            "**Partial**: written while the run was still going; the sizes and backends not shown \
             were not measured (yet).\n\n",
        );
    }
    out.push_str(
        "Written by `make bench` (`server/benches/dashboards/`): synthetic tickets over 36 months \
         (2023-01 to 2025-12; 5 channels × 7 categories × 6 teams, 72 agents, 400 products) and \
         orders are imported into a fresh database through the product's CSV import, then each \
         dashboard loader is called in-process, each page is fetched through the real router over \
         loopback, and clients load the server for a fixed time. Before timing, one month's ticket \
         count and CSAT, as the overview, the series and the matrix answer them, are checked \
         against SQL over the raw `tickets` table.\n\n",
    );
    out.push_str(&format!(
        "- **Machine**: {}, {} cores, {:.0} GB RAM\n- **Date**: {} (commit {})\n\
         - **Runs**: {} warm-ups, then {} runs per measure or {} s, whichever ends first (at least 5; \
         fewer than {} shown as n=…); p50 / p95 in ms\n\
         - **Load**: {} clients for {} s, each alternating the overview page (`/`) and \
         `GET /api/v1/kpis/csat/series?grain=month` over 36 months, sent to a fresh `aftercare serve` \
         process on the same database; its peak RSS is that process's own (`VmHWM` since it \
         started), the resident size when the load began in brackets\n\
         - **Import memory**: the harness process's peak resident set (`VmHWM`, reset before each import through \
         `/proc/self/clear_refs`); the resident size when the phase began is shown in brackets, \
         since memory freed by an earlier phase (size or backend) is not always returned to the \
         system. On Postgres this is the app's memory only, not the database server's\n\
         - **Orders**: {} per ticket\n\n",
        machine.cpu,
        machine.cores,
        machine.ram_gb,
        machine.date,
        machine.commit,
        config.warmups,
        config.runs,
        config.max_seconds,
        FULL_RUNS,
        config.clients,
        config.load_seconds,
        config.orders_per_ticket,
    ));
    out.push_str(
        "Budgets are issue 11's, set for 10M tickets; a smaller size is judged against the same \
         figure. \"met\" / \"missed\" compare the p95 (or the rate, or the peak) with its budget.\n\n",
    );
    for (backend, timed) in results {
        if timed.is_empty() {
            continue;
        }
        out.push_str(&format!("## {}\n\n", backend.name()));
        out.push_str("| measure | budget |");
        for t in timed {
            out.push_str(&format!(" {} tickets |", size(t.tickets)));
        }
        out.push_str("\n|---|---|");
        for _ in timed {
            out.push_str("---|");
        }
        out.push('\n');
        let mut row = |name: &str, budget: &str, cell: &dyn Fn(&Timed) -> String| {
            out.push_str(&format!("| {name} | {budget} |"));
            for t in timed {
                out.push_str(&format!(" {} |", cell(t)));
            }
            out.push('\n');
        };
        let sqlite = *backend == Backend::Sqlite;
        row("data: tickets / orders / ticket CSV", "", &|t| {
            format!(
                "{} / {} / {:.0} MB",
                thousands(t.tickets as f64),
                thousands(t.orders as f64),
                t.ticket_mb
            )
        });
        row("import tickets (CSV), rows/s", if sqlite { "≥ 180,000" } else { "—" }, &|t| match t
            .ticket_rows_per_s
        {
            Some(r) if sqlite => format!("{}, {}", thousands(r), verdict(r >= 180_000.0)),
            Some(r) => thousands(r),
            None => "—".into(),
        });
        if sqlite {
            row("`sqlite3 .import` of the same CSV into a bare table, rows/s", "—", &|t| match (
                t.sqlite3_rows_per_s,
                t.ticket_rows_per_s,
            ) {
                (Some(shell), Some(ours)) => {
                    format!("{} (the import above: {:.0} % of it)", thousands(shell), ours / shell * 100.0)
                }
                (Some(shell), None) => thousands(shell),
                (None, _) => "—".into(),
            });
        }
        row("import tickets, peak RSS (at start)", "flat", &|t| t.ticket_import_mb.map_or("—".into(), rss));
        row("import orders (CSV), rows/s", "—", &|t| t.order_rows_per_s.map_or("—".into(), thousands));
        row("import orders, peak RSS (at start)", "flat", &|t| t.order_import_mb.map_or("—".into(), rss));
        row("answers equal SQL over raw rows", "equal", &|t| {
            if t.checked.is_some() {
                "equal".into()
            } else {
                "—".into()
            }
        });
        row("imports written out before the reads (`sync`), s", "—", &|t| {
            t.flushed_s.map_or("—".into(), |s| format!("{s:.1}"))
        });
        let loaders: Vec<(&str, f64)> = timed
            .iter()
            .flat_map(|t| t.loaders.iter().map(|(n, b, _)| (*n, *b)))
            .fold(Vec::new(), |mut v, x| {
                if !v.iter().any(|(n, _)| *n == x.0) {
                    v.push(x);
                }
                v
            });
        for (name, budget) in loaders {
            row(&format!("`{name}` p50 / p95"), &format!("p95 ≤ {budget} ms"), &|t| {
                t.loaders
                    .iter()
                    .find(|l| l.0 == name)
                    .map_or("—".into(), |l| timing(&l.2.cached, Some(budget)))
            });
            row(&format!("`{name}` after a data change"), "—", &|t| {
                t.loaders.iter().find(|l| l.0 == name).map_or("—".into(), |l| timing(&l.2.uncached, None))
            });
        }
        for page in ["/", "/trends", "/charts"] {
            row(&format!("page `{page}` SSR, time to first byte"), "p95 ≤ 80 ms", &|t| {
                t.pages.iter().find(|p| p.0 == page).map_or("—".into(), |p| timing(&p.1, Some(80.0)))
            });
            row(&format!("page `{page}`, time to last byte"), "—", &|t| {
                t.pages.iter().find(|p| p.0 == page).map_or("—".into(), |p| timing(&p.2, None))
            });
        }
        row("load: answers/s, errors", "no errors", &|t| {
            t.load.as_ref().map_or("—".into(), |l| {
                let error = l.first_error.as_deref().map(|e| format!(" (first: {e})")).unwrap_or_default();
                format!(
                    "{:.1}/s ({} in {:.0} s), {} errors{error}, {}",
                    l.ok as f64 / l.seconds,
                    l.ok,
                    l.seconds,
                    l.errors,
                    verdict(l.errors == 0)
                )
            })
        });
        row("load: overview page p50 / p95", "—", &|t| {
            t.load.as_ref().and_then(|l| l.page.as_ref()).map_or("none answered".into(), |s| timing(s, None))
        });
        row("load: 36-month series (REST) p50 / p95", "—", &|t| {
            t.load
                .as_ref()
                .and_then(|l| l.series.as_ref())
                .map_or("none answered".into(), |s| timing(s, None))
        });
        row("load: peak RSS (at start)", "≤ 200 MB", &|t| {
            t.load.as_ref().map_or("—".into(), |l| {
                format!("{}, {}", rss((l.start_rss_mb, l.peak_rss_mb)), verdict(l.peak_rss_mb <= 200.0))
            })
        });
        out.push('\n');
    }
    out
}
