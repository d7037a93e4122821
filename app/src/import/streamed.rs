//! A writer fed on a task of its own: while the database writes one chunk
//! of records, the import reads and checks the next, so the file's reading
//! and the database's writing share the two cores instead of taking turns.

use crate::id_set::SharedIds;
use crate::models::{OrderRecord, TicketRecord};
use crate::store::ingest::{IngestReport, OrderWriter, TicketWriter};
use std::future::Future;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Records handed to the writer at a time.
const CHUNK_ROWS: usize = 2_000;

/// A store writer that takes its records a chunk at a time inside one
/// transaction.
pub trait ChunkWriter: Send + 'static {
    type Record: Send + Sync + 'static;
    fn write(&mut self, records: &[Self::Record]) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    fn commit(self) -> impl Future<Output = Result<IngestReport, sqlx::Error>> + Send;
    fn ids(&self) -> SharedIds;
}

impl ChunkWriter for TicketWriter {
    type Record = TicketRecord;
    fn write(&mut self, records: &[TicketRecord]) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        TicketWriter::write(self, records)
    }
    fn commit(self) -> impl Future<Output = Result<IngestReport, sqlx::Error>> + Send {
        TicketWriter::commit(self)
    }
    fn ids(&self) -> SharedIds {
        TicketWriter::ids(self)
    }
}

impl ChunkWriter for OrderWriter {
    type Record = OrderRecord;
    fn write(&mut self, records: &[OrderRecord]) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        OrderWriter::write(self, records)
    }
    fn commit(self) -> impl Future<Output = Result<IngestReport, sqlx::Error>> + Send {
        OrderWriter::commit(self)
    }
    fn ids(&self) -> SharedIds {
        OrderWriter::ids(self)
    }
}

/// Records gathered into chunks and written by `W` on a task of its own.
/// Given up ([`Streamed::abandon`], or dropped), it stops the task, and the
/// transaction is rolled back: nothing is half-imported.
pub struct Streamed<W: ChunkWriter> {
    buffer: Vec<W::Record>,
    /// One chunk waits while the writer writes another: reading stays at
    /// most two chunks ahead, so memory does not grow with the file.
    chunks: Option<mpsc::Sender<Vec<W::Record>>>,
    task: Option<JoinHandle<Result<W, sqlx::Error>>>,
    ids: SharedIds,
}

impl<W: ChunkWriter> Streamed<W> {
    pub fn start(mut writer: W) -> Streamed<W> {
        let ids = writer.ids();
        let (chunks, mut incoming) = mpsc::channel::<Vec<W::Record>>(1);
        let task = tokio::spawn(async move {
            while let Some(chunk) = incoming.recv().await {
                writer.write(&chunk).await?;
            }
            Ok(writer)
        });
        Streamed { buffer: Vec::with_capacity(CHUNK_ROWS), chunks: Some(chunks), task: Some(task), ids }
    }

    /// The ids written, where the reader notes the row of each id it reads.
    pub fn ids(&self) -> &SharedIds {
        &self.ids
    }

    pub async fn push(&mut self, record: W::Record) -> Result<(), sqlx::Error> {
        self.buffer.push(record);
        if self.buffer.len() >= CHUNK_ROWS {
            self.send().await?;
        }
        Ok(())
    }

    /// Writes what is left, waits for the writer and commits.
    pub async fn commit(mut self) -> Result<IngestReport, sqlx::Error> {
        self.send().await?;
        let writer = self.finish().await?;
        self.ids.release();
        writer.commit().await
    }

    /// Stops the writer and waits until it is gone, its transaction with it.
    pub async fn abandon(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            // Cancelled, finished or failed: the writer is dropped either way.
            let _ = task.await;
        }
    }

    async fn send(&mut self) -> Result<(), sqlx::Error> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_ROWS));
        let sent = match &self.chunks {
            Some(chunks) => chunks.send(chunk).await.is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        // The writer stopped on an error: that error is the answer.
        self.finish().await?;
        Err(sqlx::Error::WorkerCrashed)
    }

    /// The writer once it has written every chunk sent: the channel is
    /// closed so that it stops waiting for more.
    async fn finish(&mut self) -> Result<W, sqlx::Error> {
        self.chunks = None;
        let Some(task) = self.task.take() else { return Err(sqlx::Error::WorkerCrashed) };
        match task.await {
            Ok(written) => written,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(sqlx::Error::WorkerCrashed),
        }
    }
}

impl<W: ChunkWriter> Drop for Streamed<W> {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}
