//! `repeated = "events"`: a file with one row per event (a message, a status
//! change) aggregated into one ticket per external id. The rules, also in
//! docs/mappings/README.md:
//! - created_at: the earliest event;
//! - resolved_at: the latest mapped resolved_at; else, when status is
//!   mapped, the latest event whose status says solved (solved, resolved,
//!   closed); else the latest event;
//! - first_response_at: the earliest mapped value;
//! - contacts: the sum of the events' `contacts` (map the column saying who
//!   wrote the event, customer → 1 and others → 0); unmapped, one per event;
//! - flags (reopened, escalated…): true when any event says so;
//! - status and scores: from the latest event that has one; every other
//!   field from the earliest event that has one — unless the field's
//!   mapping says `pick = "first"` or `pick = "last"`.

use super::fields::{FieldType, Kind};
use super::mapping::{Mapping, Pick};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Statuses that mean the ticket was solved at that event.
const SOLVED: &[&str] = &["solved", "resolved", "closed", "done", "completed"];

/// Events are ordered by time, then by their row in the file.
type At = (i64, u64);

/// One ticket being gathered from its events.
struct Ticket {
    /// The file row of the ticket's first event, to name it in refusals.
    first_row: u64,
    events: i64,
    created: At,
    latest: At,
    solved: Option<At>,
    resolved: Option<i64>,
    first_response: Option<i64>,
    contacts: i64,
    flags: Map<String, Value>,
    picked: HashMap<&'static str, (At, Value)>,
}

/// The tickets of an event log, gathered row by row.
pub struct EventLog {
    picks: Vec<(&'static str, Pick)>,
    status_mapped: bool,
    contacts_mapped: bool,
    tickets: HashMap<String, Ticket>,
}

impl EventLog {
    pub fn new(mapping: &Mapping) -> EventLog {
        let picks = Kind::Tickets
            .fields()
            .iter()
            .filter(|f| !HANDLED.contains(&f.name) && f.ty != FieldType::Boolean)
            .map(|f| {
                let default = match (f.name, f.ty) {
                    ("status", _) | (_, FieldType::Score { .. }) => Pick::Last,
                    _ => Pick::First,
                };
                (f.name, mapping.fields.get(f.name).and_then(|m| m.pick).unwrap_or(default))
            })
            .collect();
        EventLog {
            picks,
            status_mapped: mapping.fields.contains_key("status"),
            contacts_mapped: mapping.fields.contains_key("contacts"),
            tickets: HashMap::new(),
        }
    }

    /// Adds one converted event row (it has external_id and created_at).
    pub fn add(&mut self, event: Map<String, Value>, row: u64) {
        let id = event.get("external_id").and_then(Value::as_str).unwrap_or_default().to_string();
        let time = event.get("created_at").and_then(Value::as_i64).unwrap_or_default();
        let at = (time, row);
        let ticket = self.tickets.entry(id).or_insert_with(|| Ticket {
            first_row: row,
            events: 0,
            created: at,
            latest: at,
            solved: None,
            resolved: None,
            first_response: None,
            contacts: 0,
            flags: Map::new(),
            picked: HashMap::new(),
        });
        ticket.events += 1;
        ticket.created = ticket.created.min(at);
        ticket.latest = ticket.latest.max(at);
        let status = event.get("status").and_then(Value::as_str).unwrap_or_default().to_lowercase();
        if SOLVED.contains(&status.as_str()) {
            ticket.solved = ticket.solved.max(Some(at));
        }
        if let Some(t) = event.get("resolved_at").and_then(Value::as_i64) {
            ticket.resolved = ticket.resolved.max(Some(t));
        }
        if let Some(t) = event.get("first_response_at").and_then(Value::as_i64) {
            ticket.first_response = Some(ticket.first_response.map_or(t, |f| f.min(t)));
        }
        ticket.contacts +=
            if self.contacts_mapped { event.get("contacts").and_then(Value::as_i64).unwrap_or(0) } else { 1 };
        for (name, value) in &event {
            if value == &Value::Bool(true) {
                ticket.flags.insert(name.clone(), Value::Bool(true));
            }
        }
        for (name, pick) in &self.picks {
            let Some(value) = event.get(*name).filter(|v| !v.is_null()) else { continue };
            let better = |old: &At| match pick {
                Pick::First => at < *old,
                Pick::Last => at > *old,
            };
            match ticket.picked.get(name) {
                Some((old, _)) if !better(old) => {}
                _ => {
                    ticket.picked.insert(name, (at, value.clone()));
                }
            }
        }
    }

