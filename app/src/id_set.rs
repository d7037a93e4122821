//! The external ids an import has seen, kept as 96-bit fingerprints with
//! the row each was first seen on, or whether it has been written: an
//! import's reader notes each row's id (for the file's repeated-id report)
//! and tells the writer which records repeat one; a writer used without an
//! import (the REST API) marks the ids it writes in a table of its own. At
//! 16 bytes a slot (a table has up to twice as many slots as ids: memory
//! that still grows with the file). Two different ids share a fingerprint
//! with a probability of about n²/2⁹⁷, nothing a file of any size comes near.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// An id's fingerprint: a 64-bit SipHash of it and 32 bits of a second,
/// salted one. Packed to 4-byte alignment, so that with its row it fills
/// 16 bytes, not the 24 a `u64` pair and a row padded to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, packed(4))]
struct Fingerprint {
    hash: u64,
    check: u32,
}

fn fingerprint(id: &str) -> Fingerprint {
    let half = |salt: u64| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut hasher);
        id.hash(&mut hasher);
        hasher.finish()
    };
    Fingerprint { hash: half(0), check: half(0x9e37_79b9_7f4a_7c15) as u32 }
}

impl Hash for Fingerprint {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let hash = self.hash;
        state.write_u64(hash);
    }
}

/// A fingerprint is a hash already: the table takes its first word as it
/// is instead of hashing it a third time.
#[derive(Default)]
struct FirstWord(u64);

impl Hasher for FirstWord {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = word;
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only fingerprints are hashed here, through `write_u64`.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
}

/// The top bit of a slot's row word: the id has been written.
const WRITTEN: u32 = 1 << 31;

/// The largest row number a slot holds: an import refuses longer files.
pub const MAX_ROW: u64 = (WRITTEN - 1) as u64;

/// The table is cut in this many shards, by fingerprint, each growing on
/// its own: growing then copies a 64th of the table at a time. One table
/// grew by copying all of it, the old ~143 MB beside the new ~285 MB at
/// 10M ids: a 10M import peaked there, at 517,596 KB (400,692 in shards).
const SHARDS: usize = 64;

type Shard = HashMap<Fingerprint, u32, BuildHasherDefault<FirstWord>>;

/// Ids seen, each with the row it was first noted on and whether a record
/// of it has been written.
#[derive(Debug)]
pub struct IdRows(Vec<Shard>);

impl Default for IdRows {
    fn default() -> Self {
        IdRows((0..SHARDS).map(|_| Shard::default()).collect())
    }
}

impl IdRows {
    /// The shard of `fingerprint`, chosen by bits its hash within the shard does not use.
    fn shard(&mut self, fingerprint: &Fingerprint) -> &mut Shard {
        &mut self.0[fingerprint.check as usize % SHARDS]
    }

    /// Notes that `row` (at most [`MAX_ROW`]) holds `id`: the row an
    /// earlier note of it was on, if there was one.
    pub fn note(&mut self, id: &str, row: u64) -> Option<u64> {
        let fingerprint = fingerprint(id);
        match self.shard(&fingerprint).entry(fingerprint) {
            Entry::Occupied(slot) => Some(u64::from(*slot.get() & !WRITTEN)),
            Entry::Vacant(slot) => {
                slot.insert(row.min(MAX_ROW) as u32);
                None
            }
        }
    }

    /// Marks `id` written; true when it had been written before.
    pub fn mark_written(&mut self, id: &str) -> bool {
        let fingerprint = fingerprint(id);
        let word = self.shard(&fingerprint).entry(fingerprint).or_insert(0);
        let before = *word & WRITTEN != 0;
        *word |= WRITTEN;
        before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_told_apart_and_found_again() {
        let mut ids = IdRows::default();
        assert_eq!(ids.note("T-1", 2), None);
        assert_eq!(ids.note("T-10", 3), None);
        assert_eq!(ids.note("T-1", 4), Some(2));
        assert_ne!(fingerprint("ab"), fingerprint("ba"));
        assert_eq!(fingerprint("T-1"), fingerprint(&String::from("T-1")));
    }

    #[test]
    fn an_id_is_written_once_whether_noted_or_not() {
        let mut ids = IdRows::default();
        ids.note("T-1", MAX_ROW);
        assert!(!ids.mark_written("T-1"), "noted, not written");
        assert!(ids.mark_written("T-1"));
        // Writing does not change the row an id was first noted on.
        assert_eq!(ids.note("T-1", 9), Some(MAX_ROW));
        // A writer used without notes (the REST API) marks ids alone.
        assert!(!ids.mark_written("T-2"));
        assert!(ids.mark_written("T-2"));
    }

    #[test]
    fn a_slot_takes_16_bytes() {
        assert_eq!(size_of::<(Fingerprint, u32)>(), 16);
        let (mut a, mut b) = (FirstWord::default(), FirstWord::default());
        fingerprint("T-1").hash(&mut a);
        fingerprint("T-2").hash(&mut b);
        let hash = fingerprint("T-1").hash;
        assert_eq!(a.finish(), hash);
        assert_ne!(a.finish(), b.finish());
    }
}
