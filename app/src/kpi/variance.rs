//! Actual against target: variance, variance %, favourable by direction, a
//! status against a tolerance band, which segments caused a variance, the
//! mix vs rate decomposition of a change between two periods, and the rule
//! that suggests a target.

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

/// Worst first: off target, then within tolerance, then on target, then
/// the KPIs that cannot be judged (no target, no actual or neutral).
pub fn severity(status: Status) -> u8 {
    match status {
        Status::OffTarget => 0,
        Status::Watch => 1,
        Status::OnTarget => 2,
        Status::NoData => 3,
    }
}

/// Orders variances worst first: by status, then by how far they are from
/// target in the bad direction (the largest shortfall first).
pub fn worst_first(a: (&Variance, Direction), b: (&Variance, Direction)) -> std::cmp::Ordering {
    let key =
        |(v, d): (&Variance, Direction)| (severity(v.status), v.improvement_pct(d).unwrap_or(f64::INFINITY));
    let (ka, kb) = (key(a), key(b));
    ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
}

/// One segment (a channel, category or team) of a rate KPI in one period:
/// its volume (the tickets or responses the rate is taken over) and its rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub name: String,
    pub volume: f64,
    pub rate: f64,
}

/// How much each segment contributed to a change of the overall rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentEffect {
    pub name: String,
    /// Its share of the volume before and after (0–1).
    pub share_before: f64,
    pub share_after: f64,
    pub rate_before: Option<f64>,
    pub rate_after: Option<f64>,
    /// The change due to the shift of volume into or out of this segment.
    pub mix: f64,
    /// The change due to the segment's own rate moving.
    pub rate: f64,
}

/// The change of a volume-weighted rate between two periods, split into mix
/// (volume moving between segments) and rate (performance within segments).
/// With shares s, rates r and overall rate R, before (0) and after (1):
/// rate effect = Σ s₀ (r₁ − r₀), mix effect = Σ (s₁ − s₀)(r₁ − R₁), and
/// mix + rate = Σ s₁r₁ − Σ s₀r₀ = R₁ − R₀ exactly (the shares' changes sum
/// to zero, so subtracting R₁ changes no total). Per segment, moving volume
/// into a segment below the overall rate counts against it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MixRate {
    /// The overall (volume-weighted) rate before and after.
    pub before: f64,
    pub after: f64,
    pub mix: f64,
    pub rate: f64,
    /// Per segment, by name.
    pub segments: Vec<SegmentEffect>,
}

impl MixRate {
    pub fn total(&self) -> f64 {
        self.after - self.before
    }
}

fn volume_of(list: &[Segment]) -> f64 {
    list.iter().map(|x| x.volume.max(0.0)).sum()
}

/// The decomposition of the change from `before` to `after`; `None` when a
/// period has no volume. A segment present in one period only takes the
/// other period's rate (its own rate did not "move"): all its effect is mix.
pub fn mix_rate(before: &[Segment], after: &[Segment]) -> Option<MixRate> {
    let (w0, w1) = (volume_of(before), volume_of(after));
    if w0 <= 0.0 || w1 <= 0.0 {
        return None;
    }
    let mut names: Vec<&str> = before.iter().chain(after).map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let find = |list: &[Segment], name: &str| {
        list.iter().find(|s| s.name == name && s.volume > 0.0).map(|s| (s.volume / volume_of(list), s.rate))
    };
    let weighted =
        |list: &[Segment]| list.iter().filter(|s| s.volume > 0.0).map(|s| s.volume * s.rate).sum::<f64>();
    let (before_rate, after_rate) = (weighted(before) / w0, weighted(after) / w1);
    let segments: Vec<SegmentEffect> = names
        .into_iter()
        .map(|name| {
            let (b, a) = (find(before, name), find(after, name));
            let (s0, s1) = (b.map_or(0.0, |x| x.0), a.map_or(0.0, |x| x.0));
            let r0 = b.map(|x| x.1);
            let r1 = a.map(|x| x.1);
            // A rate that does not exist is taken to equal the other period's.
            let (r0v, r1v) = match (r0, r1) {
                (Some(x), Some(y)) => (x, y),
                (Some(x), None) => (x, x),
                (None, Some(y)) => (y, y),
                (None, None) => (0.0, 0.0),
            };
            SegmentEffect {
                name: name.to_string(),
                share_before: s0,
                share_after: s1,
                rate_before: r0,
                rate_after: r1,
                mix: (s1 - s0) * (r1v - after_rate),
                rate: s0 * (r1v - r0v),
            }
        })
        .collect();
    Some(MixRate {
        before: before_rate,
        after: after_rate,
        mix: segments.iter().map(|s| s.mix).sum(),
        rate: segments.iter().map(|s| s.rate).sum(),
        segments,
    })
}

