//! Early warning: which segments (categories, channels, teams) are rising
//! faster than usual. Two statistics, both blind to ordinary seasonality:
//!
//! - **share of tickets**: a segment's share of all tickets in the latest
//!   period against the mean share of the trailing baseline periods. A busy
//!   season lifts every segment alike and leaves the shares where they were;
//! - **dissatisfaction rate**: the share of CSAT responses that are not
//!   satisfied, against the baseline's pooled rate.
//!
//! Each is a z-score: (latest − baseline) ÷ the larger of the baseline's own
//! period-to-period standard deviation and the binomial standard error of the
//! latest period. The first keeps a naturally jumpy segment quiet, the
//! second a small one.

use serde::{Deserialize, Serialize};

/// One segment's counts in one period.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    pub tickets: i64,
    /// CSAT responses, and those not satisfied.
    pub rated: i64,
    pub dissatisfied: i64,
}

/// A z-score at or above this is significant.
pub const ALARM_Z: f64 = 3.0;

/// Which statistic raised a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    Share,
    Dissatisfaction,
}

/// One segment's latest period against its baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub segment: String,
    pub tickets: i64,
    /// Mean tickets per baseline period.
    pub baseline_tickets: f64,
    /// Share of all tickets, percent: latest and baseline mean.
    pub share: Option<f64>,
    pub baseline_share: Option<f64>,
    pub share_z: Option<f64>,
    /// Dissatisfied CSAT responses, percent: latest and baseline (pooled).
    pub dissatisfaction: Option<f64>,
    pub baseline_dissatisfaction: Option<f64>,
    pub dissatisfaction_z: Option<f64>,
    /// The larger rising z-score, and which one it is; 0 when neither rises.
    pub score: f64,
    pub signal: Option<Signal>,
    /// Whether `score` reaches [`ALARM_Z`].
    pub significant: bool,
}

/// Ranks segments, most alarming first. `periods[i]` holds each segment's
/// counts in period i, the latest last; `totals` are all tickets per period
/// (every segment together). Segments with fewer than `min_sample` tickets
/// (or responses, for dissatisfaction) in the latest period get no score
/// for that statistic.
pub fn rank(segments: &[(String, Vec<Counts>)], totals: &[i64], min_sample: i64) -> Vec<Warning> {
    let mut out: Vec<Warning> =
        segments.iter().filter_map(|(name, periods)| assess(name, periods, totals, min_sample)).collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| b.tickets.cmp(&a.tickets)));
    out
}

