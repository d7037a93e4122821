//! Records as they enter Aftercare (DESIGN.md §2), shared by the server and
//! the browser, with the ingest invariants each one must satisfy.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How far in the future a timestamp may lie (clock skew between systems).
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 300;

/// One support ticket. Times are UTC epoch seconds; JSON input may also
/// write them as RFC 3339 (`2025-03-14T09:30:00Z`). Optional fields may be left out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketRecord {
    pub external_id: String,
    #[serde(with = "timestamp")]
    pub created_at: i64,
    #[serde(default, with = "timestamp::option")]
    pub first_response_at: Option<i64>,
    #[serde(default, with = "timestamp::option")]
    pub resolved_at: Option<i64>,
    pub channel: String,
    pub category: String,
    #[serde(default = "normal_priority")]
    pub priority: String,
    pub team: String,
    #[serde(default)]
    pub agent: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub csat: Option<i64>,
    #[serde(default)]
    pub nps: Option<i64>,
    #[serde(default)]
    pub ces: Option<i64>,
    #[serde(default = "one_contact")]
    pub contacts: i64,
    #[serde(default)]
    pub first_contact_resolved: bool,
    #[serde(default)]
    pub reopened: bool,
    #[serde(default)]
    pub escalated: bool,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(default)]
    pub product: Option<String>,
}

/// A ticket with every field it may leave out at its default, as
/// deserialising one without them gives, and the required ones blank.
impl Default for TicketRecord {
    fn default() -> Self {
        TicketRecord {
            external_id: String::new(),
            created_at: 0,
            first_response_at: None,
            resolved_at: None,
            channel: String::new(),
            category: String::new(),
            priority: normal_priority(),
            team: String::new(),
            agent: String::new(),
            status: String::new(),
            csat: None,
            nps: None,
            ces: None,
            contacts: one_contact(),
            first_contact_resolved: false,
            reopened: false,
            escalated: false,
            customer_id: None,
            order_id: None,
            product: None,
        }
    }
}

fn normal_priority() -> String {
    "normal".to_string()
}

fn one_contact() -> i64 {
    1
}

/// Epoch seconds that read either a number or an RFC 3339 time.
pub mod timestamp {
    use serde::{Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Seconds(i64),
        Text(String),
    }

    fn read<E: serde::de::Error>(raw: Raw) -> Result<i64, E> {
        match raw {
            Raw::Seconds(v) => Ok(v),
            Raw::Text(t) => {
                chrono::DateTime::parse_from_rfc3339(t.trim()).map(|d| d.timestamp()).map_err(|_| {
                    E::custom(format!("'{t}' is not a time like 2025-03-14T09:30:00Z or epoch seconds"))
                })
            }
        }
    }

    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(*v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        read(Raw::deserialize(d)?)
    }

    pub mod option {
        use super::{read, Raw};
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.serialize_some(v),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
            Option::<Raw>::deserialize(d)?.map(read).transpose()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub external_id: String,
    pub customer_id: String,
    #[serde(with = "timestamp")]
    pub placed_at: i64,
    /// Unknown (`None`) when the export has no amount: such an order counts
    /// as an order but is left out of money KPIs rather than stored as 0.
    #[serde(default)]
    pub amount: Option<f64>,
    pub currency: String,
}

/// One month of company financials; `month` is written `2025-03`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FinancialMonth {
    pub month: String,
    pub revenue: f64,
    pub net_income: f64,
    pub operating_expenses: f64,
    pub support_cost: f64,
    pub marketing_spend: f64,
    pub new_customers: i64,
    #[serde(default)]
    pub gross_margin: Option<f64>,
    /// Support cost split by channel, where the company knows it.
    #[serde(default)]
    pub support_cost_by_channel: Vec<(String, f64)>,
}

/// A target for one KPI, month and scope (`scope_dim` empty = everything).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetRecord {
    pub kpi: String,
    pub period: String,
    pub scope_dim: String,
    pub scope_value: String,
    pub value: f64,
    pub set_by: String,
    pub note: String,
}

/// Which plan a target belongs to: the annual plan, or a re-forecast that
/// replaces it for the months it covers without erasing it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetVersion {
    #[default]
    Plan,
    Reforecast,
}

