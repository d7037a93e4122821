//! Small helpers for portable SQL text. Only placeholders are generated here;
//! every value is bound, never formatted into the statement.

use sqlx::AnyConnection;

/// How a statement's parameters are written. SQLite gets anonymous `?`:
/// sqlx binds numbered `$n` there by looking each name up, a linear scan per
/// parameter, so a large multi-row statement would cost the square of its
/// parameter count. Postgres only understands `$n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Params {
    Numbered,
    Anonymous,
}

impl Params {
    pub fn of(conn: &AnyConnection) -> Params {
        Params::of_backend(super::Backend::of(conn))
    }

    pub fn of_backend(backend: super::Backend) -> Params {
        match backend {
            super::Backend::Sqlite => Params::Anonymous,
            super::Backend::Postgres => Params::Numbered,
        }
    }

    /// The placeholder of the `n`-th parameter (1-based) of a statement.
    pub fn placeholder(self, n: usize) -> String {
        let mut out = String::new();
        self.write(&mut out, n);
        out
    }

    /// The placeholder of the `n`-th parameter (1-based) of a statement.
    fn write(self, out: &mut String, n: usize) {
        match self {
            Params::Anonymous => out.push('?'),
            Params::Numbered => {
                out.push('$');
                out.push_str(&n.to_string());
            }
        }
    }
}

/// `($1, $2, $3), ($4, $5, $6)` for `rows` rows of `cols` columns.
pub fn values_placeholders(params: Params, rows: usize, cols: usize) -> String {
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
            params.write(&mut out, r * cols + c + 1);
        }
        out.push(')');
    }
    out
}

/// `$1, $2, …` for an `IN (…)` list of `n` values, the statement's only parameters.
pub fn list_placeholders(params: Params, n: usize) -> String {
    let mut out = String::with_capacity(n * 4);
    for i in 1..=n {
        if i > 1 {
            out.push_str(", ");
        }
        params.write(&mut out, i);
    }
    out
}

/// Rows per multi-row statement: large enough that per-statement overhead
/// vanishes, within every backend's parameter limit.
pub fn batch_rows(cols: usize) -> usize {
    (8_000 / cols).clamp(1, 500)
}

/// Binds `values` in order: the parameters of a [`list_placeholders`] list.
pub fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: &[String],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for v in values {
        query = query.bind(v.clone());
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(values_placeholders(Params::Numbered, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(values_placeholders(Params::Anonymous, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(list_placeholders(Params::Numbered, 2), "$1, $2");
        assert_eq!(list_placeholders(Params::Anonymous, 2), "?, ?");
    }
}
