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
}
