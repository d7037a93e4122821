//! The import itself: a CSV stream read row by row, converted through the
//! mapping, validated like every other ingest, and written in chunks inside
//! one transaction. Strict by default: any refused row rolls everything
//! back and the first refusals are reported. With `keep_valid`, the valid
//! rows are imported and each refused one goes to the rejects file with its
//! reason, never silently.

use super::convert::{Converter, RowError};
use super::fields::Kind;
use super::mapping::Mapping;
use super::sniff::{detect_delimiter, has_header};
use super::ImportReport;
use crate::csv_cell::neutralise_all;
use crate::models::{BenchmarkRecord, FieldError, FinancialMonth, OrderRecord, TargetRecord, TicketRecord};
use crate::store::ingest::{self, IngestError, OrderWriter, TicketWriter};
use crate::store::Db;
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Read, Write};

/// Refused rows listed in a strict import's report.
pub const MAX_REPORTED_ERRORS: usize = 20;
/// Records written to the database at a time.
const CHUNK_ROWS: usize = 2_000;
/// How much of the file the delimiter and header are judged on.
const SNIFF_BYTES: usize = 64 * 1024;

pub struct ImportOptions {
    pub kind: Kind,
    pub mapping: Mapping,
    /// Who imports: recorded as the author of targets and in the audit log.
    pub actor: String,
    /// Import the valid rows and write the refused ones to the rejects file.
    pub keep_valid: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Mapping(String),
    #[error("the file was not imported: {}, first: {}", refused_count(.0), .0[0])]
    Rows(Vec<RowError>),
    #[error("{0}")]
    File(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Another import holds the server's import turn (see `store::import_gate`).
    #[error("an import is running: try again in a minute")]
    Busy,
}

/// "3 refused rows", or "at least 20 refused rows" when the report was cut.
pub fn refused_count(errors: &[RowError]) -> String {
    match errors.len() {
        n if n >= MAX_REPORTED_ERRORS => format!("at least {n} refused rows"),
        1 => "1 refused row".to_string(),
        n => format!("{n} refused rows"),
    }
}

impl From<IngestError> for ImportError {
    fn from(e: IngestError) -> ImportError {
        match e {
            IngestError::Database(e) => ImportError::Database(e),
            invalid => ImportError::File(invalid.to_string()),
        }
    }
}

/// Imports a CSV stream. `progress` is told how many bytes have been read
/// after each chunk; `rejects` receives refused rows when `keep_valid` is set.
pub async fn import(
    db: &Db,
    input: impl Read,
    options: &ImportOptions,
    mut rejects: Option<&mut (dyn Write + Send)>,
    mut progress: impl FnMut(u64),
) -> Result<ImportReport, ImportError> {
    let _turn = db.imports.try_enter().ok_or(ImportError::Busy)?;
    // Counted from the first byte, so a progress bar ends at 100 %.
    let mut input = BufReader::with_capacity(SNIFF_BYTES, Counted { inner: input, bytes: 0 });
    let (delimiter, header) = {
        let head = input.fill_buf().map_err(|e| ImportError::File(format!("cannot read the file: {e}")))?;
        let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        let sample = String::from_utf8_lossy(head);
        let delimiter = match options.mapping.delimiter {
            Some(d) if d.is_ascii() => d as u8,
            Some(d) => return Err(ImportError::Mapping(format!("'{d}' cannot separate columns"))),
            None => detect_delimiter(&sample),
        };
        let first = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .from_reader(sample.as_bytes())
            .records()
            .next()
            .and_then(Result::ok);
        let header = first.map(|r| r.iter().map(str::to_string).collect::<Vec<_>>());
        (delimiter, header)
    };
    if input.fill_buf().map(|b| b.starts_with(b"\xef\xbb\xbf")).unwrap_or(false) {
        input.consume(3);
    }
    let Some(first_row) = header else { return Err(ImportError::File("the file is empty".into())) };
    let has_header = has_header(&first_row);
    let headers: Vec<String> =
        if has_header { first_row } else { (1..=first_row.len()).map(|i| format!("column {i}")).collect() };
    let converter = Converter::new(options.kind, &options.mapping, &headers, &options.actor)
        .map_err(ImportError::Mapping)?;

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(has_header)
        .flexible(true)
        .from_reader(input);
    // Read the header now: a record's error carries the position from
    // before its read, which for the first record would be the header's
    // line 1 (a bad byte on line 2 was reported as row 1).
    if has_header {
        let _ = reader.byte_headers();
    }
    if let Some(out) = rejects.as_deref_mut() {
        write_reject_header(out, &headers)?;
    }
    let mut sink = Sink::begin(db, options.kind).await?;
    let mut report = ImportReport::default();
    let mut errors = Vec::new();
    let mut record = csv::StringRecord::new();
    let now = chrono::Utc::now().timestamp();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let row = e.position().map_or(report.rows + 1, |p| p.line());
                let reason = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text (save the file as UTF-8)".to_string(),
                    _ => e.to_string(),
                };
                errors.push(RowError { row, column: String::new(), value: String::new(), reason });
                break;
            }
        }
        report.rows += 1;
        let row = record.position().map_or(report.rows, |p| p.line());
        let cells: Vec<&str> = record.iter().collect();
        match converter.convert(&cells, row).and_then(|map| typed(options.kind, map, now, row, &converter)) {
            Ok(valid) if errors.is_empty() => sink.push(valid).await?,
            Ok(_) => {}
            Err(refused) if options.keep_valid => {
                report.rejected += 1;
                if let Some(out) = rejects.as_deref_mut() {
                    write_reject(out, &cells, &refused)?;
                }
            }
            Err(refused) => {
                errors.push(refused);
                if errors.len() >= MAX_REPORTED_ERRORS {
                    break;
                }
            }
        }
        if report.rows % CHUNK_ROWS as u64 == 0 {
            progress(reader.get_ref().get_ref().bytes);
        }
    }
    progress(reader.get_ref().get_ref().bytes);
    if !errors.is_empty() {
        // Dropping the sink rolls the transaction back: nothing is half-imported.
        return Err(ImportError::Rows(errors));
    }
    let written = sink.commit(db, &options.actor).await?;
    report.inserted = written.inserted;
    report.updated = written.updated;
    Ok(report)
}

