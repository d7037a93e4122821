//! Forecasts of a KPI series: additive Holt-Winters when there are at least
//! two seasons of history, Holt's linear method (level and trend, no season)
//! when there are fewer, a least-squares line when the series is short, and
//! a backtest that says how far each forecast can be trusted.

use super::trend::{linear_forecast, Forecast};
use serde::{Deserialize, Serialize};

/// How a forecast was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Level, trend and an additive season of `season` periods.
    HoltWinters { season: usize },
    /// Level and trend (double exponential smoothing).
    Holt,
    /// The least-squares line through the series.
    Linear,
}

/// The forecast of the next periods, the method and why it was chosen, and
/// its error on the last periods held back (mean absolute percentage error).
#[derive(Clone, Debug, PartialEq)]
pub struct Outlook {
    pub method: Method,
    pub reason: String,
    pub points: Vec<Forecast>,
    /// MAPE in percent over `backtest_periods` held-back periods; `None`
    /// when the history is too short to hold any back or the actuals are 0.
    pub mape: Option<f64>,
    pub backtest_periods: usize,
}

/// Holt's method needs this many periods; fewer get the straight line.
const HOLT_MIN: usize = 8;
/// Smoothing weights tried for level, trend and season.
const GRID: [f64; 9] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/// 95 % two-sided quantile of the normal distribution.
const Z_95: f64 = 1.96;

/// The forecast of `horizon` periods after `values`, with `season` periods
/// in a seasonal cycle (12 for months, 7 for days…). Only the periods after
/// the last gap are used: the smoothing methods need an unbroken series.
/// `None` with fewer than three periods.
pub fn outlook(values: &[Option<f64>], season: usize, horizon: usize) -> Option<Outlook> {
    let start = values.iter().rposition(Option::is_none).map_or(0, |i| i + 1);
    let history: Vec<f64> = values[start..].iter().flatten().copied().collect();
    let (method, reason) = choose(history.len(), season, start > 0)?;
    let points = fit(method, &history, horizon)?;
    // Hold back as many periods as are forecast (at most a quarter of the
    // history), forecast them from the rest with the same rule, compare.
    let held = horizon.min(history.len() / 4);
    let (mape, backtest_periods) = if held == 0 {
        (None, 0)
    } else {
        let (train, test) = history.split_at(history.len() - held);
        let mape = choose(train.len(), season, false)
            .and_then(|(m, _)| fit(m, train, held))
            .and_then(|f| mape(test, &f));
        (mape, held)
    };
    Some(Outlook { method, reason, points, mape, backtest_periods })
}

/// The method for `n` unbroken periods, and the reason in words.
fn choose(n: usize, season: usize, after_gap: bool) -> Option<(Method, String)> {
    let gap = if after_gap { " (the periods after the last gap)" } else { "" };
    if season >= 2 && n >= 2 * season {
        let reason = format!("{n} periods of history{gap} hold at least two seasons of {season}");
        Some((Method::HoltWinters { season }, reason))
    } else if n >= HOLT_MIN {
        let reason = format!(
            "{n} periods of history{gap} are fewer than two seasons of {season}: trend without season"
        );
        Some((Method::Holt, reason))
    } else if n >= 3 {
        let reason = format!("only {n} periods of history{gap}: a straight line");
        Some((Method::Linear, reason))
    } else {
        None
    }
}

fn fit(method: Method, history: &[f64], horizon: usize) -> Option<Vec<Forecast>> {
    match method {
        Method::Linear => {
            let values: Vec<Option<f64>> = history.iter().copied().map(Some).collect();
            Some(linear_forecast(&values, horizon))
        }
        Method::Holt => Some(best_fit(history, 1, false).forecast(horizon)),
        Method::HoltWinters { season } => Some(best_fit(history, season, true).forecast(horizon)),
    }
}

/// Mean absolute percentage error of `forecast` against `actual`, skipping
/// zero actuals; `None` when every actual is zero.
pub fn mape(actual: &[f64], forecast: &[Forecast]) -> Option<f64> {
    let errors: Vec<f64> = actual
        .iter()
        .zip(forecast)
        .filter(|(a, _)| **a != 0.0)
        .map(|(a, f)| ((a - f.expected) / a).abs() * 100.0)
        .collect();
    (!errors.is_empty()).then(|| errors.iter().sum::<f64>() / errors.len() as f64)
}

