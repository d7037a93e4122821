//! The import itself: a CSV stream read row by row, converted through the
//! mapping, validated like every other ingest, and written in chunks inside
//! one transaction. Strict by default: any refused row rolls everything
//! back and the refusals are reported (how many in all, by reason, the
//! first rows). With `keep_valid`, the valid rows are imported and each
//! refused one goes to the rejects file with its reason, never silently.
//! Rows repeating an external id are reported, and refused in strict mode
//! unless the mapping says what they mean (`repeated`).
//!
//! Rows are numbered as a spreadsheet numbers them: the header is row 1,
//! so the first data row is "row 2 (data row 1)", whatever the line endings.

use super::convert::{Converted, Converter, RowError};
use super::events::EventLog;
use super::fields::Kind;
use super::mapping::{Mapping, Repeated};
use super::refusals::{rows, Refusals, Repeats};
use super::sink::{Record, Sink};
use super::sniff::{detect_delimiter, has_header};
use super::ImportReport;
use crate::csv_cell::neutralise_all;
use crate::id_set::MAX_ROW;
use crate::models::{BenchmarkRecord, FieldError, FinancialMonth, OrderRecord, TargetRecord, TicketRecord};
use crate::store::ingest::IngestError;
use crate::store::Db;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Read, Write};

/// How often progress is reported, in rows.
const PROGRESS_ROWS: u64 = 2_000;
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
    #[error("the file was not imported: {0}")]
    Rows(Refusals),
    #[error("the file was not imported: {0}")]
    Repeated(String),
    #[error("{0}")]
    File(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Another import holds the server's import turn (see `store::import_gate`).
    #[error("an import is running: try again in a minute")]
    Busy,
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
    let repeated = options.mapping.repeated;
    let mut events = match repeated {
        Some(Repeated::Events) if options.kind != Kind::Tickets => {
            return Err(ImportError::Mapping("repeated = \"events\" is for tickets only".into()))
        }
        Some(Repeated::Events) => Some(EventLog::new(&options.mapping)),
        _ => None,
    };
    let has_ids = matches!(options.kind, Kind::Tickets | Kind::Orders);

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
    let mut refusals = Refusals::default();
    let mut repeats = Repeats::default();
    let mut record = csv::StringRecord::new();
    let now = chrono::Utc::now().timestamp();
    // Rows are counted here, not taken from the CSV reader's line numbers,
    // which depend on line endings and on line breaks inside quoted cells.
    let header_rows = u64::from(has_header);
    // Read to the end or to the first failure; a refused file is abandoned:
    // its transaction is rolled back before the answer, nothing half-imported.
    let read: Result<(), ImportError> = async {
        loop {
            let data_row = report.rows + 1;
            let row = data_row + header_rows;
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let reason = match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => {
                            "is not UTF-8 text (save the file as UTF-8)".to_string()
                        }
                        _ => e.to_string(),
                    };
                    refusals.add(RowError {
                        row,
                        data_row,
                        column: String::new(),
                        value: String::new(),
                        reason,
                    });
                    break;
                }
            }
            if row > MAX_ROW {
                return Err(ImportError::File(format!(
                    "a file holds at most {}, its header included",
                    rows(MAX_ROW)
                )));
            }
            report.rows = data_row;
            let cells: Vec<&str> = record.iter().collect();
            // With `first`, a later row of an id is skipped unread: line-item rows
            // leave the record's own cells empty.
            if repeated == Some(Repeated::First) {
                let id = converter.cell_of("external_id", &cells).unwrap_or_default().trim();
                if !id.is_empty() && repeats.note(id, row, sink.note_id(id, row)) {
                    report.repeated += 1;
                    continue;
                }
            }
            let converted = converter.convert_fields(&cells, row).map_err(|e| RowError { data_row, ..e });
            let id = converted
                .as_ref()
                .ok()
                .and_then(|fields| fields.get("external_id").and_then(Value::as_str))
                .unwrap_or_default()
                .to_string();
            let valid = match (converted, events.as_mut()) {
                (Ok(fields), Some(log)) => {
                    log.add(converter.object(fields), row);
                    None
                }
                (converted, _) => Some(converted.and_then(|fields| {
                    typed(options.kind, Row::Fields(fields), now, (row, data_row), &converter, &cells)
                })),
            };
            // Only a row that is kept can repeat an earlier one: a refused row is
            // counted as refused, never also as repeated.
            // With `first`, a repeat was skipped above: what is written here is new.
            let kept = !matches!(valid, Some(Err(_)));
            let repeat = has_ids
                && kept
                && matches!(repeated, Some(Repeated::Last | Repeated::Events) | None)
                && repeats.note(&id, row, sink.note_id(&id, row));
            if repeat {
                report.repeated += 1;
            }
            match valid {
                None => {}
                Some(Ok(valid)) if refusals.is_empty() => {
                    let full = sink.push(valid, repeat)?;
                    if full {
                        sink.send().await?;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(refused)) if options.keep_valid => {
                    report.rejected += 1;
                    if let Some(out) = rejects.as_deref_mut() {
                        write_reject(out, &cells, &refused)?;
                    }
                }
                // Strict: nothing more is written, but every row is still read so
                // that the report can say how many were refused, and why.
                Some(Err(refused)) => refusals.add(refused),
            }
            if report.rows % PROGRESS_ROWS == 0 {
                progress(reader.get_ref().get_ref().bytes);
            }
        }
        progress(reader.get_ref().get_ref().bytes);
        if let Some(log) = events.take() {
            for (row, map) in log.finish() {
                let data_row = row - header_rows;
                // One record per id, each new.
                match typed(options.kind, Row::Object(map), now, (row, data_row), &converter, &[]) {
                    Ok(valid) if refusals.is_empty() => {
                        let full = sink.push(valid, false)?;
                        if full {
                            sink.send().await?;
                        }
                    }
                    Ok(_) => {}
                    Err(refused) if options.keep_valid => {
                        report.rejected += 1;
                        if let Some(out) = rejects.as_deref_mut() {
                            write_reject(out, &[], &refused)?;
                        }
                    }
                    Err(refused) => refusals.add(refused),
                }
            }
        }
        Ok(())
    }
    .await;
    let refused = match read {
        Err(e) => Some(e),
        Ok(()) if !refusals.is_empty() => Some(ImportError::Rows(refusals)),
        Ok(()) if repeats.count > 0 && repeated.is_none() && !options.keep_valid => {
            Some(ImportError::Repeated(repeats.refusal()))
        }
        Ok(()) => None,
    };
    if let Some(refusal) = refused {
        sink.abandon().await;
        return Err(refusal);
    }
    let written = sink.commit(db, &options.actor).await?;
    report.inserted = written.inserted;
    report.updated = written.updated;
    report.unchanged = written.unchanged;
    report.repeated_first = repeats.first;
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

