//! Texts numbered as they are first seen. Rows being counted are keyed by
//! these numbers rather than by their texts: an import adds each ticket to
//! a few dozen rows, and cloning and comparing texts for each was most of
//! its per-ticket work.

use rustc_hash::FxHashMap;

#[derive(Clone, Debug, Default)]
pub(super) struct Names {
    numbers: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Names {
    /// The number of `name`, given it now if it has none yet.
    pub(super) fn number(&mut self, name: &str) -> u32 {
        if let Some(&number) = self.numbers.get(name) {
            return number;
        }
        let number = u32::try_from(self.names.len()).expect("fewer than 2^32 distinct texts");
        self.names.push(name.to_string());
        self.numbers.insert(name.to_string(), number);
        number
    }

    /// The text numbered `number`.
    pub(super) fn name(&self, number: u32) -> &str {
        &self.names[number as usize]
    }

    /// About what the texts take in memory, both copies included.
    pub(super) fn bytes(&self) -> usize {
        self.names.iter().map(|n| 2 * (n.capacity() + size_of::<String>() + size_of::<u32>())).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_keeps_the_number_it_was_first_given() {
        let mut names = Names::default();
        let (chat, email) = (names.number("chat"), names.number("email"));
        assert_ne!(chat, email);
        assert_eq!(names.number("chat"), chat);
        assert_eq!((names.name(chat), names.name(email)), ("chat", "email"));
    }
}
