//! The stored versions of records about to be upserted: compared with the
//! new ones so that a re-import can report rows as unchanged (and skip
//! rewriting them), and so that the rollup days and customer months an
//! update moves away from are rebuilt too.

use super::super::sql::{list_placeholders, Params};
use crate::models::{OrderRecord, TicketRecord};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// The stored tickets among the external ids of `chunk`.
pub(super) async fn tickets(
    conn: &mut AnyConnection,
    chunk: &[TicketRecord],
) -> Result<HashMap<String, TicketRecord>, sqlx::Error> {
    if chunk.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT external_id, created_at, first_response_at, resolved_at, channel, category, priority, team, \
         agent, status, csat, nps, ces, contacts, first_contact_resolved, reopened, escalated, customer_id, \
         order_id, product FROM tickets WHERE external_id IN ({})",
        list_placeholders(Params::of(conn), chunk.len())
    );
    let mut query = sqlx::query(&sql);
    for t in chunk {
        query = query.bind(t.external_id.clone());
    }
    let mut out = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        let flag = |name: &str| row.try_get::<i64, _>(name).map(|v| v != 0);
        let t = TicketRecord {
            external_id: row.try_get("external_id")?,
            created_at: row.try_get("created_at")?,
            first_response_at: row.try_get("first_response_at")?,
            resolved_at: row.try_get("resolved_at")?,
            channel: row.try_get("channel")?,
            category: row.try_get("category")?,
            priority: row.try_get("priority")?,
            team: row.try_get("team")?,
            agent: row.try_get("agent")?,
            status: row.try_get("status")?,
            csat: row.try_get("csat")?,
            nps: row.try_get("nps")?,
            ces: row.try_get("ces")?,
            contacts: row.try_get("contacts")?,
            first_contact_resolved: flag("first_contact_resolved")?,
            reopened: flag("reopened")?,
            escalated: flag("escalated")?,
            customer_id: row.try_get("customer_id")?,
            order_id: row.try_get("order_id")?,
            product: row.try_get("product")?,
        };
        out.insert(t.external_id.clone(), t);
    }
    Ok(out)
}

/// The stored orders among the external ids of `chunk`.
pub(super) async fn orders(
    conn: &mut AnyConnection,
    chunk: &[OrderRecord],
) -> Result<HashMap<String, OrderRecord>, sqlx::Error> {
    if chunk.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT external_id, customer_id, placed_at, amount, currency FROM orders WHERE external_id IN ({})",
        list_placeholders(Params::of(conn), chunk.len())
    );
    let mut query = sqlx::query(&sql);
    for o in chunk {
        query = query.bind(o.external_id.clone());
    }
    let mut out = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        let o = OrderRecord {
            external_id: row.try_get("external_id")?,
            customer_id: row.try_get("customer_id")?,
            placed_at: row.try_get("placed_at")?,
            amount: row.try_get::<Option<f64>, _>("amount")?,
            currency: row.try_get("currency")?,
        };
        out.insert(o.external_id.clone(), o);
    }
    Ok(out)
}

/// How a record compares with its stored version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Change {
    Inserted,
    Updated,
    Unchanged,
}

pub(super) fn change<T: PartialEq>(stored: Option<&T>, new: &T) -> Change {
    match stored {
        None => Change::Inserted,
        Some(old) if old == new => Change::Unchanged,
        Some(_) => Change::Updated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_equal_to_its_stored_version_is_unchanged() {
        assert_eq!(change(None, &1), Change::Inserted);
        assert_eq!(change(Some(&1), &1), Change::Unchanged);
        assert_eq!(change(Some(&1), &2), Change::Updated);
    }
}
