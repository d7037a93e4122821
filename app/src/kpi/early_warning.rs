//! Early warning: which segments (categories, channels, teams) are rising
//! faster than usual. Two statistics, both blind to ordinary seasonality:
//!
//! - **share of tickets**: a segment's share of all tickets in the latest
//!   period against its mean share over the trailing baseline periods. A
//!   busy season lifts every segment alike and leaves the shares in place;
//! - **excess dissatisfaction**: the share of a segment's CSAT answers that
//!   are not satisfied, minus the same share over all tickets, against its
//!   baseline mean. When a peak makes every segment unhappier at once (slower
//!   replies everywhere) the excess stays where it was.
//!
//! Each is a z-score: (latest − baseline mean) ÷ its standard error. One
//! period's noise is the larger of the baseline's own period-to-period
//! standard deviation (which keeps a naturally jumpy segment quiet) and the
//! binomial standard error of the latest period (which keeps a small one
//! quiet); the baseline mean of k periods adds its own uncertainty, so the
//! error is that noise × √(1 + 1/k). A segment needs `MIN_BASELINE`
//! baseline periods with data to be judged at all.

use serde::{Deserialize, Serialize};

/// Counts in one period: of one segment, or of all tickets.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    pub tickets: i64,
    /// CSAT responses, and those not satisfied.
    pub rated: i64,
    pub dissatisfied: i64,
}

impl Counts {
    fn unhappy(&self) -> Option<f64> {
        (self.rated > 0).then(|| self.dissatisfied as f64 / self.rated as f64)
    }
}

/// A z-score at or above this is significant.
pub const ALARM_Z: f64 = 3.0;
/// Baseline periods with data a statistic needs; fewer give no score.
pub const MIN_BASELINE: usize = 3;

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
    /// Unhappy CSAT answers, percent: latest and over the baseline (pooled).
    pub dissatisfaction: Option<f64>,
    pub baseline_dissatisfaction: Option<f64>,
    /// The z-score of the excess over all tickets' dissatisfaction.
    pub dissatisfaction_z: Option<f64>,
    /// The larger rising z-score, and which one it is; 0 when neither rises.
    pub score: f64,
    pub signal: Option<Signal>,
    /// Whether `score` reaches [`ALARM_Z`].
    pub significant: bool,
}

/// Ranks segments, most alarming first. `periods[i]` holds a segment's
/// counts in period i, the latest last; `totals[i]` the counts of all
/// tickets. Segments with fewer than `min_sample` tickets (or answers, for
/// dissatisfaction) in the latest period get no score for that statistic.
pub fn rank(segments: &[(String, Vec<Counts>)], totals: &[Counts], min_sample: i64) -> Vec<Warning> {
    let mut out: Vec<Warning> =
        segments.iter().filter_map(|(name, periods)| assess(name, periods, totals, min_sample)).collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| b.tickets.cmp(&a.tickets)));
    out
}

