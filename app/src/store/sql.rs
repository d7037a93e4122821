//! Small helpers for portable SQL: placeholders, and multi-row inserts
//! ([`insert_rows`]). Only placeholders are generated here; every value is
//! bound, never formatted into the statement.

use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection, Arguments};

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

/// One statement's values, added in the order of its placeholders.
pub struct Values<'q> {
    arguments: AnyArguments<'q>,
    /// The first value that could not be encoded: fails the statement.
    failed: Option<sqlx::error::BoxDynError>,
}

impl<'q> Values<'q> {
    /// Adds a value, as `Query::bind` does. A text is best added by
    /// reference: a `String` is copied twice on its way to the driver.
    pub fn add<V: sqlx::Encode<'q, Any> + sqlx::Type<Any> + 'q>(&mut self, value: V) -> &mut Self {
        if let Err(e) = self.arguments.add(value) {
            self.failed.get_or_insert(e);
        }
        self
    }
}

/// Inserts `rows` in statements of [`batch_rows`] rows of `columns` values:
/// `statement` makes the SQL around a statement's `VALUES` placeholders
/// (built once per number of rows), and `bind` adds one row's values.
///
/// Each statement's values are bound while the database executes the one
/// before: bound in turn, the database's thread waited for them (a
/// 10M-ticket import streamed its rows in 38.7 s so, 33.8 s overlapped).
pub async fn insert_rows<'q, T>(
    conn: &mut AnyConnection,
    rows: &'q [T],
    columns: usize,
    statement: impl Fn(&str) -> String,
    bind: impl Fn(&mut Values<'q>, &'q T),
) -> Result<(), sqlx::Error> {
    let params = Params::of(conn);
    let values = |chunk: &'q [T]| {
        let mut values = Values { arguments: AnyArguments::default(), failed: None };
        // One vector sized up front, not grown by doubling.
        values.arguments.reserve(chunk.len() * columns, 0);
        for row in chunk {
            bind(&mut values, row);
        }
        match values.failed {
            Some(e) => Err(sqlx::Error::Encode(e)),
            None => Ok(values.arguments),
        }
    };
    let mut chunks = rows.chunks(batch_rows(columns));
    let Some(mut chunk) = chunks.next() else { return Ok(()) };
    let mut arguments = values(chunk)?;
    let (mut sql, mut sql_rows) = (String::new(), 0);
    loop {
        if sql_rows != chunk.len() {
            sql_rows = chunk.len();
            sql = statement(&values_placeholders(params, sql_rows, columns));
        }
        let next = chunks.next();
        let execute = sqlx::query_with(&sql, arguments).execute(&mut *conn);
        let bind_next = async { next.map(values).transpose() };
        let (executed, next_arguments) = futures_util::join!(execute, bind_next);
        executed?;
        let (Some(next), Some(next_arguments)) = (next, next_arguments?) else { return Ok(()) };
        (chunk, arguments) = (next, next_arguments);
    }
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
