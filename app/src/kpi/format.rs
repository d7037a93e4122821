//! How a KPI value is written for people: "—" when there is no value.

use super::catalogue::Unit;

/// The text shown for a missing value.
pub const NO_VALUE: &str = "—";

/// Decimals shown for a unit (values and changes alike).
fn decimals(unit: Unit) -> usize {
    match unit {
        Unit::Count | Unit::Points => 0,
        Unit::Score | Unit::Currency => 2,
        Unit::Percent | Unit::RelativePercent | Unit::Hours | Unit::TicketsPer100Orders => 1,
    }
}

/// A magnitude with its unit, e.g. "84.2%", "3.5 h", "$4.12", "12,345".
fn with_unit(v: f64, unit: Unit, percent_suffix: &str) -> String {
    with_decimals(v, unit, decimals(unit), percent_suffix)
}

fn with_decimals(v: f64, unit: Unit, d: usize, percent_suffix: &str) -> String {
    match unit {
        Unit::Count if d == 0 => thousands(v.round() as i64),
        Unit::Count => format!("{v:.d$}"),
        Unit::Percent => format!("{v:.d$}{percent_suffix}"),
        Unit::RelativePercent => format!("{v:.d$}%"),
        Unit::Hours => format!("{v:.d$} h"),
        Unit::Currency => format!("${v:.d$}"),
        Unit::Score | Unit::Points | Unit::TicketsPer100Orders => format!("{v:.d$}"),
    }
}

/// `v` with a fixed number of decimals by integer arithmetic: the browser's
/// islands use it instead of `{:.n}`, whose float printing would add its
/// weight to the WASM.
pub fn fixed(v: f64, decimals: u32) -> String {
    let scale = 10_i64.pow(decimals);
    let n = (v * scale as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let (n, scale) = (n.unsigned_abs(), scale as u64);
    if decimals == 0 {
        format!("{sign}{n}")
    } else {
        format!("{sign}{}.{:0width$}", n / scale, n % scale, width = decimals as usize)
    }
}

/// Formats a value in its unit, or "—".
pub fn value(value: Option<f64>, unit: Unit) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => with_unit(v, unit, "%"),
        None => NO_VALUE.to_string(),
    }
}

/// An axis tick in its unit, with the unit's decimals or as many more (up to
/// two) as the tick needs: ticks 0.05 h apart must not read "0.1 h" twice.
pub fn tick(v: f64, unit: Unit) -> String {
    let base = decimals(unit);
    let exact = |d: usize| {
        let scaled = v * 10f64.powi(d as i32);
        (scaled - scaled.round()).abs() < 1e-6
    };
    let d = (base..base + 2).find(|&d| exact(d)).unwrap_or(base + 2);
    with_decimals(if v.abs() < 1e-12 { 0.0 } else { v }, unit, d, "%")
}

/// The sign of a change as people will read it: `None` when it is zero once
/// rounded to the decimals shown, so "+0.0" never appears with an arrow.
pub fn significant_sign(delta: Option<f64>, unit: Unit) -> Option<bool> {
    let d = delta.filter(|d| d.is_finite())?;
    let scale = 10f64.powi(decimals(unit) as i32);
    let rounded = (d * scale).round() / scale;
    (rounded != 0.0).then_some(rounded > 0.0)
}

/// A signed change, e.g. "+1.2 pts", "−0.4 h", "±0"; percentages change in points.
pub fn delta(delta: Option<f64>, unit: Unit) -> String {
    let Some(d) = delta.filter(|v| v.is_finite()) else {
        return NO_VALUE.to_string();
    };
    let sign = match significant_sign(Some(d), unit) {
        Some(true) => "+",
        Some(false) => "−",
        None => "±",
    };
    let magnitude = if sign == "±" { 0.0 } else { d.abs() };
    format!("{sign}{}", with_unit(magnitude, unit, " pts"))
}

fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ticks_get_the_decimals_they_need_and_no_more() {
        let ticks: Vec<String> =
            [-0.05, 0.0, 0.05, 0.1, 0.15].iter().map(|&v| tick(v, Unit::Hours)).collect();
        assert_eq!(ticks, ["-0.05 h", "0.0 h", "0.05 h", "0.1 h", "0.15 h"]);
        assert_eq!(tick(20.0, Unit::Percent), "20.0%");
        assert_eq!(tick(2.5, Unit::Count), "2.5");
        assert_eq!(tick(12_000.0, Unit::Count), "12,000");
        assert_eq!(tick(1.0 / 3.0, Unit::Score), "0.3333");
    }

    use super::*;

    #[test]
    fn fixed_decimals_round_like_format_does() {
        assert_eq!(fixed(12.345, 1), "12.3");
        assert_eq!(fixed(0.05, 1), "0.1");
        assert_eq!(fixed(-3.0, 2), "-3.00");
        assert_eq!(fixed(99.6, 0), "100");
        assert_eq!(fixed(-0.04, 1), "0.0");
        for v in [0.0, 1.25, 17.7, 640.0, 1234.5678] {
            assert_eq!(fixed(v, 2), format!("{v:.2}"));
        }
    }

    #[test]
    fn missing_values_show_a_dash_not_zero() {
        assert_eq!(value(None, Unit::Percent), "—");
        assert_eq!(value(Some(f64::NAN), Unit::Hours), "—");
        assert_eq!(delta(None, Unit::Hours), "—");
    }

    #[test]
    fn values_carry_their_unit() {
        assert_eq!(value(Some(84.25), Unit::Percent), "84.2%");
        assert_eq!(value(Some(12345.0), Unit::Count), "12,345");
        assert_eq!(value(Some(4.125), Unit::Currency), "$4.12");
        assert_eq!(value(Some(3.46), Unit::Hours), "3.5 h");
        assert_eq!(delta(Some(-4.0), Unit::RelativePercent), "−4.0%");
    }

    #[test]
    fn deltas_are_signed() {
        assert_eq!(delta(Some(1.25), Unit::Percent), "+1.2 pts");
        assert_eq!(delta(Some(-0.4), Unit::Hours), "−0.4 h");
        assert_eq!(delta(Some(0.0), Unit::Points), "±0");
    }

    #[test]
    fn changes_that_round_to_zero_have_no_sign() {
        assert_eq!(delta(Some(0.04), Unit::Percent), "±0.0 pts");
        assert_eq!(delta(Some(-0.3), Unit::Points), "±0");
        assert_eq!(significant_sign(Some(-0.06), Unit::Percent), Some(false));
        assert_eq!(significant_sign(Some(0.004), Unit::Currency), None);
    }
}
