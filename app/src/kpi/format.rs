//! How a KPI value is written for people: "—" when there is no value.

use super::catalogue::Unit;

/// The text shown for a missing value.
pub const NO_VALUE: &str = "—";

/// Formats a value in its unit, e.g. "84.2%", "3.5 h", "$4.12", "—".
pub fn value(value: Option<f64>, unit: Unit) -> String {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return NO_VALUE.to_string();
    };
    match unit {
        Unit::Count => thousands(v.round() as i64),
        Unit::Percent => format!("{v:.1}%"),
        Unit::Hours => format!("{v:.1} h"),
        Unit::Score => format!("{v:.2}"),
        Unit::Points => format!("{v:.0}"),
        Unit::Currency => format!("${v:.2}"),
        Unit::TicketsPer100Orders => format!("{v:.1}"),
    }
}

/// A signed change, e.g. "+1.2 pts", "−0.4 h"; percentages change in points.
pub fn delta(delta: Option<f64>, unit: Unit) -> String {
    let Some(d) = delta.filter(|v| v.is_finite()) else {
        return NO_VALUE.to_string();
    };
    let sign = if d > 0.0 {
        "+"
    } else if d < 0.0 {
        "−"
    } else {
        "±"
    };
    let m = d.abs();
    match unit {
        Unit::Count => format!("{sign}{}", thousands(m.round() as i64)),
        Unit::Percent => format!("{sign}{m:.1} pts"),
        Unit::Hours => format!("{sign}{m:.1} h"),
        Unit::Score => format!("{sign}{m:.2}"),
        Unit::Points => format!("{sign}{m:.0}"),
        Unit::Currency => format!("{sign}${m:.2}"),
        Unit::TicketsPer100Orders => format!("{sign}{m:.1}"),
    }
}

fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
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
    use super::*;

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
    }

    #[test]
    fn deltas_are_signed() {
        assert_eq!(delta(Some(1.25), Unit::Percent), "+1.2 pts");
        assert_eq!(delta(Some(-0.4), Unit::Hours), "−0.4 h");
        assert_eq!(delta(Some(0.0), Unit::Points), "±0");
    }
}
