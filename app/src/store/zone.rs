//! The reporting time zone: the calendar in which a ticket's day (and so its
//! week, month and quarter) is cut. Timestamps stay UTC; only the day keys of
//! the rollups and the bounds of raw-row reads follow the zone.

use crate::kpi::period::{date_of, day_number};
use chrono::{DateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportingZone(Tz);

impl Default for ReportingZone {
    fn default() -> Self {
        ReportingZone::UTC
    }
}

impl ReportingZone {
    pub const UTC: ReportingZone = ReportingZone(Tz::UTC);

    /// An IANA zone name such as `Europe/Berlin`.
    pub fn parse(name: &str) -> Result<ReportingZone, String> {
        name.trim()
            .parse::<Tz>()
            .map(ReportingZone)
            .map_err(|_| format!("'{name}' is not a time zone name such as UTC or Europe/Berlin"))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The day number (days since 1970-01-01) of the local date at `seconds`.
    pub fn day_of(&self, seconds: i64) -> i64 {
        if self.0 == Tz::UTC {
            return seconds.div_euclid(86_400);
        }
        match DateTime::from_timestamp(seconds, 0) {
            Some(utc) => day_number(utc.with_timezone(&self.0).date_naive()),
            None => seconds.div_euclid(86_400),
        }
    }

    /// The UTC timestamp at which local `day` begins: its midnight, or where a
    /// clock change skips midnight, the first instant that exists that day.
    pub fn day_start(&self, day: i64) -> i64 {
        if self.0 == Tz::UTC {
            return day.saturating_mul(86_400);
        }
        let date = date_of(day);
        (0..24)
            .filter_map(|hour| NaiveTime::from_hms_opt(hour, 0, 0))
            .find_map(|time| self.0.from_local_datetime(&date.and_time(time)).earliest())
            .map_or(day.saturating_mul(86_400), |start| start.timestamp())
    }

    /// The UTC timestamps `[from, before)` covering local days `first..=last`.
    pub fn span(&self, first: i64, last: i64) -> (i64, i64) {
        (self.day_start(first), self.day_start(last.saturating_add(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> i64 {
        day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn utc_cuts_days_at_midnight_utc() {
        let z = ReportingZone::UTC;
        assert_eq!(z.day_of(at("2025-03-31T23:59:59Z")), day(2025, 3, 31));
        assert_eq!(z.day_of(at("2025-04-01T00:00:00Z")), day(2025, 4, 1));
        assert_eq!(z.day_start(day(2025, 4, 1)), at("2025-04-01T00:00:00Z"));
    }

    #[test]
    fn a_zone_cuts_days_at_its_own_midnight() {
        let berlin = ReportingZone::parse("Europe/Berlin").unwrap();
        // 23:30 UTC on 31 March is 01:30 on 1 April in Berlin (summer time).
        assert_eq!(berlin.day_of(at("2025-03-31T23:30:00Z")), day(2025, 4, 1));
        assert_eq!(berlin.day_of(at("2025-03-31T21:59:59Z")), day(2025, 3, 31));
        assert_eq!(berlin.day_start(day(2025, 4, 1)), at("2025-03-31T22:00:00Z"));
        // In winter the offset is one hour.
        assert_eq!(berlin.day_start(day(2025, 1, 1)), at("2024-12-31T23:00:00Z"));
        let new_york = ReportingZone::parse("America/New_York").unwrap();
        assert_eq!(new_york.day_of(at("2025-07-01T03:59:59Z")), day(2025, 6, 30));
        assert_eq!(
            new_york.span(day(2025, 7, 1), day(2025, 7, 31)),
            (at("2025-07-01T04:00:00Z"), at("2025-08-01T04:00:00Z"))
        );
    }

    #[test]
    fn the_day_a_clock_change_skips_midnight_starts_at_its_first_hour() {
        // Santiago moved its clocks from 00:00 to 01:00 on 7 September 2025.
        let santiago = ReportingZone::parse("America/Santiago").unwrap();
        let start = santiago.day_start(day(2025, 9, 7));
        assert_eq!(start, at("2025-09-07T04:00:00Z"));
        assert_eq!(santiago.day_of(start), day(2025, 9, 7));
        assert_eq!(santiago.day_of(start - 1), day(2025, 9, 6));
    }

    #[test]
    fn every_instant_falls_in_the_day_whose_span_holds_it() {
        let zone = ReportingZone::parse("Australia/Lord_Howe").unwrap();
        for hour in 0..(24 * 400) {
            let t = at("2025-01-01T00:00:00Z") + hour * 3_600 + 1_234;
            let d = zone.day_of(t);
            let (from, before) = zone.span(d, d);
            assert!(from <= t && t < before, "{t} outside day {d}");
        }
    }

    #[test]
    fn names_that_are_not_zones_are_refused_with_an_example() {
        assert!(ReportingZone::parse("Mars/Olympus").unwrap_err().contains("Europe/Berlin"));
        assert_eq!(ReportingZone::parse(" Asia/Tokyo ").unwrap().name(), "Asia/Tokyo");
    }
}
