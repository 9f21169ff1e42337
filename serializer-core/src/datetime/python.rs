//! Python's text of its date and time classes, as Prefect 3 writes them: `isoformat` of a
//! `datetime`, `date` and `time`, and a `timedelta` as an ISO 8601 duration (`PT1H30M0.000005S`,
//! `-P1DT2H`), as pydantic writes it.
//!
//! Reading a duration takes days (`D`), weeks (`W`), hours, minutes and seconds with a fraction
//! of up to nine digits, and a leading `-`; years and months, whose length is not fixed, are
//! refused.

#[cfg(feature = "prefect3")]
use chrono::{DateTime, FixedOffset};
use chrono::{NaiveDateTime, NaiveTime, TimeDelta, Timelike};

/// Python's `isoformat` of a time of day: microseconds only when there are some, six digits.
pub(crate) fn time_text(time: NaiveTime) -> String {
    if time.nanosecond() == 0 {
        time.format("%H:%M:%S").to_string()
    } else {
        time.format("%H:%M:%S%.6f").to_string()
    }
}

/// Python's `isoformat` of a naive `datetime`.
pub(crate) fn naive_text(at: NaiveDateTime) -> String {
    format!("{}T{}", at.date(), time_text(at.time()))
}

#[cfg(feature = "prefect3")]
/// An aware date-time as Prefect writes it: `Z` for UTC, `+05:30` otherwise.
pub(crate) fn aware_text(at: DateTime<FixedOffset>) -> String {
    let offset = if at.offset().local_minus_utc() == 0 {
        "Z".to_string()
    } else {
        at.format("%:z").to_string()
    };
    format!("{}{offset}", naive_text(at.naive_local()))
}

/// `delta` as pydantic writes a `timedelta`: days, then hours, minutes and seconds, zeros left
/// out (`P1DT2H`, `PT0.5S`, `PT0S`).
pub(crate) fn to_iso(delta: TimeDelta) -> String {
    let sign = if delta < TimeDelta::zero() { "-" } else { "" };
    let delta = delta.abs();
    let days = delta.num_days();
    let rest = delta - TimeDelta::days(days);
    let (hours, minutes) = (rest.num_hours(), rest.num_minutes() % 60);
    let seconds = rest.num_seconds() % 60;
    let nanos = rest.subsec_nanos();
    let mut out = format!("{sign}P");
    if days != 0 {
        out.push_str(&format!("{days}D"));
    }
    if hours != 0 || minutes != 0 || seconds != 0 || nanos != 0 || days == 0 {
        out.push('T');
        if hours != 0 {
            out.push_str(&format!("{hours}H"));
        }
        if minutes != 0 {
            out.push_str(&format!("{minutes}M"));
        }
        if seconds != 0 || nanos != 0 || (hours == 0 && minutes == 0) {
            if nanos == 0 {
                out.push_str(&format!("{seconds}S"));
            } else {
                let fraction = format!("{nanos:09}");
                out.push_str(&format!("{seconds}.{}S", fraction.trim_end_matches('0')));
            }
        }
    }
    out
}

#[cfg(feature = "prefect3")]
/// An ISO 8601 duration of weeks, days, hours, minutes and seconds.
pub(crate) fn parse_iso(text: &str) -> Option<TimeDelta> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let text = text.strip_prefix('P')?;
    let (date, time) = match text.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, Some(time)),
        Some(_) => return None,
        None => (text, None),
    };
    if date.is_empty() && time.is_none() {
        return None;
    }
    let mut total = TimeDelta::zero();
    for (amount, unit) in parts(date)? {
        let whole: i64 = amount.parse().ok()?;
        total = total.checked_add(&match unit {
            'W' => TimeDelta::try_weeks(whole)?,
            'D' => TimeDelta::try_days(whole)?,
            _ => return None,
        })?;
    }
    for (amount, unit) in time.map(parts).unwrap_or(Some(Vec::new()))? {
        let delta = match unit {
            'H' => TimeDelta::try_hours(amount.parse().ok()?)?,
            'M' => TimeDelta::try_minutes(amount.parse().ok()?)?,
            'S' => seconds(amount)?,
            _ => return None,
        };
        total = total.checked_add(&delta)?;
    }
    Some(if negative { -total } else { total })
}

#[cfg(feature = "prefect3")]
/// `12H30M` as `[("12", 'H'), ("30", 'M')]`, each amount digits (and for seconds a fraction).
fn parts(text: &str) -> Option<Vec<(&str, char)>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let unit = rest[end..].chars().next()?;
        let amount = &rest[..end];
        if amount.is_empty() || amount.starts_with('.') || amount.ends_with('.') {
            return None;
        }
        out.push((amount, unit));
        rest = &rest[end + unit.len_utf8()..];
    }
    Some(out)
}

#[cfg(feature = "prefect3")]
/// Seconds with a fraction of up to nine digits.
fn seconds(amount: &str) -> Option<TimeDelta> {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    if fraction.len() > 9 || fraction.contains('.') {
        return None;
    }
    let nanos: u32 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse().ok()?
    };
    TimeDelta::try_seconds(whole.parse().ok()?)?
        .checked_add(&TimeDelta::nanoseconds(i64::from(nanos)))
}

#[cfg(all(test, feature = "prefect3"))]
mod tests {
    use chrono::TimeDelta;

    use super::{parse_iso, to_iso};

    #[test]
    fn durations_read_and_write_as_pydantic_writes_them() {
        let cases = [
            (
                "PT1H30M0.000005S",
                TimeDelta::minutes(90) + TimeDelta::microseconds(5),
            ),
            ("P1DT2H", TimeDelta::days(1) + TimeDelta::hours(2)),
            ("PT0S", TimeDelta::zero()),
            ("PT0.5S", TimeDelta::milliseconds(500)),
            ("-P1DT1S", -(TimeDelta::days(1) + TimeDelta::seconds(1))),
            ("P3D", TimeDelta::days(3)),
        ];
        for (text, delta) in cases {
            assert_eq!(parse_iso(text), Some(delta), "{text}");
            assert_eq!(to_iso(delta), text);
        }
        assert_eq!(parse_iso("P2W"), Some(TimeDelta::weeks(2)));
        assert_eq!(parse_iso("PT90M"), Some(TimeDelta::minutes(90)));
        for bad in [
            "",
            "P",
            "PT",
            "P1Y",
            "P1M",
            "1D",
            "PT1.S",
            "PT.5S",
            "PT1.0000000001S",
            "PTxS",
            "PT1H2",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }
}
