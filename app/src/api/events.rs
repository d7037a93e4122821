//! Business events: entered on the Trends page, sent as JSON or CSV to
//! `POST /api/v1/events`, listed by `GET /api/v1/events`, and marked on
//! every time chart (see `api::markers`).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The kinds of event, as written in forms, JSON and CSV.
pub const KINDS: [(&str, &str); 5] = [
    ("promotion", "Promotion"),
    ("outage", "Outage"),
    ("release", "Release"),
    ("price_change", "Price change"),
    ("other", "Other"),
];
/// The longest event, in days: a longer one is a typing mistake.
pub const MAX_DAYS: i64 = 366;
pub const MAX_TITLE: usize = 100;
/// Events one request may send.
pub const MAX_EVENTS: usize = 1_000;

/// One event as sent: `ends_on` defaults to `starts_on` (a one-day event).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventInput {
    pub kind: String,
    pub title: String,
    pub starts_on: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventInfo {
    pub kind: String,
    pub title: String,
    pub starts_on: String,
    pub ends_on: String,
    pub author: String,
}

impl EventInfo {
    /// "Price change" for `price_change`.
    pub fn kind_name(&self) -> &'static str {
        KINDS.iter().find(|(k, _)| *k == self.kind).map_or("Event", |(_, name)| name)
    }

    /// "Promotion: Spring sale (2025-03-10 to 2025-03-16)".
    pub fn describe(&self) -> String {
        let kind = self.kind_name();
        if self.starts_on == self.ends_on {
            format!("{kind}: {} ({})", self.title, self.starts_on)
        } else {
            format!("{kind}: {} ({} to {})", self.title, self.starts_on, self.ends_on)
        }
    }
}

