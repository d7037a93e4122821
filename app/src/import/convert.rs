//! One row of a file → one canonical record, through a mapping: values are
//! parsed by the field's type (timestamps in several formats and time
//! zones, durations, decimals with either separator, yes/no, rating scales)
//! and every refusal names the row, the column, the value and the reason.

use super::fields::{Field, FieldType, Kind};
use super::mapping::{DurationUnit, FieldMap, Mapping};
use crate::models::TicketRecord;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Why one row was refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowError {
    /// The row as a spreadsheet numbers it: the header, when the file has
    /// one, is row 1. Quoted line breaks inside a cell do not count, and
    /// neither do line endings (LF and CRLF number alike).
    pub row: u64,
    /// The row among the data rows only, the header not counted.
    #[serde(default)]
    pub data_row: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {} (data row {}), column '{}', value '{}': {}",
            self.row, self.data_row, self.column, self.value, self.reason
        )
    }
}

/// `text` without the whitespace around it (as `str::trim`). Cells rarely
/// have any: when neither end byte is whitespace or part of a wider
/// character, `text` is returned as it is. (`str::trim` decodes characters
/// from both ends; trimming each cell twice with it was 7 % of the reading
/// thread's samples in a large import, perf.)
fn trimmed(text: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' '));
    if plain(text.as_bytes().first()) && plain(text.as_bytes().last()) {
        text
    } else {
        text.trim()
    }
}

/// Formats tried, in order, for timestamps without an explicit format.
const DATE_TIME_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
];
const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y"];

/// Day-first and month-first formats cannot be told apart from one value:
/// the Data page and the CLI pick one of these from the whole sample.
pub const AMBIGUOUS_FORMATS: &[&str] = &[
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%Y %I:%M %p",
    "%d-%m-%Y %H:%M",
];

/// Epoch seconds rounded to the nearest second (half a second rounds up):
/// times are stored to the second, and truncating would bias every mean.
fn nearest_second<T: TimeZone>(t: DateTime<T>) -> i64 {
    (t.timestamp_millis() + 500).div_euclid(1000)
}

/// Reads a point in time: RFC 3339 (with its own offset), epoch seconds, an
/// explicit chrono `format`, or a common date-time format read in `tz`.
/// Fractions of a second are rounded to the nearest second.
pub fn parse_timestamp(text: &str, format: Option<&str>, tz: Tz) -> Result<i64, String> {
    let s = trimmed(text);
    let local = |naive: NaiveDateTime| {
        tz.from_local_datetime(&naive)
            .earliest()
            .map(nearest_second)
            .ok_or_else(|| format!("does not exist in {tz} (a daylight-saving gap)"))
    };
    if let Some(format) = format {
        if let Ok(t) = DateTime::parse_from_str(s, format) {
            return Ok(nearest_second(t));
        }
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, format) {
            return local(naive);
        }
        if let Ok(day) = NaiveDate::parse_from_str(s, format) {
            return local(day.and_hms_opt(0, 0, 0).expect("midnight exists"));
        }
        return Err(format!("does not match the format {format}"));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(nearest_second(t));
    }
    if !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().map_err(|e| e.to_string());
    }
    if let Some(naive) = DATE_TIME_FORMATS.iter().find_map(|f| NaiveDateTime::parse_from_str(s, f).ok()) {
        return local(naive);
    }
    if let Some(day) = DATE_FORMATS.iter().find_map(|f| NaiveDate::parse_from_str(s, f).ok()) {
        return local(day.and_hms_opt(0, 0, 0).expect("midnight exists"));
    }
    Err("is not a date-time like 2025-03-14 09:30 or 2025-03-14T09:30:00Z (set a format for other layouts)"
        .into())
}

/// The format of `AMBIGUOUS_FORMATS` that reads every sample, if the default
/// formats do not already.
pub fn detect_format(samples: &[&str]) -> Option<&'static str> {
    let present: Vec<&str> = samples.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    if present.is_empty() || present.iter().all(|s| parse_timestamp(s, None, Tz::UTC).is_ok()) {
        return None;
    }
    AMBIGUOUS_FORMATS
        .iter()
        .copied()
        .find(|f| present.iter().all(|s| parse_timestamp(s, Some(f), Tz::UTC).is_ok()))
}