impl TargetVersion {
    pub const ALL: [TargetVersion; 2] = [TargetVersion::Plan, TargetVersion::Reforecast];

    pub fn key(self) -> &'static str {
        match self {
            TargetVersion::Plan => "plan",
            TargetVersion::Reforecast => "reforecast",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TargetVersion::Plan => "Annual plan",
            TargetVersion::Reforecast => "Re-forecast",
        }
    }

    pub fn parse(s: &str) -> Option<TargetVersion> {
        TargetVersion::ALL.into_iter().find(|v| v.key() == s)
    }
}

/// A target as stored: one KPI, month, scope and version (`scope_dim`
/// empty = the whole company), with its tolerance band in % of the target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub kpi: String,
    pub period: String,
    pub scope_dim: String,
    pub scope_value: String,
    pub version: TargetVersion,
    pub value: f64,
    pub tolerance_pct: Option<f64>,
    pub set_by: String,
    pub set_at: i64,
    pub note: String,
}

impl Target {
    /// "all" or e.g. "channel chat".
    pub fn scope_label(&self) -> String {
        if self.scope_dim.is_empty() {
            "Whole company".to_string()
        } else {
            format!("{} {}", self.scope_dim, self.scope_value)
        }
    }
}

/// One change of a target: the target as set, and the value it replaced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetChange {
    pub target: Target,
    pub previous_value: Option<f64>,
}

/// A root cause or a corrective action in the variance register, on one
/// KPI, month and scope (`scope_dim` empty = the whole company). Dates are
/// `YYYY-MM-DD`, empty when there is none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegisterEntry {
    pub id: i64,
    pub kpi: String,
    /// The month of the variance, `2025-10`.
    pub period: String,
    pub scope_dim: String,
    pub scope_value: String,
    /// `root_cause` or `corrective_action`.
    pub kind: String,
    /// A root cause's category (`volume`, `mix`, `rate`, `timing`,
    /// `one_off`, `data_quality`); empty for actions.
    pub category: String,
    pub text: String,
    /// An action's owner.
    pub owner: String,
    /// An action's status: `open`, `in_progress` or `done`.
    pub status: String,
    pub due_on: String,
    pub completed_on: String,
    pub author: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl RegisterEntry {
    pub fn is_action(&self) -> bool {
        self.kind == "corrective_action"
    }

    /// "Whole company" or e.g. "channel chat".
    pub fn scope_label(&self) -> String {
        if self.scope_dim.is_empty() {
            "Whole company".to_string()
        } else {
            format!("{} {}", self.scope_dim, self.scope_value)
        }
    }
}

/// One change of a register entry: who changed what, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterChange {
    pub entry_id: i64,
    pub kpi: String,
    pub at: i64,
    pub actor: String,
    /// `created`, `status` or `completed_on`.
    pub change: String,
    pub old_value: String,
    pub new_value: String,
}

/// A published benchmark with its source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkRecord {
    pub kpi: String,
    pub segment: String,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p90: Option<f64>,
    pub unit: String,
    pub source: String,
    pub year: i64,
}

/// A refused record: which field, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Longest ids (ticket, order, customer) and other text (channel, category,
/// team, agent, …), in characters: past these a value is a mistake, and it
/// would be repeated in every page and export that shows it.
pub const MAX_ID_CHARS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 100;
/// Largest amount or value accepted (either sign): beyond a trillion a
/// number is a unit or typing mistake, and sums of it lose their meaning.
pub const MAX_AMOUNT: f64 = 1e12;

fn refuse(field: &str, message: impl Into<String>) -> Result<(), FieldError> {
    Err(FieldError { field: field.to_string(), message: message.into() })
}

fn in_range(field: &str, value: Option<i64>, lo: i64, hi: i64) -> Result<(), FieldError> {
    match value {
        Some(v) if !(lo..=hi).contains(&v) => refuse(field, format!("{v} is outside {lo}–{hi}")),
        _ => Ok(()),
    }
}

