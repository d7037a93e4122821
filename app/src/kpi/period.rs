//! Reporting periods: a calendar day, ISO week, month or quarter, written as
//! `2025-03-14`, `2025-W11`, `2025-03` and `2025-Q1` (DESIGN.md §5).

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
}

impl Grain {
    pub fn parse(s: &str) -> Option<Grain> {
        match s {
            "day" => Some(Grain::Day),
            "week" => Some(Grain::Week),
            "month" => Some(Grain::Month),
            "quarter" => Some(Grain::Quarter),
            _ => None,
        }
    }
}

/// A period is its grain and its first day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    pub grain: Grain,
    pub start: NaiveDate,
}

/// The first day of the window Aftercare stores and reports on: older dates
/// are the zero dates of exports or typing mistakes, not support history.
pub const FIRST_PLAUSIBLE_DAY: NaiveDate = ymd(1990, 1, 1);
/// `FIRST_PLAUSIBLE_DAY` at midnight UTC, in epoch seconds.
pub const FIRST_PLAUSIBLE_TIMESTAMP: i64 = 631_152_000;
/// The last day a report may ask for; a far-future range is a mistake.
pub const LAST_PLAUSIBLE_DAY: NaiveDate = ymd(2100, 12, 31);

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("a valid constant date"),
    }
}

/// Whether a report may ask for `date`: inside the plausible window.
pub fn is_plausible(date: NaiveDate) -> bool {
    (FIRST_PLAUSIBLE_DAY..=LAST_PLAUSIBLE_DAY).contains(&date)
}

/// The month `text` names (`2025-03`), if it lies in the plausible window.
pub fn plausible_month(text: &str) -> Option<Period> {
    Period::parse(text).filter(|p| p.grain == Grain::Month && is_plausible(p.start))
}

/// The first and last plausible months, as messages write them (`1990-01`).
pub fn plausible_months() -> (String, String) {
    (FIRST_PLAUSIBLE_DAY.format("%Y-%m").to_string(), LAST_PLAUSIBLE_DAY.format("%Y-%m").to_string())
}

/// Days since 1970-01-01: the rollup's day key, the same in every backend.
pub fn day_number(date: NaiveDate) -> i64 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch")).num_days()
}

