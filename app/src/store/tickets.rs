//! Raw tickets, a page at a time, for the drill-through list. Keyset paging
//! on (sort column, id): the range filter uses the `created_at` index, and
//! no page reads the rows of the pages before it.

use super::Db;
use crate::api::tickets::{TicketRow, TicketSort};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Created in `created_from..created_before` (epoch seconds), and equal to
/// each filter that is set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TicketFilter {
    pub created_from: i64,
    pub created_before: i64,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub team: Option<String>,
    pub agent: Option<String>,
    pub priority: Option<String>,
    pub product: Option<String>,
}

/// The statement of one sort order, with or without a cursor. Column names
/// and operators are fixed per order, never user text; every value is
/// bound. After a cursor, the keyset is one row-value comparison,
/// `(column, id) > (cursor's column, cursor)`, which both backends answer
/// by seeking an index in `(column, id)` order (Postgres's
/// `tickets_created_id`; on SQLite `tickets_created_at`, whose entries end
/// with the id; `external_id` is unique). `$9` is the cursor.
fn statement(sort: TicketSort, after_cursor: bool) -> String {
    let (column, after, direction) = match sort {
        TicketSort::NewestFirst => ("created_at", "<", "DESC"),
        TicketSort::OldestFirst => ("created_at", ">", "ASC"),
        TicketSort::ExternalIdAsc => ("external_id", ">", "ASC"),
        TicketSort::ExternalIdDesc => ("external_id", "<", "DESC"),
    };
    let keyset = if after_cursor {
        format!("AND ({column}, id) {after} ((SELECT {column} FROM tickets WHERE id = $9), $9)")
    } else {
        // The same parameters either way: $9 is bound, and NULL.
        "AND $9 IS NULL".to_string()
    };
    format!(
        "SELECT id, external_id, created_at, first_response_at, resolved_at, channel, category, priority, team, \
         agent, status, csat, nps, ces, contacts, first_contact_resolved, reopened, escalated, product \
         FROM tickets WHERE created_at >= $1 AND created_at < $2 \
         AND channel = COALESCE($3, channel) AND category = COALESCE($4, category) \
         AND team = COALESCE($5, team) AND agent = COALESCE($6, agent) \
         AND priority = COALESCE($7, priority) AND ($8 IS NULL OR product = $8) \
         {keyset} ORDER BY {column} {direction}, id {direction} LIMIT $10"
    )
}

/// Up to `limit` tickets after the cursor, and the cursor of the next page
/// (`None` on the last).
pub async fn page(
    db: &Db,
    filter: &TicketFilter,
    sort: TicketSort,
    cursor: Option<i64>,
    limit: i64,
) -> Result<(Vec<TicketRow>, Option<i64>), sqlx::Error> {
    let rows = sqlx::query(&statement(sort, cursor.is_some()))
        .bind(filter.created_from)
        .bind(filter.created_before)
        .bind(filter.channel.clone())
        .bind(filter.category.clone())
        .bind(filter.team.clone())
        .bind(filter.agent.clone())
        .bind(filter.priority.clone())
        .bind(filter.product.clone())
        .bind(cursor)
        .bind(limit + 1)
        .fetch_all(&db.pool)
        .await?;
    let mut tickets = rows.iter().map(ticket).collect::<Result<Vec<_>, _>>()?;
    // One row more than asked says whether a next page exists.
    let next = if tickets.len() as i64 > limit {
        tickets.truncate(limit as usize);
        tickets.last().map(|t| t.id)
    } else {
        None
    };
    Ok((tickets, next))
}

fn ticket(r: &AnyRow) -> Result<TicketRow, sqlx::Error> {
    let flag = |name: &str| r.try_get::<i64, _>(name).map(|v| v != 0);
    Ok(TicketRow {
        id: r.try_get("id")?,
        external_id: r.try_get("external_id")?,
        created_at: r.try_get("created_at")?,
        first_response_at: r.try_get("first_response_at")?,
        resolved_at: r.try_get("resolved_at")?,
        channel: r.try_get("channel")?,
        category: r.try_get("category")?,
        priority: r.try_get("priority")?,
        team: r.try_get("team")?,
        agent: r.try_get("agent")?,
        status: r.try_get("status")?,
        csat: r.try_get("csat")?,
        nps: r.try_get("nps")?,
        ces: r.try_get("ces")?,
        contacts: r.try_get("contacts")?,
        first_contact_resolved: flag("first_contact_resolved")?,
        reopened: flag("reopened")?,
        escalated: flag("escalated")?,
        product: r.try_get("product")?,
    })
}
