//! Writes `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)` into a buffer on the stack.

use chrono::{Datelike, Timelike};

use super::{DateTimeParts, Zone};

/// The longest text written: `+262142-12-31T23:59:59.999999999+23:59:59` is 41 bytes.
const CAPACITY: usize = 48;

/// Formatted text, kept on the stack so that formatting allocates nothing.
pub(super) struct Formatted {
    buf: [u8; CAPACITY],
    len: usize,
}

impl Formatted {
    pub(super) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    fn push(&mut self, byte: u8) {
        // Never full: CAPACITY exceeds the longest text.
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// Pushes the `width` lowest decimal digits of `value`, zero-padded.
    fn push_digits(&mut self, value: u32, width: u32) {
        for position in (0..width).rev() {
            let digit = value / 10u32.pow(position) % 10;
            // `digit` is below 10, so the cast keeps it.
            self.push(b'0' + digit as u8);
        }
    }

    fn push_two(&mut self, value: u32) {
        self.push_digits(value, 2);
    }
}

/// Formats `parts`, or says why the format cannot hold them.
pub(super) fn format(parts: &DateTimeParts) -> Result<Formatted, &'static str> {
    let local = parts.local;
    let nanos = local.nanosecond();
    if nanos >= 1_000_000_000 {
        return Err("the value is a leap second, which Prefect's ISO 8601 text cannot hold");
    }
    let mut out = Formatted {
        buf: [0; CAPACITY],
        len: 0,
    };

    let year = local.year();
    if (0..=9999).contains(&year) {
        out.push_digits(year.unsigned_abs(), 4);
    } else {
        out.push(if year < 0 { b'-' } else { b'+' });
        let year = year.unsigned_abs();
        out.push_digits(year, year.checked_ilog10().map_or(1, |log| log + 1).max(4));
    }
    out.push(b'-');
    out.push_two(local.month());
    out.push(b'-');
    out.push_two(local.day());
    out.push(b'T');
    out.push_two(local.hour());
    out.push(b':');
    out.push_two(local.minute());
    out.push(b':');
    out.push_two(local.second());

    if nanos != 0 {
        out.push(b'.');
        if nanos.is_multiple_of(1_000) {
            out.push_digits(nanos / 1_000, 6);
        } else {
            out.push_digits(nanos, 9);
        }
    }

    match parts.zone {
        Zone::Utc => out.push(b'Z'),
        Zone::Offset(offset) => {
            let seconds = offset.local_minus_utc();
            out.push(if seconds < 0 { b'-' } else { b'+' });
            let seconds = seconds.unsigned_abs();
            out.push_two(seconds / 3600);
            out.push(b':');
            out.push_two(seconds / 60 % 60);
            if seconds % 60 != 0 {
                out.push(b':');
                out.push_two(seconds % 60);
            }
        }
    }
    Ok(out)
}
