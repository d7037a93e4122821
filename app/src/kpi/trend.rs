//! Least-squares trend and correlation: the statistics behind trend lines and
//! scatter fits.

/// A fitted line y = intercept + slope × x, and how well it fits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub slope: f64,
    pub intercept: f64,
    /// Coefficient of determination, 0–1; `None` when y does not vary.
    pub r2: Option<f64>,
}

impl Fit {
    pub fn at(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// Fits a line through (x, y) pairs; `None` with fewer than two distinct x.
pub fn least_squares(points: &[(f64, f64)]) -> Option<Fit> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let syy: f64 = points.iter().map(|p| (p.1 - mean_y).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let r2 = (syy > 0.0).then(|| (sxy * sxy) / (sxx * syy));
    Some(Fit { slope, intercept: mean_y - slope * mean_x, r2 })
}

/// The trend of a series indexed 0, 1, 2…; gaps are skipped.
pub fn series_trend(values: &[Option<f64>]) -> Option<Fit> {
    let points: Vec<(f64, f64)> =
        values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64, v))).collect();
    least_squares(&points)
}

/// A forecast value with its prediction interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Forecast {
    pub low: f64,
    pub expected: f64,
    pub high: f64,
}

/// Two-sided 95 % quantiles of Student's t for 1–30 degrees of freedom.
const T_975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/// The next `horizon` periods of a series indexed 0, 1, 2… continued along
/// its least-squares line, each with a 95 % prediction interval, so the band
/// widens the further it looks. Empty with fewer than three values.
pub fn linear_forecast(values: &[Option<f64>], horizon: usize) -> Vec<Forecast> {
    let points: Vec<(f64, f64)> =
        values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64, v))).collect();
    let Some(fit) = least_squares(&points).filter(|_| points.len() >= 3) else { return Vec::new() };
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sse: f64 = points.iter().map(|p| (p.1 - fit.at(p.0)).powi(2)).sum();
    let s = (sse / (n - 2.0)).sqrt();
    let t = T_975.get(points.len() - 3).copied().unwrap_or(1.96);
    (values.len()..values.len() + horizon)
        .map(|x| {
            let x = x as f64;
            let margin = t * s * (1.0 + 1.0 / n + (x - mean_x).powi(2) / sxx).sqrt();
            let expected = fit.at(x);
            Forecast { low: expected - margin, expected, high: expected + margin }
        })
        .collect()
}

/// The trailing moving average over `window` periods; `None` until the
/// window is full and wherever it holds a gap.
pub fn moving_average(values: &[Option<f64>], window: usize) -> Vec<Option<f64>> {
    (0..values.len())
        .map(|i| {
            let start = (i + 1).checked_sub(window.max(1))?;
            let part: Option<Vec<f64>> = values[start..=i].iter().copied().collect();
            part.map(|p| p.iter().sum::<f64>() / p.len() as f64)
        })
        .collect()
}

/// A point outside its control limits: more than three standard deviations
/// from the mean of the `baseline` periods before it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unusual {
    pub index: usize,
    pub mean: f64,
    pub sigma: f64,
}

/// The points that leave their control limits (mean ± 3σ of the preceding
/// `baseline` values with data). A point needs a full baseline, and a
/// baseline that does not vary flags nothing.
pub fn unusual_points(values: &[Option<f64>], baseline: usize) -> Vec<Unusual> {
    let baseline = baseline.max(2);
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let v = (*v)?;
            let before: Vec<f64> = values[..i].iter().rev().flatten().take(baseline).copied().collect();
            if before.len() < baseline {
                return None;
            }
            let n = before.len() as f64;
            let mean = before.iter().sum::<f64>() / n;
            let sigma = (before.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            (sigma > 0.0 && (v - mean).abs() > 3.0 * sigma).then_some(Unusual { index: i, mean, sigma })
        })
        .collect()
}

/// The 95 % Wilson score interval of a proportion given in percent, over
/// `n` observations, in percent; `None` without observations. Unlike the
/// plain normal interval it stays within 0–100 and is honest for small n.
pub fn proportion_interval(percent: f64, n: i64) -> Option<(f64, f64)> {
    if n <= 0 || !percent.is_finite() {
        return None;
    }
    let (p, n, z) = ((percent / 100.0).clamp(0.0, 1.0), n as f64, 1.96_f64);
    let denominator = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denominator;
    Some(((centre - half).max(0.0) * 100.0, (centre + half).min(1.0) * 100.0))
}