    /// How many tickets the events make.
    pub fn len(&self) -> usize {
        self.tickets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
    }

    /// The aggregated tickets as canonical records, each with the row of its
    /// first event, in the order of those rows.
    pub fn finish(self) -> Vec<(u64, Map<String, Value>)> {
        let mut out: Vec<(u64, Map<String, Value>)> = self
            .tickets
            .into_iter()
            .map(|(id, t)| {
                let mut record = t.flags;
                for (name, (_, value)) in t.picked {
                    record.insert(name.to_string(), value);
                }
                let resolved = match (t.resolved, self.status_mapped) {
                    (Some(r), _) => Some(r),
                    (None, true) => t.solved.map(|at| at.0),
                    (None, false) => Some(t.latest.0),
                };
                record.insert("external_id".into(), Value::from(id));
                record.insert("created_at".into(), Value::from(t.created.0));
                record.insert("resolved_at".into(), resolved.map_or(Value::Null, Value::from));
                record.insert("first_response_at".into(), t.first_response.map_or(Value::Null, Value::from));
                record.insert("contacts".into(), Value::from(t.contacts));
                (t.first_row, record)
            })
            .collect();
        out.sort_by_key(|(row, _)| *row);
        out
    }
}

/// Fields with their own rule above.
const HANDLED: &[&str] = &["external_id", "created_at", "resolved_at", "first_response_at", "contacts"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::mapping::FieldMap;
    use serde_json::json;

    fn event(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn mapping(fields: &[&str]) -> Mapping {
        let mut m = Mapping::default();
        for f in fields {
            m.fields.insert(f.to_string(), FieldMap { column: Some(f.to_string()), ..FieldMap::default() });
        }
        m
    }

    #[test]
    fn events_of_one_ticket_become_one_ticket() {
        let mut log = EventLog::new(&mapping(&["status", "contacts"]));
        // Out of order in the file: the reply (row 3) happened before the solve (row 2).
        log.add(event(json!({"external_id":"C-1","created_at":100,"category":"billing","channel":"email","status":"new","contacts":1})), 1);
        log.add(event(json!({"external_id":"C-1","created_at":400,"category":"refund","channel":"chat","status":"Solved","contacts":0})), 2);
        log.add(event(json!({"external_id":"C-1","created_at":250,"category":"refund","status":"open","contacts":1,"escalated":true})), 3);
        log.add(event(json!({"external_id":"C-2","created_at":50,"category":"delivery","channel":"phone","status":"open","contacts":1})), 4);
        assert_eq!(log.len(), 2);
        let tickets = log.finish();
        let (row, c1) = &tickets[0];
        assert_eq!(*row, 1);
        assert_eq!(c1["created_at"], 100);
        assert_eq!(c1["resolved_at"], 400, "the event whose status says solved");
        assert_eq!(c1["contacts"], 2, "customer events only");
        assert_eq!(c1["category"], "billing", "from the first event");
        assert_eq!(c1["channel"], "email");
        assert_eq!(c1["status"], "Solved", "from the latest event");
        assert_eq!(c1["escalated"], true);
        let (_, c2) = &tickets[1];
        assert_eq!(c2["resolved_at"], Value::Null, "never solved");
        assert_eq!(c2["contacts"], 1);
    }

    #[test]
    fn without_a_status_the_last_event_resolves_and_every_event_is_a_contact() {
        let mut m = mapping(&[]);
        m.fields.insert("category".into(), FieldMap { pick: Some(Pick::Last), ..FieldMap::default() });
        let mut log = EventLog::new(&m);
        log.add(event(json!({"external_id":"C-1","created_at":100,"category":"billing"})), 1);
        log.add(event(json!({"external_id":"C-1","created_at":300,"category":"refund"})), 2);
        let tickets = log.finish();
        assert_eq!(tickets[0].1["resolved_at"], 300);
        assert_eq!(tickets[0].1["contacts"], 2);
        assert_eq!(tickets[0].1["category"], "refund", "pick = last");
    }
}