/// The date of a day number, saturating at chrono's first and last date so
/// that an absurd stored day never panics a request.
pub fn date_of(day: i64) -> NaiveDate {
    chrono::Duration::try_days(day)
        .and_then(|d| ymd(1970, 1, 1).checked_add_signed(d))
        .unwrap_or(if day < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// The UTC day number of an epoch-seconds timestamp.
pub fn day_of_timestamp(seconds: i64) -> i64 {
    seconds.div_euclid(86_400)
}

impl Period {
    /// The period of `grain` that contains `date`.
    pub fn containing(grain: Grain, date: NaiveDate) -> Period {
        let start = match grain {
            Grain::Day => date,
            // The first week of chrono's calendar has no Monday before it.
            Grain::Week => date.week(Weekday::Mon).checked_first_day().unwrap_or(date),
            Grain::Month => date.with_day(1).expect("day 1 exists"),
            Grain::Quarter => {
                let month = (date.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(date.year(), month, 1).expect("quarter start exists")
            }
        };
        Period { grain, start }
    }

    /// Reads any of the four written forms; the grain follows from the form.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Some(Period::containing(Grain::Day, date));
        }
        let (year, rest) = s.split_once('-')?;
        let year: i32 = year.parse().ok().filter(|y| (1900..=9999).contains(y))?;
        if let Some(week) = rest.strip_prefix('W') {
            let week: u32 = week.parse().ok()?;
            let date = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
            return Some(Period { grain: Grain::Week, start: date });
        }
        if let Some(quarter) = rest.strip_prefix('Q') {
            let quarter: u32 = quarter.parse().ok().filter(|q| (1..=4).contains(q))?;
            let date = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)?;
            return Some(Period { grain: Grain::Quarter, start: date });
        }
        if rest.len() != 2 {
            return None;
        }
        let month: u32 = rest.parse().ok()?;
        let date = NaiveDate::from_ymd_opt(year, month, 1)?;
        Some(Period { grain: Grain::Month, start: date })
    }

    /// The first day after the period; chrono's last date at the end of its calendar.
    pub fn end_exclusive(&self) -> NaiveDate {
        let end = match self.grain {
            Grain::Day => self.start.checked_add_days(Days::new(1)),
            Grain::Week => self.start.checked_add_days(Days::new(7)),
            Grain::Month => self.start.checked_add_months(Months::new(1)),
            Grain::Quarter => self.start.checked_add_months(Months::new(3)),
        };
        end.unwrap_or(NaiveDate::MAX)
    }

    /// The last day of the period (inclusive).
    pub fn last_day(&self) -> NaiveDate {
        self.end_exclusive() - Days::new(1)
    }

    pub fn next(&self) -> Period {
        Period { grain: self.grain, start: self.end_exclusive() }
    }

    /// The period before; itself at the start of chrono's calendar.
    pub fn prev(&self) -> Period {
        self.start.checked_sub_days(Days::new(1)).map_or(*self, |d| Period::containing(self.grain, d))
    }

    /// The same period one year earlier.
    pub fn year_ago(&self) -> Period {
        match self.grain {
            Grain::Week => {
                let iso = self.start.iso_week();
                NaiveDate::from_isoywd_opt(iso.year() - 1, iso.week().min(52), Weekday::Mon)
                    .map(|start| Period { grain: Grain::Week, start })
                    .unwrap_or(*self)
            }
            _ => self
                .start
                .checked_sub_months(Months::new(12))
                .map_or(*self, |d| Period::containing(self.grain, d)),
        }
    }

    /// Every period of this grain from `self` up to and including `last`.
    pub fn through(self, last: Period) -> Vec<Period> {
        let mut out = Vec::new();
        let mut p = self;
        while p <= last {
            out.push(p);
            let next = p.next();
            // At the end of chrono's calendar `next` cannot move on.
            if next <= p {
                break;
            }
            p = next;
        }
        out
    }

    /// A label for people: "March 2025", "Week 11, 2025", "Q1 2025", "14 Mar 2025".
    pub fn long_label(&self) -> String {
        match self.grain {
            Grain::Day => self.start.format("%-d %b %Y").to_string(),
            Grain::Week => format!("Week {}, {}", self.start.iso_week().week(), self.start.iso_week().year()),
            Grain::Month => self.start.format("%B %Y").to_string(),
            Grain::Quarter => format!("Q{} {}", self.start.month0() / 3 + 1, self.start.year()),
        }
    }

    /// A short label for chart axes: "Mar 25", "W11", "Q1 25", "14 Mar".
    pub fn short_label(&self) -> String {
        match self.grain {
            Grain::Day => self.start.format("%-d %b").to_string(),
            Grain::Week => format!("W{}", self.start.iso_week().week()),
            Grain::Month => self.start.format("%b %y").to_string(),
            Grain::Quarter => format!("Q{} {}", self.start.month0() / 3 + 1, self.start.format("%y")),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.grain {
            Grain::Day => write!(f, "{}", self.start.format("%Y-%m-%d")),
            Grain::Week => {
                let iso = self.start.iso_week();
                write!(f, "{}-W{:02}", iso.year(), iso.week())
            }
            Grain::Month => write!(f, "{}", self.start.format("%Y-%m")),
            Grain::Quarter => write!(f, "{}-Q{}", self.start.year(), self.start.month0() / 3 + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[rstest]
    #[case("2025-03-14", Grain::Day, date(2025, 3, 14), date(2025, 3, 14))]
    #[case("2025-W11", Grain::Week, date(2025, 3, 10), date(2025, 3, 16))]
    #[case("2025-03", Grain::Month, date(2025, 3, 1), date(2025, 3, 31))]
    #[case("2025-Q1", Grain::Quarter, date(2025, 1, 1), date(2025, 3, 31))]
    #[case("2024-02", Grain::Month, date(2024, 2, 1), date(2024, 2, 29))]
    fn parses_each_written_form(
        #[case] text: &str,
        #[case] grain: Grain,
        #[case] first: NaiveDate,
        #[case] last: NaiveDate,
    ) {
        let p = Period::parse(text).unwrap();
        assert_eq!((p.grain, p.start, p.last_day()), (grain, first, last));
        assert_eq!(p.to_string(), text);
    }

    #[rstest]
    #[case("2025-13")]
    #[case("2025-Q5")]
    #[case("2025-W54")]
    #[case("March")]
    #[case("2025-3")]
    fn refuses_malformed_periods(#[case] text: &str) {
        assert_eq!(Period::parse(text), None);
    }

    #[test]
    fn iso_week_one_can_start_in_the_previous_year() {
        let p = Period::containing(Grain::Week, date(2025, 1, 1));
        assert_eq!(p.start, date(2024, 12, 30));
        assert_eq!(p.to_string(), "2025-W01");
    }

    #[test]
    fn navigation_between_months_and_years() {
        let p = Period::parse("2025-01").unwrap();
        assert_eq!(p.prev().to_string(), "2024-12");
        assert_eq!(p.next().to_string(), "2025-02");
        assert_eq!(p.year_ago().to_string(), "2024-01");
        assert_eq!(p.through(Period::parse("2025-03").unwrap()).len(), 3);
    }

    #[test]
    fn dates_at_the_ends_of_the_calendar_saturate_instead_of_panicking() {
        assert_eq!(date_of(i64::MIN / 86_400), NaiveDate::MIN);
        assert_eq!(date_of(i64::MAX), NaiveDate::MAX);
        for grain in [Grain::Day, Grain::Week, Grain::Month, Grain::Quarter] {
            let first = Period::containing(grain, NaiveDate::MIN);
            let last = Period::containing(grain, NaiveDate::MAX);
            assert_eq!(first.prev(), first);
            assert!(first.year_ago() <= first);
            assert!(!last.through(last).is_empty());
            assert_eq!(last.end_exclusive(), NaiveDate::MAX);
        }
    }

    #[test]
    fn the_plausible_window_runs_from_1990_to_2100() {
        assert_eq!(
            FIRST_PLAUSIBLE_DAY.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp(),
            FIRST_PLAUSIBLE_TIMESTAMP
        );
        assert!(is_plausible(date(1990, 1, 1)) && is_plausible(date(2100, 12, 31)));
        assert!(!is_plausible(date(1989, 12, 31)) && !is_plausible(date(2101, 1, 1)));
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_number(date(1970, 1, 2)), 1);
        assert_eq!(date_of(day_number(date(2025, 7, 4))), date(2025, 7, 4));
        assert_eq!(day_of_timestamp(86_399), 0);
        assert_eq!(day_of_timestamp(-1), -1);
    }
}
