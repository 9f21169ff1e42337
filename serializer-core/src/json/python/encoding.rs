//! The encodings `json.loads` reads: UTF-8, UTF-16 and UTF-32.

/// Decodes `bytes` as `json.loads` does: a UTF-32 or UTF-16 BOM, a UTF-8 BOM, or the pattern
/// of zero bytes at the start tells the encoding.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<String, String> {
    let starts = |prefix: &[u8]| bytes.starts_with(prefix);
    let utf32 = |bytes: &[u8], big: bool| -> Result<String, String> {
        bytes
            .chunks(4)
            .map(|chunk| {
                let unit: [u8; 4] = chunk
                    .try_into()
                    .map_err(|_| "UTF-32 input of a length not divisible by 4".to_string())?;
                let code = if big {
                    u32::from_be_bytes(unit)
                } else {
                    u32::from_le_bytes(unit)
                };
                char::from_u32(code)
                    .ok_or_else(|| format!("{code:#x} is not a Unicode scalar value"))
            })
            .collect()
    };
    let utf16 = |bytes: &[u8], big: bool| -> Result<String, String> {
        if !bytes.len().is_multiple_of(2) {
            return Err("UTF-16 input of an odd length".into());
        }
        let units = bytes.chunks(2).map(|pair| {
            let pair = [
                pair.first().copied().unwrap_or(0),
                pair.get(1).copied().unwrap_or(0),
            ];
            if big {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|err| format!("invalid UTF-16: {err}"))
    };
    if starts(&[0xff, 0xfe, 0, 0]) {
        return utf32(bytes.get(4..).unwrap_or_default(), false);
    }
    if starts(&[0, 0, 0xfe, 0xff]) {
        return utf32(bytes.get(4..).unwrap_or_default(), true);
    }
    if starts(&[0xff, 0xfe]) {
        return utf16(bytes.get(2..).unwrap_or_default(), false);
    }
    if starts(&[0xfe, 0xff]) {
        return utf16(bytes.get(2..).unwrap_or_default(), true);
    }
    if starts(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8(bytes.get(3..).unwrap_or_default().to_vec())
            .map_err(|err| err.to_string());
    }
    let byte = |i: usize| bytes.get(i).copied().unwrap_or(1);
    match bytes.len() {
        len if len >= 4 && byte(0) == 0 => {
            if byte(1) != 0 {
                utf16(bytes, true)
            } else {
                utf32(bytes, true)
            }
        }
        len if len >= 4 && byte(1) == 0 => {
            if byte(2) != 0 || byte(3) != 0 {
                utf16(bytes, false)
            } else {
                utf32(bytes, false)
            }
        }
        2 if byte(0) == 0 => utf16(bytes, true),
        2 if byte(1) == 0 => utf16(bytes, false),
        _ => String::from_utf8(bytes.to_vec()).map_err(|err| err.to_string()),
    }
}
