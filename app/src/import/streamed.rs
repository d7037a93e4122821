//! A writer fed on a task of its own: while the database writes one chunk
//! of records, the import reads and checks the next, so the file's reading
//! and the database's writing share the two cores instead of taking turns.

use crate::id_set::IdRows;
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
    /// Writes `records`, of which `repeats` tell those whose id an earlier
    /// record had (`TicketWriter::write_noted`).
    fn write(
        &mut self,
        records: &[Self::Record],
        repeats: &[bool],
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    fn commit(self) -> impl Future<Output = Result<IngestReport, sqlx::Error>> + Send;
}

impl ChunkWriter for TicketWriter {
    type Record = TicketRecord;
    fn write(
        &mut self,
        records: &[TicketRecord],
        repeats: &[bool],
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        TicketWriter::write_noted(self, records, repeats)
    }
    fn commit(self) -> impl Future<Output = Result<IngestReport, sqlx::Error>> + Send {
        TicketWriter::commit(self)
    }
}

impl ChunkWriter for OrderWriter {
    type Record = OrderRecord;
    fn write(
        &mut self,
        records: &[OrderRecord],
        repeats: &[bool],
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        OrderWriter::write_noted(self, records, repeats)
    }
    fn commit(self) -> impl Future<Output = Result<IngestReport, sqlx::Error>> + Send {
        OrderWriter::commit(self)
    }
}

/// Records gathered into chunks and written by `W` on a task of its own.
/// Given up ([`Streamed::abandon`], or dropped), it stops the task, and the
/// transaction is rolled back: nothing is half-imported.
pub struct Streamed<W: ChunkWriter> {
    buffer: Chunk<W::Record>,
    /// One chunk waits while the writer writes another: reading stays at
    /// most two chunks ahead, so memory does not grow with the file.
    chunks: Option<mpsc::Sender<Chunk<W::Record>>>,
    task: Option<JoinHandle<Result<W, sqlx::Error>>>,
    /// Chunks written, sent back: their records are freed on this thread,
    /// which made them, and their vectors take the next ones. (Freed by the
    /// writer, each of a ticket's ten texts was a free across threads:
    /// about a tenth of both threads' CPU while a 10M file streamed in, perf.)
    spent: mpsc::UnboundedReceiver<Chunk<W::Record>>,
    /// The ids read, noted here and not by the writer: one table, touched
    /// by one thread. (Noted here and marked written again by the writer,
    /// each id cost two look-ups in a table of ~285 MB at 10M ids, and a
    /// lock taken by both threads in turn: 12 % of the CPU while a 10M
    /// file streamed in, perf.)
    ids: IdRows,
}

/// Records, and whether each repeats the id of an earlier one.
struct Chunk<R> {
    records: Vec<R>,
    repeats: Vec<bool>,
}

impl<R> Chunk<R> {
    fn new() -> Chunk<R> {
        Chunk { records: Vec::with_capacity(CHUNK_ROWS), repeats: Vec::with_capacity(CHUNK_ROWS) }
    }

    /// Empty again, its records dropped, its vectors kept.
    fn emptied(mut self) -> Chunk<R> {
        self.records.clear();
        self.repeats.clear();
        self
    }
}

impl<W: ChunkWriter> Streamed<W> {
    pub fn start(mut writer: W) -> Streamed<W> {
        let (chunks, mut incoming) = mpsc::channel::<Chunk<W::Record>>(1);
        let (written, spent) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            while let Some(chunk) = incoming.recv().await {
                writer.write(&chunk.records, &chunk.repeats).await?;
                // Gone only if the import was given up: then dropped here.
                let _ = written.send(chunk);
            }
            Ok(writer)
        });
        Streamed {
            buffer: Chunk::new(),
            chunks: Some(chunks),
            task: Some(task),
            spent,
            ids: IdRows::default(),
        }
    }

    /// Notes that the file's `row` holds `id`: the row an earlier note of it
    /// was on, if there was one ([`IdRows::note`]).
    pub fn note(&mut self, id: &str, row: u64) -> Option<u64> {
        self.ids.note(id, row)
    }

    /// Adds a record to be written; `repeat` when a record pushed before had
    /// its id. True when a chunk is full: [`Self::send`] it then. (Not
    /// awaited per record: an awaited push moved each ticket through its
    /// future, and those copies were a tenth of the reading thread, perf.)
    pub fn push(&mut self, record: W::Record, repeat: bool) -> bool {
        self.buffer.records.push(record);
        self.buffer.repeats.push(repeat);
        self.buffer.records.len() >= CHUNK_ROWS
    }

    /// Writes what is left, waits for the writer and commits.
    pub async fn commit(mut self) -> Result<IngestReport, sqlx::Error> {
        self.send().await?;
        let writer = self.finish().await?;
        // Every row is read and written: the table (~285 MB at 10M ids) is
        // freed before the commit's folds would add to it.
        self.ids = IdRows::default();
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

    /// Hands the records pushed so far to the writer, waiting while it is
    /// two chunks behind.
    pub async fn send(&mut self) -> Result<(), sqlx::Error> {
        if self.buffer.records.is_empty() {
            return Ok(());
        }
        // The writer is at most two chunks behind: at most that many come back.
        let mut next = None;
        while let Ok(spent) = self.spent.try_recv() {
            next = Some(spent.emptied());
        }
        let chunk = std::mem::replace(&mut self.buffer, next.unwrap_or_else(Chunk::new));
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Keeps every record it is given, with its repeat flag.
    struct Kept(Arc<Mutex<Vec<(u32, bool)>>>);

    impl ChunkWriter for Kept {
        type Record = u32;
        fn write(
            &mut self,
            records: &[u32],
            repeats: &[bool],
        ) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
            self.0.lock().unwrap().extend(records.iter().copied().zip(repeats.iter().copied()));
            async { Ok(()) }
        }
        async fn commit(self) -> Result<IngestReport, sqlx::Error> {
            Ok(IngestReport::default())
        }
    }

    #[tokio::test]
    async fn every_record_reaches_the_writer_once_and_in_order_through_refilled_chunks() {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let mut streamed = Streamed::start(Kept(kept.clone()));
        // Enough chunks for those sent back to be filled again, and a part one at the end.
        let n = (CHUNK_ROWS * 12 + 7) as u32;
        for i in 0..n {
            if streamed.push(i, i % 3 == 0) {
                streamed.send().await.unwrap();
            }
        }
        streamed.commit().await.unwrap();
        let expected: Vec<(u32, bool)> = (0..n).map(|i| (i, i % 3 == 0)).collect();
        assert!(*kept.lock().unwrap() == expected);
    }
}
