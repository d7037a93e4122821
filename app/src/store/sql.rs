//! Small helpers for portable SQL text. Only placeholders are generated here;
//! every value is bound, never formatted into the statement.

/// `($1, $2, $3), ($4, $5, $6)` for `rows` rows of `cols` columns.
pub fn values_placeholders(rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * cols + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// `$first, $first+1, …` for an `IN (…)` list of `n` values.
pub fn list_placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Rows per multi-row statement. Small on purpose: SQLite looks up each
/// named `$n` parameter linearly while parsing, so parse time grows with the
/// square of the parameter count.
pub fn batch_rows(cols: usize) -> usize {
    (2_000 / cols).clamp(1, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(values_placeholders(2, 2), "($1, $2), ($3, $4)");
        assert_eq!(list_placeholders(3, 2), "$3, $4");
    }
}
