//! Where the valid records of an import go: tickets and orders stream into
//! the database in chunks inside one transaction; the small kinds are kept
//! and written at the end.

use super::fields::Kind;
use super::run::ImportError;
use crate::models::{BenchmarkRecord, FinancialMonth, OrderRecord, TargetRecord, TicketRecord};
use crate::store::ingest::{self, OrderWriter, TicketWriter};
use crate::store::Db;

/// Records written to the database at a time.
const CHUNK_ROWS: usize = 2_000;

/// One valid record of any kind.
pub enum Record {
    Ticket(TicketRecord),
    Order(OrderRecord),
    Financial(FinancialMonth),
    Target(TargetRecord),
    Benchmark(BenchmarkRecord),
}

/// Where valid records go: tickets and orders stream into the database in
/// chunks; the small kinds (a row per month or KPI) are written at the end.
pub enum Sink {
    /// The writers are boxed: they carry what they are counting.
    Tickets(Box<TicketWriter>, Vec<TicketRecord>),
    Orders(Box<OrderWriter>, Vec<OrderRecord>),
    Financials(Vec<FinancialMonth>),
    Targets(Vec<TargetRecord>),
    Benchmarks(Vec<BenchmarkRecord>),
}

impl Sink {
    pub async fn begin(db: &Db, kind: Kind) -> Result<Sink, sqlx::Error> {
        Ok(match kind {
            Kind::Tickets => Sink::Tickets(Box::new(TicketWriter::begin(db).await?), Vec::new()),
            Kind::Orders => Sink::Orders(Box::new(OrderWriter::begin(db).await?), Vec::new()),
            Kind::Financials => Sink::Financials(Vec::new()),
            Kind::Targets => Sink::Targets(Vec::new()),
            Kind::Benchmarks => Sink::Benchmarks(Vec::new()),
        })
    }

    /// Notes that the file's `row` holds `id`: the row of an earlier note of
    /// it. Kinds without ids never repeat one.
    pub fn note_id(&mut self, id: &str, row: u64) -> Option<u64> {
        match self {
            Sink::Tickets(writer, _) => writer.note_id(id, row),
            Sink::Orders(writer, _) => writer.note_id(id, row),
            Sink::Financials(_) | Sink::Targets(_) | Sink::Benchmarks(_) => None,
        }
    }

    pub async fn push(&mut self, record: Record) -> Result<(), ImportError> {
        match (self, record) {
            (Sink::Tickets(writer, buffer), Record::Ticket(t)) => {
                buffer.push(t);
                if buffer.len() >= CHUNK_ROWS {
                    writer.write(buffer).await?;
                    buffer.clear();
                }
            }
            (Sink::Orders(writer, buffer), Record::Order(o)) => {
                buffer.push(o);
                if buffer.len() >= CHUNK_ROWS {
                    writer.write(buffer).await?;
                    buffer.clear();
                }
            }
            (Sink::Financials(all), Record::Financial(f)) => push_small(all, f, Kind::Financials)?,
            (Sink::Targets(all), Record::Target(t)) => push_small(all, t, Kind::Targets)?,
            (Sink::Benchmarks(all), Record::Benchmark(b)) => push_small(all, b, Kind::Benchmarks)?,
            _ => unreachable!("records are typed by the sink's kind"),
        }
        Ok(())
    }

    pub async fn commit(self, db: &Db, actor: &str) -> Result<ingest::IngestReport, ImportError> {
        Ok(match self {
            Sink::Tickets(mut writer, rest) => {
                writer.write(&rest).await?;
                writer.commit().await?
            }
            Sink::Orders(mut writer, rest) => {
                writer.write(&rest).await?;
                writer.commit().await?
            }
            Sink::Financials(all) => ingest::financials(db, actor, &all).await?,
            Sink::Targets(all) => ingest::targets(db, &all).await?,
            Sink::Benchmarks(all) => ingest::benchmarks(db, actor, &all).await?,
        })
    }
}

/// Financials, targets and benchmarks hold a row per month or KPI: they are
/// kept until commit, so their files are capped.
const MAX_SMALL_ROWS: usize = 100_000;

fn push_small<T>(all: &mut Vec<T>, record: T, kind: Kind) -> Result<(), ImportError> {
    if all.len() >= MAX_SMALL_ROWS {
        return Err(ImportError::File(format!("a {} file has at most {MAX_SMALL_ROWS} rows", kind.key())));
    }
    all.push(record);
    Ok(())
}