/// Each segment's part of a variance against one target: share × (segment
/// actual − target). The parts add up to the volume-weighted actual minus
/// the target, so they say which segments pulled the total off target.
pub fn segment_impacts(segments: &[Segment], target: f64) -> Vec<(String, f64)> {
    let total = volume_of(segments);
    if total <= 0.0 {
        return Vec::new();
    }
    segments.iter().map(|s| (s.name.clone(), s.volume.max(0.0) / total * (s.rate - target))).collect()
}

/// Improvement the suggested target asks for over the recent median: 2 %.
pub const SUGGESTED_IMPROVEMENT_PCT: f64 = 2.0;

/// How a target is suggested, in words for the form.
pub const SUGGESTION_RULE: &str =
    "the median of the last 6 monthly actuals, improved by 2 % in the KPI's better direction \
     (percentages kept within 0–100; a neutral KPI keeps its median)";

/// The median of up to the last six actuals (oldest first), moved
/// [`SUGGESTED_IMPROVEMENT_PCT`] toward better; `None` without actuals.
pub fn suggest_target(actuals: &[f64], direction: Direction, percent: bool) -> Option<f64> {
    let mut last: Vec<f64> = actuals.iter().rev().take(6).copied().filter(|v| v.is_finite()).collect();
    if last.is_empty() {
        return None;
    }
    last.sort_by(f64::total_cmp);
    let n = last.len();
    let median = if n % 2 == 1 { last[n / 2] } else { (last[n / 2 - 1] + last[n / 2]) / 2.0 };
    let step = median.abs() * SUGGESTED_IMPROVEMENT_PCT / 100.0;
    let suggested = match direction {
        Direction::Higher => median + step,
        Direction::Lower => median - step,
        Direction::Neutral => median,
    };
    Some(if percent { suggested.clamp(0.0, 100.0) } else { suggested })
}

/// Whether `target` asks for less than `last_year` achieved (by direction).
pub fn worse_than(target: f64, last_year: f64, direction: Direction) -> bool {
    match direction {
        Direction::Higher => target < last_year,
        Direction::Lower => target > last_year,
        Direction::Neutral => false,
    }
}

