//! The variance register: which variances need an explanation (unfavourable
//! beyond the KPI's materiality), the categories of root causes, the states
//! of corrective actions, and whether a KPI moved back toward its target
//! after an action was done (a before/after comparison of its gap).

use super::catalogue::Direction;
use super::period::Period;
use super::variance::Variance;
use serde::{Deserialize, Serialize};

/// Materiality when none is set: an unfavourable variance beyond 5 % of the
/// target needs an explanation.
pub const DEFAULT_MATERIALITY_PCT: f64 = 5.0;

/// Root-cause categories: (key, label).
pub const CATEGORIES: [(&str, &str); 6] = [
    ("volume", "Volume"),
    ("mix", "Mix"),
    ("rate", "Rate"),
    ("timing", "Timing"),
    ("one_off", "One-off event"),
    ("data_quality", "Data quality"),
];

/// Corrective-action states: (key, label).
pub const STATUSES: [(&str, &str); 3] = [("open", "Open"), ("in_progress", "In progress"), ("done", "Done")];

/// The label of a category or status key; the key itself when unknown.
pub fn label_of(list: &[(&'static str, &'static str)], key: &str) -> String {
    list.iter().find(|(k, _)| *k == key).map_or(key.to_string(), |(_, l)| l.to_string())
}

/// Whether a variance belongs in the register as needing an explanation:
/// unfavourable, and beyond `materiality_pct` % of the target (any
/// unfavourable variance against a target of 0, which has no %).
pub fn is_material(v: &Variance, materiality_pct: f64) -> bool {
    v.favourable == Some(false) && v.variance_pct.is_none_or(|p| p.abs() > materiality_pct)
}

/// Months compared on each side of the month an action was completed.
pub const WINDOW_MONTHS: usize = 3;
/// Months with an actual and a target each side needs before a verdict.
pub const MIN_MONTHS: usize = 2;

/// What the KPI did after an action was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recovery {
    /// The gap to target narrowed (or the lead over it grew).
    Toward,
    /// The gap widened.
    Away,
    /// The gap is the same.
    Unchanged,
    /// Fewer than [`MIN_MONTHS`] months with data on a side.
    NotEnoughData,
}

impl Recovery {
    pub fn label(self) -> &'static str {
        match self {
            Recovery::Toward => "Moved toward target",
            Recovery::Away => "Moved away from target",
            Recovery::Unchanged => "No change",
            Recovery::NotEnoughData => "Not enough data yet",
        }
    }
}

/// The before/after comparison of one completed action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BeforeAfter {
    /// The mean gap to target (positive: better than target) in the months
    /// before and after the completion month, where there are enough.
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub months_before: i64,
    pub months_after: i64,
    pub outcome: Recovery,
}

/// One month of a KPI: its actual and the target in force.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthGap {
    pub month: Period,
    pub actual: Option<f64>,
    pub target: Option<f64>,
}

/// How good a month was against its target, higher is better: actual −
/// target, turned round for lower-is-better KPIs; for a neutral KPI minus
/// the distance to target.
fn score(actual: f64, target: f64, direction: Direction) -> f64 {
    match direction {
        Direction::Higher => actual - target,
        Direction::Lower => target - actual,
        Direction::Neutral => -(actual - target).abs(),
    }
}

