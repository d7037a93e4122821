use super::*;
use crate::import::mapping::guess;

fn utc(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

#[test]
fn timestamps_read_iso_epoch_common_layouts_and_zones() {
    let berlin: Tz = "Europe/Berlin".parse().unwrap();
    assert_eq!(parse_timestamp("2025-03-14T09:30:00Z", None, Tz::UTC), Ok(utc("2025-03-14T09:30:00Z")));
    assert_eq!(parse_timestamp("2025-03-14T09:30:00+02:00", None, berlin), Ok(utc("2025-03-14T07:30:00Z")));
    assert_eq!(parse_timestamp("1741944600", None, Tz::UTC), Ok(1_741_944_600));
    assert_eq!(parse_timestamp("2025-03-14 09:30", None, Tz::UTC), Ok(utc("2025-03-14T09:30:00Z")));
    // Winter (UTC+1) and summer (UTC+2) in Berlin.
    assert_eq!(parse_timestamp("2025-01-10 10:00:00", None, berlin), Ok(utc("2025-01-10T09:00:00Z")));
    assert_eq!(parse_timestamp("2025-07-10 10:00:00", None, berlin), Ok(utc("2025-07-10T08:00:00Z")));
    assert_eq!(parse_timestamp("14.03.2025 09:30", None, Tz::UTC), Ok(utc("2025-03-14T09:30:00Z")));
    assert_eq!(parse_timestamp("2025-03-14", None, Tz::UTC), Ok(utc("2025-03-14T00:00:00Z")));
    assert_eq!(
        parse_timestamp("03/04/2025 09:30", Some("%d/%m/%Y %H:%M"), Tz::UTC),
        Ok(utc("2025-04-03T09:30:00Z"))
    );
    assert!(parse_timestamp("03/04/2025 09:30", None, Tz::UTC).unwrap_err().contains("set a format"));
    assert!(parse_timestamp("2025-03-30 02:30", None, berlin).unwrap_err().contains("daylight-saving"));
}

#[test]
fn day_first_and_month_first_are_told_apart_by_the_sample() {
    assert_eq!(detect_format(&["03/04/2025 09:30", "25/04/2025 10:00"]), Some("%d/%m/%Y %H:%M"));
    assert_eq!(detect_format(&["04/25/2025 10:00", "03/04/2025 09:30"]), Some("%m/%d/%Y %H:%M"));
    assert_eq!(detect_format(&["2025-03-14 09:30"]), None, "already readable");
}

#[test]
fn decimals_with_either_separator() {
    assert_eq!(parse_decimal("1234.5"), Ok(1234.5));
    assert_eq!(parse_decimal("1,234.50"), Ok(1234.5));
    assert_eq!(parse_decimal("1.234,50"), Ok(1234.5));
    assert_eq!(parse_decimal("89,9"), Ok(89.9));
    assert_eq!(parse_decimal("85,000"), Ok(85_000.0), "a thousands separator, not 85.0");
    assert_eq!(parse_decimal("1,25"), Ok(1.25));
    assert_eq!(parse_decimal(" 12 "), Ok(12.0));
    assert!(parse_decimal("12 EUR").is_err());
    assert!(parse_decimal("NaN").is_err());
    // Plain digits take a shorter path, to the same number.
    assert_eq!(parse_decimal("007"), Ok(7.0));
    assert_eq!(parse_decimal("999999999999999"), Ok(999_999_999_999_999.0));
    assert_eq!(parse_decimal("12345678901234567"), Ok(12_345_678_901_234_567.0));
}

#[test]
fn cells_are_trimmed_as_str_trim_trims_them() {
    let cells =
        ["chat", " chat", "chat\t", "\u{a0}chat", "chat\u{3000}", "\u{b}x\u{b}", "é", " ", "", "\r\n"];
    for cell in cells {
        assert_eq!(trimmed(cell), cell.trim(), "{cell:?}");
    }
}

#[test]
fn scales_map_linearly_and_round() {
    assert_eq!(rescale(10.0, [1.0, 10.0], 1, 5), Ok(5));
    assert_eq!(rescale(1.0, [1.0, 10.0], 1, 5), Ok(1));
    assert_eq!(rescale(6.0, [1.0, 10.0], 1, 5), Ok(3)); // 1 + 5/9 × 4 = 3.22
    assert_eq!(rescale(80.0, [0.0, 100.0], 1, 5), Ok(4)); // 1 + 0.8 × 4 = 4.2
    assert!(rescale(11.0, [1.0, 10.0], 1, 5).unwrap_err().contains("outside"));
}

#[test]
fn durations_count_from_created_at() {
    assert_eq!(parse_duration("1.5", DurationUnit::Hours), Ok(5400));
    assert_eq!(parse_duration("90", DurationUnit::Minutes), Ok(5400));
    assert_eq!(parse_duration("01:30:00", DurationUnit::Minutes), Ok(5400));
    assert!(parse_duration("-2", DurationUnit::Hours).is_err());
    assert!(parse_duration("nan:00", DurationUnit::Hours).is_err());
    assert!(parse_duration("1e300", DurationUnit::Hours).is_err());
    assert_eq!(parse_bool("Yes"), Ok(true));
    assert_eq!(parse_bool("0"), Ok(false));
    assert!(parse_bool("maybe").is_err());
}

fn headers() -> Vec<String> {
    ["Ticket ID", "Created", "First reply time (hrs)", "Via", "Type", "Group", "Satisfaction"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn a_helpdesk_row_becomes_a_canonical_ticket() {
    let mut mapping = guess(Kind::Tickets, &headers());
    let csat = mapping.fields.get_mut("csat").unwrap();
    csat.values = [("good".to_string(), "5".to_string()), ("bad".into(), "1".into())].into();
    mapping.fields.get_mut("channel").unwrap().values = [("Mail".to_string(), "email".to_string())].into();
    let converter = Converter::new(Kind::Tickets, &mapping, &headers(), "importer").unwrap();
    let row = converter
        .convert(&["T-1", "2025-03-14 09:00", "1.5", "Mail", "delivery", "Tier 1", "good"], 2)
        .unwrap();
    let ticket: crate::models::TicketRecord = serde_json::from_value(Value::Object(row)).unwrap();
    assert_eq!(ticket.external_id, "T-1");
    assert_eq!(ticket.created_at, utc("2025-03-14T09:00:00Z"));
    assert_eq!(ticket.first_response_at, Some(utc("2025-03-14T10:30:00Z")));
    assert_eq!(ticket.channel, "email");
    assert_eq!(ticket.csat, Some(5));
    assert_eq!(ticket.priority, "normal", "defaults apply to unmapped fields");
}

#[test]
fn refusals_name_row_column_value_and_reason() {
    let mapping = guess(Kind::Tickets, &headers());
    let converter = Converter::new(Kind::Tickets, &mapping, &headers(), "importer").unwrap();
    let err = converter.convert(&["T-1", "yesterday", "1", "chat", "delivery", "Tier 1", ""], 7).unwrap_err();
    assert_eq!((err.row, err.column.as_str(), err.value.as_str()), (7, "Created", "yesterday"));
    assert!(err.reason.starts_with("created_at is not a date-time"), "{}", err.reason);
    let err = converter
        .convert(&["T-1", "2025-03-14 09:00", "", "chat", "delivery", "Tier 1", "good"], 3)
        .unwrap_err();
    assert_eq!(err.column, "Satisfaction");
    assert!(err.reason.contains("map words such as 'good'"), "{}", err.reason);
    let err =
        converter.convert(&["", "2025-03-14 09:00", "", "chat", "delivery", "Tier 1", ""], 4).unwrap_err();
    assert_eq!((err.column.as_str(), err.reason.as_str()), ("Ticket ID", "external_id is required"));
    // A word proposed but left without a score is refused, not dropped.
    let mut unconfirmed = guess(Kind::Tickets, &headers());
    unconfirmed.fields.get_mut("csat").unwrap().values = [("meh".to_string(), String::new())].into();
    let strict = Converter::new(Kind::Tickets, &unconfirmed, &headers(), "importer").unwrap();
    let err =
        strict.convert(&["T-2", "2025-03-14 09:00", "", "chat", "delivery", "Tier 1", "meh"], 5).unwrap_err();
    assert_eq!((err.column.as_str(), err.value.as_str()), ("Satisfaction", "meh"));
}

#[test]
fn mappings_that_cannot_work_are_refused_before_any_row() {
    let mut mapping = guess(Kind::Tickets, &headers());
    mapping.fields.remove("team");
    let err = Converter::new(Kind::Tickets, &mapping, &headers(), "x").err().unwrap();
    assert_eq!(err, "tickets needs a column (or a value) for 'team'");
    mapping.fields.insert("team".into(), FieldMap { column: Some("Squad".into()), ..FieldMap::default() });
    let err = Converter::new(Kind::Tickets, &mapping, &headers(), "x").err().unwrap();
    assert!(err.starts_with("column 'Squad' (for team) is not in the file"), "{err}");
    mapping.fields.insert("team".into(), FieldMap { value: Some("Support".into()), ..FieldMap::default() });
    mapping.timezone = Some("Mars/Olympus".into());
    let err = Converter::new(Kind::Tickets, &mapping, &headers(), "x").err().unwrap();
    assert!(err.contains("not a time zone"), "{err}");
}

#[test]
fn fractions_of_a_second_round_to_the_nearest_second() {
    assert_eq!(parse_timestamp("2025-03-14T09:30:00.600Z", None, Tz::UTC), Ok(utc("2025-03-14T09:30:01Z")));
    assert_eq!(parse_timestamp("2025-03-14T09:30:00.499Z", None, Tz::UTC), Ok(utc("2025-03-14T09:30:00Z")));
    assert_eq!(parse_timestamp("2025-03-14 09:30:59.5", None, Tz::UTC), Ok(utc("2025-03-14T09:31:00Z")));
    // 261.316 minutes is 15,678.96 s: stored as 15,679, not truncated.
    assert_eq!(parse_duration("261.316", DurationUnit::Minutes), Ok(15_679));
}

#[test]
fn a_ticket_built_from_its_fields_equals_the_one_deserialised_from_its_object() {
    let headers: Vec<String> = Kind::Tickets.fields().iter().map(|f| f.name.to_string()).collect();
    let converter =
        Converter::new(Kind::Tickets, &guess(Kind::Tickets, &headers), &headers, "admin").unwrap();
    let full = |fcr: &'static str, reopened: &'static str, escalated: &'static str| {
        [
            "T-1",
            "2025-03-14T09:30:00Z",
            "2025-03-14 10:00",
            "1741993200",
            "chat",
            "delivery",
            "critical",
            "Tier 1",
            "amira",
            "solved",
            "5",
            "9",
            "2",
            "3",
            fcr,
            reopened,
            escalated,
            "C-1",
            "O-1",
            "P-1",
        ]
    };
    // Only the required fields: created_at, channel, category and team after the id.
    let mut minimal = [""; 20];
    for (i, cell) in [(0, "T-2"), (1, "2025-03-14 09:30"), (4, "email"), (5, "billing"), (7, "Tier 2")] {
        minimal[i] = cell;
    }
    // Between them, every field holds a value other than its default.
    for cells in [full("yes", "no", "true"), full("0", "1", "no"), minimal] {
        let converted = converter.convert_fields(&cells, 2).unwrap();
        let object = Value::Object(converter.object(converted.clone()));
        let deserialised: TicketRecord = serde_json::from_value(object).unwrap();
        assert_eq!(converted.into_ticket(), deserialised, "{cells:?}");
    }
}