/// The state after smoothing a series with given weights.
#[derive(Clone, Debug)]
struct Smoothed {
    alpha: f64,
    beta: f64,
    gamma: f64,
    level: f64,
    trend: f64,
    /// Seasonal terms indexed by period mod season; one zero term without season.
    seasonal: Vec<f64>,
    /// Index of the next period, to pick its seasonal term.
    next: usize,
    /// Mean squared one-step error.
    mse: f64,
}

impl Smoothed {
    /// Each step ahead with a 95 % prediction interval (the usual
    /// approximation for additive Holt-Winters: the variance grows by
    /// (α(1 + jβ) + γ(1 − α)·[j is a whole season])² per step j).
    fn forecast(&self, horizon: usize) -> Vec<Forecast> {
        let m = self.seasonal.len();
        let mut spread = 1.0;
        (1..=horizon)
            .map(|h| {
                if h > 1 {
                    let j = (h - 1) as f64;
                    let seasonal =
                        if m > 1 && (h - 1) % m == 0 { self.gamma * (1.0 - self.alpha) } else { 0.0 };
                    spread += (self.alpha * (1.0 + j * self.beta) + seasonal).powi(2);
                }
                let expected = self.level + h as f64 * self.trend + self.seasonal[(self.next + h - 1) % m];
                let margin = Z_95 * (self.mse * spread).sqrt();
                Forecast { low: expected - margin, expected, high: expected + margin }
            })
            .collect()
    }
}

/// The weights with the smallest one-step error over the grid.
fn best_fit(history: &[f64], season: usize, seasonal: bool) -> Smoothed {
    let gammas: &[f64] = if seasonal { &GRID } else { &[0.0] };
    let mut best: Option<Smoothed> = None;
    for &alpha in &GRID {
        for &beta in &GRID {
            for &gamma in gammas {
                let s = smooth(history, season, alpha, beta, gamma);
                if best.as_ref().is_none_or(|b| s.mse < b.mse) {
                    best = Some(s);
                }
            }
        }
    }
    best.expect("the grid is not empty")
}

