//! The drill-through's tickets as CSV, streamed: one keyset page (500
//! tickets) is read, written and sent at a time, so memory holds a page,
//! not the whole list, and the first bytes leave before the last are read.
//! A list longer than the cap ends with a `# cut at …` line, so nobody takes
//! a truncated file for the whole list.

use app::api::tickets::{Checked, TicketRow, MAX_LIMIT};
use app::csv_cell::neutralise_all;
use app::store::Db;
use axum::body::Bytes;
use futures_util::{Stream, StreamExt};

/// A CSV download stops here: a larger list is a job for the database export.
pub const MAX_CSV_TICKETS: i64 = 100_000;

const HEADER: [&str; 18] = [
    "external_id",
    "created_at",
    "first_response_at",
    "resolved_at",
    "channel",
    "category",
    "priority",
    "team",
    "agent",
    "status",
    "csat",
    "nps",
    "ces",
    "contacts",
    "first_contact_resolved",
    "reopened",
    "escalated",
    "product",
];

/// Where the stream is: the header to send, or the page after `cursor`
/// with `written` tickets sent so far.
#[derive(Clone, Copy)]
enum Step {
    Header,
    After { cursor: Option<i64>, written: i64 },
}

/// The CSV of every ticket of `checked` from its cursor on, at most `cap`
/// of them, as a stream of chunks (an error ends the stream, and with it
/// the response, which the client sees as an incomplete download).
pub fn stream(
    db: Db,
    checked: Checked,
    cap: i64,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send {
    let start = Some((db, checked, Step::Header));
    // Fused: the compression layer polls once more after the end, which an
    // unfused `unfold` answers with a panic.
    futures_util::stream::unfold(start, move |state| async move {
        let (db, checked, step) = state?;
        match step {
            Step::Header => {
                let cursor = checked.cursor;
                let next = Step::After { cursor, written: 0 };
                let header = HEADER.iter().map(|h| h.to_string()).collect();
                Some((Ok(chunk(std::iter::once(header))), Some((db, checked, next))))
            }
            Step::After { cursor, written } => {
                let limit = MAX_LIMIT.min(cap - written).max(1);
                let page = app::store::tickets::page(&db, &checked.filter, checked.sort, cursor, limit).await;
                let (tickets, next) = match page {
                    Ok(p) => p,
                    Err(e) => return Some((Err(std::io::Error::other(e)), None)),
                };
                let written = written + tickets.len() as i64;
                let mut bytes = chunk(tickets.iter().map(record)).to_vec();
                let state = match next {
                    Some(n) if written < cap => Some((db, checked, Step::After { cursor: Some(n), written })),
                    Some(_) => {
                        bytes.extend_from_slice(cut_line(cap).as_bytes());
                        None
                    }
                    None => None,
                };
                Some((Ok(Bytes::from(bytes)), state))
            }
        }
    })
    .fuse()
}

/// The last line of a list cut at `cap` tickets.
pub fn cut_line(cap: i64) -> String {
    format!(
        "# cut at {cap} tickets: the list goes on; narrow the dates or filters, or page through \
         GET /api/v1/tickets with its cursor\n"
    )
}

fn chunk(records: impl Iterator<Item = Vec<String>>) -> Bytes {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in records {
        let _ = w.write_record(r);
    }
    Bytes::from(w.into_inner().unwrap_or_default())
}

fn record(t: &TicketRow) -> Vec<String> {
    let time = |s: Option<i64>| s.map(iso_time).unwrap_or_default();
    let num = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let flag = |b: bool| if b { "1" } else { "0" }.to_string();
    neutralise_all([
        t.external_id.clone(),
        time(Some(t.created_at)),
        time(t.first_response_at),
        time(t.resolved_at),
        t.channel.clone(),
        t.category.clone(),
        t.priority.clone(),
        t.team.clone(),
        t.agent.clone(),
        t.status.clone(),
        num(t.csat),
        num(t.nps),
        num(t.ces),
        t.contacts.to_string(),
        flag(t.first_contact_resolved),
        flag(t.reopened),
        flag(t.escalated),
        t.product.clone().unwrap_or_default(),
    ])
}

/// Epoch seconds as `2025-03-14T09:30:00Z`.
fn iso_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}
