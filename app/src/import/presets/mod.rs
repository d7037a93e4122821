//! Built-in mappings for well-known exports, offered on the Data page next
//! to the saved presets. Each is a file of docs/mappings/ (the format
//! reference is docs/mappings/README.md), read here so that the files the
//! documentation shows are the ones the page uses — and tested against a
//! small sample in that export's format.

use super::fields::Kind;
use super::mapping::Mapping;

/// One built-in mapping.
pub struct Builtin {
    pub name: &'static str,
    pub kind: Kind,
    pub toml: &'static str,
}

/// Names end in "(built-in)" so they never collide with a saved preset.
pub const BUILTIN: &[Builtin] = &[
    Builtin {
        name: "Zendesk (built-in)",
        kind: Kind::Tickets,
        toml: include_str!("../../../../docs/mappings/zendesk.toml"),
    },
    Builtin {
        name: "Freshdesk (built-in)",
        kind: Kind::Tickets,
        toml: include_str!("../../../../docs/mappings/freshdesk.toml"),
    },
    Builtin {
        name: "Help Scout (built-in)",
        kind: Kind::Tickets,
        toml: include_str!("../../../../docs/mappings/helpscout.toml"),
    },
    Builtin {
        name: "Gorgias (built-in)",
        kind: Kind::Tickets,
        toml: include_str!("../../../../docs/mappings/gorgias.toml"),
    },
    Builtin {
        name: "Intercom (built-in)",
        kind: Kind::Tickets,
        toml: include_str!("../../../../docs/mappings/intercom.toml"),
    },
    Builtin {
        name: "HubSpot tickets (built-in)",
        kind: Kind::Tickets,
        toml: include_str!("../../../../docs/mappings/hubspot_tickets.toml"),
    },
    Builtin {
        name: "Event log (built-in)",
        kind: Kind::Tickets,
        toml: include_str!("../../../../docs/mappings/event_log.toml"),
    },
    Builtin {
        name: "Shopify orders (built-in)",
        kind: Kind::Orders,
        toml: include_str!("../../../../docs/mappings/shopify_orders.toml"),
    },
];

/// The built-in presets for a kind of record, by name.
pub fn names(kind: Kind) -> Vec<String> {
    BUILTIN.iter().filter(|b| b.kind == kind).map(|b| b.name.to_string()).collect()
}

/// A built-in preset's mapping, if `name` is one.
pub fn get(kind: Kind, name: &str) -> Option<Mapping> {
    BUILTIN.iter().find(|b| b.kind == kind && b.name == name).map(|b| parse(b.toml))
}

fn parse(toml_text: &str) -> Mapping {
    toml::from_str(toml_text).expect("the built-in mappings are tested")
}

#[cfg(test)]
mod tests;
