//! The workloads of Prefect's peer benchmark (`bench_python.py`), generated from the same
//! counter-based SplitMix64 draws so that both sides serialize identical data.

use serde::{Deserialize, Serialize};

const SEED: u64 = 0x5EED_1234_ABCD_0001;
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
const ALPHA: &[u8; 26] = b"abcdefghijklmnopqrstuvwxyz";
const TAGS: [&str; 8] = ["red", "green", "blue", "new", "sale", "hot", "eco", "pro"];

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `i`-th draw (0-based) of `stream`.
pub fn draw(stream: u64, i: u64) -> u64 {
    mix64(
        SEED.wrapping_add(stream)
            .wrapping_add((i + 1).wrapping_mul(GAMMA)),
    )
}

/// Twelve ASCII letters from a draw.
pub fn name12(draw: u64) -> String {
    (0..12)
        .map(|k| char::from(ALPHA[(((draw >> (5 * k)) & 31) % 26) as usize]))
        .collect()
}

/// One record of W1 (JSON), W2 (pickle) and W5 (compressed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: u64,
    pub name: String,
    pub price: f64,
    pub tags: Vec<String>,
    pub active: bool,
}

/// The first `n` records (the peer uses 100,000).
pub fn records(n: u64) -> Vec<Record> {
    (0..n)
        .map(|i| Record {
            id: i,
            name: name12(draw(1, i)),
            price: (draw(2, i) % 1_000_000) as f64 / 100.0,
            tags: (0..3)
                .map(|k| TAGS[((draw(3, i) >> (8 * k)) & 7) as usize].to_string())
                .collect(),
            active: (draw(4, i) >> 63) == 1,
        })
        .collect()
}
