//! Scales shared by the charts: "nice" axis ranges and ticks, and the
//! direction-aware colour ramp (red is worse, green is better, whichever way
//! the KPI points).

use crate::kpi::Direction;

/// A step of 1, 2 or 5 × 10ⁿ that splits `span` into about `count` parts.
pub fn nice_step(span: f64, count: usize) -> f64 {
    if !span.is_finite() || span <= 0.0 {
        return 1.0;
    }
    let raw = span / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let residual = raw / magnitude;
    let nice = if residual <= 1.0 {
        1.0
    } else if residual <= 2.0 {
        2.0
    } else if residual <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// An axis range that contains every value, starts and ends on a tick, and
/// never collapses: a single value gets a band around it; empty data gets 0–1.
pub fn nice_range(values: impl IntoIterator<Item = f64>, ticks: usize) -> (f64, f64) {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (0.0, 1.0);
    }
    let (lo, hi) = if hi - lo < 1e-9 {
        let pad = (lo.abs() * 0.1).max(1.0);
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    };
    // A little air, so points at the extremes are not cut by the frame, but
    // never across zero: bars of counts start at the axis, not below it.
    let air = (hi - lo) * 0.02;
    let lo = if lo >= 0.0 { (lo - air).max(0.0) } else { lo - air };
    let hi = if hi <= 0.0 { (hi + air).min(0.0) } else { hi + air };
    let step = nice_step(hi - lo, ticks);
    ((lo / step).floor() * step, (hi / step).ceil() * step)
}

/// An RGB colour.
pub type Rgb = (u8, u8, u8);

const WORSE: Rgb = (0xc8, 0x3a, 0x2e);
const MIDDLE: Rgb = (0xf4, 0xf1, 0xe8);
const BETTER: Rgb = (0x1f, 0x8a, 0x4c);
const NEUTRAL_HIGH: Rgb = (0x2f, 0x5d, 0xd8);

fn mix(a: Rgb, b: Rgb, t: f64) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    let ch = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    (ch(a.0, b.0), ch(a.1, b.1), ch(a.2, b.2))
}

/// The colour of `value` within `lo..=hi` for a KPI with `direction`:
/// the worst end red, the best end green; neutral KPIs use one hue.
pub fn heat_colour(value: f64, lo: f64, hi: f64, direction: Direction) -> Rgb {
    let t = if hi > lo { (value - lo) / (hi - lo) } else { 0.5 };
    match direction {
        Direction::Higher => diverging(t),
        Direction::Lower => diverging(1.0 - t),
        Direction::Neutral => mix(MIDDLE, NEUTRAL_HIGH, t),
    }
}

/// 0 = worst (red), 0.5 = middle, 1 = best (green).
pub fn diverging(goodness: f64) -> Rgb {
    if goodness < 0.5 {
        mix(WORSE, MIDDLE, goodness * 2.0)
    } else {
        mix(MIDDLE, BETTER, (goodness - 0.5) * 2.0)
    }
}

/// Black or white, whichever reads better on `background`.
pub fn text_on(background: Rgb) -> Rgb {
    let luminance = 0.299 * background.0 as f64 + 0.587 * background.1 as f64 + 0.114 * background.2 as f64;
    if luminance > 150.0 {
        (0x1b, 0x1f, 0x27)
    } else {
        (0xff, 0xff, 0xff)
    }
}

pub fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(10.0, 5, 2.0)]
    #[case(1.0, 4, 0.5)]
    #[case(730.0, 5, 200.0)]
    #[case(0.03, 3, 0.01)]
    fn steps_are_one_two_or_five_times_a_power_of_ten(
        #[case] span: f64,
        #[case] count: usize,
        #[case] step: f64,
    ) {
        assert!((nice_step(span, count) - step).abs() < 1e-12);
    }

    #[test]
    fn ranges_start_and_end_on_ticks() {
        assert_eq!(nice_range([72.3, 81.9], 5), (72.0, 84.0));
        assert_eq!(nice_range([0.4, 13.8], 5), (0.0, 15.0));
    }

    #[test]
    fn ranges_that_touch_zero_do_not_cross_it() {
        assert_eq!(nice_range([0.0, 1416.0], 5), (0.0, 1500.0));
        assert_eq!(nice_range([-7.0, 0.0], 5), (-8.0, 0.0));
        assert!(nice_range([-3.0, 4.0], 5).0 < -3.0);
    }

    #[test]
    fn empty_and_single_point_data_get_a_usable_range() {
        assert_eq!(nice_range([], 5), (0.0, 1.0));
        let (lo, hi) = nice_range([50.0], 5);
        assert!(lo < 50.0 && hi > 50.0);
        assert_eq!(nice_range([f64::NAN], 5), (0.0, 1.0));
    }

    #[test]
    fn red_means_worse_in_both_directions() {
        assert_eq!(heat_colour(0.0, 0.0, 10.0, Direction::Higher), WORSE);
        assert_eq!(heat_colour(10.0, 0.0, 10.0, Direction::Higher), BETTER);
        assert_eq!(heat_colour(10.0, 0.0, 10.0, Direction::Lower), WORSE);
        assert_eq!(heat_colour(0.0, 0.0, 10.0, Direction::Lower), BETTER);
        assert_eq!(heat_colour(5.0, 5.0, 5.0, Direction::Higher), MIDDLE);
    }

    #[test]
    fn labels_stay_readable_on_every_cell() {
        assert_eq!(text_on(WORSE), (0xff, 0xff, 0xff));
        assert_eq!(text_on(MIDDLE), (0x1b, 0x1f, 0x27));
    }
}