/// A time from 1990 to `now` plus the clock skew: earlier times are the zero
/// dates of exports or typing mistakes, and would stretch every report back
/// to them (DESIGN.md §2).
fn plausible_time(field: &str, value: Option<i64>, now: i64) -> Result<(), FieldError> {
    use crate::kpi::period::FIRST_PLAUSIBLE_TIMESTAMP;
    match value {
        Some(v) if v < FIRST_PLAUSIBLE_TIMESTAMP => {
            refuse(field, format!("{v} is before 1990-01-01T00:00:00Z, the earliest time Aftercare accepts"))
        }
        Some(v) if v > now.saturating_add(MAX_CLOCK_SKEW_SECONDS) => refuse(field, "lies in the future"),
        _ => Ok(()),
    }
}

fn not_before_creation(field: &str, value: Option<i64>, created_at: i64) -> Result<(), FieldError> {
    match value {
        Some(v) if v < created_at => refuse(field, "is before created_at"),
        _ => Ok(()),
    }
}

/// Ids and dimension values: at most `max` characters, and no control
/// characters (a NUL, an escape or a line break in a category is an export
/// gone wrong, and would garble pages, logs and downloads).
fn at_most(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    // The usual case, checked by bytes: an import checks nine values a
    // ticket. A fold without an early exit, which the compiler vectorises.
    let printable_ascii = value.bytes().fold(true, |all, b| all & (b' '..=b'~').contains(&b));
    if value.len() <= max && printable_ascii {
        return Ok(());
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return refuse(field, format!("contains the control character U+{:04X}", u32::from(c)));
    }
    match value.chars().count() {
        n if n > max => refuse(field, format!("has {n} characters; at most {max} are accepted")),
        _ => Ok(()),
    }
}

/// A finite amount within ±`MAX_AMOUNT`.
fn amount(field: &str, value: f64) -> Result<(), FieldError> {
    if !value.is_finite() {
        refuse(field, "is not a finite number")
    } else if value.abs() > MAX_AMOUNT {
        refuse(field, format!("{value} is beyond ±1,000,000,000,000"))
    } else {
        Ok(())
    }
}

fn required(field: &str, value: &str) -> Result<(), FieldError> {
    if value.trim().is_empty() {
        refuse(field, "is required")
    } else {
        Ok(())
    }
}

impl TicketRecord {
    /// What the KPI aggregates count of this ticket.
    pub fn facts(&self) -> crate::kpi::TicketFacts {
        crate::kpi::TicketFacts {
            created_at: self.created_at,
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
            csat: self.csat,
            nps: self.nps,
            ces: self.ces,
            first_contact_resolved: self.first_contact_resolved,
            reopened: self.reopened,
            escalated: self.escalated,
            contacts: self.contacts,
        }
    }

    /// The ingest invariants of DESIGN.md §2; `now` in epoch seconds.
    pub fn validate(&self, now: i64) -> Result<(), FieldError> {
        required("external_id", &self.external_id)?;
        for (field, value) in [("channel", &self.channel), ("category", &self.category), ("team", &self.team)]
        {
            required(field, value)?;
        }
        let ids = [("external_id", Some(&self.external_id)), ("customer_id", self.customer_id.as_ref())];
        for (field, value) in ids.into_iter().chain([("order_id", self.order_id.as_ref())]) {
            at_most(field, value.map_or("", String::as_str), MAX_ID_CHARS)?;
        }
        let texts = [
            ("channel", &self.channel),
            ("category", &self.category),
            ("priority", &self.priority),
            ("team", &self.team),
            ("agent", &self.agent),
            ("status", &self.status),
        ];
        for (field, value) in texts {
            at_most(field, value, MAX_TEXT_CHARS)?;
        }
        at_most("product", self.product.as_deref().unwrap_or(""), MAX_TEXT_CHARS)?;
        // The documented scale on every ingest path; file imports map other
        // words onto it first (`import::priority`).
        if !crate::import::priority::SCALE.contains(&self.priority.as_str()) {
            return refuse(
                "priority",
                format!("must be low, normal, high or urgent, not '{}'", self.priority),
            );
        }
        plausible_time("created_at", Some(self.created_at), now)?;
        not_before_creation("first_response_at", self.first_response_at, self.created_at)?;
        not_before_creation("resolved_at", self.resolved_at, self.created_at)?;
        plausible_time("first_response_at", self.first_response_at, now)?;
        plausible_time("resolved_at", self.resolved_at, now)?;
        in_range("csat", self.csat, 1, 5)?;
        in_range("nps", self.nps, 0, 10)?;
        in_range("ces", self.ces, 1, 7)?;
        in_range("contacts", Some(self.contacts), 0, 10_000)
    }
}

