//! Whether `serde_json`'s strict grammar reads an input as Python's does.

/// Whether strict JSON parsing of `bytes`, where it succeeds, gives the value Python's grammar
/// gives: false when a run of 19 digits or more (an integer that may not fit 64 bits) or a
/// `-0` not followed by a fraction or an exponent appears anywhere, strings included.
pub(crate) fn strict_reading_agrees(bytes: &[u8]) -> bool {
    // Any 15 bytes in a row hold a whole 8-byte word of the input, so a run of 19 digits
    // makes some word all digits. Words are tested eight bytes at a time; only input with
    // such a word or a `-` gets the byte-by-byte scan.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_NIBBLES: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    const DIGIT_NIBBLES: u64 = 0x3030_3030_3030_3030;
    let chunks = bytes.chunks_exact(8);
    let tail = chunks.remainder();
    for chunk in chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // `0x30..=0x39` keep their high nibble 3 with 6 added, `0x3a..=0x3f` do not.
        let all_digits = word & HIGH_NIBBLES == DIGIT_NIBBLES
            && word.wrapping_add(6 * ONES) & HIGH_NIBBLES == DIGIT_NIBBLES;
        let dashes = word ^ (u64::from(b'-') * ONES);
        let has_dash = dashes.wrapping_sub(ONES) & !dashes & (0x80 * ONES) != 0;
        if all_digits || has_dash {
            return scan_agrees(bytes);
        }
    }
    !tail.contains(&b'-') || scan_agrees(bytes)
}

/// [`strict_reading_agrees`], a byte at a time.
fn scan_agrees(bytes: &[u8]) -> bool {
    let mut run = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if byte.is_ascii_digit() {
            run += 1;
            if run >= 19 {
                return false;
            }
        } else {
            run = 0;
        }
        if byte == b'-'
            && bytes.get(at + 1) == Some(&b'0')
            && !matches!(bytes.get(at + 2), Some(b'.' | b'e' | b'E'))
        {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_test_agrees_with_the_byte_scan() {
        // Inputs over small alphabets, so that long digit runs and `-0` turn up.
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        let alphabets: [&[u8]; 4] = [b"0123456789", b"0123456789-. ", b"01-eE.,", b"9a0\"-"];
        let mut disagreeing = 0;
        for _ in 0..200_000 {
            let alphabet = alphabets[(next() % 4) as usize];
            let len = (next() % 48) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let fast = strict_reading_agrees(&input);
            assert_eq!(
                fast,
                scan_agrees(&input),
                "{:?}",
                String::from_utf8_lossy(&input)
            );
            disagreeing += usize::from(!fast);
        }
        // Both answers turn up.
        assert!(
            disagreeing > 1_000 && disagreeing < 199_000,
            "{disagreeing}"
        );
        assert!(!strict_reading_agrees(b"[1234567890123456789]"));
        assert!(strict_reading_agrees(b"[123456789012345678]"));
        assert!(!strict_reading_agrees(b"[1, -0]"));
        assert!(strict_reading_agrees(b"[1, -0.5, -0e1]"));
    }
}
