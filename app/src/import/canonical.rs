//! The canonical CSV format: one column per field of the kind, named as the
//! field, times in RFC 3339 UTC, booleans as true/false, empty for no value.
//! What the exports write and the import reads without a mapping.

use super::fields::{FieldType, Kind};
use serde::Serialize;
use serde_json::Value;

pub fn header(kind: Kind) -> Vec<&'static str> {
    kind.fields().iter().map(|f| f.name).collect()
}

/// One record as the cells of its canonical row.
pub fn row<T: Serialize>(kind: Kind, record: &T) -> Vec<String> {
    let value = serde_json::to_value(record).unwrap_or(Value::Null);
    kind.fields()
        .iter()
        .map(|f| match (value.get(f.name), f.ty) {
            (None | Some(Value::Null), _) => String::new(),
            (Some(Value::Number(n)), FieldType::Timestamp) => n
                .as_i64()
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            (Some(Value::String(s)), _) => s.clone(),
            (Some(other), _) => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::OrderRecord;

    #[test]
    fn orders_are_written_with_utc_times() {
        let order = OrderRecord {
            external_id: "O-1".into(),
            customer_id: "C-1".into(),
            placed_at: 1_741_944_600,
            amount: Some(89.9),
            currency: "EUR".into(),
        };
        assert_eq!(header(Kind::Orders), ["external_id", "customer_id", "placed_at", "amount", "currency"]);
        assert_eq!(row(Kind::Orders, &order), ["O-1", "C-1", "2025-03-14T09:30:00Z", "89.9", "EUR"]);
    }
}