/// A reader that counts the bytes read through it, for progress bars.
struct Counted<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

/// One valid record of any kind.
enum Record {
    Ticket(TicketRecord),
    Order(OrderRecord),
    Financial(FinancialMonth),
    Target(TargetRecord),
    Benchmark(BenchmarkRecord),
}

/// A converted row as its record, checked by the record's own invariants.
fn typed(kind: Kind, map: Map<String, Value>, now: i64, row: u64, c: &Converter) -> Result<Record, RowError> {
    let shown = |field: &str, map: &Map<String, Value>| map.get(field).map(value_text).unwrap_or_default();
    let refuse = |e: FieldError, map: &Map<String, Value>| RowError {
        row,
        column: c.column_of(&e.field),
        value: shown(&e.field, map),
        reason: format!("{} {}", e.field, e.message),
    };
    let parse_error = |e: serde_json::Error| RowError {
        row,
        column: String::new(),
        value: String::new(),
        reason: e.to_string(),
    };
    let value = Value::Object(map.clone());
    let record = match kind {
        Kind::Tickets => {
            let t: TicketRecord = serde_json::from_value(value).map_err(parse_error)?;
            t.validate(now).map_err(|e| refuse(e, &map))?;
            Record::Ticket(t)
        }
        Kind::Orders => {
            let o: OrderRecord = serde_json::from_value(value).map_err(parse_error)?;
            o.validate(now).map_err(|e| refuse(e, &map))?;
            Record::Order(o)
        }
        Kind::Financials => {
            let f: FinancialMonth = serde_json::from_value(value).map_err(parse_error)?;
            f.validate().map_err(|e| refuse(e, &map))?;
            Record::Financial(f)
        }
        Kind::Targets => {
            let t: TargetRecord = serde_json::from_value(value).map_err(parse_error)?;
            t.validate().map_err(|e| refuse(e, &map))?;
            Record::Target(t)
        }
        Kind::Benchmarks => {
            let b: BenchmarkRecord = serde_json::from_value(value).map_err(parse_error)?;
            b.validate().map_err(|e| refuse(e, &map))?;
            Record::Benchmark(b)
        }
    };
    Ok(record)
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Where valid records go: tickets and orders stream into the database in
/// chunks; the small kinds (a row per month or KPI) are written at the end.
enum Sink {
    Tickets(TicketWriter, Vec<TicketRecord>),
    Orders(OrderWriter, Vec<OrderRecord>),
    Financials(Vec<FinancialMonth>),
    Targets(Vec<TargetRecord>),
    Benchmarks(Vec<BenchmarkRecord>),
}

impl Sink {
    async fn begin(db: &Db, kind: Kind) -> Result<Sink, sqlx::Error> {
        Ok(match kind {
            Kind::Tickets => Sink::Tickets(TicketWriter::begin(db).await?, Vec::new()),
            Kind::Orders => Sink::Orders(OrderWriter::begin(db).await?, Vec::new()),
            Kind::Financials => Sink::Financials(Vec::new()),
            Kind::Targets => Sink::Targets(Vec::new()),
            Kind::Benchmarks => Sink::Benchmarks(Vec::new()),
        })
    }

    async fn push(&mut self, record: Record) -> Result<(), ImportError> {
        match (self, record) {
            (Sink::Tickets(writer, buffer), Record::Ticket(t)) => {
                buffer.push(t);
                if buffer.len() >= CHUNK_ROWS {
                    writer.write(buffer).await?;
                    buffer.clear();
                }
            }
            (Sink::Orders(writer, buffer), Record::Order(o)) => {
                buffer.push(o);
                if buffer.len() >= CHUNK_ROWS {
                    writer.write(buffer).await?;
                    buffer.clear();
                }
            }
            (Sink::Financials(all), Record::Financial(f)) => push_small(all, f, Kind::Financials)?,
            (Sink::Targets(all), Record::Target(t)) => push_small(all, t, Kind::Targets)?,
            (Sink::Benchmarks(all), Record::Benchmark(b)) => push_small(all, b, Kind::Benchmarks)?,
            _ => unreachable!("records are typed by the sink's kind"),
        }
        Ok(())
    }

    async fn commit(self, db: &Db, actor: &str) -> Result<ingest::IngestReport, ImportError> {
        Ok(match self {
            Sink::Tickets(mut writer, rest) => {
                writer.write(&rest).await?;
                writer.commit().await?
            }
            Sink::Orders(mut writer, rest) => {
                writer.write(&rest).await?;
                writer.commit().await?
            }
            Sink::Financials(all) => ingest::financials(db, actor, &all).await?,
            Sink::Targets(all) => ingest::targets(db, &all).await?,
            Sink::Benchmarks(all) => ingest::benchmarks(db, actor, &all).await?,
        })
    }
}

/// Financials, targets and benchmarks hold a row per month or KPI: they are
/// kept until commit, so their files are capped.
const MAX_SMALL_ROWS: usize = 100_000;

fn push_small<T>(all: &mut Vec<T>, record: T, kind: Kind) -> Result<(), ImportError> {
    if all.len() >= MAX_SMALL_ROWS {
        return Err(ImportError::File(format!("a {} file has at most {MAX_SMALL_ROWS} rows", kind.key())));
    }
    all.push(record);
    Ok(())
}

fn write_reject_header(out: &mut (dyn Write + Send), headers: &[String]) -> Result<(), ImportError> {
    let mut w = csv::Writer::from_writer(out);
    let mut row: Vec<&str> = vec!["row", "column", "reason"];
    row.extend(headers.iter().map(String::as_str));
    w.write_record(neutralise_all(row))
        .and_then(|_| Ok(w.flush()?))
        .map_err(|e| ImportError::File(e.to_string()))
}

/// The refused row as it was, after its line number, column and reason.
fn write_reject(out: &mut (dyn Write + Send), cells: &[&str], refused: &RowError) -> Result<(), ImportError> {
    let mut w = csv::Writer::from_writer(out);
    let line = refused.row.to_string();
    let mut row: Vec<&str> = vec![&line, &refused.column, &refused.reason];
    row.extend(cells);
    // The refused cells are the uploader's text: a spreadsheet must not run them.
    w.write_record(neutralise_all(row))
        .and_then(|_| Ok(w.flush()?))
        .map_err(|e| ImportError::File(e.to_string()))
}