/// A decimal written "1234.5", "1,234.50", "1.234,50" or "1234,5". A lone
/// comma before exactly three digits ("85,000") is a thousands separator:
/// amounts in exports carry two decimals, not three.
pub fn parse_decimal(text: &str) -> Result<f64, String> {
    let text = trimmed(text);
    if !text.is_empty() && text.len() <= 15 && text.bytes().all(|b| b.is_ascii_digit()) {
        // Plain digits, as scores are: read as they are, without a copy.
        return text.parse::<u64>().map(|v| v as f64).map_err(|_| "is not a number".to_string());
    }
    let s: String = text.chars().filter(|c| !c.is_whitespace() && *c != '\'').collect();
    let thousands = |s: &str| s.split_once(',').is_some_and(|(_, tail)| tail.len() == 3);
    let normalised = match (s.rfind('.'), s.rfind(',')) {
        (Some(dot), Some(comma)) if comma > dot => s.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => s.replace(',', ""),
        (None, Some(_)) if s.matches(',').count() == 1 && !thousands(&s) => s.replace(',', "."),
        (None, Some(_)) => s.replace(',', ""),
        _ => s,
    };
    normalised.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| "is not a number".to_string())
}

pub fn parse_bool(text: &str) -> Result<bool, String> {
    let word = trimmed(text);
    let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(word));
    if is(&["true", "yes", "y", "1", "t", "x", "ja", "oui"]) {
        Ok(true)
    } else if is(&["false", "no", "n", "0", "f", "nein", "non"]) {
        Ok(false)
    } else {
        Err("is not yes/no or true/false".into())
    }
}

/// A value on `from` = [low, high] moved linearly onto lo–hi and rounded:
/// 10 on 1–10 is 5 on 1–5, 80 on 0–100 is 4.
pub fn rescale(value: f64, from: [f64; 2], lo: i64, hi: i64) -> Result<i64, String> {
    let [a, b] = from;
    if b <= a {
        return Err(format!("the scale {a}–{b} is empty"));
    }
    if value < a || value > b {
        return Err(format!("is outside the scale {a}–{b}"));
    }
    Ok((lo as f64 + (value - a) / (b - a) * (hi - lo) as f64).round() as i64)
}

/// Where one field's value comes from in a given file.
enum Source {
    Column(usize),
    Constant(String),
}

struct Rule {
    field: &'static Field,
    source: Source,
    map: FieldMap,
    column: String,
}

/// A mapping checked against one file's headers, ready to convert its rows.
pub struct Converter {
    kind: Kind,
    rules: Vec<Rule>,
    tz: Tz,
    /// Filled in for targets: who set them.
    actor: String,
}

