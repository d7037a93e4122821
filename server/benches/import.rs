//! Import benchmark: a helpdesk export of 100,000 and then 1,000,000 rows
//! (its own headers, day-first dates, hours to first reply, rating words)
//! imported through a mapping into a fresh SQLite file. Prints rows per
//! second and the process's peak resident memory after each size: a
//! streaming import keeps the peak flat while the file grows tenfold.
//!
//! Run with `make bench` (or `cargo bench -p server --bench import`).

use app::import::run::{import, ImportOptions};
use app::import::{sniff, Kind};
use app::store::Db;
use std::io::{BufWriter, Read, Write};
use std::time::Instant;

const CHANNELS: [&str; 4] = ["chat", "email", "phone", "social"];
const CATEGORIES: [&str; 5] = ["delivery", "billing", "returns & refunds", "product defect", "account"];
const RATINGS: [&str; 4] = ["good", "bad", "", "good"];

fn write_export(path: &std::path::Path, rows: u64) -> u64 {
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "Ticket ID;Created;First reply time (hrs);Via;Type;Group;Satisfaction").unwrap();
    for i in 0..rows {
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        let minute = (i * 7) % 60;
        let hour = 8 + (i * 3) % 10;
        let reply = (i % 40) as f64 / 8.0;
        writeln!(
            out,
            "B-{i};{day:02}/{month:02}/2024 {hour:02}:{minute:02};{reply};{};{};Tier {};{}",
            CHANNELS[(i % 4) as usize],
            CATEGORIES[(i % 5) as usize],
            1 + i % 3,
            RATINGS[(i % 4) as usize]
        )
        .unwrap();
    }
    out.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

/// Peak resident set size of this process so far (Linux), in MB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("aftercare-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("{:>10} {:>10} {:>9} {:>12} {:>14}", "rows", "file MB", "seconds", "rows/s", "peak RSS MB");
    for rows in [100_000u64, 1_000_000] {
        let file = dir.join(format!("export-{rows}.csv"));
        let bytes = write_export(&file, rows);
        let db = Db::connect(&format!("sqlite://{}", dir.join(format!("bench-{rows}.db")).display()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let mut head = vec![0; 64 * 1024];
        let n = std::fs::File::open(&file).unwrap().read(&mut head).unwrap();
        let mapping = sniff::preview(Kind::Tickets, &String::from_utf8_lossy(&head[..n])).unwrap().mapping;
        let options =
            ImportOptions { kind: Kind::Tickets, mapping, actor: "bench".into(), keep_valid: false };
        let started = Instant::now();
        let report = import(&db, std::fs::File::open(&file).unwrap(), &options, None, |_| {}).await.unwrap();
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(report.inserted as u64, rows);
        println!(
            "{rows:>10} {:>10.1} {seconds:>9.1} {:>12.0} {:>14.1}",
            bytes as f64 / 1e6,
            rows as f64 / seconds,
            peak_rss_mb()
        );
        db.pool.close().await;
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
