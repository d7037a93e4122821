//! A first import into an empty table (tickets or orders) builds its
//! secondary indexes once at the end instead of updating them row by row.
//! Rows arrive in file order, so the customer and creation-time indexes
//! took them at random places, and with them most of SQLite's work on a
//! large file (its page cache cannot hold them, so their pages were
//! written out and read back over and over). Sorting once at the end is
//! faster. All of it happens inside the import's transaction: a refused
//! file rolls the drop back with the rows, and readers on other
//! connections keep seeing the indexes throughout.
//!
//! The tickets' unique index of external ids goes too (migration 0026):
//! while every id written is new the rows are inserted without an upsert,
//! and the first repeated id builds it on the spot (`TicketWriter::write_new`).
//!
//! A large write into stored tickets drops their other indexes once it has
//! changed an eighth as many tickets as the table held (`TicketWriter`):
//! each row went into the indexes at random places, and SQLite's page
//! cache, spilled into the WAL and read back, made that most of the write
//! (1M tickets into 5M: 24.4 s with the indexes, 8.5 s without them and
//! 8.0 s to build them again, in the `sqlite3` shell).
//!
//! Only for SQLite: on Postgres a dropped index locks the whole table
//! against readers until the import commits.

use super::super::Backend;
use sqlx::{AnyConnection, Row};

/// The indexes dropped, by name, with the definitions to build them again.
#[derive(Default)]
pub(super) struct DeferredIndexes {
    definitions: Vec<(String, String)>,
}

impl DeferredIndexes {
    /// The indexes deferred for a writer of `table`: all of them when it
    /// begins on an empty table on SQLite, else none.
    pub(super) async fn for_writer(
        conn: &mut AnyConnection,
        backend: Backend,
        table: &str,
        began_empty: bool,
    ) -> Result<DeferredIndexes, sqlx::Error> {
        if began_empty && backend == Backend::Sqlite {
            DeferredIndexes::drop_all_but(conn, table, "").await
        } else {
            Ok(DeferredIndexes::default())
        }
    }

    /// Drops the indexes of `table` that SQLite was asked to create (not
    /// those behind its primary key and column constraints), but `kept`.
    pub(super) async fn drop_all_but(
        conn: &mut AnyConnection,
        table: &str,
        kept: &str,
    ) -> Result<DeferredIndexes, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT name, sql FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL AND name <> $2",
        )
        .bind(table.to_string())
        .bind(kept.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut definitions = Vec::with_capacity(rows.len());
        for row in rows {
            let name: String = row.try_get("name")?;
            // The name comes from the schema, not from input; quoted as an identifier.
            sqlx::query(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\""))).execute(&mut *conn).await?;
            definitions.push((name, row.try_get("sql")?));
        }
        Ok(DeferredIndexes { definitions })
    }

    /// Whether the index `name` is dropped, waiting to be built.
    pub(super) fn defers(&self, name: &str) -> bool {
        self.definitions.iter().any(|(dropped, _)| dropped == name)
    }

    /// Builds the index `name` now, if it was dropped.
    pub(super) async fn build_now(
        &mut self,
        conn: &mut AnyConnection,
        name: &str,
    ) -> Result<(), sqlx::Error> {
        if let Some(at) = self.definitions.iter().position(|(dropped, _)| dropped == name) {
            let (_, definition) = self.definitions.remove(at);
            sqlx::query(&definition).execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Builds the dropped indexes again from their own definitions.
    pub(super) async fn build(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if self.definitions.is_empty() {
            return Ok(());
        }
        // The import's reading side is done: SQLite's sorter may take the
        // second core (2.6M tickets: 25.1 s -> 23.3 s for the whole import).
        sqlx::query("PRAGMA threads = 2").execute(&mut *conn).await?;
        for (_, definition) in &self.definitions {
            sqlx::query(definition).execute(&mut *conn).await?;
        }
        Ok(())
    }
}
