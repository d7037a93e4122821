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