impl Converter {
    /// Refuses, before any row is read, a mapping that cannot work: unknown
    /// fields or columns, a required field left unmapped, an unknown zone.
    pub fn new(kind: Kind, mapping: &Mapping, headers: &[String], actor: &str) -> Result<Converter, String> {
        let tz: Tz = match mapping.timezone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Tz::UTC,
            Some(name) => {
                name.parse().map_err(|_| format!("'{name}' is not a time zone like Europe/Berlin"))?
            }
        };
        for name in mapping.fields.keys() {
            if kind.field(name).is_none() {
                return Err(format!("'{name}' is not a field of {}", kind.key()));
            }
        }
        let mut rules = Vec::new();
        for field in kind.fields() {
            let Some(map) = mapping.fields.get(field.name) else {
                if field.required {
                    return Err(format!("{} needs a column (or a value) for '{}'", kind.key(), field.name));
                }
                continue;
            };
            let source = match (&map.column, &map.value) {
                (Some(column), _) if !column.is_empty() => {
                    let index = headers.iter().position(|h| h == column).ok_or_else(|| {
                        format!(
                            "column '{column}' (for {}) is not in the file; its columns are: {}",
                            field.name,
                            headers.join(", ")
                        )
                    })?;
                    Source::Column(index)
                }
                (_, Some(value)) => Source::Constant(value.clone()),
                _ if field.required => return Err(format!("'{}' needs a column or a value", field.name)),
                _ => continue,
            };
            if map.duration.is_some() && (field.ty != FieldType::Timestamp || field.name == "created_at") {
                return Err(format!("'{}' cannot be given as a duration", field.name));
            }
            let column = map.column.clone().unwrap_or_else(|| format!("(value for {})", field.name));
            rules.push(Rule { field, source, map: map.clone(), column });
        }
        // Durations count from created_at, so it is read first.
        rules.sort_by_key(|r| r.field.name != "created_at");
        Ok(Converter { kind, rules, tz, actor: actor.to_string() })
    }

    /// The file column behind a field, for naming it in errors.
    pub fn column_of(&self, field: &str) -> String {
        self.rules
            .iter()
            .find(|r| r.field.name == field)
            .map_or_else(|| field.to_string(), |r| r.column.clone())
    }

    /// The cell a field was read from, as the file writes it (not for
    /// fields given a constant value).
    pub fn cell_of<'a>(&self, field: &str, cells: &[&'a str]) -> Option<&'a str> {
        self.rules.iter().find(|r| r.field.name == field).and_then(|r| match r.source {
            Source::Column(i) => cells.get(i).copied(),
            Source::Constant(_) => None,
        })
    }

    /// One row as the JSON object of a canonical record, in one call: the
    /// tests' form; an import converts the fields and builds the object
    /// only for rows that need it.
    #[cfg(test)]
    pub fn convert(&self, cells: &[&str], row: u64) -> Result<Map<String, Value>, RowError> {
        self.convert_fields(cells, row).map(|converted| self.object(converted))
    }

    /// A converted row as the JSON object of a canonical record.
    pub fn object(&self, converted: Converted) -> Map<String, Value> {
        let mut out: Map<String, Value> =
            converted.0.into_iter().map(|(name, value)| (name.to_string(), value)).collect();
        if self.kind == Kind::Targets {
            out.insert("set_by".into(), Value::from(self.actor.clone()));
            for name in ["scope_dim", "scope_value", "note"] {
                out.entry(name).or_insert(Value::from(""));
            }
        }
        out
    }

    /// One row's fields, each converted by its type.
    pub fn convert_fields(&self, cells: &[&str], row: u64) -> Result<Converted, RowError> {
        let mut out = Vec::with_capacity(self.rules.len());
        let mut created_at: Option<i64> = None;
        for rule in &self.rules {
            let raw = match &rule.source {
                Source::Column(i) => cells.get(*i).copied().unwrap_or(""),
                Source::Constant(v) => v.as_str(),
            };
            let refuse = |reason: String| RowError {
                row,
                data_row: 0,
                column: rule.column.clone(),
                value: raw.to_string(),
                reason: format!("{} {reason}", rule.field.name),
            };
            let cell = trimmed(raw);
            // A word mapped to nothing yet is left as it is, so it is refused, not dropped.
            let mapped = rule.map.values.get(cell).filter(|v| !v.trim().is_empty());
            let text = mapped.map_or(cell, String::as_str);
            if text.is_empty() {
                if rule.field.required {
                    return Err(refuse("is required".into()));
                }
                continue;
            }
            let value = match (rule.field.ty, rule.map.duration) {
                (FieldType::Timestamp, Some(unit)) => {
                    let start = created_at.ok_or_else(|| refuse("needs created_at to count from".into()))?;
                    let seconds = parse_duration(text, unit).map_err(refuse)?;
                    let end =
                        start.checked_add(seconds).ok_or_else(|| refuse("is too long a duration".into()))?;
                    Value::from(end)
                }
                (FieldType::Timestamp, None) => {
                    let t = parse_timestamp(text, rule.map.format.as_deref(), self.tz).map_err(refuse)?;
                    if rule.field.name == "created_at" {
                        created_at = Some(t);
                    }
                    Value::from(t)
                }
                (FieldType::Text, _) if rule.field.name == "priority" => {
                    Value::from(super::priority::normalise(text).map_err(refuse)?)
                }
                (FieldType::Text | FieldType::Month, _) => Value::from(text),
                (FieldType::Integer, _) => {
                    Value::from(text.parse::<i64>().map_err(|_| refuse("is not a whole number".into()))?)
                }
                (FieldType::Decimal, _) => Value::from(parse_decimal(text).map_err(refuse)?),
                (FieldType::Boolean, _) => Value::from(parse_bool(text).map_err(refuse)?),
                (FieldType::Score { lo, hi }, _) => {
                    let v = parse_decimal(text).map_err(|_| {
                        refuse(format!("is not a number {lo}–{hi} (map words such as 'good' to a score)"))
                    })?;
                    let score = match rule.map.scale {
                        Some(from) => rescale(v, from, lo, hi).map_err(refuse)?,
                        None if v.fract() == 0.0 => v as i64,
                        None => return Err(refuse(format!("is not a whole number {lo}–{hi}"))),
                    };
                    Value::from(score)
                }
            };
            out.push((rule.field.name, value));
        }
        Ok(Converted(out))
    }
}