/// Adds one event from the Trends page's form (managers and admins).
#[server(endpoint = "add_event")]
pub async fn add_event(
    kind: String,
    title: String,
    starts_on: String,
    ends_on: String,
) -> Result<(), AppError> {
    super::respond(async move {
        let db = super::db()?;
        let user = crate::auth::session::require(&db, crate::models::Role::Manager).await?;
        let input =
            EventInput { kind, title, starts_on, ends_on: Some(ends_on).filter(|e| !e.trim().is_empty()) };
        server::save(&db, &[input], &user.username).await.map(|_| ())
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::kpi::period::is_plausible;
    use crate::store::events::{self, Event};
    use crate::store::Db;
    use chrono::NaiveDate;

    /// Reads events from CSV text with a header row naming `kind`, `title`,
    /// `starts_on` and optionally `ends_on`, in any order. Rows are numbered as
    /// in a spreadsheet: the header is row 1.
    pub fn parse_csv(text: &str) -> Result<Vec<EventInput>, AppError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| AppError::invalid("csv", format!("the header row cannot be read: {e}")))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        let column = |name: &str| header.iter().position(|h| h == name);
        let (Some(kind), Some(title), Some(starts)) = (column("kind"), column("title"), column("starts_on"))
        else {
            return Err(AppError::invalid(
                "csv",
                "the header row must name kind, title and starts_on (and may name ends_on)",
            ));
        };
        let ends = column("ends_on");
        let mut out = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let row = i + 2;
            let record =
                record.map_err(|e| AppError::invalid("csv", format!("row {row} cannot be read: {e}")))?;
            let cell = |c: usize| record.get(c).unwrap_or_default().trim().to_string();
            out.push(EventInput {
                kind: cell(kind),
                title: cell(title),
                starts_on: cell(starts),
                ends_on: ends.map(cell).filter(|e| !e.is_empty()),
            });
            if out.len() > MAX_EVENTS {
                return Err(AppError::invalid("csv", format!("at most {MAX_EVENTS} events per file")));
            }
        }
        Ok(out)
    }

    /// Checks every event, then saves them all in one transaction; nothing
    /// is saved when one is refused. Returns how many were new.
    pub async fn save(db: &Db, inputs: &[EventInput], author: &str) -> Result<usize, AppError> {
        let checked = check(inputs, author)?;
        Ok(events::save(db, &checked, crate::auth::session::now()).await?)
    }

    /// The refusal names the field, and the event's position when there are several.
    pub fn check(inputs: &[EventInput], author: &str) -> Result<Vec<Event>, AppError> {
        if inputs.len() > MAX_EVENTS {
            return Err(AppError::invalid("events", format!("at most {MAX_EVENTS} events per request")));
        }
        inputs
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let at = |field: &str| if inputs.len() > 1 { format!("events[{i}].{field}") } else { field.to_string() };
                let kind = e.kind.trim();
                if !KINDS.iter().any(|(k, _)| *k == kind) {
                    let known: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
                    return Err(AppError::invalid(&at("kind"), format!("kind must be one of {}, not '{kind}'", known.join(", "))));
                }
                let title = e.title.trim();
                if title.is_empty() || title.chars().count() > MAX_TITLE || title.chars().any(char::is_control) {
                    return Err(AppError::invalid(&at("title"), format!("give the event a title of 1 to {MAX_TITLE} characters")));
                }
                let date = |text: &str, field: &str| {
                    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok().filter(|d| is_plausible(*d)).ok_or_else(|| {
                        AppError::invalid(&at(field), format!("{field} must be a date YYYY-MM-DD from 1990 to 2100, not '{text}'"))
                    })
                };
                let starts = date(&e.starts_on, "starts_on")?;
                let ends = match &e.ends_on {
                    Some(text) => date(text, "ends_on")?,
                    None => starts,
                };
                let days = (ends - starts).num_days();
                if !(0..MAX_DAYS).contains(&days) {
                    return Err(AppError::invalid(
                        &at("ends_on"),
                        format!("ends_on must be on or after starts_on, and an event at most {MAX_DAYS} days long"),
                    ));
                }
                Ok(Event {
                    kind: kind.to_string(),
                    title: title.to_string(),
                    starts_on: starts.to_string(),
                    ends_on: ends.to_string(),
                    author: author.to_string(),
                })
            })
            .collect()
    }

    /// The events overlapping `from..=to` (dates `YYYY-MM-DD`).
    pub async fn list(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<EventInfo>, AppError> {
        let found = events::overlapping(db, &from.to_string(), &to.to_string()).await?;
        Ok(found.into_iter().map(EventInfo::from).collect())
    }

    impl From<Event> for EventInfo {
        fn from(e: Event) -> Self {
            EventInfo {
                kind: e.kind,
                title: e.title,
                starts_on: e.starts_on,
                ends_on: e.ends_on,
                author: e.author,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn csv_columns_in_any_order_and_an_optional_end() {
        let text = "\u{feff}Title,kind,starts_on\nSpring sale,promotion,2025-03-10\n\"Carrier, north\",outage,2025-05-08\n";
        let events = server::parse_csv(text).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].title, "Carrier, north");
        assert_eq!(events[1].ends_on, None);
        let missing = server::parse_csv("name,kind\nx,promotion\n").unwrap_err();
        assert!(missing.field_message("csv").unwrap().contains("kind, title and starts_on"));
    }

    #[test]
    fn an_event_describes_itself() {
        let e = EventInfo {
            kind: "price_change".into(),
            title: "New prices".into(),
            starts_on: "2025-04-01".into(),
            ends_on: "2025-04-01".into(),
            author: "ann".into(),
        };
        assert_eq!(e.describe(), "Price change: New prices (2025-04-01)");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn each_bad_field_is_refused_by_name() {
        let ok = EventInput {
            kind: "promotion".into(),
            title: "Sale".into(),
            starts_on: "2025-03-10".into(),
            ends_on: None,
        };
        assert_eq!(server::check(std::slice::from_ref(&ok), "ann").unwrap()[0].ends_on, "2025-03-10");
        let cases = [
            (EventInput { kind: "party".into(), ..ok.clone() }, "kind"),
            (EventInput { title: " ".into(), ..ok.clone() }, "title"),
            (EventInput { title: "x".repeat(101), ..ok.clone() }, "title"),
            (EventInput { starts_on: "0001-01-01".into(), ..ok.clone() }, "starts_on"),
            (EventInput { ends_on: Some("2025-03-09".into()), ..ok.clone() }, "ends_on"),
            (EventInput { ends_on: Some("2026-06-01".into()), ..ok.clone() }, "ends_on"),
        ];
        for (input, field) in cases {
            let refused = server::check(&[input], "ann").unwrap_err();
            assert!(refused.field_message(field).is_some(), "{field}: {refused:?}");
        }
        let refused = server::check(&[ok.clone(), EventInput { kind: "x".into(), ..ok }], "ann").unwrap_err();
        assert!(refused.field_message("events[1].kind").is_some());
    }
}
