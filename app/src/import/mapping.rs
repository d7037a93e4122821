//! How a file's columns become Aftercare fields: one entry per field, with
//! the conversions real exports need (a date format, a duration instead of a
//! timestamp, another rating scale, text values). Saved as named presets and
//! written as TOML for the CLI.

use super::fields::{FieldType, Kind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    /// Time zone of timestamps written without an offset (IANA name, e.g.
    /// "Europe/Berlin"); UTC when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The column separator; detected when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
    /// What rows that repeat an external id within the file mean; a strict
    /// import refuses such a file until this says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeated: Option<Repeated>,
    /// Aftercare field name → where its value comes from.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldMap>,
}

/// The meaning of rows that repeat an external id within one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Repeated {
    /// An export with updates: the last row of each id wins.
    Last,
    /// An export with one row per line item whose first row carries the
    /// record (Shopify orders): the first row of each id wins.
    First,
    /// An event log: the rows of one id are events of one ticket, aggregated
    /// into it (see `import::events`).
    Events,
}

/// Which event of a ticket gives a field its value when rows are events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pick {
    First,
    Last,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldMap {
    /// The file's column (its header, or "column 3" for files without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The same value for every row, instead of a column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Timestamps: a chrono format such as "%d/%m/%Y %H:%M".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Timestamps given as a duration after `created_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<DurationUnit>,
    /// Scores given on another scale, e.g. [1, 10] or [0, 100].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<[f64; 2]>,
    /// The file's values → Aftercare's, e.g. "good" → "5", "Mail" → "email".
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// With `repeated = "events"`: take the value of the first or the last
    /// event that has one (the default depends on the field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pick: Option<Pick>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl DurationUnit {
    pub const ALL: [DurationUnit; 4] =
        [DurationUnit::Seconds, DurationUnit::Minutes, DurationUnit::Hours, DurationUnit::Days];

    pub fn seconds(self) -> f64 {
        match self {
            DurationUnit::Seconds => 1.0,
            DurationUnit::Minutes => 60.0,
            DurationUnit::Hours => 3600.0,
            DurationUnit::Days => 86_400.0,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            DurationUnit::Seconds => "seconds",
            DurationUnit::Minutes => "minutes",
            DurationUnit::Hours => "hours",
            DurationUnit::Days => "days",
        }
    }

    /// "First reply time (hrs)" → hours.
    fn in_header(header: &str) -> Option<DurationUnit> {
        let words: Vec<&str> = header.split(|c: char| !c.is_alphanumeric()).collect();
        let has = |names: &[&str]| words.iter().any(|w| names.contains(w));
        if has(&["seconds", "secs", "sec", "s"]) {
            Some(DurationUnit::Seconds)
        } else if has(&["minutes", "mins", "min", "m"]) {
            Some(DurationUnit::Minutes)
        } else if has(&["hours", "hrs", "hr", "h"]) {
            Some(DurationUnit::Hours)
        } else if has(&["days", "d"]) {
            Some(DurationUnit::Days)
        } else {
            None
        }
    }
}

/// "First Reply Time (hrs)" → "first reply time hrs": how headers are compared.
pub fn normalise(header: &str) -> String {
    let spaced: String = header
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '#' { c } else { ' ' })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A first mapping for a file with these headers: exact alias matches first,
/// then headers that start with an alias ("created at (utc)"). Durations
/// are recognised by their unit ("first reply time in minutes").
pub fn guess(kind: Kind, headers: &[String]) -> Mapping {
    let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    let mut taken = vec![false; headers.len()];
    let mut mapping = Mapping::default();
    for exact in [true, false] {
        for field in kind.fields() {
            if mapping.fields.contains_key(field.name) {
                continue;
            }
            let names = std::iter::once(field.name.replace('_', " "))
                .chain(field.aliases.iter().map(|a| a.to_string()));
            let found = names.into_iter().find_map(|alias| {
                (0..headers.len()).find(|&i| {
                    !taken[i]
                        && if exact {
                            normalised[i] == alias
                        } else {
                            normalised[i].starts_with(&format!("{alias} "))
                        }
                })
            });
            if let Some(i) = found {
                taken[i] = true;
                let duration = match field.ty {
                    FieldType::Timestamp if field.name != "created_at" => {
                        DurationUnit::in_header(&normalised[i])
                            .filter(|_| normalised[i].contains("time") || normalised[i].contains("duration"))
                    }
                    _ => None,
                };
                let entry = FieldMap { column: Some(headers[i].clone()), duration, ..FieldMap::default() };
                mapping.fields.insert(field.name.to_string(), entry);
            }
        }
    }
    mapping
}

