//! Where the valid records of an import go: tickets and orders stream into
//! the database in chunks inside one transaction; the small kinds are kept
//! and written at the end.
//!
//! Chunks of tickets and orders are written by a task of their own while
//! the file goes on being read and converted, so the two run on both cores
//! rather than taking turns on one.

use super::fields::Kind;
use super::run::ImportError;
use crate::models::{BenchmarkRecord, FinancialMonth, OrderRecord, TargetRecord, TicketRecord};
use crate::store::ingest::{self, OrderWriter, TicketWriter};
use crate::store::Db;
use futures_channel::mpsc;
use futures_util::{SinkExt, StreamExt};
use std::future::Future;
use tokio::task::JoinHandle;

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
    Tickets(Pipe<TicketRecord, TicketWriter>),
    Orders(Pipe<OrderRecord, OrderWriter>),
    Financials(Vec<FinancialMonth>),
    Targets(Vec<TargetRecord>),
    Benchmarks(Vec<BenchmarkRecord>),
}

impl Sink {
    pub async fn begin(db: &Db, kind: Kind) -> Result<Sink, sqlx::Error> {
        Ok(match kind {
            Kind::Tickets => Sink::Tickets(Pipe::spawn(TicketWriter::begin(db).await?)),
            Kind::Orders => Sink::Orders(Pipe::spawn(OrderWriter::begin(db).await?)),
            Kind::Financials => Sink::Financials(Vec::new()),
            Kind::Targets => Sink::Targets(Vec::new()),
            Kind::Benchmarks => Sink::Benchmarks(Vec::new()),
        })
    }

    pub async fn push(&mut self, record: Record) -> Result<(), ImportError> {
        match (self, record) {
            (Sink::Tickets(pipe), Record::Ticket(t)) => pipe.push(t).await?,
            (Sink::Orders(pipe), Record::Order(o)) => pipe.push(o).await?,
            (Sink::Financials(all), Record::Financial(f)) => push_small(all, f, Kind::Financials)?,
            (Sink::Targets(all), Record::Target(t)) => push_small(all, t, Kind::Targets)?,
            (Sink::Benchmarks(all), Record::Benchmark(b)) => push_small(all, b, Kind::Benchmarks)?,
            _ => unreachable!("records are typed by the sink's kind"),
        }
        Ok(())
    }

    pub async fn commit(self, db: &Db, actor: &str) -> Result<ingest::IngestReport, ImportError> {
        Ok(match self {
            Sink::Tickets(pipe) => pipe.finish().await?.commit().await?,
            Sink::Orders(pipe) => pipe.finish().await?.commit().await?,
            Sink::Financials(all) => ingest::financials(db, actor, &all).await?,
            Sink::Targets(all) => ingest::targets(db, &all).await?,
            Sink::Benchmarks(all) => ingest::benchmarks(db, actor, &all).await?,
        })
    }
}

impl Sink {
    /// Stops a sink that is not to be committed: its writer, once stopped, is
    /// dropped and its transaction rolled back before this returns, so the
    /// next import does not find the database still locked by it.
    pub async fn abandon(self) {
        match self {
            Sink::Tickets(pipe) => drop(pipe.stop().await),
            Sink::Orders(pipe) => drop(pipe.stop().await),
            Sink::Financials(_) | Sink::Targets(_) | Sink::Benchmarks(_) => {}
        }
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

/// A writer of chunks of records inside its transaction.
pub trait ChunkWriter<T>: Send + 'static {
    fn write_chunk<'a>(
        &'a mut self,
        chunk: &'a [T],
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send + 'a;
}

impl ChunkWriter<TicketRecord> for TicketWriter {
    fn write_chunk<'a>(
        &'a mut self,
        chunk: &'a [TicketRecord],
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send + 'a {
        self.write(chunk)
    }
}

impl ChunkWriter<OrderRecord> for OrderWriter {
    fn write_chunk<'a>(
        &'a mut self,
        chunk: &'a [OrderRecord],
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send + 'a {
        self.write(chunk)
    }
}

/// Records gathered into chunks and handed to a writer running as a task of
/// its own. At most one chunk waits for the writer, so memory stays flat
/// however far the file runs ahead. Dropped without [`Pipe::finish`] or
/// [`Pipe::stop`] (an upload cut off), it closes the channel: the task ends
/// and drops the writer, whose transaction rolls back.
pub struct Pipe<T, W> {
    chunk: Vec<T>,
    chunks: mpsc::Sender<Vec<T>>,
    /// Taken once joined.
    writer: Option<JoinHandle<Result<W, sqlx::Error>>>,
}

impl<T: Send + 'static, W: ChunkWriter<T>> Pipe<T, W> {
    fn spawn(mut writer: W) -> Pipe<T, W> {
        // One chunk may wait in the channel besides the one being written.
        let (chunks, mut waiting) = mpsc::channel::<Vec<T>>(0);
        let writer = tokio::spawn(async move {
            while let Some(chunk) = waiting.next().await {
                writer.write_chunk(&chunk).await?;
            }
            Ok(writer)
        });
        Pipe { chunk: Vec::with_capacity(CHUNK_ROWS), chunks, writer: Some(writer) }
    }

    async fn push(&mut self, record: T) -> Result<(), ImportError> {
        self.chunk.push(record);
        if self.chunk.len() >= CHUNK_ROWS {
            let full = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK_ROWS));
            if self.chunks.send(full).await.is_err() {
                // The channel closes only when the writer has stopped, on an error.
                return Err(self.join().await.err().unwrap_or(WRITER_GONE));
            }
        }
        Ok(())
    }

    /// Hands over the last records and waits until everything is written;
    /// the writer is given back to be committed.
    async fn finish(mut self) -> Result<W, ImportError> {
        let last = std::mem::take(&mut self.chunk);
        // Should the writer have stopped, joining it says why.
        if !last.is_empty() {
            let _ = self.chunks.send(last).await;
        }
        self.join().await
    }

    /// Closes the channel without the last records and waits for the writer
    /// to stop: it is given back (or its error), for the caller to drop.
    async fn stop(mut self) -> Result<W, ImportError> {
        self.join().await
    }

    /// Closes the channel and waits for the writer to end.
    async fn join(&mut self) -> Result<W, ImportError> {
        self.chunks.close_channel();
        let writer = self.writer.take().ok_or(WRITER_GONE)?;
        writer.await.map_err(|_| WRITER_GONE)?.map_err(ImportError::Database)
    }
}

/// A writer task that panicked, or was joined already.
const WRITER_GONE: ImportError = ImportError::Database(sqlx::Error::WorkerCrashed);