impl OrderRecord {
    pub fn validate(&self, now: i64) -> Result<(), FieldError> {
        required("external_id", &self.external_id)?;
        required("customer_id", &self.customer_id)?;
        at_most("external_id", &self.external_id, MAX_ID_CHARS)?;
        at_most("customer_id", &self.customer_id, MAX_ID_CHARS)?;
        at_most("currency", &self.currency, MAX_TEXT_CHARS)?;
        plausible_time("placed_at", Some(self.placed_at), now)?;
        self.amount.map_or(Ok(()), |a| amount("amount", a))
    }
}

impl FinancialMonth {
    pub fn validate(&self) -> Result<(), FieldError> {
        if crate::kpi::Period::parse(&self.month).map(|p| p.grain) != Some(crate::kpi::Grain::Month) {
            return refuse("month", format!("'{}' is not a month like 2025-03", self.month));
        }
        let amounts = [
            ("revenue", self.revenue),
            ("net_income", self.net_income),
            ("operating_expenses", self.operating_expenses),
            ("support_cost", self.support_cost),
            ("marketing_spend", self.marketing_spend),
            ("gross_margin", self.gross_margin.unwrap_or(0.0)),
        ];
        for (field, v) in amounts {
            amount(field, v)?;
        }
        for (i, (channel, cost)) in self.support_cost_by_channel.iter().enumerate() {
            at_most("support_cost_by_channel", channel, MAX_TEXT_CHARS)?;
            amount("support_cost_by_channel", *cost)?;
            if self.support_cost_by_channel[..i].iter().any(|(seen, _)| seen == channel) {
                return refuse(
                    "support_cost_by_channel",
                    format!("'{channel}' is given twice: give each channel one cost"),
                );
            }
        }
        in_range("new_customers", Some(self.new_customers), 0, i64::MAX)
    }
}

impl TargetRecord {
    pub fn validate(&self) -> Result<(), FieldError> {
        if crate::kpi::Kpi::from_key(&self.kpi).is_none() {
            return refuse("kpi", format!("'{}' is not a KPI of the catalogue", self.kpi));
        }
        if crate::kpi::Period::parse(&self.period).map(|p| p.grain) != Some(crate::kpi::Grain::Month) {
            return refuse("period", format!("'{}' is not a month like 2025-03", self.period));
        }
        if !self.scope_dim.is_empty() && Dimension::parse(&self.scope_dim).is_none() {
            return refuse("scope_dim", "must be channel, category or team");
        }
        at_most("scope_value", &self.scope_value, MAX_TEXT_CHARS)?;
        at_most("note", &self.note, 1_000)?;
        amount("value", self.value)
    }
}

