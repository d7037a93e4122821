//! What a CSV file looks like, from its first kilobytes: the byte-order mark,
//! the delimiter, whether the first row is a header, and a few rows to show.

use super::convert::{detect_format, parse_decimal, parse_timestamp};
use super::fields::{FieldType, Kind};
use super::mapping::{guess, guess_score_words, Mapping};
use super::Preview;
use chrono_tz::Tz;

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 5;

/// The UTF-8 byte-order mark some spreadsheet programs write.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn rows_with(sample: &str, delimiter: u8) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(sample.as_bytes());
    reader.records().map_while(Result::ok).map(|r| r.iter().map(str::to_string).collect()).collect()
}

/// The delimiter that splits the sample's lines into the same number of
/// fields (more than one), preferring the one that gives the most fields.
pub fn detect_delimiter(sample: &str) -> u8 {
    // The sample may end in the middle of a line: judge complete lines only.
    let complete = sample.rfind('\n').map_or(sample, |end| &sample[..end]);
    let score = |d: u8| {
        let rows = rows_with(complete, d);
        let widths: Vec<usize> = rows.iter().take(50).map(Vec::len).collect();
        let first = widths.first().copied().unwrap_or(0);
        let consistent = widths.iter().all(|w| *w == first);
        (first > 1 && consistent, first)
    };
    DELIMITERS.into_iter().max_by_key(|d| score(*d)).unwrap_or(b',')
}

fn looks_like_data(cell: &str) -> bool {
    let c = cell.trim();
    c.is_empty()
        || parse_decimal(c).is_ok()
        || parse_timestamp(c, None, Tz::UTC).is_ok()
        || detect_format(&[c]).is_some()
}

/// A first row is a header unless one of its cells reads as a number or a
/// date, or its names repeat.
pub fn has_header(first: &[String]) -> bool {
    let mut names: Vec<&String> = first.iter().collect();
    names.sort();
    names.dedup();
    names.len() == first.len() && !first.iter().any(|c| looks_like_data(c))
}

/// The preview the Data page shows, with a first mapping for `kind`.
pub fn preview(kind: Kind, sample: &str) -> Result<Preview, String> {
    let sample = strip_bom(sample);
    if sample.trim().is_empty() {
        return Err("the file is empty".into());
    }
    let delimiter = detect_delimiter(sample);
    let complete = sample.rfind('\n').map_or(sample, |end| &sample[..end]);
    let mut rows = rows_with(if complete.is_empty() { sample } else { complete }, delimiter);
    let header = rows.first().is_some_and(|first| has_header(first));
    let headers = if header {
        rows.remove(0)
    } else {
        (1..=rows.first().map_or(0, Vec::len)).map(|i| format!("column {i}")).collect()
    };
    let mut mapping = guess(kind, &headers);
    mapping.delimiter = Some(delimiter as char);
    suggest_conversions(kind, &mut mapping, &headers, &rows);
    rows.truncate(PREVIEW_ROWS);
    Ok(Preview { delimiter: delimiter as char, has_header: header, headers, rows, mapping })
}

/// Date formats for ambiguous timestamp columns, and value mappings for
/// ratings written as words, from the sample rows.
fn suggest_conversions(kind: Kind, mapping: &mut Mapping, headers: &[String], rows: &[Vec<String>]) {
    for (name, entry) in mapping.fields.iter_mut() {
        let (Some(field), Some(column)) = (kind.field(name), entry.column.as_ref()) else { continue };
        let Some(index) = headers.iter().position(|h| h == column) else { continue };
        let values: Vec<String> = rows.iter().filter_map(|r| r.get(index).cloned()).collect();
        match field.ty {
            FieldType::Timestamp if entry.duration.is_none() => {
                let samples: Vec<&str> = values.iter().map(String::as_str).collect();
                entry.format = detect_format(&samples).map(str::to_string);
            }
            FieldType::Score { lo, hi } => {
                let mut distinct = values.clone();
                distinct.sort();
                distinct.dedup();
                entry.values = guess_score_words(lo, hi, &distinct);
                let numbers: Vec<f64> = distinct.iter().filter_map(|v| parse_decimal(v).ok()).collect();
                let top = numbers.iter().copied().fold(f64::NAN, f64::max);
                // Ratings above the field's scale suggest 1–10 or 0–100.
                if top > hi as f64 {
                    entry.scale = Some(if top <= 10.0 { [1.0, 10.0] } else { [0.0, 100.0] });
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_tabs_and_commas_are_told_apart() {
        assert_eq!(detect_delimiter("a;b;c\n1;2,5;3\n4;5;6\n"), b';');
        assert_eq!(detect_delimiter("a\tb\n1\t2\n"), b'\t');
        assert_eq!(detect_delimiter("a,b,\"c;d\"\n1,2,3\n"), b',');
        // The last, cut-off line does not count.
        assert_eq!(detect_delimiter("a;b;c\n1;2;3\n4;5"), b';');
    }

    #[test]
    fn a_header_is_recognised_and_a_bom_dropped() {
        let p = preview(
            Kind::Orders,
            "\u{feff}Order,Email,Created at,Total,Currency\nO-1,a@b.c,2025-03-01 10:00,\"1,234.50\",EUR\n",
        )
        .unwrap();
        assert!(p.has_header);
        assert_eq!(p.headers[0], "Order");
        assert_eq!(p.rows, vec![vec!["O-1", "a@b.c", "2025-03-01 10:00", "1,234.50", "EUR"]]);
        assert_eq!(p.mapping.fields["amount"].column.as_deref(), Some("Total"));
        let headless = preview(Kind::Orders, "O-1,a@b.c,2025-03-01 10:00,89.90,EUR\n").unwrap();
        assert!(!headless.has_header);
        assert_eq!(headless.headers, ["column 1", "column 2", "column 3", "column 4", "column 5"]);
    }

    #[test]
    fn ambiguous_dates_words_and_scales_get_suggestions() {
        let csv = "Ticket ID,Created,Via,Type,Group,Satisfaction,NPS score\n\
                   T-1,25/03/2025 10:00,chat,delivery,Tier 1,good,90\n\
                   T-2,03/04/2025 11:00,email,billing,Tier 1,bad,40\n";
        let p = preview(Kind::Tickets, csv).unwrap();
        assert_eq!(p.mapping.fields["created_at"].format.as_deref(), Some("%d/%m/%Y %H:%M"));
        assert_eq!(p.mapping.fields["csat"].values["good"], "5");
        assert_eq!(p.mapping.fields["nps"].scale, Some([0.0, 100.0]));
        assert_eq!(preview(Kind::Tickets, " \n").err().unwrap(), "the file is empty");
    }
}