/// Compares the mean gap to target in the [`WINDOW_MONTHS`] months before
/// `completed` with the same number after it (the completion month itself
/// is mixed and left out). Months without an actual or target are skipped.
pub fn before_after(months: &[MonthGap], completed: Period, direction: Direction) -> BeforeAfter {
    let first = (0..WINDOW_MONTHS).fold(completed, |p, _| p.prev());
    let last = (0..WINDOW_MONTHS).fold(completed, |p, _| p.next());
    let side = |inside: &dyn Fn(Period) -> bool| -> Vec<f64> {
        months
            .iter()
            .filter(|m| inside(m.month))
            .filter_map(|m| Some(score(m.actual?, m.target?, direction)))
            .filter(|s| s.is_finite())
            .collect()
    };
    let before = side(&|p| p >= first && p < completed);
    let after = side(&|p| p > completed && p <= last);
    let mean = |v: &[f64]| (v.len() >= MIN_MONTHS).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let (b, a) = (mean(&before), mean(&after));
    let outcome = match (b, a) {
        (Some(b), Some(a)) => {
            // Differences below a millionth of the scale are rounding, not movement.
            let eps = 1e-9 * b.abs().max(a.abs()).max(1.0);
            if a > b + eps {
                Recovery::Toward
            } else if a < b - eps {
                Recovery::Away
            } else {
                Recovery::Unchanged
            }
        }
        _ => Recovery::NotEnoughData,
    };
    BeforeAfter {
        before: b,
        after: a,
        months_before: before.len() as i64,
        months_after: after.len() as i64,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn gaps(rows: &[(&str, Option<f64>, Option<f64>)]) -> Vec<MonthGap> {
        rows.iter().map(|(m, a, t)| MonthGap { month: month(m), actual: *a, target: *t }).collect()
    }

    #[test]
    fn only_unfavourable_variances_beyond_materiality_need_an_explanation() {
        let v = |a: f64, t: f64, d| Variance::new(Some(a), Some(t), d, 5.0);
        // CSAT 72 against 80: 10 % short; material at 5 %, not at 10 %.
        assert!(is_material(&v(72.0, 80.0, Direction::Higher), 5.0));
        assert!(!is_material(&v(72.0, 80.0, Direction::Higher), 10.0));
        // Favourable is never material, however large.
        assert!(!is_material(&v(99.0, 80.0, Direction::Higher), 5.0));
        // Lower is better: 12 h against 10 h is 20 % unfavourable.
        assert!(is_material(&v(12.0, 10.0, Direction::Lower), 15.0));
        // Neutral KPIs and missing targets are never in the register.
        assert!(!is_material(&v(50.0, 10.0, Direction::Neutral), 5.0));
        assert!(!is_material(&Variance::new(Some(1.0), None, Direction::Higher, 5.0), 5.0));
        // Against a target of 0 there is no %: any shortfall counts.
        assert!(is_material(&v(-1.0, 0.0, Direction::Higher), 5.0));
    }

    #[test]
    fn a_gap_that_narrows_after_the_action_moved_toward_target() {
        // CSAT, target 80. Before (Jul–Sep): 70, 72, 74 → gaps −10, −8, −6, mean −8.
        // October is the completion month (left out). After (Nov–Jan): 78, 79, 83
        // → −2, −1, +3, mean 0. 0 > −8: toward.
        let t = Some(80.0);
        let rows = gaps(&[
            ("2025-06", Some(10.0), t),
            ("2025-07", Some(70.0), t),
            ("2025-08", Some(72.0), t),
            ("2025-09", Some(74.0), t),
            ("2025-10", Some(10.0), t),
            ("2025-11", Some(78.0), t),
            ("2025-12", Some(79.0), t),
            ("2026-01", Some(83.0), t),
            ("2026-02", Some(10.0), t),
        ]);
        let r = before_after(&rows, month("2025-10"), Direction::Higher);
        assert_eq!((r.before, r.after), (Some(-8.0), Some(0.0)));
        assert_eq!((r.months_before, r.months_after, r.outcome), (3, 3, Recovery::Toward));
    }

    #[test]
    fn lower_is_better_kpis_are_judged_by_their_direction() {
        // Resolution hours, target 10. Before: 11, 12 (gaps −1, −2, mean −1.5).
        // After: 13, 15 with the target raised to 12 (gaps −1, −3, mean −2): away.
        let rows = gaps(&[
            ("2025-08", Some(11.0), Some(10.0)),
            ("2025-09", Some(12.0), Some(10.0)),
            ("2025-11", Some(13.0), Some(12.0)),
            ("2025-12", Some(15.0), Some(12.0)),
        ]);
        let r = before_after(&rows, month("2025-10"), Direction::Lower);
        assert_eq!((r.before, r.after, r.outcome), (Some(-1.5), Some(-2.0), Recovery::Away));
        // The same gaps on both sides: no change.
        let same = gaps(&[
            ("2025-08", Some(11.0), Some(10.0)),
            ("2025-09", Some(11.0), Some(10.0)),
            ("2025-11", Some(13.0), Some(12.0)),
            ("2025-12", Some(13.0), Some(12.0)),
        ]);
        assert_eq!(before_after(&same, month("2025-10"), Direction::Lower).outcome, Recovery::Unchanged);
    }

    #[test]
    fn too_few_months_after_the_action_is_not_enough_data_yet() {
        // One month after (November) and a month without a target: not enough.
        let rows = gaps(&[
            ("2025-08", Some(70.0), Some(80.0)),
            ("2025-09", Some(72.0), Some(80.0)),
            ("2025-11", Some(90.0), Some(80.0)),
            ("2025-12", Some(90.0), None),
        ]);
        let r = before_after(&rows, month("2025-10"), Direction::Higher);
        assert_eq!((r.before, r.after), (Some(-9.0), None));
        assert_eq!((r.months_before, r.months_after, r.outcome), (2, 1, Recovery::NotEnoughData));
        assert_eq!(before_after(&[], month("2025-10"), Direction::Higher).outcome, Recovery::NotEnoughData);
    }

    #[test]
    fn labels_of_keys() {
        assert_eq!(label_of(&CATEGORIES, "one_off"), "One-off event");
        assert_eq!(label_of(&STATUSES, "in_progress"), "In progress");
        assert_eq!(label_of(&STATUSES, "odd"), "odd");
    }
}
