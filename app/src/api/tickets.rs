//! The tickets behind a matrix cell, row or column (the drill-through):
//! filtered like every analysis, plus agent, priority and product, sorted,
//! and paged by keyset (a page names the last ticket it showed, so a page
//! costs the same however deep it is). The page `/matrix/tickets`,
//! `GET /api/v1/tickets` (JSON or CSV) and the tests all call [`load`].

use super::query::RangeParams;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Tickets per page when the query names no `limit`, and at most.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketQuery {
    /// Filters outside the rollup: on raw tickets only, never in the matrix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// `created_at` (default: newest first with `-created_at`) or `external_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// The `next_cursor` of the page before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Tickets per page, 1 to 500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Created in these days (the last month with data by default), with filters.
    #[serde(flatten)]
    pub range: RangeParams,
}

/// One page of tickets; `next_cursor` is absent on the last page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketPage {
    pub from: String,
    pub to: String,
    pub sort: String,
    pub tickets: Vec<TicketRow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A ticket as stored; times in epoch seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketRow {
    pub id: i64,
    pub external_id: String,
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub channel: String,
    pub category: String,
    pub priority: String,
    pub team: String,
    pub agent: String,
    pub status: String,
    pub csat: Option<i64>,
    pub nps: Option<i64>,
    pub ces: Option<i64>,
    pub contacts: i64,
    pub first_contact_resolved: bool,
    pub reopened: bool,
    pub escalated: bool,
    pub product: Option<String>,
}

/// The orders a list can take; each is a keyset on its column and the id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TicketSort {
    #[default]
    NewestFirst,
    OldestFirst,
    ExternalIdAsc,
    ExternalIdDesc,
}

impl TicketSort {
    pub const ALL: [TicketSort; 4] = [
        TicketSort::NewestFirst,
        TicketSort::OldestFirst,
        TicketSort::ExternalIdAsc,
        TicketSort::ExternalIdDesc,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TicketSort::NewestFirst => "-created_at",
            TicketSort::OldestFirst => "created_at",
            TicketSort::ExternalIdAsc => "external_id",
            TicketSort::ExternalIdDesc => "-external_id",
        }
    }

    pub fn parse(s: &str) -> Option<TicketSort> {
        Self::ALL.into_iter().find(|o| o.key() == s)
    }
}

/// A cursor is the id of the last ticket of the page before: a positive
/// whole number, nothing else.
pub fn parse_cursor(value: &Option<String>) -> Result<Option<i64>, AppError> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Some)
            .ok_or_else(|| AppError::invalid("cursor", "cursor must be the next_cursor of a page")),
    }
}

#[server(endpoint = "get_tickets")]
pub async fn get_tickets(query: TicketQuery) -> Result<TicketPage, AppError> {
    super::for_viewer(|db| async move { load(&db, &query).await }).await
}

#[cfg(feature = "ssr")]
pub use server::{check, load, Checked};

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::kpi::period::day_number;
    use crate::store::{kpi_values, tickets, Db};

    /// A checked query: what the store reads.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Checked {
        pub filter: tickets::TicketFilter,
        pub sort: TicketSort,
        pub cursor: Option<i64>,
        pub limit: i64,
        pub from: String,
        pub to: String,
    }

    /// Every input bounded, or the field it is about.
    pub async fn check(db: &Db, query: &TicketQuery) -> Result<Checked, AppError> {
        let days = query.range.days(kpi_values::latest_day(db).await?)?;
        let sort = match query.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => TicketSort::default(),
            Some(s) => TicketSort::parse(s).ok_or_else(|| {
                AppError::invalid(
                    "sort",
                    format!("sort must be -created_at, created_at, external_id or -external_id, not '{s}'"),
                )
            })?,
        };
        let limit =
            crate::api::query::whole_number(&query.limit, "limit", 1..=MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT);
        let text =
            |v: &Option<String>, field: &str| match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                Some(v) if v.chars().count() > 200 => {
                    Err(AppError::invalid(field, format!("{field} is too long")))
                }
                other => Ok(other.map(str::to_string)),
            };
        let filter = tickets::TicketFilter {
            created_from: db.zone.day_start(day_number(days.first)),
            created_before: db.zone.day_start(day_number(days.last) + 1),
            channel: text(&query.range.channel, "channel")?,
            category: text(&query.range.category, "category")?,
            team: text(&query.range.team, "team")?,
            agent: text(&query.agent, "agent")?,
            priority: text(&query.priority, "priority")?,
            product: text(&query.product, "product")?,
        };
        Ok(Checked {
            filter,
            sort,
            cursor: parse_cursor(&query.cursor)?,
            limit,
            from: days.first.to_string(),
            to: days.last.to_string(),
        })
    }

    pub async fn load(db: &Db, query: &TicketQuery) -> Result<TicketPage, AppError> {
        let c = check(db, query).await?;
        let (tickets, next) = tickets::page(db, &c.filter, c.sort, c.cursor, c.limit).await?;
        Ok(TicketPage {
            from: c.from,
            to: c.to,
            sort: c.sort.key().to_string(),
            tickets,
            next_cursor: next.map(|id| id.to_string()),
        })
    }
}
