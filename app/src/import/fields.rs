//! The canonical fields of every kind of record: name, type, whether it is
//! required, what it means, an example, and the header names other systems
//! use for it. One table drives the mapping guesses, the Data page, the
//! format documentation and the OpenAPI schemas.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Tickets,
    Orders,
    Financials,
    Targets,
    Benchmarks,
}

impl Kind {
    pub const ALL: [Kind; 5] =
        [Kind::Tickets, Kind::Orders, Kind::Financials, Kind::Targets, Kind::Benchmarks];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Tickets => "tickets",
            Kind::Orders => "orders",
            Kind::Financials => "financials",
            Kind::Targets => "targets",
            Kind::Benchmarks => "benchmarks",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn fields(self) -> &'static [Field] {
        match self {
            Kind::Tickets => TICKET_FIELDS,
            Kind::Orders => ORDER_FIELDS,
            Kind::Financials => FINANCIAL_FIELDS,
            Kind::Targets => TARGET_FIELDS,
            Kind::Benchmarks => BENCHMARK_FIELDS,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.name == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    /// A point in time: ISO 8601 / RFC 3339, common date-time formats, or
    /// epoch seconds; stored as UTC epoch seconds.
    Timestamp,
    Integer,
    Decimal,
    Boolean,
    /// A calendar month written `2025-03`.
    Month,
    /// A whole-number score on a fixed scale, e.g. CSAT 1–5.
    Score {
        lo: i64,
        hi: i64,
    },
}

impl FieldType {
    /// How the documentation and the Data page name the type.
    pub fn describe(self) -> String {
        match self {
            FieldType::Text => "text".into(),
            FieldType::Timestamp => "date-time (UTC)".into(),
            FieldType::Integer => "whole number".into(),
            FieldType::Decimal => "number".into(),
            FieldType::Boolean => "true/false".into(),
            FieldType::Month => "month (YYYY-MM)".into(),
            FieldType::Score { lo, hi } => format!("score {lo}–{hi}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
    pub description: &'static str,
    pub example: &'static str,
    /// Header names other systems use, lower case, for guessing the mapping.
    pub aliases: &'static [&'static str],
}

const fn field(
    name: &'static str,
    ty: FieldType,
    required: bool,
    description: &'static str,
    example: &'static str,
    aliases: &'static [&'static str],
) -> Field {
    // The browser needs names, types and descriptions; examples and the
    // header names used for guessing stay on the server, out of the WASM.
    let (example, aliases): (&str, &[&str]) =
        if cfg!(feature = "ssr") { (example, aliases) } else { ("", &[]) };
    Field { name, ty, required, description, example, aliases }
}

use FieldType::*;

pub const TICKET_FIELDS: &[Field] = &[
    field(
        "external_id",
        Text,
        true,
        "The ticket's id in the helpdesk; re-imports update by it.",
        "ZD-10442",
        &[
            "id",
            "ticket id",
            "ticket number",
            "ticket #",
            "case id",
            "case number",
            "conversation id",
            "number",
            "key",
        ],
    ),
    field(
        "created_at",
        Timestamp,
        true,
        "When the customer opened the ticket.",
        "2025-03-14T09:30:00Z",
        &[
            "created",
            "created at",
            "created date",
            "creation date",
            "date created",
            "opened",
            "opened at",
            "submitted",
            "submitted at",
            "date",
        ],
    ),
    field(
        "first_response_at",
        Timestamp,
        false,
        "First reply by an agent.",
        "2025-03-14T11:02:00Z",
        &[
            "first response",
            "first response at",
            "first reply",
            "first reply at",
            "first replied at",
            "first response time",
            "first reply time",
            "time to first response",
        ],
    ),
    field(
        "resolved_at",
        Timestamp,
        false,
        "When the ticket was solved; empty while open.",
        "2025-03-15T08:10:00Z",
        &[
            "resolved",
            "resolved at",
            "solved",
            "solved at",
            "closed",
            "closed at",
            "resolution date",
            "date resolved",
            "resolution time",
            "full resolution time",
            "time to resolution",
        ],
    ),
    field(
        "channel",
        Text,
        true,
        "Where the customer wrote: email, chat, phone, social…",
        "email",
        &["channel", "via", "source", "medium", "contact channel", "origin"],
    ),
    field(
        "category",
        Text,
        true,
        "What it is about: delivery, returns & refunds, billing…",
        "delivery",
        &["category", "type", "issue type", "reason", "topic", "contact reason", "tags", "subject category"],
    ),
    field(
        "priority",
        Text,
        false,
        "low, normal, high or urgent (default normal); imports read common words such as critical → urgent, medium → normal.",
        "normal",
        &["priority", "urgency", "severity"],
    ),
    field(
        "team",
        Text,
        true,
        "The team that owns the ticket.",
        "Tier 1",
        &["team", "group", "queue", "assignee group", "department"],
    ),
    field(
        "agent",
        Text,
        false,
        "The agent who handled it.",
        "amira",
        &["agent", "assignee", "owner", "handled by", "agent name"],
    ),
    field("status", Text, false, "The helpdesk status.", "solved", &["status", "state", "ticket status"]),
    field(
        "csat",
        Score { lo: 1, hi: 5 },
        false,
        "Satisfaction rating, 1 (bad) – 5 (good).",
        "5",
        &[
            "csat",
            "satisfaction",
            "satisfaction rating",
            "satisfaction score",
            "rating",
            "customer rating",
            "csat score",
        ],
    ),
    field(
        "nps",
        Score { lo: 0, hi: 10 },
        false,
        "Likelihood to recommend, 0–10.",
        "9",
        &["nps", "nps score", "recommend", "likelihood to recommend"],
    ),
    field(
        "ces",
        Score { lo: 1, hi: 7 },
        false,
        "Customer effort, 1 (easy) – 7 (hard).",
        "2",
        &["ces", "effort", "customer effort", "effort score"],
    ),
    field(
        "contacts",
        Integer,
        false,
        "How many times the customer got in touch (default 1).",
        "1",
        &["contacts", "replies", "customer replies", "contact count", "touches", "interactions"],
    ),
    field(
        "first_contact_resolved",
        Boolean,
        false,
        "Solved in the first contact.",
        "true",
        &[
            "first contact resolved",
            "fcr",
            "one touch",
            "first contact resolution",
            "resolved on first contact",
        ],
    ),
    field(
        "reopened",
        Boolean,
        false,
        "Reopened after being solved.",
        "false",
        &["reopened", "reopens", "was reopened"],
    ),
    field(
        "escalated",
        Boolean,
        false,
        "Escalated to another team.",
        "false",
        &["escalated", "escalation", "was escalated"],
    ),
    field(
        "customer_id",
        Text,
        false,
        "The customer, to link tickets to orders.",
        "C-88121",
        &[
            "customer id",
            "customer",
            "requester id",
            "requester",
            "user id",
            "contact id",
            "customer email",
            "requester email",
            "email",
        ],
    ),
    field(
        "order_id",
        Text,
        false,
        "The order the ticket is about.",
        "O-551230",
        &["order id", "order", "order number", "order #"],
    ),
    field(
        "product",
        Text,
        false,
        "The product concerned.",
        "Trail shoe",
        &["product", "product name", "sku", "item"],
    ),
];

pub const ORDER_FIELDS: &[Field] = &[
    field(
        "external_id",
        Text,
        true,
        "The order's id in the shop; re-imports update by it.",
        "O-551230",
        &["id", "order id", "order number", "order #", "order", "name", "number"],
    ),
    field(
        "customer_id",
        Text,
        true,
        "Who bought.",
        "C-88121",
        &["customer id", "customer", "customer email", "email", "buyer", "user id"],
    ),
    field(
        "placed_at",
        Timestamp,
        true,
        "When the order was placed.",
        "2025-03-02T18:45:00Z",
        &["placed at", "created at", "created", "order date", "date", "processed at", "ordered at"],
    ),
    field(
        "amount",
        Decimal,
        false,
        "Order value (revenue), in `currency`; empty or unmapped when the export has none: the order then counts as an order but not in money KPIs (CLV).",
        "89.90",
        &["amount", "total", "total price", "order total", "value", "revenue", "subtotal", "grand total"],
    ),
    field("currency", Text, true, "ISO 4217 code.", "EUR", &["currency", "currency code"]),
];

pub const FINANCIAL_FIELDS: &[Field] = &[
    field("month", Month, true, "The month the figures are for.", "2025-03", &["month", "period"]),
    field("revenue", Decimal, true, "Revenue of the month.", "1250000", &["revenue", "sales", "net sales"]),
    field(
        "net_income",
        Decimal,
        true,
        "Net income of the month.",
        "85000",
        &["net income", "profit", "net profit"],
    ),
    field(
        "operating_expenses",
        Decimal,
        true,
        "Operating expenses.",
        "410000",
        &["operating expenses", "opex"],
    ),
    field(
        "support_cost",
        Decimal,
        true,
        "Total cost of customer support.",
        "62000",
        &["support cost", "support costs", "cost of support"],
    ),
    field(
        "marketing_spend",
        Decimal,
        true,
        "Marketing spend (for CAC).",
        "140000",
        &["marketing spend", "marketing", "marketing cost"],
    ),
    field(
        "new_customers",
        Integer,
        true,
        "Customers acquired in the month.",
        "3100",
        &["new customers", "customers acquired", "acquired customers"],
    ),
    field(
        "gross_margin",
        Decimal,
        false,
        "Gross margin, where known.",
        "540000",
        &["gross margin", "gross profit"],
    ),
];

pub const TARGET_FIELDS: &[Field] = &[
    field(
        "kpi",
        Text,
        true,
        "A KPI key of the catalogue (see GET /api/v1/kpis).",
        "csat",
        &["kpi", "metric", "kpi key"],
    ),
    field("period", Month, true, "The month the target is for.", "2025-03", &["period", "month"]),
    field(
        "scope_dim",
        Text,
        false,
        "channel, category or team; empty for the whole company.",
        "channel",
        &["scope dim", "dimension", "scope"],
    ),
    field(
        "scope_value",
        Text,
        false,
        "The channel, category or team the target is for.",
        "chat",
        &["scope value", "segment", "value of scope"],
    ),
    field("value", Decimal, true, "The target, in the KPI's unit.", "82", &["value", "target"]),
    field("note", Text, false, "Why this target.", "Peak season", &["note", "comment", "reason"]),
];

pub const BENCHMARK_FIELDS: &[Field] = &[
    field("kpi", Text, true, "A KPI key of the catalogue.", "csat", &["kpi", "metric"]),
    field(
        "segment",
        Text,
        true,
        "Industry, channel or company size the figure describes.",
        "Retail, chat",
        &["segment", "industry"],
    ),
    field("p25", Decimal, false, "25th percentile.", "", &["p25", "25th percentile", "lower quartile"]),
    field("p50", Decimal, false, "Median.", "82", &["p50", "median", "50th percentile", "average"]),
    field("p75", Decimal, false, "75th percentile.", "", &["p75", "75th percentile", "upper quartile"]),
    field("p90", Decimal, false, "90th percentile.", "", &["p90", "90th percentile"]),
    field("unit", Text, true, "The unit the figures are in.", "%", &["unit", "units"]),
    field(
        "source",
        Text,
        true,
        "Who published it, and the report.",
        "Zendesk Benchmark",
        &["source", "publisher", "report"],
    ),
    field("year", Integer, true, "Year of publication.", "2024", &["year", "published"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_names_its_fields_once_and_keys_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_key(kind.key()), Some(kind));
            let mut names: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
            let count = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), count, "{kind:?}");
            assert!(kind.fields().iter().all(|f| f.aliases.iter().all(|a| *a == a.to_lowercase())));
        }
    }
}
