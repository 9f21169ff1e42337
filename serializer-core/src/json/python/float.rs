//! Python's `repr` of a float.

use std::io::{self, Write};

use crate::json::finite::python_token;

/// Writes a float as Python's `repr` does: the shortest digits that read back the same, in
/// fixed notation from 1e-4 up to 1e16 (always with a fraction, `100.0`), and in exponent
/// notation otherwise, with a sign and two digits or more (`1e+16`, `1e-05`).
pub(crate) fn write_float<W: ?Sized + Write>(writer: &mut W, value: f64) -> io::Result<()> {
    if !value.is_finite() {
        return writer.write_all(python_token(value).as_bytes());
    }
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(value);
    // zmij's fixed notation is Python's from 1e-4 up; below it, and in exponent notation,
    // the two differ (`0.00001` against `1e-05`, `1.5e-7` against `1.5e-07`).
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    if !unsigned.contains('e') && !unsigned.starts_with("0.0000") {
        return writer.write_all(text.as_bytes());
    }
    write_float_respelled(writer, text)
}

/// Python's `repr` of a float written as `text` with its shortest digits (by zmij or ryu:
/// `1.5e-7`, `1e+16`, `0.00001`, `125.0`), from those digits and a decimal exponent.
fn write_float_respelled<W: ?Sized + Write>(writer: &mut W, text: &str) -> io::Result<()> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    // Split `1.25e-7` or `0.000125` or `125.0` into digits and a decimal exponent:
    // the value is `0.DIGITS * 10^point`.
    let (mantissa, exponent) = match text.split_once('e') {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
    let mut point = exponent + whole.len() as i32;
    let leading = digits.iter().take_while(|digit| **digit == b'0').count();
    digits.drain(..leading);
    point -= leading as i32;
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    let mut out = Vec::with_capacity(32);
    if negative {
        out.push(b'-');
    }
    if digits.is_empty() {
        out.extend_from_slice(b"0.0");
    } else if (-3..=16).contains(&point) {
        if point <= 0 {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', point.unsigned_abs() as usize));
            out.extend_from_slice(&digits);
        } else {
            let point = point as usize;
            let (integral, fractional) = digits.split_at(point.min(digits.len()));
            out.extend_from_slice(integral);
            out.extend(std::iter::repeat_n(b'0', point - integral.len()));
            out.push(b'.');
            if fractional.is_empty() {
                out.push(b'0');
            } else {
                out.extend_from_slice(fractional);
            }
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.extend_from_slice(first);
        if !rest.is_empty() {
            out.push(b'.');
            out.extend_from_slice(rest);
        }
        let exponent = point - 1;
        write!(
            &mut out,
            "e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.unsigned_abs()
        )?;
    }
    writer.write_all(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(value: f64) -> String {
        let mut out = Vec::new();
        write_float(&mut out, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn zmijs_text_is_kept_only_where_it_is_pythons() {
        // Every float is written as the general path writes ryu's shortest digits (a second
        // implementation of the shortest round trip), the shortcut included: a million bit
        // patterns drawn across the whole range, and around the powers of ten.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let draws = (0..1_000_000).map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            f64::from_bits(z ^ (z >> 31))
        });
        let powers = (-30..=30).flat_map(|exponent| {
            let power = 10f64.powi(exponent);
            [
                power,
                -power,
                power * 1.5,
                power.next_up(),
                power.next_down(),
            ]
        });
        // And values across the fixed range and its edges, 1e-6 to 1e17.
        let mut state = 1u64;
        let ranged = (0..500_000).map(|i| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 * 2f64.powi(-53) * 10f64.powi(i % 24 - 6)
        });
        for value in draws
            .chain(powers)
            .chain(ranged)
            .filter(|value| value.is_finite())
        {
            let mut shortcut = Vec::new();
            write_float(&mut shortcut, value).unwrap();
            let mut general = Vec::new();
            write_float_respelled(&mut general, ryu::Buffer::new().format_finite(value)).unwrap();
            assert_eq!(shortcut, general, "{value:e}");
        }
    }

    #[test]
    fn floats_are_written_as_python_repr() {
        for (value, python) in [
            (0.1, "0.1"),
            (1e300, "1e+300"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (1e-7, "1e-07"),
            (0.0001, "0.0001"),
            (1e-5, "1e-05"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (100.0, "100.0"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (2.5, "2.5"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123456.789, "123456.789"),
            (-1.5e-4, "-0.00015"),
            (9999.99, "9999.99"),
            (1e22, "1e+22"),
        ] {
            assert_eq!(repr(value), python, "{value:e}");
        }
    }
}