/// Proposed value mappings for a score field whose sample holds words:
/// "good"/"bad", "satisfied"/"neutral"/"dissatisfied" and the like.
pub fn guess_score_words(lo: i64, hi: i64, samples: &[String]) -> BTreeMap<String, String> {
    const GOOD: &[&str] =
        &["good", "great", "satisfied", "very satisfied", "happy", "positive", "yes", "excellent"];
    const BAD: &[&str] =
        &["bad", "poor", "dissatisfied", "very dissatisfied", "unhappy", "negative", "no", "terrible"];
    const MIDDLE: &[&str] = &["neutral", "okay", "ok", "average", "neither"];
    let mid = (lo + hi) / 2;
    let mut out = BTreeMap::new();
    for s in samples {
        let word = s.trim().to_lowercase();
        if word.is_empty() || word.parse::<f64>().is_ok() {
            continue;
        }
        let score = if GOOD.contains(&word.as_str()) {
            Some(hi)
        } else if BAD.contains(&word.as_str()) {
            Some(lo)
        } else if MIDDLE.contains(&word.as_str()) {
            Some(mid)
        } else {
            None
        };
        // Unknown words are listed too, empty, for the person to fill in.
        out.insert(s.trim().to_string(), score.map(|v| v.to_string()).unwrap_or_default());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn helpdesk_headers_are_guessed_with_their_durations() {
        let h = headers(&[
            "Ticket ID",
            "Created at (UTC)",
            "First reply time (hrs)",
            "Via",
            "Type",
            "Group",
            "Satisfaction",
            "Requester email",
        ]);
        let m = guess(Kind::Tickets, &h);
        let column = |f: &str| m.fields.get(f).and_then(|e| e.column.clone());
        assert_eq!(column("external_id").as_deref(), Some("Ticket ID"));
        assert_eq!(column("created_at").as_deref(), Some("Created at (UTC)"));
        assert_eq!(column("first_response_at").as_deref(), Some("First reply time (hrs)"));
        assert_eq!(m.fields["first_response_at"].duration, Some(DurationUnit::Hours));
        assert_eq!(column("channel").as_deref(), Some("Via"));
        assert_eq!(column("category").as_deref(), Some("Type"));
        assert_eq!(column("team").as_deref(), Some("Group"));
        assert_eq!(column("csat").as_deref(), Some("Satisfaction"));
        assert_eq!(column("customer_id").as_deref(), Some("Requester email"));
        assert_eq!(m.fields.get("created_at").and_then(|e| e.duration), None);
    }

    #[test]
    fn a_column_is_used_for_one_field_only() {
        let m = guess(Kind::Orders, &headers(&["Order", "Email", "Created at", "Total", "Currency"]));
        assert_eq!(m.fields["external_id"].column.as_deref(), Some("Order"));
        assert_eq!(m.fields["customer_id"].column.as_deref(), Some("Email"));
        assert_eq!(m.fields["placed_at"].column.as_deref(), Some("Created at"));
        assert_eq!(m.fields["amount"].column.as_deref(), Some("Total"));
    }

    #[test]
    fn rating_words_get_proposed_scores() {
        let words = headers(&["Good", "bad", "neutral", "4", "meh"]);
        let m = guess_score_words(1, 5, &words);
        assert_eq!(m["Good"], "5");
        assert_eq!(m["bad"], "1");
        assert_eq!(m["neutral"], "3");
        assert_eq!(m["meh"], "", "unknown words are left for a person");
        assert!(!m.contains_key("4"));
    }

    #[test]
    fn mappings_read_from_toml_like_files() {
        let m: Mapping = serde_json::from_str(
            r#"{"timezone":"Europe/Berlin","fields":{"csat":{"column":"Rating","scale":[1,10]},
                "priority":{"value":"normal"}}}"#,
        )
        .unwrap();
        assert_eq!(m.fields["csat"].scale, Some([1.0, 10.0]));
        assert_eq!(m.fields["priority"].value.as_deref(), Some("normal"));
    }
}
