//! Cells of every CSV Aftercare writes, made safe to open in a spreadsheet
//! (OWASP "CSV injection"): a cell that a spreadsheet would run as a formula
//! is written as text instead.

use std::borrow::Cow;

/// Characters that make Excel, LibreOffice or Sheets read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell with a single quote in front when it would start a formula. A
/// plain number such as `-3.5` is data, not a formula, and stays as it is.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A whole record of neutralised cells, ready for a CSV writer.
pub fn neutralise_all<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> Vec<String> {
    cells.into_iter().map(|c| neutralise(c.as_ref()).into_owned()).collect()
}

/// Digits with an optional sign, point and exponent, as Rust and
/// spreadsheets both read them (`-12`, `+3.5`, `-1e-3`); nothing else.
fn is_plain_number(cell: &str) -> bool {
    cell.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'))
        && cell.parse::<f64>().is_ok_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_start_a_formula_get_a_leading_quote() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-inf", "'-inf"),
        ] {
            assert_eq!(neutralise(cell), safe, "{cell:?}");
        }
    }

    #[test]
    fn numbers_and_ordinary_text_stay_as_they_are() {
        for cell in ["-3.5", "-12", "+4", "-1e-3", "0", "81.2", "Tier 1", "", "a=b", "2025-03"] {
            assert_eq!(neutralise(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn a_whole_record_is_neutralised_cell_by_cell() {
        assert_eq!(neutralise_all(["=1", "-1", "x"]), vec!["'=1", "-1", "x"]);
    }
}
