//! Reads ISO 8601 date-times as Prefect 1.x does (pendulum's strict parser).
//!
//! Written by hand because no parser crate reads that set and refuses the rest: chrono's RFC
//! 3339 parser takes lowercase `t`, which pendulum refuses, and none of the reduced, basic,
//! week or ordinal forms, which pendulum takes. Calendar arithmetic is chrono's. Every read is
//! bounds-checked: bad input gives a reason, never a panic.

use std::borrow::Cow;

use chrono::{FixedOffset, NaiveDate, NaiveTime, Weekday};

use super::{DateTimeParts, Zone};
use crate::cursor::Cursor;

pub(super) type Reason = Cow<'static, str>;

/// Parses the whole of `input`.
#[inline]
pub(super) fn parse(input: &[u8]) -> Result<DateTimeParts, Reason> {
    match parse_common(input) {
        Some(parts) => Ok(parts),
        None => parse_any(input),
    }
}

/// The form Prefect and chrono write, `YYYY-MM-DDTHH:MM:SS`, an optional `.` fraction, then
/// `Z`, `±HH:MM` or nothing, read at fixed positions. `None` for anything else, valid or
/// not, which [`parse_any`] then reads or explains.
#[inline]
fn parse_common(input: &[u8]) -> Option<DateTimeParts> {
    let (head, rest) = input.split_first_chunk::<19>()?;
    if head[4] != b'-'
        || head[7] != b'-'
        || !matches!(head[10], b'T' | b' ')
        || head[13] != b':'
        || head[16] != b':'
    {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |value, &byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u32::from(byte - b'0'))
        })
    };
    let year = number(&head[..4])?;
    let (month, day) = (number(&head[5..7])?, number(&head[8..10])?);
    let (hour, minute, second) = (
        number(&head[11..13])?,
        number(&head[14..16])?,
        number(&head[17..19])?,
    );
    let (nanos, rest) = match rest.split_first() {
        Some((b'.', fraction)) => {
            let run = fraction
                .iter()
                .take_while(|byte| byte.is_ascii_digit())
                .count();
            if run == 0 {
                return None;
            }
            let kept = run.min(9);
            // `kept` is at most 9, so the exponent fits.
            let nanos = number(fraction.get(..kept)?)? * 10u32.pow(9 - kept as u32);
            (nanos, fraction.get(run..)?)
        }
        _ => (0, rest),
    };
    let zone = match rest {
        [] | [b'Z'] => Zone::Utc,
        [sign @ (b'+' | b'-'), offset_hour @ .., b':', m1, m2] if offset_hour.len() == 2 => {
            let (hours, minutes) = (number(offset_hour)?, number(&[*m1, *m2])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            // Below 86,400, so the cast keeps it.
            let total = (hours * 3600 + minutes * 60) as i32;
            Zone::Offset(FixedOffset::east_opt(if *sign == b'-' {
                -total
            } else {
                total
            })?)
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(DateTimeParts {
        local: date.and_time(time),
        zone,
    })
}

/// Parses the whole of `input`, in any form Prefect reads. Out of line: inlined, it kept
/// [`parse_common`] from inlining, and W3 took 35% longer.
#[inline(never)]
fn parse_any(input: &[u8]) -> Result<DateTimeParts, Reason> {
    if input.is_empty() {
        return Err("the input is empty".into());
    }
    if input.first() == Some(&b'P') {
        return Err("it is an ISO 8601 duration, not a date-time".into());
    }
    if input.contains(&b'/') {
        return Err("it is an ISO 8601 interval, not a date-time".into());
    }
    if input.get(2) == Some(&b':') {
        // pendulum would take today's date, which makes the result depend on the clock.
        return Err("it is a time without a date".into());
    }

    let mut cursor = Cursor::new(input);
    let date = date(&mut cursor)?;
    let (time, zone) = if cursor.eat(b'T') || cursor.eat(b' ') {
        let time = time(&mut cursor)?;
        (time, zone(&mut cursor)?)
    } else {
        (NaiveTime::MIN, Zone::Utc)
    };
    if cursor.peek().is_some() {
        return Err(cursor.expected("the end of the input"));
    }
    Ok(DateTimeParts {
        local: date.and_time(time),
        zone,
    })
}

/// The reads of ISO 8601's grammar on a [`Cursor`].
trait Iso {
    /// How many ASCII digits follow.
    fn digit_run(&self) -> usize;
    /// Exactly `count` digits (at most 9), or a reason naming `what` they should have been.
    fn digits(&mut self, count: usize, what: &str) -> Result<u32, Reason>;
    fn next_is_digit(&self) -> bool;
    /// Why the byte at the cursor is wrong.
    fn expected(&self, what: &str) -> Reason;
}

impl Iso for Cursor<'_> {
    fn digit_run(&self) -> usize {
        self.count_while(|byte| byte.is_ascii_digit())
    }

    fn digits(&mut self, count: usize, what: &str) -> Result<u32, Reason> {
        if self.digit_run() < count {
            let mut at = *self;
            at.advance(self.digit_run());
            return Err(at.expected(what));
        }
        let mut value = 0;
        for digit in self.take(count).unwrap_or_default() {
            value = value * 10 + u32::from(digit - b'0');
        }
        Ok(value)
    }

    fn next_is_digit(&self) -> bool {
        self.peek().is_some_and(|byte| byte.is_ascii_digit())
    }

    fn expected(&self, what: &str) -> Reason {
        let Some(found) = self.peek() else {
            return format!("expected {what} at byte {}, but the input ends", self.pos()).into();
        };
        let hint = match found {
            b't' => " (date and time are separated by an uppercase `T` or a space)",
            b'z' => " (UTC is an uppercase `Z`)",
            _ => "",
        };
        let found = if found.is_ascii_graphic() || found == b' ' {
            format!("`{}`", char::from(found))
        } else {
            format!("byte 0x{found:02x}")
        };
        format!(
            "expected {what} at byte {}, found {found}{hint}",
            self.pos()
        )
        .into()
    }
}

fn date(cursor: &mut Cursor<'_>) -> Result<NaiveDate, Reason> {
    let (year, expanded) = year(cursor)?;
    if cursor.eat(b'-') {
        if cursor.eat(b'W') {
            let week = cursor.digits(2, "a two-digit week")?;
            let day = if cursor.eat(b'-') {
                cursor.digits(1, "a weekday digit 1-7")?
            } else {
                1
            };
            week_date(year, week, day)
        } else if cursor.digit_run() == 3 {
            ordinal_date(year, cursor.digits(3, "a day of the year")?)
        } else {
            let month = cursor.digits(2, "a two-digit month")?;
            let day = if cursor.eat(b'-') {
                cursor.digits(2, "a two-digit day")?
            } else {
                1
            };
            calendar_date(year, month, day)
        }
    } else if expanded {
        // A signed year has no fixed width, so only the extended form can follow it.
        calendar_date(year, 1, 1)
    } else if cursor.eat(b'W') {
        let week = cursor.digits(2, "a two-digit week")?;
        let day = if cursor.next_is_digit() {
            cursor.digits(1, "a weekday digit 1-7")?
        } else {
            1
        };
        week_date(year, week, day)
    } else {
        match cursor.digit_run() {
            0 => calendar_date(year, 1, 1),
            3 => ordinal_date(year, cursor.digits(3, "a day of the year")?),
            4 => {
                let month = cursor.digits(2, "a two-digit month")?;
                let day = cursor.digits(2, "a two-digit day")?;
                calendar_date(year, month, day)
            }
            _ => Err(cursor.expected("`-`, or `MMDD` or `DDD` after a four-digit year")),
        }
    }
}

/// A four-digit year, or a signed one of four to six digits (ISO 8601's expanded form).
fn year(cursor: &mut Cursor<'_>) -> Result<(i32, bool), Reason> {
    let negative = match cursor.peek() {
        Some(b'+') => false,
        Some(b'-') => true,
        _ => {
            let year = cursor.digits(4, "a four-digit year")?;
            return Ok((i32::try_from(year).unwrap_or(i32::MAX), false));
        }
    };
    cursor.advance(1);
    let run = cursor.digit_run();
    if !(4..=6).contains(&run) {
        return Err(cursor.expected("a year of four to six digits after its sign"));
    }
    let year = i32::try_from(cursor.digits(run, "a year")?).unwrap_or(i32::MAX);
    Ok((if negative { -year } else { year }, true))
}

fn calendar_date(year: i32, month: u32, day: u32) -> Result<NaiveDate, Reason> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        if (1..=12).contains(&month) {
            format!("day {day:02} is not in month {year:04}-{month:02}").into()
        } else {
            format!("month {month:02} is outside 01-12").into()
        }
    })
}

