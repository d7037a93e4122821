//! What a refused file is told: how many rows were refused in all, how many
//! for each reason, and the first few rows themselves — and the rows that
//! repeat an external id, when the mapping does not say what they mean.

use super::convert::RowError;
use super::RepeatedId;
use std::collections::BTreeMap;

/// Refused rows listed one by one.
pub const MAX_LISTED: usize = 20;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refusals {
    pub total: u64,
    /// Reason → rows refused for it.
    pub by_reason: BTreeMap<String, u64>,
    /// The first refused rows, in file order.
    pub first: Vec<RowError>,
}

impl Refusals {
    pub fn add(&mut self, error: RowError) {
        self.total += 1;
        *self.by_reason.entry(error.reason.clone()).or_default() += 1;
        if self.first.len() < MAX_LISTED {
            self.first.push(error);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// "3 rows refused: 2 × created_at is not…; 1 × csat is outside…".
    pub fn summary(&self) -> String {
        let mut reasons: Vec<(&String, &u64)> = self.by_reason.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let reasons: Vec<String> = reasons.iter().map(|(reason, n)| format!("{n} × {reason}")).collect();
        format!("{} refused: {}", rows(self.total), reasons.join("; "))
    }
}

impl std::fmt::Display for Refusals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.summary())?;
        if let Some(first) = self.first.first() {
            write!(f, "; first: {first}")?;
        }
        Ok(())
    }
}

/// "1 row", "1,234 rows".
pub fn rows(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out} row{}", if n == 1 { "" } else { "s" })
}

/// Rows repeating an earlier row's external id, counted and the first
/// listed. Which ids came before is the sink's to know (`Sink::note_id`):
/// it keeps them anyway, to tell the writer which records repeat one.
#[derive(Default)]
pub struct Repeats {
    pub count: u64,
    pub first: Vec<RepeatedId>,
}

impl Repeats {
    /// Notes a row's id and the row an earlier row had it on, if one did;
    /// true when one did.
    pub fn note(&mut self, id: &str, row: u64, first_row: Option<u64>) -> bool {
        let Some(first_row) = first_row else { return false };
        self.count += 1;
        if self.first.len() < MAX_LISTED {
            self.first.push(RepeatedId { external_id: id.to_string(), row, first_row });
        }
        true
    }

    /// Why a strict import refuses a file with repeated ids.
    pub fn refusal(&self) -> String {
        let listed: Vec<String> = self.first.iter().take(5).map(|r| r.to_string()).collect();
        format!(
            "{} repeat the external id of an earlier row ({}{}). Say in the mapping what they mean: \
             repeated = \"last\" (an export with updates: the last row of each id wins), \
             repeated = \"first\" (one row per line item: the first row of each id wins) or \
             repeated = \"events\" (an event log: the rows of one id are aggregated into one ticket)",
            rows(self.count),
            listed.join(", "),
            if self.count > 5 { ", …" } else { "" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(row: u64, reason: &str) -> RowError {
        RowError { row, data_row: row - 1, column: "c".into(), value: "v".into(), reason: reason.into() }
    }

    #[test]
    fn every_refused_row_is_counted_by_reason_and_the_first_are_listed() {
        let mut r = Refusals::default();
        for row in 2..30 {
            r.add(refused(
                row,
                if row % 4 == 0 { "csat is outside the scale" } else { "created_at is required" },
            ));
        }
        assert_eq!(r.total, 28);
        assert_eq!(r.first.len(), MAX_LISTED);
        assert_eq!(r.by_reason["csat is outside the scale"], 7);
        assert_eq!(
            r.summary(),
            "28 rows refused: 21 × created_at is required; 7 × csat is outside the scale"
        );
        assert!(r
            .to_string()
            .ends_with("first: row 2 (data row 1), column 'c', value 'v': created_at is required"));
    }

    #[test]
    fn repeated_ids_are_counted_with_their_rows() {
        let mut r = Repeats::default();
        assert!(!r.note("A", 2, None));
        assert!(!r.note("B", 3, None));
        assert!(r.note("A", 4, Some(2)));
        assert!(r.note("A", 5, Some(2)));
        assert_eq!(r.count, 2);
        assert_eq!(r.first[0], RepeatedId { external_id: "A".into(), row: 4, first_row: 2 });
        assert!(r.refusal().starts_with(
            "2 rows repeat the external id of an earlier row (row 4 repeats 'A' of row 2, row 5"
        ));
        assert_eq!(rows(1_234_567), "1,234,567 rows");
    }
}
