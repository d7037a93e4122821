//! Where the valid records of an import go: tickets and orders stream into
//! the database in chunks inside one transaction, written while the next
//! chunk is read; the small kinds are kept and written at the end.

use super::fields::Kind;
use super::run::ImportError;
use super::streamed::Streamed;
use crate::models::{BenchmarkRecord, FinancialMonth, OrderRecord, TargetRecord, TicketRecord};
use crate::store::ingest::{self, OrderWriter, TicketWriter};
use crate::store::Db;

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
    Tickets(Streamed<TicketWriter>),
    Orders(Streamed<OrderWriter>),
    Financials(Vec<FinancialMonth>),
    Targets(Vec<TargetRecord>),
    Benchmarks(Vec<BenchmarkRecord>),
}

impl Sink {
    pub async fn begin(db: &Db, kind: Kind) -> Result<Sink, sqlx::Error> {
        Ok(match kind {
            Kind::Tickets => Sink::Tickets(Streamed::start(TicketWriter::begin(db).await?)),
            Kind::Orders => Sink::Orders(Streamed::start(OrderWriter::begin(db).await?)),
            Kind::Financials => Sink::Financials(Vec::new()),
            Kind::Targets => Sink::Targets(Vec::new()),
            Kind::Benchmarks => Sink::Benchmarks(Vec::new()),
        })
    }

    /// Notes that the file's `row` holds `id`: the row of an earlier note of
    /// it. Kinds without ids never repeat one.
    pub fn note_id(&mut self, id: &str, row: u64) -> Option<u64> {
        match self {
            Sink::Tickets(writer) => writer.note(id, row),
            Sink::Orders(writer) => writer.note(id, row),
            Sink::Financials(_) | Sink::Targets(_) | Sink::Benchmarks(_) => None,
        }
    }

    /// Adds a valid record; `repeat` when an earlier record had its id
    /// ([`Self::note_id`] said so). True when a chunk of them is full:
    /// [`Self::send`] it before adding more.
    pub fn push(&mut self, record: Record, repeat: bool) -> Result<bool, ImportError> {
        Ok(match (self, record) {
            (Sink::Tickets(writer), Record::Ticket(t)) => writer.push(t, repeat),
            (Sink::Orders(writer), Record::Order(o)) => writer.push(o, repeat),
            (Sink::Financials(all), Record::Financial(f)) => push_small(all, f, Kind::Financials)?,
            (Sink::Targets(all), Record::Target(t)) => push_small(all, t, Kind::Targets)?,
            (Sink::Benchmarks(all), Record::Benchmark(b)) => push_small(all, b, Kind::Benchmarks)?,
            _ => unreachable!("records are typed by the sink's kind"),
        })
    }

    /// Hands the streamed kinds' full chunk to their writer.
    pub async fn send(&mut self) -> Result<(), ImportError> {
        match self {
            Sink::Tickets(writer) => writer.send().await?,
            Sink::Orders(writer) => writer.send().await?,
            Sink::Financials(_) | Sink::Targets(_) | Sink::Benchmarks(_) => {}
        }
        Ok(())
    }

    /// Gives the records up: the transaction is rolled back before this
    /// returns, so a new import does not find the database locked.
    pub async fn abandon(self) {
        match self {
            Sink::Tickets(writer) => writer.abandon().await,
            Sink::Orders(writer) => writer.abandon().await,
            Sink::Financials(_) | Sink::Targets(_) | Sink::Benchmarks(_) => {}
        }
    }

    pub async fn commit(self, db: &Db, actor: &str) -> Result<ingest::IngestReport, ImportError> {
        Ok(match self {
            Sink::Tickets(writer) => writer.commit().await?,
            Sink::Orders(writer) => writer.commit().await?,
            Sink::Financials(all) => ingest::financials(db, actor, &all).await?,
            Sink::Targets(all) => ingest::targets(db, &all).await?,
            Sink::Benchmarks(all) => ingest::benchmarks(db, actor, &all).await?,
        })
    }
}

/// Financials, targets and benchmarks hold a row per month or KPI: they are
/// kept until commit, so their files are capped.
const MAX_SMALL_ROWS: usize = 100_000;

/// Keeps a record of a small kind: never a chunk to send.
fn push_small<T>(all: &mut Vec<T>, record: T, kind: Kind) -> Result<bool, ImportError> {
    if all.len() >= MAX_SMALL_ROWS {
        return Err(ImportError::File(format!("a {} file has at most {MAX_SMALL_ROWS} rows", kind.key())));
    }
    all.push(record);
    Ok(false)
}