fn week_date(year: i32, week: u32, day: u32) -> Result<NaiveDate, Reason> {
    let weekday = u8::try_from(day)
        .ok()
        .and_then(|day| day.checked_sub(1))
        .and_then(|index| Weekday::try_from(index).ok())
        .ok_or_else(|| Reason::from(format!("weekday {day} is outside 1-7")))?;
    NaiveDate::from_isoywd_opt(year, week, weekday)
        .ok_or_else(|| format!("week {week:02} is not in year {year:04}").into())
}

fn ordinal_date(year: i32, ordinal: u32) -> Result<NaiveDate, Reason> {
    NaiveDate::from_yo_opt(year, ordinal)
        .ok_or_else(|| format!("day {ordinal:03} is not in year {year:04}").into())
}

fn time(cursor: &mut Cursor<'_>) -> Result<NaiveTime, Reason> {
    let hour = cursor.digits(2, "a two-digit hour")?;
    let (mut minute, mut second, mut nanos) = (0, 0, 0);
    if cursor.eat(b':') {
        minute = cursor.digits(2, "two-digit minutes")?;
        if cursor.eat(b':') {
            second = cursor.digits(2, "two-digit seconds")?;
            nanos = fraction(cursor)?;
        }
    } else if cursor.next_is_digit() {
        minute = cursor.digits(2, "two-digit minutes")?;
        if cursor.next_is_digit() {
            second = cursor.digits(2, "two-digit seconds")?;
            nanos = fraction(cursor)?;
        }
    }
    if hour > 23 {
        return Err(format!("hour {hour:02} is outside 00-23").into());
    }
    if minute > 59 {
        return Err(format!("minute {minute:02} is outside 00-59").into());
    }
    if second > 59 {
        return Err(
            format!("second {second:02} is outside 00-59 (leap seconds are not read)").into(),
        );
    }
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
        .ok_or_else(|| "the time is not valid".into())
}

