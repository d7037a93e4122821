//! `aftercare import KIND FILE [--mapping M.toml] [--rejects FILE]`: the
//! import of the Data page from a terminal, with a progress bar.

use crate::config::Config;
use app::import::run::{import, ImportError, ImportOptions};
use app::import::{sniff, ImportReport, Kind, Mapping};
use std::io::{IsTerminal, Read, Write};

pub async fn run(
    config: &Config,
    kind: Kind,
    path: &str,
    mapping: Option<&str>,
    rejects: Option<&str>,
) -> Result<(), String> {
    let open = || std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"));
    let size = open()?.metadata().map(|m| m.len()).unwrap_or(0);
    let mapping = match mapping {
        Some(file) => read_mapping(file)?,
        // Without a mapping the file is in the canonical format (or close to it).
        None => {
            let mut head = vec![0; 64 * 1024];
            let n = open()?.read(&mut head).map_err(|e| format!("cannot read {path}: {e}"))?;
            sniff::preview(kind, &String::from_utf8_lossy(&head[..n]))?.mapping
        }
    };
    let db = config.open_database().await?;
    let mut rejects_file = match rejects {
        Some(p) => Some(std::fs::File::create(p).map_err(|e| format!("cannot write {p}: {e}"))?),
        None => None,
    };
    let options =
        ImportOptions { kind, mapping, actor: "command line".into(), keep_valid: rejects.is_some() };
    let started = std::time::Instant::now();
    let bar = std::io::stderr().is_terminal();
    let rejects_out = rejects_file.as_mut().map(|f| f as &mut (dyn Write + Send));
    let result = import(&db, open()?, &options, rejects_out, |read| {
        if bar {
            eprint!("\r{}", progress_bar(read, size));
        }
    })
    .await;
    if bar {
        eprintln!();
    }
    db.close().await;
    match result {
        Ok(report) => {
            eprintln!("{}", summary(&report, kind, started.elapsed().as_secs_f64(), rejects));
            Ok(())
        }
        Err(ImportError::Rows(refusals)) => {
            let lines: Vec<String> = refusals.first.iter().map(|e| format!("  {e}")).collect();
            Err(format!(
                "{path} was not imported (nothing was changed): {}.\nThe first refused rows \
                 (row N counts the header as row 1; data row N does not):\n{}\n\
                 Fix them, or pass --rejects FILE to import the valid rows and list the others there.",
                refusals.summary(),
                lines.join("\n")
            ))
        }
        Err(ImportError::Repeated(why)) => {
            Err(format!("{path} was not imported (nothing was changed): {why}"))
        }
        Err(other) => Err(format!("{path} was not imported (nothing was changed): {other}")),
    }
}

/// "imported 5 rows of tickets in 0.1 s: 2 inserted, 0 updated, 1 unchanged;
/// 2 rows repeated an earlier row's id (row 4 repeats 'A' of row 2, …)".
fn summary(report: &ImportReport, kind: Kind, seconds: f64, rejects: Option<&str>) -> String {
    let mut out = format!(
        "imported {} rows of {} in {seconds:.1} s: {} inserted, {} updated, {} unchanged",
        report.rows,
        kind.key(),
        report.inserted,
        report.updated,
        report.unchanged,
    );
    if report.repeated > 0 {
        let listed: Vec<String> = report.repeated_first.iter().take(5).map(|r| r.to_string()).collect();
        out += &format!(
            "; {} repeated an earlier row's external id ({}{})",
            app::import::refusals::rows(report.repeated),
            listed.join(", "),
            if report.repeated > 5 { ", …" } else { "" }
        );
    }
    if let Some(p) = rejects.filter(|_| report.rejected > 0) {
        out += &format!("; {} refused rows written to {p}", report.rejected);
    }
    out
}

fn read_mapping(file: &str) -> Result<Mapping, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    toml::from_str(&text).map_err(|e| format!("{file}: {e}"))
}

/// "[##########··········]  50%  12.0 of 24.0 MB"
fn progress_bar(read: u64, total: u64) -> String {
    let share = if total > 0 { (read as f64 / total as f64).min(1.0) } else { 0.0 };
    let filled = (share * 30.0).round() as usize;
    format!(
        "[{}{}] {:>3.0}%  {:.1} of {:.1} MB",
        "#".repeat(filled),
        "·".repeat(30 - filled),
        share * 100.0,
        read as f64 / 1e6,
        total as f64 / 1e6
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_bytes_read() {
        assert_eq!(progress_bar(0, 0), format!("[{}]   0%  0.0 of 0.0 MB", "·".repeat(30)));
        assert!(progress_bar(12_000_000, 24_000_000).starts_with(&format!(
            "[{}{}]  50%",
            "#".repeat(15),
            "·".repeat(15)
        )));
    }

    #[test]
    fn the_summary_adds_up_and_names_repeated_rows() {
        let report = ImportReport {
            rows: 5,
            inserted: 2,
            unchanged: 1,
            repeated: 2,
            repeated_first: vec![app::import::RepeatedId { external_id: "A".into(), row: 4, first_row: 2 }],
            ..ImportReport::default()
        };
        let text = summary(&report, Kind::Tickets, 0.1, None);
        assert!(text
            .starts_with("imported 5 rows of tickets in 0.1 s: 2 inserted, 0 updated, 1 unchanged; 2 rows"));
        assert!(text.contains("row 4 repeats 'A' of row 2"), "{text}");
    }

    #[test]
    fn mapping_files_are_toml() {
        let dir = std::env::temp_dir().join(format!("aftercare-mapping-{}", std::process::id()));
        std::fs::write(
            &dir,
            "timezone = \"Europe/Berlin\"\ndelimiter = \";\"\n\n[fields.external_id]\ncolumn = \"Ticket ID\"\n\n\
             [fields.csat]\ncolumn = \"Rating\"\nscale = [1, 10]\n\n[fields.csat.values]\ngood = \"5\"\n",
        )
        .unwrap();
        let m = read_mapping(dir.to_str().unwrap()).unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(m.delimiter, Some(';'));
        assert_eq!(m.fields["csat"].scale, Some([1.0, 10.0]));
        assert_eq!(m.fields["csat"].values["good"], "5");
        assert_eq!(m.fields["external_id"].column.as_deref(), Some("Ticket ID"));
    }
}