fn assess(name: &str, periods: &[Counts], totals: &[i64], min_sample: i64) -> Option<Warning> {
    let (latest, baseline) = periods.split_last()?;
    let total_now = *totals.last()?;
    let base_totals = &totals[..totals.len().saturating_sub(1)];
    if baseline.len() != base_totals.len() || baseline.is_empty() {
        return None;
    }
    let baseline_tickets = baseline.iter().map(|c| c.tickets as f64).sum::<f64>() / baseline.len() as f64;

    // Shares of the baseline periods that had tickets at all.
    let shares: Vec<f64> = baseline
        .iter()
        .zip(base_totals)
        .filter(|(_, t)| **t > 0)
        .map(|(c, t)| c.tickets as f64 / *t as f64)
        .collect();
    let share = (total_now > 0).then(|| latest.tickets as f64 / total_now as f64);
    let baseline_share = (!shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64);
    let share_z = match (share, baseline_share) {
        (Some(now), Some(before)) if latest.tickets.max((before * total_now as f64) as i64) >= min_sample => {
            let binomial = (before * (1.0 - before) / total_now as f64).sqrt();
            z(now, before, spread(&shares, before).max(binomial))
        }
        _ => None,
    };

    let rates: Vec<f64> =
        baseline.iter().filter(|c| c.rated > 0).map(|c| c.dissatisfied as f64 / c.rated as f64).collect();
    let (unhappy, rated) =
        baseline.iter().fold((0, 0), |(u, r), c| (u + c.dissatisfied, r + c.rated));
    let dissatisfaction = (latest.rated > 0).then(|| latest.dissatisfied as f64 / latest.rated as f64);
    let baseline_dissatisfaction = (rated > 0).then(|| unhappy as f64 / rated as f64);
    let dissatisfaction_z = match (dissatisfaction, baseline_dissatisfaction) {
        (Some(now), Some(before)) if latest.rated >= min_sample => {
            let binomial = (before * (1.0 - before) / latest.rated as f64).sqrt();
            z(now, before, spread(&rates, before).max(binomial))
        }
        _ => None,
    };

    let rising = [(Signal::Share, share_z), (Signal::Dissatisfaction, dissatisfaction_z)]
        .into_iter()
        .filter_map(|(s, z)| z.filter(|z| *z > 0.0).map(|z| (s, z)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let score = rising.map_or(0.0, |r| r.1);
    let percent = |v: Option<f64>| v.map(|v| v * 100.0);
    Some(Warning {
        segment: name.to_string(),
        tickets: latest.tickets,
        baseline_tickets,
        share: percent(share),
        baseline_share: percent(baseline_share),
        share_z,
        dissatisfaction: percent(dissatisfaction),
        baseline_dissatisfaction: percent(baseline_dissatisfaction),
        dissatisfaction_z,
        score,
        signal: rising.map(|r| r.0),
        significant: score >= ALARM_Z,
    })
}

/// Sample standard deviation of `values` around `mean`; 0 with fewer than two.
fn spread(values: &[f64], mean: f64) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt()
}

fn z(now: f64, before: f64, se: f64) -> Option<f64> {
    (se > 0.0).then(|| (now - before) / se)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(tickets: i64, rated: i64, dissatisfied: i64) -> Counts {
        Counts { tickets, rated, dissatisfied }
    }

    /// Three segments over nine periods with a seasonal swing of ±40 % that
    /// moves every segment alike: 50 %, 30 % and 20 % of the tickets.
    fn seasonal() -> (Vec<(String, Vec<Counts>)>, Vec<i64>) {
        let season = [1.0, 1.2, 1.4, 1.0, 0.6, 0.8, 1.0, 1.2, 1.4];
        let totals: Vec<i64> = season.iter().map(|s| (1000.0 * s) as i64).collect();
        let segment = |name: &str, share: f64, jitter: i64| {
            let periods = totals
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let n = (*t as f64 * share) as i64 + if i % 2 == 0 { jitter } else { -jitter };
                    counts(n, n / 4, n / 40)
                })
                .collect();
            (name.to_string(), periods)
        };
        (vec![segment("delivery", 0.5, 5), segment("returns", 0.3, 4), segment("billing", 0.2, 3)], totals)
    }

    #[test]
    fn seasonality_alone_raises_no_alarm() {
        let (segments, totals) = seasonal();
        let ranked = rank(&segments, &totals, 30);
        assert_eq!(ranked.len(), 3);
        assert!(ranked.iter().all(|w| !w.significant), "{ranked:#?}");
    }

    #[test]
    fn a_spike_in_one_segment_ranks_first() {
        let (mut segments, mut totals) = seasonal();
        // Returns jump by 200 tickets in the last period.
        let last = totals.len() - 1;
        segments[1].1[last].tickets += 200;
        totals[last] += 200;
        let ranked = rank(&segments, &totals, 30);
        assert_eq!(ranked[0].segment, "returns");
        assert!(ranked[0].significant && ranked[0].signal == Some(Signal::Share), "{:?}", ranked[0]);
        // Its share rose from 30 % to (420 + 4 + 200) / 1600 = 39 %.
        assert!((ranked[0].share.unwrap() - 624.0 / 1600.0 * 100.0).abs() < 1e-9);
        assert!(ranked[1..].iter().all(|w| !w.significant));
    }

    #[test]
    fn rising_dissatisfaction_is_a_signal_of_its_own() {
        let (mut segments, totals) = seasonal();
        let last = totals.len() - 1;
        // Billing's responses: 10 % unhappy before (n / 40 of n / 4), 50 % now.
        let c = &mut segments[2].1[last];
        c.dissatisfied = c.rated / 2;
        let ranked = rank(&segments, &totals, 30);
        assert_eq!(ranked[0].segment, "billing");
        assert_eq!(ranked[0].signal, Some(Signal::Dissatisfaction));
        assert!(ranked[0].significant);
    }

    #[test]
    fn a_hand_computed_z_score() {
        // Baseline shares 0.2 and 0.3 (mean 0.25, sample sd 0.0707); latest
        // 40 of 100 = 0.4; binomial se √(0.25·0.75/100) = 0.0433, smaller.
        let segments = vec![("a".to_string(), vec![counts(20, 0, 0), counts(30, 0, 0), counts(40, 0, 0)])];
        let w = &rank(&segments, &[100, 100, 100], 10)[0];
        let expected = (0.4 - 0.25) / (0.005_f64).sqrt();
        assert!((w.share_z.unwrap() - expected).abs() < 1e-9);
        assert_eq!(w.dissatisfaction_z, None, "no responses, no rate");
        assert!((w.baseline_tickets - 25.0).abs() < 1e-12);
    }

    #[test]
    fn small_samples_get_no_score() {
        let segments = vec![("tiny".to_string(), vec![counts(1, 1, 0), counts(2, 1, 0), counts(9, 5, 5)])];
        let w = &rank(&segments, &[100, 100, 100], 30)[0];
        assert_eq!((w.share_z, w.dissatisfaction_z, w.score, w.significant), (None, None, 0.0, false));
    }
}