/// A converted row: a file row's fields, or an aggregated event's object.
enum Row {
    Fields(Converted),
    Object(Map<String, Value>),
}

/// A converted row as its record, checked by the record's own invariants.
/// Refusals show the cell as the file writes it (`2023-06-01 01:57:40`,
/// not the epoch seconds it became); aggregated events have no one cell.
fn typed(
    kind: Kind,
    converted: Row,
    now: i64,
    (row, data_row): (u64, u64),
    c: &Converter,
    cells: &[&str],
) -> Result<Record, RowError> {
    let refuse = |e: FieldError, record: &Value| RowError {
        row,
        data_row,
        column: c.column_of(&e.field),
        value: match c.cell_of(&e.field, cells) {
            Some(cell) => cell.to_string(),
            None => record.get(&e.field).map(value_text).unwrap_or_default(),
        },
        reason: format!("{} {}", e.field, e.message),
    };
    let parse_error = |e: serde_json::Error| RowError {
        row,
        data_row,
        column: String::new(),
        value: String::new(),
        reason: e.to_string(),
    };
    let value = match converted {
        // Tickets, by far the largest files, are built without the object.
        Row::Fields(fields) if kind == Kind::Tickets => {
            return valid(fields.into_ticket(), |t| t.validate(now), refuse).map(Record::Ticket);
        }
        Row::Fields(fields) => Value::Object(c.object(fields)),
        Row::Object(map) => Value::Object(map),
    };
    Ok(match kind {
        Kind::Tickets => {
            Record::Ticket(checked(value, |t: &TicketRecord| t.validate(now), refuse, parse_error)?)
        }
        Kind::Orders => {
            Record::Order(checked(value, |o: &OrderRecord| o.validate(now), refuse, parse_error)?)
        }
        Kind::Financials => Record::Financial(checked(value, FinancialMonth::validate, refuse, parse_error)?),
        Kind::Targets => Record::Target(checked(value, TargetRecord::validate, refuse, parse_error)?),
        Kind::Benchmarks => {
            Record::Benchmark(checked(value, BenchmarkRecord::validate, refuse, parse_error)?)
        }
    })
}

/// `value` as a record that passes `validate`. Deserialised by value, so
/// its texts move rather than being copied (from a reference, each ticket's
/// texts were copied once more on the import's busiest thread); a refusal
/// shows a field without a cell of its own from the record, serialised again
/// (for a refused row only).
fn checked<T: DeserializeOwned + Serialize>(
    value: Value,
    validate: impl FnOnce(&T) -> Result<(), FieldError>,
    refuse: impl FnOnce(FieldError, &Value) -> RowError,
    parse_error: impl FnOnce(serde_json::Error) -> RowError,
) -> Result<T, RowError> {
    valid(T::deserialize(value).map_err(parse_error)?, validate, refuse)
}

/// `record` if it passes `validate`; else the refusal, shown from the
/// record, serialised (for a refused row only).
fn valid<T: Serialize>(
    record: T,
    validate: impl FnOnce(&T) -> Result<(), FieldError>,
    refuse: impl FnOnce(FieldError, &Value) -> RowError,
) -> Result<T, RowError> {
    match validate(&record) {
        Ok(()) => Ok(record),
        Err(e) => Err(refuse(e, &serde_json::to_value(&record).unwrap_or_default())),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
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
