//! One import at a time per server. An import writes in one transaction so
//! that a refused file changes nothing; on SQLite that transaction holds the
//! only write lock until it ends. A second import would wait for the lock
//! and then fail with "database is locked", so it is turned away at once
//! with a clear "try again in a minute" instead (503 with `Retry-After`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Shared by every clone of the server's `Db`.
#[derive(Clone, Debug, Default)]
pub struct ImportGate(Arc<AtomicBool>);

/// The running import's turn; the next import may start once it is dropped.
#[derive(Debug)]
pub struct ImportTurn(Arc<AtomicBool>);

impl ImportGate {
    /// The turn, unless an import is running.
    pub fn try_enter(&self) -> Option<ImportTurn> {
        self.0
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| ImportTurn(self.0.clone()))
    }

    pub fn is_running(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

impl Drop for ImportTurn {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_import_waits_for_the_first_to_end() {
        let gate = ImportGate::default();
        let turn = gate.try_enter().expect("free");
        assert!(gate.try_enter().is_none() && gate.is_running());
        drop(turn);
        assert!(gate.try_enter().is_some());
    }
}
