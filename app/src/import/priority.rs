//! Priority on Aftercare's documented scale — low, normal, high, urgent —
//! from the words helpdesks use for it. A word that is not on the list is
//! refused rather than stored as a fifth priority nobody filters by.

/// The scale, lowest first.
pub const SCALE: [&str; 4] = ["low", "normal", "high", "urgent"];

/// Words (lower case) read as each step of the scale. Bare numbers are
/// left out on purpose: 1 is the highest priority in some helpdesks and the
/// lowest in others, so a file's numbers are mapped in its mapping.
const WORDS: &[(&str, &[&str])] = &[
    ("low", &["low", "lowest", "minor", "trivial", "p4", "p5"]),
    ("normal", &["normal", "medium", "moderate", "standard", "regular", "p3"]),
    ("high", &["high", "major", "important", "p2"]),
    ("urgent", &["urgent", "critical", "highest", "blocker", "emergency", "p1", "p0"]),
];

/// "Critical" → "urgent"; anything unknown is refused with the scale named.
pub fn normalise(text: &str) -> Result<&'static str, String> {
    let word = text.trim();
    // The words are ASCII: compared without a lower-cased copy.
    let known = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(word));
    WORDS.iter().find(|(_, words)| known(words)).map(|(step, _)| *step).ok_or_else(|| {
        "is not a priority Aftercare knows: use low, normal, high or urgent, \
         or map the file's word to one of them in the mapping's values"
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpdesk_words_land_on_the_scale() {
        for (word, step) in [
            ("Critical", "urgent"),
            ("URGENT", "urgent"),
            ("Medium", "normal"),
            ("normal", "normal"),
            ("High", "high"),
            ("major", "high"),
            ("Low", "low"),
            ("P1", "urgent"),
        ] {
            assert_eq!(normalise(word), Ok(step), "{word}");
        }
        assert!(SCALE.iter().all(|s| normalise(s) == Ok(*s)));
    }

    #[test]
    fn other_words_are_refused_naming_the_scale() {
        assert!(normalise("1").is_err(), "numbers mean different things in different helpdesks");
        let err = normalise("whenever").unwrap_err();
        assert!(err.contains("low, normal, high or urgent"), "{err}");
    }
}