/// Runs the smoothing equations over `y` (at least two seasons with a
/// season, at least two periods without). The first season (or the first
/// two periods) sets the starting level, trend and seasonal terms; the
/// one-step errors are taken over the rest.
fn smooth(y: &[f64], season: usize, alpha: f64, beta: f64, gamma: f64) -> Smoothed {
    let m = if gamma > 0.0 { season.max(1) } else { 1 };
    let (mut level, mut trend, mut seasonal, start) = if m > 1 {
        let first = mean(&y[..m]);
        let second = mean(&y[m..2 * m]);
        let trend = (second - first) / m as f64;
        let middle = (m as f64 - 1.0) / 2.0;
        // The seasonal terms are the first season's deviations from its line.
        let seasonal: Vec<f64> = (0..m).map(|i| y[i] - (first + trend * (i as f64 - middle))).collect();
        (first + trend * middle, trend, seasonal, m)
    } else {
        (y[0], y.get(1).map_or(0.0, |v| v - y[0]), vec![0.0], 1)
    };
    // Without a season the starting trend is y₁ − y₀, so the step to y₁ is
    // exact by construction: its zero error is not counted.
    let first_error = if m > 1 { start } else { 2 };
    let mut squared = 0.0;
    for (t, &value) in y.iter().enumerate().skip(start) {
        let s = seasonal[t % m];
        let predicted = level + trend + s;
        if t >= first_error {
            squared += (value - predicted).powi(2);
        }
        let previous = level;
        level = alpha * (value - s) + (1.0 - alpha) * (level + trend);
        trend = beta * (level - previous) + (1.0 - beta) * trend;
        if m > 1 {
            seasonal[t % m] = gamma * (value - level) + (1.0 - gamma) * s;
        }
    }
    let steps = y.len().saturating_sub(first_error).max(1);
    Smoothed { alpha, beta, gamma, level, trend, seasonal, next: y.len(), mse: squared / steps as f64 }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 4 seasons of 12: a trend of 0.5 a period and a fixed seasonal pattern.
    fn seasonal_series(seasons: usize) -> Vec<f64> {
        let pattern = [5.0, 3.0, 0.0, -2.0, -4.0, -5.0, -3.0, 0.0, 2.0, 3.0, 4.0, -3.0];
        (0..12 * seasons).map(|t| 100.0 + 0.5 * t as f64 + pattern[t % 12]).collect()
    }

    #[test]
    fn holt_winters_recovers_a_seasonal_pattern() {
        let y = seasonal_series(4);
        let values: Vec<Option<f64>> = y.iter().copied().map(Some).collect();
        let out = outlook(&values, 12, 12).unwrap();
        assert_eq!(out.method, Method::HoltWinters { season: 12 });
        let truth = seasonal_series(5);
        // Every forecast month within 1 % of the true value, pattern included.
        for (h, f) in out.points.iter().enumerate() {
            let expected = truth[48 + h];
            assert!(
                ((f.expected - expected) / expected).abs() < 0.01,
                "month {h}: {} vs {expected}",
                f.expected
            );
            assert!(f.low <= f.expected && f.expected <= f.high);
        }
        assert!(out.mape.unwrap() < 1.0, "backtest MAPE {:?}", out.mape);
        assert_eq!(out.backtest_periods, 12);
    }

    #[test]
    fn a_noisy_seasonal_series_is_forecast_within_a_stated_error() {
        // Deterministic noise of ±2 on a level of ~100: the forecast stays within 5 %.
        let y: Vec<Option<f64>> = seasonal_series(3)
            .iter()
            .enumerate()
            .map(|(t, v)| Some(v + if t % 3 == 0 { 2.0 } else { -1.0 }))
            .collect();
        let out = outlook(&y, 12, 6).unwrap();
        let truth = seasonal_series(4);
        for (h, f) in out.points.iter().enumerate() {
            assert!(((f.expected - truth[36 + h]) / truth[36 + h]).abs() < 0.05);
        }
        // The interval widens with the horizon.
        let width = |f: &Forecast| f.high - f.low;
        assert!(width(&out.points[5]) >= width(&out.points[0]));
    }

    #[test]
    fn short_histories_get_simpler_methods_and_say_why() {
        let line: Vec<Option<f64>> = (0..10).map(|t| Some(10.0 + 2.0 * t as f64)).collect();
        let out = outlook(&line, 12, 3).unwrap();
        assert_eq!(out.method, Method::Holt);
        assert!(out.reason.contains("fewer than two seasons"), "{}", out.reason);
        // A perfect line is continued exactly.
        assert!((out.points[0].expected - 30.0).abs() < 1e-6, "{:?}", out.points[0]);
        assert!((out.points[2].expected - 34.0).abs() < 1e-6);

        let short = [Some(1.0), Some(3.0), Some(4.0), Some(6.0)];
        let out = outlook(&short, 12, 2).unwrap();
        assert_eq!(out.method, Method::Linear);
        assert!((out.points[0].expected - 7.5).abs() < 1e-9);
        assert_eq!(out.backtest_periods, 1);

        assert!(outlook(&[Some(1.0), Some(2.0)], 12, 3).is_none());
    }

    #[test]
    fn only_the_periods_after_the_last_gap_are_used() {
        let mut v: Vec<Option<f64>> = (0..30).map(|t| Some(t as f64)).collect();
        v[25] = None;
        let out = outlook(&v, 12, 1).unwrap();
        assert_eq!(out.method, Method::Linear);
        assert!(out.reason.contains("only 4 periods") && out.reason.contains("after the last gap"));
    }

    #[test]
    fn mape_by_hand_and_zero_actuals_skipped() {
        let f = |e| Forecast { low: e, expected: e, high: e };
        // |100 − 90| / 100 = 10 %, |50 − 55| / 50 = 10 %, the zero is skipped.
        assert_eq!(mape(&[100.0, 50.0, 0.0], &[f(90.0), f(55.0), f(3.0)]), Some(10.0));
        assert_eq!(mape(&[0.0], &[f(1.0)]), None);
    }
}
