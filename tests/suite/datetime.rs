use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use result_serializers::{DateTimeSerializer, ErrorKind, Operation, Serializer};

use crate::{assert_error, DeserializeAs};

fn text<T>(value: &T) -> String
where
    DateTimeSerializer: Serializer<T>,
{
    String::from_utf8(DateTimeSerializer::new().serialize(value).unwrap()).unwrap()
}

fn read<T>(text: &str) -> T
where
    DateTimeSerializer: Serializer<T>,
{
    DateTimeSerializer::new()
        .deserialize(text.as_bytes())
        .unwrap_or_else(|err| panic!("{text}: {err}"))
}

fn offset(seconds: i32) -> FixedOffset {
    FixedOffset::east_opt(seconds).unwrap()
}

#[test]
fn writes_prefects_format_for_each_chrono_type() {
    let utc = Utc
        .with_ymd_and_hms(2020, 12, 16, 21, 36, 0)
        .unwrap()
        .with_nanosecond(123_456_000)
        .unwrap();
    assert_eq!(text(&utc), "2020-12-16T21:36:00.123456Z");
    assert_eq!(text(&utc.naive_utc()), "2020-12-16T21:36:00.123456Z");
    assert_eq!(
        text(&utc.with_timezone(&offset(19_800))),
        "2020-12-17T03:06:00.123456+05:30"
    );
    assert_eq!(
        text(&utc.with_timezone(&offset(0))),
        "2020-12-16T21:36:00.123456+00:00"
    );
    assert_eq!(
        text(
            &utc.with_timezone(&offset(-12_600))
                .with_nanosecond(0)
                .unwrap()
        ),
        "2020-12-16T18:06:00-03:30"
    );
    assert_eq!(
        text(
            &utc.with_timezone(&offset(3_630))
                .with_nanosecond(1_000)
                .unwrap()
        ),
        "2020-12-16T22:36:30.000001+01:00:30"
    );
}

#[test]
fn keeps_nanoseconds_with_nine_digits() {
    let at = Utc
        .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .unwrap()
        .with_nanosecond(123_456_789)
        .unwrap();
    assert_eq!(text(&at), "2020-01-01T00:00:00.123456789Z");
    assert_eq!(read::<DateTime<Utc>>("2020-01-01T00:00:00.123456789Z"), at);
    let at = at.with_nanosecond(1).unwrap();
    assert_eq!(text(&at), "2020-01-01T00:00:00.000000001Z");
}