fn assess(name: &str, periods: &[Counts], totals: &[Counts], min_sample: i64) -> Option<Warning> {
    let (latest, baseline) = periods.split_last()?;
    let (all_now, all_before) = totals.split_last()?;
    if baseline.len() != all_before.len() || baseline.is_empty() {
        return None;
    }
    let baseline_tickets = baseline.iter().map(|c| c.tickets as f64).sum::<f64>() / baseline.len() as f64;

    // Shares in the baseline periods that had tickets at all.
    let shares: Vec<f64> = baseline
        .iter()
        .zip(all_before)
        .filter(|(_, all)| all.tickets > 0)
        .map(|(c, all)| c.tickets as f64 / all.tickets as f64)
        .collect();
    let share = (all_now.tickets > 0).then(|| latest.tickets as f64 / all_now.tickets as f64);
    let baseline_share = mean(&shares);
    let share_z = match (share, baseline_share) {
        (Some(now), Some(before))
            if shares.len() >= MIN_BASELINE
                && latest.tickets.max((before * all_now.tickets as f64) as i64) >= min_sample =>
        {
            let binomial = (before * (1.0 - before) / all_now.tickets as f64).sqrt();
            z(now, before, standard_error(&shares, before, binomial))
        }
        _ => None,
    };

    // The segment's unhappy share above (or below) everyone's, per period.
    let excesses: Vec<f64> =
        baseline.iter().zip(all_before).filter_map(|(c, all)| Some(c.unhappy()? - all.unhappy()?)).collect();
    let pooled = baseline.iter().fold(Counts::default(), |sum, c| Counts {
        tickets: sum.tickets + c.tickets,
        rated: sum.rated + c.rated,
        dissatisfied: sum.dissatisfied + c.dissatisfied,
    });
    let dissatisfaction = latest.unhappy();
    let baseline_dissatisfaction = pooled.unhappy();
    let dissatisfaction_z =
        match (dissatisfaction, all_now.unhappy(), mean(&excesses), baseline_dissatisfaction) {
            (Some(now), Some(everyone), Some(usual), Some(before))
                if excesses.len() >= MIN_BASELINE && latest.rated >= min_sample =>
            {
                let binomial = (before * (1.0 - before) / latest.rated as f64).sqrt();
                z(now - everyone, usual, standard_error(&excesses, usual, binomial))
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

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The standard error of a latest value against the mean of `baseline`.
fn standard_error(baseline: &[f64], mean: f64, binomial: f64) -> f64 {
    let k = baseline.len().max(1) as f64;
    spread(baseline, mean).max(binomial) * (1.0 + 1.0 / k).sqrt()
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

    /// All tickets per period: the sum of the segments.
    fn totals(segments: &[(String, Vec<Counts>)]) -> Vec<Counts> {
        (0..segments[0].1.len())
            .map(|i| {
                segments.iter().fold(Counts::default(), |s, (_, p)| Counts {
                    tickets: s.tickets + p[i].tickets,
                    rated: s.rated + p[i].rated,
                    dissatisfied: s.dissatisfied + p[i].dissatisfied,
                })
            })
            .collect()
    }

    /// Three segments over nine periods with a seasonal swing of ±40 % that
    /// moves every segment alike: 50 %, 30 % and 20 % of the tickets.
    fn seasonal() -> Vec<(String, Vec<Counts>)> {
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
        vec![segment("delivery", 0.5, 5), segment("returns", 0.3, 4), segment("billing", 0.2, 3)]
    }

    #[test]
    fn seasonality_alone_raises_no_alarm() {
        let segments = seasonal();
        let ranked = rank(&segments, &totals(&segments), 30);
        assert_eq!(ranked.len(), 3);
        assert!(ranked.iter().all(|w| !w.significant), "{ranked:#?}");

        // A peak that makes every segment three times unhappier at once is seasonal too.
        let mut peak = seasonal();
        for (_, periods) in &mut peak {
            let last = periods.last_mut().unwrap();
            last.dissatisfied *= 3;
        }
        let ranked = rank(&peak, &totals(&peak), 30);
        assert!(ranked.iter().all(|w| !w.significant), "{ranked:#?}");
    }

    #[test]
    fn a_spike_in_one_segment_ranks_first() {
        let mut segments = seasonal();
        // Returns jump by 200 tickets in the last period.
        let last = segments[1].1.len() - 1;
        segments[1].1[last].tickets += 200;
        let ranked = rank(&segments, &totals(&segments), 30);
        assert_eq!(ranked[0].segment, "returns");
        assert!(ranked[0].significant && ranked[0].signal == Some(Signal::Share), "{:?}", ranked[0]);
        // Its share rose from 30 % to (420 + 4 + 200) / (705 + 624 + 283) = 38.7 %.
        assert!((ranked[0].share.unwrap() - 624.0 / 1612.0 * 100.0).abs() < 1e-9);
        assert!(ranked[1..].iter().all(|w| !w.significant));
    }

    #[test]
    fn rising_dissatisfaction_is_a_signal_of_its_own() {
        let mut segments = seasonal();
        let last = segments[2].1.len() - 1;
        // Billing's responses: 10 % unhappy before (n / 40 of n / 4), 50 % now.
        let c = &mut segments[2].1[last];
        c.dissatisfied = c.rated / 2;
        let ranked = rank(&segments, &totals(&segments), 30);
        assert_eq!(ranked[0].segment, "billing");
        assert_eq!(ranked[0].signal, Some(Signal::Dissatisfaction));
        assert!(ranked[0].significant);
    }

    #[test]
    fn a_hand_computed_z_score() {
        // Baseline shares 0.2, 0.3 and 0.25 (mean 0.25, sample sd 0.05);
        // latest 40 of 100 = 0.4; binomial se √(0.25·0.75/100) = 0.0433 is
        // smaller; three baseline periods: se = 0.05 × √(4/3).
        let a = vec![counts(20, 0, 0), counts(30, 0, 0), counts(25, 0, 0), counts(40, 0, 0)];
        let all = vec![counts(100, 0, 0); 4];
        let w = &rank(&[("a".to_string(), a)], &all, 10)[0];
        let expected = (0.4 - 0.25) / (0.05 * (4.0_f64 / 3.0).sqrt());
        assert!((w.share_z.unwrap() - expected).abs() < 1e-9);
        assert_eq!(w.dissatisfaction_z, None, "no responses, no rate");
        assert!((w.baseline_tickets - 25.0).abs() < 1e-12);
    }

    #[test]
    fn small_samples_get_no_score() {
        let tiny = vec![counts(1, 1, 0), counts(2, 1, 0), counts(2, 1, 0), counts(9, 5, 5)];
        let w = &rank(&[("tiny".to_string(), tiny)], &[counts(100, 50, 5); 4], 30)[0];
        assert_eq!((w.share_z, w.dissatisfaction_z, w.score, w.significant), (None, None, 0.0, false));
        // Two baseline periods are too few to know what is usual.
        let short = vec![counts(20, 40, 4), counts(30, 40, 4), counts(90, 40, 30)];
        let w = &rank(&[("short".to_string(), short)], &[counts(100, 50, 5); 3], 10)[0];
        assert_eq!((w.share_z, w.dissatisfaction_z), (None, None));
    }
}
