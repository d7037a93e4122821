//! Sets of external ids kept as 128-bit fingerprints: an import remembers
//! every id it has seen, and a fingerprint takes a third of the memory of
//! the text (still 16 bytes a slot, 24 with a row number, and a table has
//! up to twice as many slots as ids: memory that grows with the file). Two
//! different ids share a fingerprint with a probability of about n²/2¹²⁹,
//! nothing a file of any size comes near.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// An id's fingerprint: two independent 64-bit SipHashes of it (the second
/// salted). Two words rather than a `u128`, whose 16-byte alignment pads a
/// map's (fingerprint, row) entry from 24 bytes to 32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fingerprint(u64, u64);

fn fingerprint(id: &str) -> Fingerprint {
    let half = |salt: u64| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut hasher);
        id.hash(&mut hasher);
        hasher.finish()
    };
    Fingerprint(half(0), half(0x9e37_79b9_7f4a_7c15))
}

impl Hash for Fingerprint {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0);
    }
}

/// A fingerprint is a hash already: the sets take its first word as it is
/// instead of hashing it a third time.
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

/// Ids seen.
#[derive(Debug, Default)]
pub struct IdSet(HashSet<Fingerprint, BuildHasherDefault<FirstWord>>);

impl IdSet {
    /// True when the id was not in the set.
    pub fn insert(&mut self, id: &str) -> bool {
        self.0.insert(fingerprint(id))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(&fingerprint(id))
    }
}

/// Ids seen, each with a value (the row it was first seen on).
#[derive(Debug, Default)]
pub struct IdMap<V>(HashMap<Fingerprint, V, BuildHasherDefault<FirstWord>>);

impl<V: Copy> IdMap<V> {
    pub fn get(&self, id: &str) -> Option<V> {
        self.0.get(&fingerprint(id)).copied()
    }

    pub fn insert(&mut self, id: &str, value: V) {
        self.0.insert(fingerprint(id), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_told_apart_and_found_again() {
        let mut seen = IdSet::default();
        assert!(seen.insert("T-1"));
        assert!(seen.insert("T-10"));
        assert!(!seen.insert("T-1"));
        assert!(seen.contains("T-10"));
        assert!(!seen.contains("T-2"));
        assert_ne!(fingerprint("ab"), fingerprint("ba"));
        assert_eq!(fingerprint("T-1"), fingerprint(&String::from("T-1")));
        let mut rows = IdMap::default();
        rows.insert("T-1", 2u64);
        assert_eq!(rows.get("T-1"), Some(2));
        assert_eq!(rows.get("T-2"), None);
    }

    #[test]
    fn a_row_number_and_its_fingerprint_take_24_bytes() {
        assert_eq!(size_of::<(Fingerprint, u64)>(), 24);
        let (mut a, mut b) = (FirstWord::default(), FirstWord::default());
        fingerprint("T-1").hash(&mut a);
        fingerprint("T-2").hash(&mut b);
        assert_eq!(a.finish(), fingerprint("T-1").0);
        assert_ne!(a.finish(), b.finish());
    }
}