/// One row's fields as converted, by name, in the order they were read.
#[derive(Clone, Debug, PartialEq)]
pub struct Converted(Vec<(&'static str, Value)>);

impl Converted {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(field, _)| *field == name).map(|(_, value)| value)
    }

    /// The row as a ticket, field by field: what its JSON object
    /// deserialises to (fields left out take the record's defaults), without
    /// the object. Building and deserialising the object was about a third
    /// of the reading thread's work in a large import, which that thread
    /// bounds (perf).
    pub fn into_ticket(self) -> TicketRecord {
        let mut t = TicketRecord::default();
        for (name, value) in self.0 {
            let number = value.as_i64();
            let yes = value.as_bool().unwrap_or_default();
            match name {
                "external_id" => t.external_id = text(value),
                "created_at" => t.created_at = number.unwrap_or_default(),
                "first_response_at" => t.first_response_at = number,
                "resolved_at" => t.resolved_at = number,
                "channel" => t.channel = text(value),
                "category" => t.category = text(value),
                "priority" => t.priority = text(value),
                "team" => t.team = text(value),
                "agent" => t.agent = text(value),
                "status" => t.status = text(value),
                "csat" => t.csat = number,
                "nps" => t.nps = number,
                "ces" => t.ces = number,
                "contacts" => t.contacts = number.unwrap_or_default(),
                "first_contact_resolved" => t.first_contact_resolved = yes,
                "reopened" => t.reopened = yes,
                "escalated" => t.escalated = yes,
                "customer_id" => t.customer_id = Some(text(value)),
                "order_id" => t.order_id = Some(text(value)),
                "product" => t.product = Some(text(value)),
                _ => {}
            }
        }
        t
    }
}

/// A converted text field's value, moved out.
fn text(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Seconds in "1.5" or "1,5" (counted in `unit`), or in "01:30:00"
/// (hours:minutes:seconds) or "01:30" (hours:minutes).
fn parse_duration(text: &str, unit: DurationUnit) -> Result<i64, String> {
    let wrong = || "is not a duration like 1.5 or 01:30:00".to_string();
    let seconds = if text.contains(':') {
        let parts: Result<Vec<f64>, _> = text.trim().split(':').map(str::parse::<f64>).collect();
        match parts.map_err(|_| wrong())?.as_slice() {
            [h, m, s] => h * 3600.0 + m * 60.0 + s,
            [h, m] => h * 3600.0 + m * 60.0,
            _ => return Err(wrong()),
        }
    } else {
        parse_decimal(text).map_err(|_| wrong())? * unit.seconds()
    };
    // Ten years: anything longer is a mistake in the file or the unit.
    const LONGEST: f64 = 10.0 * 365.0 * 86_400.0;
    if !seconds.is_finite() || seconds > LONGEST {
        return Err(wrong());
    }
    if seconds < 0.0 {
        return Err("is a negative duration".into());
    }
    Ok(seconds.round() as i64)
}

#[cfg(test)]
mod tests;
