//! Sets of external ids kept as 128-bit fingerprints: an import remembers
//! every id it has seen, and a fingerprint takes a third of the memory of
//! the text. Two different ids share a fingerprint with a probability of
//! about n²/2¹²⁹, nothing a file of any size comes near.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// Two independent 64-bit SipHashes of the id (the second salted), as one number.
pub fn fingerprint(id: &str) -> u128 {
    let half = |salt: u64| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut hasher);
        id.hash(&mut hasher);
        hasher.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(0x9e37_79b9_7f4a_7c15))
}

/// Ids seen.
#[derive(Debug, Default)]
pub struct IdSet(HashSet<u128>);

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
pub struct IdMap<V>(HashMap<u128, V>);

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
}