impl BenchmarkRecord {
    pub fn validate(&self) -> Result<(), FieldError> {
        if crate::kpi::Kpi::from_key(&self.kpi).is_none() {
            return refuse("kpi", format!("'{}' is not a KPI of the catalogue", self.kpi));
        }
        required("segment", &self.segment)?;
        required("source", &self.source)?;
        at_most("segment", &self.segment, MAX_TEXT_CHARS)?;
        at_most("source", &self.source, MAX_ID_CHARS)?;
        for (field, v) in [("p25", self.p25), ("p50", self.p50), ("p75", self.p75), ("p90", self.p90)] {
            amount(field, v.unwrap_or(0.0))?;
        }
        in_range("year", Some(self.year), 1900, 2100)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// 2023-11-14T22:13:20Z: the fixtures' times count from here.
    const T0: i64 = 1_700_000_000;
    const NOW: i64 = T0 + 10_000;

    pub fn ticket() -> TicketRecord {
        TicketRecord {
            external_id: "T-1".into(),
            created_at: T0 + 1_000,
            first_response_at: Some(T0 + 2_000),
            resolved_at: Some(T0 + 3_000),
            channel: "email".into(),
            category: "delivery".into(),
            priority: "normal".into(),
            team: "Tier 1".into(),
            agent: "ana".into(),
            status: "solved".into(),
            csat: Some(5),
            nps: Some(9),
            ces: Some(2),
            contacts: 1,
            first_contact_resolved: true,
            reopened: false,
            escalated: false,
            customer_id: Some("C-1".into()),
            order_id: None,
            product: None,
        }
    }

    fn refused_field(t: TicketRecord) -> String {
        t.validate(NOW).unwrap_err().field
    }

    #[test]
    fn a_valid_ticket_passes() {
        assert_eq!(ticket().validate(NOW), Ok(()));
    }

    #[test]
    fn each_invariant_names_its_field() {
        assert_eq!(refused_field(TicketRecord { resolved_at: Some(T0 + 500), ..ticket() }), "resolved_at");
        assert_eq!(
            refused_field(TicketRecord { first_response_at: Some(T0 + 999), ..ticket() }),
            "first_response_at"
        );
        assert_eq!(refused_field(TicketRecord { csat: Some(6), ..ticket() }), "csat");
        assert_eq!(refused_field(TicketRecord { nps: Some(11), ..ticket() }), "nps");
        assert_eq!(refused_field(TicketRecord { ces: Some(0), ..ticket() }), "ces");
        assert_eq!(
            refused_field(TicketRecord {
                created_at: T0 + 20_000,
                first_response_at: None,
                resolved_at: None,
                ..ticket()
            }),
            "created_at"
        );
        assert_eq!(refused_field(TicketRecord { external_id: " ".into(), ..ticket() }), "external_id");
        assert_eq!(refused_field(TicketRecord { priority: "Critical".into(), ..ticket() }), "priority");
    }

    #[test]
    fn small_clock_skew_is_allowed() {
        let t =
            TicketRecord { created_at: NOW + 100, first_response_at: None, resolved_at: None, ..ticket() };
        assert_eq!(t.validate(NOW), Ok(()));
    }

    #[test]
    fn times_before_1990_are_refused_naming_the_field() {
        for far_past in [i64::MIN, -10_000_000_000_000, -62_135_596_800, 631_151_999] {
            let t = TicketRecord { created_at: far_past, ..ticket() };
            let error = t.validate(NOW).unwrap_err();
            assert_eq!(error.field, "created_at");
            assert!(error.message.contains("before 1990-01-01"), "{error}");
        }
        let t =
            TicketRecord { created_at: 631_152_000, first_response_at: None, resolved_at: None, ..ticket() };
        assert_eq!(t.validate(NOW), Ok(()));
        let o = OrderRecord {
            external_id: "O".into(),
            customer_id: "C".into(),
            placed_at: -1,
            amount: Some(1.0),
            currency: "USD".into(),
        };
        assert_eq!(o.validate(NOW).unwrap_err().field, "placed_at");
    }

    #[test]
    fn json_tickets_take_rfc3339_or_epoch_times_and_leave_optional_fields_out() {
        let t: TicketRecord = serde_json::from_str(
            r#"{"external_id":"T-9","created_at":"2025-03-14T09:30:00Z","resolved_at":1741948200,
                "channel":"chat","category":"billing","team":"Tier 1","csat":5}"#,
        )
        .unwrap();
        assert_eq!((t.created_at, t.resolved_at), (1_741_944_600, Some(1_741_948_200)));
        assert_eq!((t.priority.as_str(), t.contacts, t.first_response_at), ("normal", 1, None));
        let bad = serde_json::from_str::<TicketRecord>(
            r#"{"external_id":"T","created_at":"yesterday","channel":"c","category":"c","team":"t"}"#,
        );
        assert!(bad.unwrap_err().to_string().contains("'yesterday' is not a time"));
    }

    #[test]
    fn orders_need_a_finite_amount() {
        let o = OrderRecord {
            external_id: "O".into(),
            customer_id: "C".into(),
            placed_at: T0,
            amount: Some(f64::NAN),
            currency: "USD".into(),
        };
        assert_eq!(o.validate(NOW).unwrap_err().field, "amount");
    }