/// The fraction of a second after `.` or `,`, in nanoseconds; digits past the ninth dropped.
fn fraction(cursor: &mut Cursor<'_>) -> Result<u32, Reason> {
    if !(cursor.eat(b'.') || cursor.eat(b',')) {
        return Ok(0);
    }
    let run = cursor.digit_run();
    if run == 0 {
        return Err(cursor.expected("digits after the decimal sign"));
    }
    let kept = run.min(9);
    let nanos = cursor.digits(kept, "digits")?;
    cursor.advance(run - kept);
    // `kept` is at most 9, so the exponent fits.
    Ok(nanos * 10u32.pow(9 - kept as u32))
}

fn zone(cursor: &mut Cursor<'_>) -> Result<Zone, Reason> {
    let negative = match cursor.peek() {
        Some(b'Z') => {
            cursor.advance(1);
            return Ok(Zone::Utc);
        }
        Some(b'+') => false,
        Some(b'-') => true,
        // No offset means UTC.
        _ => return Ok(Zone::Utc),
    };
    cursor.advance(1);
    let hours = cursor.digits(2, "a two-digit offset hour")?;
    let (mut minutes, mut seconds) = (0, 0);
    if cursor.eat(b':') {
        minutes = cursor.digits(2, "two-digit offset minutes")?;
        if cursor.eat(b':') {
            seconds = cursor.digits(2, "two-digit offset seconds")?;
        }
    } else if cursor.next_is_digit() {
        minutes = cursor.digits(2, "two-digit offset minutes")?;
    }
    if hours > 23 || minutes > 59 || seconds > 59 {
        return Err(format!(
            "offset {}{hours:02}:{minutes:02} is outside -23:59..+23:59",
            if negative { '-' } else { '+' }
        )
        .into());
    }
    // Below 86,400, so the cast keeps it.
    let total = (hours * 3600 + minutes * 60 + seconds) as i32;
    FixedOffset::east_opt(if negative { -total } else { total })
        .map(Zone::Offset)
        .ok_or_else(|| "the offset is not valid".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        match parse(text.as_bytes()) {
            Ok(parts) => {
                let zone = match parts.zone {
                    Zone::Utc => "Z".to_string(),
                    Zone::Offset(offset) => offset.to_string(),
                };
                format!("{} {zone}", parts.local.format("%Y-%m-%dT%H:%M:%S%.f"))
            }
            Err(reason) => panic!("{text:?} was refused: {reason}"),
        }
    }

    fn err(text: &str) -> String {
        match parse(text.as_bytes()) {
            Ok(parts) => panic!("{text:?} was read as {parts:?}"),
            Err(reason) => reason.into_owned(),
        }
    }

    #[test]
    fn the_common_form_reads_as_the_general_reader_reads_it() {
        // Valid date-times with one byte replaced, dropped or doubled, and the originals:
        // whatever the fixed-position reader takes, the general one takes the same way.
        let valid = [
            "2021-03-04T05:06:07.123456+00:00",
            "1999-12-31 23:59:59Z",
            "2020-02-29T00:00:00.1-23:59",
            "2024-07-01T12:30:45.1234567891+05:30",
            "0001-01-01T00:00:00",
        ];
        let bytes = b"0123456789+-:.,TZ tz";
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for text in valid {
            let text = text.as_bytes();
            inputs.push(text.to_vec());
            for at in 0..text.len() {
                for &byte in bytes {
                    let mut input = text.to_vec();
                    input[at] = byte;
                    inputs.push(input);
                }
                let mut dropped = text.to_vec();
                dropped.remove(at);
                inputs.push(dropped);
                let mut doubled = text.to_vec();
                doubled.insert(at, text[at]);
                inputs.push(doubled);
            }
        }
        let mut taken = 0;
        for input in &inputs {
            if let Some(parts) = parse_common(input) {
                taken += 1;
                assert_eq!(
                    parse_any(input),
                    Ok(parts),
                    "{:?}",
                    String::from_utf8_lossy(input)
                );
            }
        }
        assert!(taken > 500, "{taken} of {}", inputs.len());
    }

    #[test]
    fn reads_every_form_prefect_reads() {
        assert_eq!(ok("2020-12-16T21:36:00Z"), "2020-12-16T21:36:00 Z");
        assert_eq!(ok("2020-12-16 21:36"), "2020-12-16T21:36:00 Z");
        assert_eq!(ok("2020-12-16T21"), "2020-12-16T21:00:00 Z");
        assert_eq!(ok("20201216T2136"), "2020-12-16T21:36:00 Z");
        assert_eq!(ok("2020-W51-3"), "2020-12-16T00:00:00 Z");
        assert_eq!(ok("2020W513"), "2020-12-16T00:00:00 Z");
        assert_eq!(ok("2020351"), "2020-12-16T00:00:00 Z");
        assert_eq!(
            ok("2020-12-16T21:36:00,25-03"),
            "2020-12-16T21:36:00.250 -03:00"
        );
        assert_eq!(ok("2020-12-16T21:36:00-0330"), "2020-12-16T21:36:00 -03:30");
        assert_eq!(
            ok("1800-01-01T12:00:00+00:19:32"),
            "1800-01-01T12:00:00 +00:19:32"
        );
        assert_eq!(ok("+10000-01-01T00:00:00Z"), "+10000-01-01T00:00:00 Z");
        assert_eq!(ok("-0001-12-31"), "-0001-12-31T00:00:00 Z");
    }

    #[test]
    fn keeps_nine_fraction_digits_and_drops_the_rest() {
        assert_eq!(
            ok("2020-12-16T21:36:00.1234567891234Z"),
            "2020-12-16T21:36:00.123456789 Z"
        );
    }

    #[test]
    fn reasons_say_where_and_what() {
        assert_eq!(
            err("2020-12-16t21:36:00Z"),
            "expected the end of the input at byte 10, found `t` \
             (date and time are separated by an uppercase `T` or a space)"
        );
        assert_eq!(
            err("2020-12-16T21:36:00z"),
            "expected the end of the input at byte 19, found `z` (UTC is an uppercase `Z`)"
        );
        assert_eq!(err("2020-02-30"), "day 30 is not in month 2020-02");
        assert_eq!(err("2020-13-01"), "month 13 is outside 01-12");
        assert_eq!(err("2020-12-16T24:00:00"), "hour 24 is outside 00-23");
        assert_eq!(err("2020-W54"), "week 54 is not in year 2020");
        assert_eq!(err("2020-W51-8"), "weekday 8 is outside 1-7");
        assert_eq!(err("2020-367"), "day 367 is not in year 2020");
        assert_eq!(
            err("2020-12-16T21:36:00+24:00"),
            "offset +24:00 is outside -23:59..+23:59"
        );
        assert_eq!(
            err("2020-12-16T21:3"),
            "expected two-digit minutes at byte 15, but the input ends"
        );
        assert_eq!(
            err("2020-12-16T21:36:00."),
            "expected digits after the decimal sign at byte 20, but the input ends"
        );
        assert_eq!(
            err("2020\u{ff}"),
            "expected the end of the input at byte 4, found byte 0xc3"
        );
    }

    #[test]
    fn refuses_forms_prefect_refuses_or_reads_as_other_types() {
        for text in [
            "",
            " 2020-12-16",
            "2020-12-16 ",
            "2020-12-16T21:36:00 +05:30",
            "2020-12-16T21:36:60Z",
            "202012",
            "1608154560",
            "12/16/2020",
            "P1D",
            "21:36:00",
            "now",
            "2020-12-16Z",
            "+123-01-01",
            "+1234567-01-01",
        ] {
            err(text);
        }
    }
}