/// Pearson's correlation coefficient; `None` when either side does not vary.
pub fn pearson(points: &[(f64, f64)]) -> Option<f64> {
    let fit = least_squares(points)?;
    let r = fit.r2?.sqrt();
    Some(if fit.slope < 0.0 { -r } else { r })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forecast_continues_the_line_with_a_widening_interval() {
        // y = 1.1 + 1.6x; residuals ±0.1, ±0.3: s² = 0.2 / 2; at x = 4 the
        // standard error is √(0.1 × (1 + 1/4 + 2.5²/5)) = 0.5 and t(2) = 4.303.
        let f = linear_forecast(&[Some(1.0), Some(3.0), Some(4.0), Some(6.0)], 2);
        assert_eq!(f.len(), 2);
        assert!((f[0].expected - 7.5).abs() < 1e-9);
        assert!((f[0].high - f[0].expected - 4.303 * 0.5).abs() < 1e-9);
        assert!((f[0].expected - f[0].low - 4.303 * 0.5).abs() < 1e-9);
        assert!(f[1].high - f[1].low > f[0].high - f[0].low);
        assert!(linear_forecast(&[Some(1.0), None, Some(2.0)], 3).is_empty(), "two values are too few");
    }

    #[test]
    fn wilson_interval_by_hand() {
        // p = 0.8, n = 100: centre (0.8 + 0.019208) / 1.038416 = 0.788902,
        // half 1.96 × √(0.0016 + 0.00009604) / 1.038416 = 0.077732.
        let (low, high) = proportion_interval(80.0, 100).unwrap();
        assert!((low - 71.1169).abs() < 1e-3 && (high - 86.6634).abs() < 1e-3, "{low} {high}");
        // All successes in a small sample: the upper end is 100, the lower well below.
        let (low, high) = proportion_interval(100.0, 5).unwrap();
        assert!((high - 100.0).abs() < 1e-9 && low < 60.0);
        assert_eq!(proportion_interval(50.0, 0), None);
    }

    #[test]
    fn a_perfect_line_is_recovered_with_r2_one() {
        let fit = least_squares(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]).unwrap();
        assert_eq!((fit.slope, fit.intercept, fit.r2), (2.0, 1.0, Some(1.0)));
        assert_eq!(fit.at(3.0), 7.0);
    }

    #[test]
    fn hand_computed_fit_of_scattered_points() {
        // x̄ = 2, ȳ = 3, Sxx = 2, Sxy = 3, Syy = 6 → slope 1.5, intercept 0, r² = 9/12.
        let fit = least_squares(&[(1.0, 1.0), (2.0, 4.0), (3.0, 4.0)]).unwrap();
        assert!((fit.slope - 1.5).abs() < 1e-12 && fit.intercept.abs() < 1e-12);
        assert!((fit.r2.unwrap() - 0.75).abs() < 1e-12);
    }

    #[test]
    fn too_few_or_degenerate_points_have_no_fit() {
        assert_eq!(least_squares(&[(1.0, 1.0)]), None);
        assert_eq!(least_squares(&[(1.0, 1.0), (1.0, 2.0)]), None);
        assert_eq!(least_squares(&[(1.0, 2.0), (2.0, 2.0)]).unwrap().r2, None);
    }

    #[test]
    fn series_trend_skips_gaps_and_correlation_keeps_the_sign() {
        let fit = series_trend(&[Some(10.0), None, Some(6.0)]).unwrap();
        assert_eq!(fit.slope, -2.0);
        assert_eq!(pearson(&[(0.0, 3.0), (1.0, 2.0), (2.0, 1.0)]), Some(-1.0));
    }

    #[test]
    fn the_moving_average_waits_for_a_full_window_and_skips_gaps() {
        let v = [Some(1.0), Some(2.0), Some(6.0), None, Some(4.0), Some(5.0), Some(6.0)];
        assert_eq!(moving_average(&v, 3), vec![None, None, Some(3.0), None, None, None, Some(5.0)]);
        assert_eq!(moving_average(&v[..2], 1), vec![Some(1.0), Some(2.0)]);
    }

    #[test]
    fn a_point_beyond_three_sigma_of_its_baseline_is_unusual() {
        // Baseline 10, 12, 10, 12: mean 11, sample σ = √(4/3) ≈ 1.155, so
        // the limits are 11 ± 3.46; 15 is outside, 14 is inside.
        let v = [Some(10.0), Some(12.0), Some(10.0), Some(12.0), Some(15.0)];
        let flagged = unusual_points(&v, 4);
        assert_eq!(flagged.len(), 1);
        assert_eq!(flagged[0].index, 4);
        assert!((flagged[0].mean - 11.0).abs() < 1e-12);
        assert!((flagged[0].sigma - (4.0_f64 / 3.0).sqrt()).abs() < 1e-12);
        let calm = [Some(10.0), Some(12.0), Some(10.0), Some(12.0), Some(14.0)];
        assert!(unusual_points(&calm, 4).is_empty());
        // Too little history, or a flat one, raises nothing.
        assert!(unusual_points(&v[..4], 4).is_empty());
        assert!(unusual_points(&[Some(5.0), Some(5.0), Some(5.0), Some(9.0)], 3).is_empty());
    }
}