/// Whether `target` lies beyond a benchmark's p90: further out than p90
/// on p90's side of the median (`p50`, else `p75`), so that fewer than 1 in
/// 10 of the benchmark's companies lie beyond it. Reading the side from the
/// data holds whether a library orders a lower-is-better KPI's percentiles
/// by value or by performance. `false` without p90 and a median.
pub fn beyond_p90(target: f64, p50: Option<f64>, p75: Option<f64>, p90: Option<f64>) -> bool {
    let (Some(p90), Some(middle)) = (p90, p50.or(p75)) else { return false };
    if p90 > middle {
        target > p90
    } else if p90 < middle {
        target < p90
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(name: &str, volume: f64, rate: f64) -> Segment {
        Segment { name: name.into(), volume, rate }
    }

    #[test]
    fn variance_and_percentage_for_both_directions() {
        // Lower is better: 3 h against 4 h is 1 h (25 %) better.
        let v = Variance::new(Some(3.0), Some(4.0), Direction::Lower, 5.0);
        assert_eq!((v.variance, v.variance_pct, v.favourable), (Some(-1.0), Some(-25.0), Some(true)));
        assert_eq!(v.status, Status::OnTarget);
        // Higher is better: 72 against 80 is 8 points (10 %) short, beyond 5 %.
        let v = Variance::new(Some(72.0), Some(80.0), Direction::Higher, 5.0);
        assert_eq!((v.variance, v.variance_pct, v.favourable), (Some(-8.0), Some(-10.0), Some(false)));
        assert_eq!(v.status, Status::OffTarget);
        // The same shortfall is within a 10 % band, and not within 9.9 %.
        assert_eq!(Variance::new(Some(72.0), Some(80.0), Direction::Higher, 10.0).status, Status::Watch);
        assert_eq!(Variance::new(Some(72.0), Some(80.0), Direction::Higher, 9.9).status, Status::OffTarget);
    }

    #[test]
    fn worst_first_puts_the_largest_shortfall_first() {
        let lower = Direction::Lower;
        let higher = Direction::Higher;
        let a = Variance::new(Some(12.0), Some(10.0), lower, 5.0); // 20 % worse
        let b = Variance::new(Some(70.0), Some(80.0), higher, 5.0); // 12.5 % worse
        let c = Variance::new(Some(79.0), Some(80.0), higher, 5.0); // watch
        let d = Variance::new(Some(85.0), Some(80.0), higher, 5.0); // on target
        let e = Variance::new(Some(85.0), None, higher, 5.0); // no target
        let mut all = [(&e, higher), (&d, higher), (&c, higher), (&b, higher), (&a, lower)];
        all.sort_by(|x, y| worst_first(*x, *y));
        let order: Vec<Option<f64>> = all.iter().map(|(v, _)| v.actual).collect();
        assert_eq!(order, vec![Some(12.0), Some(70.0), Some(79.0), Some(85.0), Some(85.0)]);
        assert_eq!(all[3].0.status, Status::OnTarget);
    }

    #[test]
    fn mix_and_rate_of_two_segments_sum_exactly_to_the_change() {
        // Before: email 100 tickets at 80 %, chat 100 at 60 % → 70 %.
        // After: email 50 at 90 %, chat 150 at 60 % → (4500 + 9000) / 200 = 67.5 %.
        // Rate: 0.5 × (90 − 80) + 0.5 × 0 = 5.
        // Mix: (0.25 − 0.5) × (90 − 67.5) + (0.75 − 0.5) × (60 − 67.5) = −5.625 − 1.875 = −7.5.
        let before = [seg("email", 100.0, 80.0), seg("chat", 100.0, 60.0)];
        let after = [seg("email", 50.0, 90.0), seg("chat", 150.0, 60.0)];
        let m = mix_rate(&before, &after).unwrap();
        assert_eq!((m.before, m.after), (70.0, 67.5));
        assert_eq!((m.mix, m.rate), (-7.5, 5.0));
        assert_eq!(m.mix + m.rate, m.total());
        let chat = &m.segments[0];
        assert_eq!((chat.name.as_str(), chat.mix, chat.rate), ("chat", -1.875, 0.0));
        let email = &m.segments[1];
        assert_eq!((email.share_before, email.share_after, email.mix, email.rate), (0.5, 0.25, -5.625, 5.0));
    }

    #[test]
    fn a_segment_that_appears_or_vanishes_is_all_mix() {
        // Before: email 100 at 80. After: email 100 at 80, chat 100 at 60 → 70.
        let m =
            mix_rate(&[seg("email", 100.0, 80.0)], &[seg("email", 100.0, 80.0), seg("chat", 100.0, 60.0)])
                .unwrap();
        assert_eq!((m.total(), m.mix, m.rate), (-10.0, -10.0, 0.0));
        // Each half of the shift: chat enters at 10 below the new 70, email drops from all the volume.
        assert_eq!(m.segments.iter().map(|s| s.mix).collect::<Vec<_>>(), vec![-5.0, -5.0]);
        let m =
            mix_rate(&[seg("email", 100.0, 80.0), seg("chat", 100.0, 60.0)], &[seg("email", 100.0, 80.0)])
                .unwrap();
        assert_eq!((m.total(), m.mix, m.rate), (10.0, 10.0, 0.0));
        assert_eq!(mix_rate(&[], &[seg("email", 1.0, 1.0)]), None);
    }

    #[test]
    fn segment_impacts_add_up_to_the_variance_of_the_weighted_actual() {
        // Target 80; email 100 at 90 (+10), chat 300 at 70 (−10): actual 75, variance −5.
        let impacts = segment_impacts(&[seg("email", 100.0, 90.0), seg("chat", 300.0, 70.0)], 80.0);
        assert_eq!(impacts, vec![("email".to_string(), 2.5), ("chat".to_string(), -7.5)]);
        assert_eq!(impacts.iter().map(|(_, v)| v).sum::<f64>(), -5.0);
    }

    #[test]
    fn the_suggested_target_is_the_recent_median_improved_by_two_percent() {
        // Last six of eight: 60, 70, 80, 90, 100, 50 → median (70 + 80) / 2 = 75; +2 % = 76.5.
        let actuals = [1.0, 2.0, 60.0, 70.0, 80.0, 90.0, 100.0, 50.0];
        assert_eq!(suggest_target(&actuals, Direction::Higher, false), Some(76.5));
        assert_eq!(suggest_target(&actuals, Direction::Lower, false), Some(73.5));
        assert_eq!(suggest_target(&actuals, Direction::Neutral, false), Some(75.0));
        assert_eq!(suggest_target(&[99.0, 100.0, 100.0], Direction::Higher, true), Some(100.0));
        assert_eq!(suggest_target(&[], Direction::Higher, false), None);
    }

    #[test]
    fn beyond_p90_is_read_from_the_side_of_the_median_p90_lies_on() {
        // CSAT by value: p50 80, p90 90. 91 is beyond, 90 is not.
        assert!(beyond_p90(91.0, Some(80.0), None, Some(90.0)));
        assert!(!beyond_p90(90.0, Some(80.0), None, Some(90.0)));
        // First response hours ordered by performance: p50 12 h, p90 2 h. 1 h is beyond.
        assert!(beyond_p90(1.0, Some(12.0), Some(5.0), Some(2.0)));
        assert!(!beyond_p90(3.0, None, Some(5.0), Some(2.0)));
        // Without a p90 or anything to tell its side: no warning.
        assert!(!beyond_p90(1e9, Some(80.0), None, None));
        assert!(!beyond_p90(1e9, None, None, Some(90.0)));
    }

    #[test]
    fn worse_than_last_year_follows_direction() {
        assert!(worse_than(70.0, 75.0, Direction::Higher));
        assert!(!worse_than(80.0, 75.0, Direction::Higher));
        assert!(worse_than(5.0, 4.0, Direction::Lower));
        assert!(!worse_than(5.0, 4.0, Direction::Neutral));
    }

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
