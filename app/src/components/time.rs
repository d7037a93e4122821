//! Timestamps for people.

/// "2025-03-14 09:30" (UTC) for epoch seconds.
pub fn date_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_utc_minutes() {
        assert_eq!(super::date_time(0), "1970-01-01 00:00");
    }
}
