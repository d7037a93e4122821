//! Actual against target: variance, variance %, favourable by direction and
//! a status against a tolerance band.

use super::catalogue::Direction;
use super::formulas::ratio;
use serde::{Deserialize, Serialize};

/// Where an actual stands against its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Better than or equal to the target.
    OnTarget,
    /// Worse, but within the tolerance band.
    Watch,
    /// Worse than the tolerance band allows.
    OffTarget,
    /// No actual or no target.
    NoData,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Variance {
    pub actual: Option<f64>,
    pub target: Option<f64>,
    /// actual − target
    pub variance: Option<f64>,
    /// (actual − target) ÷ |target| × 100
    pub variance_pct: Option<f64>,
    /// Whether the variance is good news; `None` for neutral KPIs or no data.
    pub favourable: Option<bool>,
    pub status: Status,
}

/// Default tolerance band: 5 % of the target.
pub const DEFAULT_TOLERANCE_PCT: f64 = 5.0;

impl Variance {
    pub fn new(
        actual: Option<f64>,
        target: Option<f64>,
        direction: Direction,
        tolerance_pct: f64,
    ) -> Variance {
        let variance = actual.zip(target).map(|(a, t)| a - t);
        let variance_pct = variance.zip(target).and_then(|(v, t)| ratio(v * 100.0, t.abs()));
        let favourable = variance.and_then(|v| match direction {
            Direction::Higher => Some(v >= 0.0),
            Direction::Lower => Some(v <= 0.0),
            Direction::Neutral => None,
        });
        let status = match (favourable, variance_pct) {
            (Some(true), _) => Status::OnTarget,
            (Some(false), Some(pct)) if pct.abs() <= tolerance_pct => Status::Watch,
            (Some(false), _) => Status::OffTarget,
            (None, _) => Status::NoData,
        };
        Variance { actual, target, variance, variance_pct, favourable, status }
    }
}

impl Variance {
    /// Variance % signed so that positive is better, whatever the direction.
    pub fn improvement_pct(&self, direction: Direction) -> Option<f64> {
        let sign = if direction == Direction::Lower { -1.0 } else { 1.0 };
        self.variance_pct.map(|p| p * sign)
    }
}

/// The watch zone of a target: the values worse than it but within the
/// tolerance, as (low, high). `None` for neutral KPIs.
pub fn watch_band(target: f64, direction: Direction, tolerance_pct: f64) -> Option<(f64, f64)> {
    let tolerance = target.abs() * tolerance_pct / 100.0;
    match direction {
        Direction::Higher => Some((target - tolerance, target)),
        Direction::Lower => Some((target, target + tolerance)),
        Direction::Neutral => None,
    }
}

/// Whether a change from `before` to `after` is an improvement, by direction.
pub fn is_improvement(before: f64, after: f64, direction: Direction) -> Option<bool> {
    match direction {
        _ if before == after => None,
        Direction::Higher => Some(after > before),
        Direction::Lower => Some(after < before),
        Direction::Neutral => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_is_better_above_target_is_favourable() {
        let v = Variance::new(Some(84.0), Some(80.0), Direction::Higher, 5.0);
        assert_eq!(v.variance, Some(4.0));
        assert_eq!(v.variance_pct, Some(5.0));
        assert_eq!((v.favourable, v.status), (Some(true), Status::OnTarget));
    }

    #[test]
    fn lower_is_better_above_target_is_unfavourable() {
        let v = Variance::new(Some(10.4), Some(10.0), Direction::Lower, 5.0);
        assert_eq!(v.favourable, Some(false));
        assert_eq!(v.status, Status::Watch);
        let v = Variance::new(Some(12.0), Some(10.0), Direction::Lower, 5.0);
        assert_eq!(v.status, Status::OffTarget);
    }

    #[test]
    fn variance_pct_uses_the_absolute_target() {
        let v = Variance::new(Some(-5.0), Some(-10.0), Direction::Higher, 5.0);
        assert_eq!(v.variance_pct, Some(50.0));
        assert_eq!(v.favourable, Some(true));
    }

    #[test]
    fn no_target_or_zero_target_gives_no_percentage() {
        assert_eq!(Variance::new(Some(5.0), None, Direction::Higher, 5.0).status, Status::NoData);
        assert_eq!(Variance::new(Some(5.0), Some(0.0), Direction::Higher, 5.0).variance_pct, None);
        assert_eq!(Variance::new(Some(-1.0), Some(0.0), Direction::Higher, 5.0).status, Status::OffTarget);
    }

    #[test]
    fn improvement_pct_is_positive_when_better() {
        let lower = Variance::new(Some(9.0), Some(10.0), Direction::Lower, 5.0);
        assert_eq!(lower.improvement_pct(Direction::Lower), Some(10.0));
        let higher = Variance::new(Some(9.0), Some(10.0), Direction::Higher, 5.0);
        assert_eq!(higher.improvement_pct(Direction::Higher), Some(-10.0));
    }

    #[test]
    fn improvement_follows_direction() {
        assert_eq!(is_improvement(80.0, 82.0, Direction::Higher), Some(true));
        assert_eq!(is_improvement(5.0, 6.0, Direction::Lower), Some(false));
        assert_eq!(is_improvement(5.0, 5.0, Direction::Lower), None);
    }

    #[test]
    fn the_watch_band_lies_on_the_worse_side_of_the_target() {
        assert_eq!(watch_band(80.0, Direction::Higher, 5.0), Some((76.0, 80.0)));
        assert_eq!(watch_band(4.0, Direction::Lower, 5.0), Some((4.0, 4.2)));
        assert_eq!(watch_band(10.0, Direction::Neutral, 5.0), None);
        // Every value inside the band has the status Watch.
        for actual in [76.0, 78.0, 79.9] {
            assert_eq!(Variance::new(Some(actual), Some(80.0), Direction::Higher, 5.0).status, Status::Watch);
        }
    }
}
