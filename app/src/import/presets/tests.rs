//! Every built-in mapping imports a small sample written in its export's
//! format: the same conversion and checks as a real import, without a database.

use super::*;
use crate::import::convert::Converter;
use crate::import::events::EventLog;
use crate::import::mapping::Repeated;
use crate::models::{OrderRecord, TicketRecord};
use serde_json::{Map, Value};
use std::collections::HashSet;

const NOW: i64 = 1_767_225_600; // 2026-01-01

/// The sample's rows as canonical records, after `repeated` is applied.
fn records(name: &str, sample: &str) -> Vec<Map<String, Value>> {
    let builtin = BUILTIN.iter().find(|b| b.name == name).unwrap();
    let mapping = get(builtin.kind, name).unwrap();
    let mut reader = csv::Reader::from_reader(sample.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let converter = Converter::new(builtin.kind, &mapping, &headers, "test").unwrap();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut events = (mapping.repeated == Some(Repeated::Events)).then(|| EventLog::new(&mapping));
    for (i, row) in reader.records().enumerate() {
        let row = row.unwrap();
        let cells: Vec<&str> = row.iter().collect();
        // As the import does: with `first`, later rows of an id are skipped unread.
        let id = converter.cell_of("external_id", &cells).unwrap().trim().to_string();
        if mapping.repeated == Some(Repeated::First) && !seen.insert(id) {
            continue;
        }
        let map = converter.convert(&cells, i as u64 + 2).unwrap_or_else(|e| panic!("{name}: {e}"));
        match &mut events {
            Some(log) => log.add(map, i as u64 + 2),
            None => out.push(map),
        }
    }
    if let Some(log) = events {
        out.extend(log.finish().into_iter().map(|(_, map)| map));
    }
    out
}

fn tickets(name: &str, sample: &str) -> Vec<TicketRecord> {
    records(name, sample)
        .into_iter()
        .map(|map| {
            let t: TicketRecord = serde_json::from_value(Value::Object(map)).unwrap();
            t.validate(NOW).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            t
        })
        .collect()
}

fn utc(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

#[test]
fn every_builtin_is_a_readable_mapping_named_once() {
    let unique: HashSet<&str> = BUILTIN.iter().map(|b| b.name).collect();
    assert_eq!(unique.len(), BUILTIN.len());
    for b in BUILTIN {
        assert!(b.name.ends_with("(built-in)"));
        let m: Mapping = toml::from_str(b.toml).unwrap_or_else(|e| panic!("{}: {e}", b.name));
        assert!(m.fields.contains_key("external_id"), "{}", b.name);
    }
    assert_eq!(names(Kind::Orders), ["Shopify orders (built-in)"]);
}

#[test]
fn zendesk() {
    let t = tickets("Zendesk (built-in)", include_str!("samples/zendesk.csv"));
    assert_eq!(t.len(), 3);
    assert_eq!(t[0].first_response_at, Some(utc("2025-03-03T09:58:10Z")), "45.5 minutes after 09:12:40");
    assert_eq!((t[0].channel.as_str(), t[0].csat, t[0].priority.as_str()), ("email", Some(5), "normal"));
    assert_eq!((t[1].resolved_at, t[1].csat, t[1].priority.as_str()), (None, None, "urgent"));
    assert_eq!((t[2].csat, t[2].reopened), (Some(1), true));
}

#[test]
fn freshdesk() {
    let t = tickets("Freshdesk (built-in)", include_str!("samples/freshdesk.csv"));
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].priority, "normal", "Medium");
    assert_eq!(t[0].first_response_at, Some(utc("2025-03-03T10:30:00Z")));
    assert_eq!((t[0].contacts, t[1].channel.as_str()), (2, "phone"));
}

#[test]
fn help_scout() {
    let t = tickets("Help Scout (built-in)", include_str!("samples/helpscout.csv"));
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].resolved_at, Some(utc("2025-03-03T12:30:00Z")));
    assert_eq!((t[1].channel.as_str(), t[1].category.as_str()), ("chat", "general"));
}

#[test]
fn gorgias() {
    let t = tickets("Gorgias (built-in)", include_str!("samples/gorgias.csv"));
    assert_eq!(t[0].created_at, utc("2025-03-03T08:00:00Z"), "offsets are kept");
    assert_eq!((t[0].csat, t[1].csat), (Some(5), None));
}

#[test]
fn intercom() {
    let t = tickets("Intercom (built-in)", include_str!("samples/intercom.csv"));
    assert_eq!(t[0].first_response_at, Some(utc("2025-03-03T09:01:35Z")));
    assert_eq!(t[0].resolved_at, Some(utc("2025-03-03T10:30:00Z")));
    assert_eq!((t[0].channel.as_str(), t[1].resolved_at), ("chat", None));
}

#[test]
fn hubspot_tickets() {
    let t = tickets("HubSpot tickets (built-in)", include_str!("samples/hubspot_tickets.csv"));
    assert_eq!((t[0].priority.as_str(), t[1].priority.as_str()), ("high", "low"));
    assert_eq!((t[0].category.as_str(), t[1].channel.as_str()), ("Product issue", "web"));
}

#[test]
fn event_log() {
    let t = tickets("Event log (built-in)", include_str!("samples/event_log.csv"));
    assert_eq!(t.len(), 2);
    let c1 = &t[0];
    assert_eq!(
        (c1.created_at, c1.resolved_at),
        (utc("2025-03-03T09:00:00Z"), Some(utc("2025-03-03T13:00:00Z")))
    );
    assert_eq!((c1.contacts, c1.category.as_str(), c1.agent.as_str()), (2, "billing", "Ana"));
    assert_eq!((t[1].resolved_at, t[1].contacts), (None, 1));
}

#[test]
fn shopify_orders() {
    let orders: Vec<OrderRecord> =
        records("Shopify orders (built-in)", include_str!("samples/shopify_orders.csv"))
            .into_iter()
            .map(|map| serde_json::from_value(Value::Object(map)).unwrap())
            .collect();
    assert_eq!(orders.len(), 2, "one order per order, not per line item");
    assert_eq!((orders[0].external_id.as_str(), orders[0].amount), ("#1001", Some(101.15)));
    assert_eq!(orders[0].placed_at, utc("2025-03-03T08:00:00Z"));
    assert!(orders.iter().all(|o| o.validate(NOW).is_ok()));
}
