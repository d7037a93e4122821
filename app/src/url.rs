//! Percent-encoding for URLs the browser builds: download links and query
//! values.

/// Encodes every byte but the unreserved characters of RFC 3986.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reserved_and_non_ascii_bytes_are_encoded() {
        assert_eq!(super::percent_encode("a b,{\"é\"}~"), "a%20b%2C%7B%22%C3%A9%22%7D~");
    }
}