#[test]
fn round_trips_across_chrono_range_and_offsets() {
    let instants = [
        NaiveDateTime::MIN,
        NaiveDateTime::MAX,
        NaiveDate::from_ymd_opt(-1, 12, 31)
            .unwrap()
            .and_hms_opt(23, 59, 59)
            .unwrap(),
        NaiveDate::from_ymd_opt(0, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
        NaiveDate::from_ymd_opt(9999, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 999_999_999)
            .unwrap(),
        NaiveDate::from_ymd_opt(10_000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
        NaiveDate::from_ymd_opt(2020, 2, 29)
            .unwrap()
            .and_hms_micro_opt(12, 0, 0, 1)
            .unwrap(),
    ];
    for naive in instants {
        let back: NaiveDateTime = read(&text(&naive));
        assert_eq!(back, naive);
        let utc = naive.and_utc();
        assert_eq!(read::<DateTime<Utc>>(&text(&utc)), utc);
        for seconds in [-86_399, -18_000, -1, 0, 1, 19_800, 86_399] {
            let local = utc.with_timezone(&offset(seconds));
            // Only where the local time stays inside chrono's range.
            if let Ok(written) = DateTimeSerializer::new().serialize(&local) {
                let written = String::from_utf8(written).unwrap();
                let back: DateTime<FixedOffset> = read(&written);
                assert_eq!(back, local, "{written}");
                assert_eq!(back.offset(), local.offset(), "{written}");
            }
        }
    }
}

#[test]
fn expanded_years_carry_a_sign() {
    let far = NaiveDate::from_ymd_opt(-44, 3, 15)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    assert_eq!(text(&far), "-0044-03-15T12:00:00Z");
    let far = NaiveDate::MAX.and_hms_opt(0, 0, 0).unwrap();
    assert_eq!(text(&far), "+262142-12-31T00:00:00Z");
}

#[test]
fn reading_converts_to_the_target_type() {
    let text = "2020-12-16T21:36:00+05:30";
    let utc: DateTime<Utc> = read(text);
    assert_eq!(utc, Utc.with_ymd_and_hms(2020, 12, 16, 16, 6, 0).unwrap());
    let naive: NaiveDateTime = read(text);
    assert_eq!(naive, utc.naive_utc());
    let fixed: DateTime<FixedOffset> = read("2020-12-16T21:36:00Z");
    assert_eq!(fixed.offset(), &offset(0));
}

#[test]
fn a_leap_second_is_refused_not_changed() {
    let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
        .unwrap()
        .and_hms_milli_opt(23, 59, 59, 1_500)
        .unwrap();
    let err = assert_error(
        DateTimeSerializer::new().serialize(&leap),
        "datetime",
        Operation::Serialize,
        |kind| matches!(kind, ErrorKind::Unrepresentable { .. }),
    );
    assert!(err.to_string().contains("leap second"), "{err}");
}

#[test]
fn a_local_time_outside_chronos_range_is_refused() {
    let edge = NaiveDateTime::MAX.and_utc().with_timezone(&offset(3_600));
    assert_error(
        DateTimeSerializer::new().serialize(&edge),
        "datetime",
        Operation::Serialize,
        |kind| matches!(kind, ErrorKind::Unrepresentable { .. }),
    );
    // Text whose instant leaves the range once converted to UTC.
    assert_error(
        DateTimeSerializer::new().deserialize_as::<DateTime<Utc>>(b"-262143-01-01T00:00:00+05:00"),
        "datetime",
        Operation::Deserialize,
        |kind| matches!(kind, ErrorKind::OutOfRange { .. }),
    );
}

#[test]
fn bad_input_names_what_is_wrong() {
    let cases: [(&[u8], &str); 6] = [
        (b"", "the input is empty"),
        (
            b"2020-12-1",
            "expected a two-digit day at byte 9, but the input ends",
        ),
        (
            b"2020-12-16T21:36:00Zjunk",
            "expected the end of the input at byte 20, found `j`",
        ),
        (
            b"\x00\x01garbage",
            "expected a four-digit year at byte 0, found byte 0x00",
        ),
        (
            b"2020-12-16T21:36:00.123456+05:30 ",
            "expected the end of the input at byte 32",
        ),
        (b"P1D", "duration, not a date-time"),
    ];
    for (input, reason) in cases {
        let err = assert_error(
            DateTimeSerializer::new().deserialize_as::<DateTime<Utc>>(input),
            "datetime",
            Operation::Deserialize,
            |kind| matches!(kind, ErrorKind::InvalidDateTime { .. }),
        );
        assert!(err.to_string().contains(reason), "{input:?}: {err}");
    }
    assert_error(
        DateTimeSerializer::new().deserialize_as::<DateTime<Utc>>(b"2020-12-16\xff"),
        "datetime",
        Operation::Deserialize,
        |kind| matches!(kind, ErrorKind::InvalidUtf8 { valid_up_to: 10 }),
    );
}

#[test]
fn every_truncation_of_valid_text_reads_or_fails_cleanly() {
    let full = b"2020-12-16T21:36:00.123456+05:30";
    for end in 0..full.len() {
        let result =
            DateTimeSerializer::new().deserialize_as::<DateTime<FixedOffset>>(&full[..end]);
        if let Err(err) = result {
            assert!(
                matches!(err.kind(), ErrorKind::InvalidDateTime { .. }),
                "{end}: {err}"
            );
        }
    }
}