    #[test]
    fn overlong_text_and_huge_amounts_are_refused_naming_the_field() {
        let mut t = ticket();
        t.category = "x".repeat(MAX_TEXT_CHARS + 1);
        let e = t.validate(NOW).unwrap_err();
        assert_eq!(e.field, "category");
        assert!(e.message.contains("at most 100"), "{}", e.message);
        let mut t = ticket();
        t.external_id = "7".repeat(MAX_ID_CHARS);
        assert_eq!(t.validate(NOW), Ok(()));
        t.external_id.push('7');
        assert_eq!(t.validate(NOW).unwrap_err().field, "external_id");

        let mut o = OrderRecord {
            external_id: "O".into(),
            customer_id: "C".into(),
            placed_at: T0,
            amount: Some(1e308),
            currency: "USD".into(),
        };
        assert_eq!(o.validate(NOW).unwrap_err().field, "amount");
        o.amount = Some(-2e12);
        assert_eq!(o.validate(NOW).unwrap_err().field, "amount");
        o.amount = Some(999_999_999_999.0);
        assert_eq!(o.validate(NOW), Ok(()));
        o.amount = None;
        assert_eq!(o.validate(NOW), Ok(()), "an unknown amount is not a fake 0");
    }
}

/// A dimension of the daily rollup, for filters and grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    Channel,
    Category,
    Team,
}

impl Dimension {
    pub const ALL: [Dimension; 3] = [Dimension::Channel, Dimension::Category, Dimension::Team];

    /// The column of the rollup; a fixed name, never user text.
    pub fn column(self) -> &'static str {
        match self {
            Dimension::Channel => "channel",
            Dimension::Category => "category",
            Dimension::Team => "team",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.column() == s)
    }
}

/// Matrix dimensions outside the daily rollup, read from the month-level
/// `dim_rollup` (migration 0011): alone, by month, or crossed with one
/// rollup dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExtraDimension {
    Agent,
    Priority,
    Product,
}

impl ExtraDimension {
    pub const ALL: [ExtraDimension; 3] =
        [ExtraDimension::Agent, ExtraDimension::Priority, ExtraDimension::Product];

    /// The tickets column and the `dim` of `dim_rollup`; a fixed name, never user text.
    pub fn column(self) -> &'static str {
        match self {
            ExtraDimension::Agent => "agent",
            ExtraDimension::Priority => "priority",
            ExtraDimension::Product => "product",
        }
    }

    pub fn parse(s: &str) -> Option<ExtraDimension> {
        ExtraDimension::ALL.into_iter().find(|d| d.column() == s)
    }
}

/// What the matrix calls the product of tickets that have none: no filter
/// on the raw tickets selects them, so such a row does not drill through.
pub const NO_PRODUCT: &str = "(no product)";

/// Optional equality filters on the rollup dimensions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Filters {
    pub channel: Option<String>,
    pub category: Option<String>,
    pub team: Option<String>,
}

/// What a user may do. Ordered: each role can do everything of the one before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads dashboards (leadership).
    Viewer,
    /// Also sets targets, writes root causes, edits financials and benchmarks.
    Manager,
    /// Also manages users, API tokens, imports and settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Manager, Role::Admin];

    pub fn key(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == s)
    }
}

/// An account as the UI sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
}

/// What an API token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenScope {
    /// Read KPIs, series, matrices.
    Read,
    /// Push tickets, orders and financials.
    Ingest,
    /// Set targets (and read them).
    Write,
}

impl TokenScope {
    pub fn key(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Ingest => "ingest",
            TokenScope::Write => "write",
        }
    }

    pub fn parse(s: &str) -> Option<TokenScope> {
        [TokenScope::Read, TokenScope::Ingest, TokenScope::Write].into_iter().find(|t| t.key() == s)
    }
}

/// An API token as listed to admins (the secret itself is shown only once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: i64,
    pub label: String,
    pub scope: TokenScope,
    pub created_by: String,
    pub created_at: i64,
    pub revoked: bool,
}

/// One change in the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub old_value: String,
    pub new_value: String,
}

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_LENGTH: usize = 10;

/// Usernames: 3–40 characters of letters, digits and `._-@`, stored lower-case.
pub fn normalise_username(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim().to_lowercase();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._-@".contains(c);
    if !(3..=40).contains(&name.chars().count()) || !name.chars().all(allowed) {
        return Err(FieldError {
            field: "username".into(),
            message: "Use 3 to 40 letters, digits or . _ - @".into(),
        });
    }
    Ok(name)
}
