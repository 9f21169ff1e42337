//! W1 of the peer benchmark: 100,000 records, written byte for byte as Prefect's
//! `JSONSerializer` writes them.

use result_serializers::{JsonSerializer, Serializer};
use sha2::{Digest, Sha256};

use crate::python;

#[path = "../../benches/common/workloads.rs"]
#[allow(dead_code, unreachable_pub)]
mod workloads;

/// `json.dumps(records).encode()` of the same records, from the rules of `bench_python.py`,
/// with nothing but Python's standard library.
const PYTHON_W1: &str = r#"
import hashlib, json, sys
M = (1 << 64) - 1
SEED, GAMMA = 0x5EED_1234_ABCD_0001, 0x9E3779B97F4A7C15
def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)
def draw(stream, i):
    return mix64((SEED + stream + (i + 1) * GAMMA) & M)
ALPHA = "abcdefghijklmnopqrstuvwxyz"
TAGS = ["red", "green", "blue", "new", "sale", "hot", "eco", "pro"]
def name12(r):
    return "".join(ALPHA[((r >> (5 * k)) & 31) % 26] for k in range(12))
n = int(sys.stdin.read())
records = [{"id": i, "name": name12(draw(1, i)), "price": (draw(2, i) % 1_000_000) / 100.0,
            "tags": [TAGS[(draw(3, i) >> (8 * k)) & 7] for k in range(3)],
            "active": (draw(4, i) >> 63) == 1} for i in range(n)]
print(hashlib.sha256(json.dumps(records).encode()).hexdigest())
"#;

#[test]
fn python_json_matches_prefects_bytes_on_w1() {
    let n = 100_000;
    let records = workloads::records(n);
    let bytes = JsonSerializer::python().serialize(&records).unwrap();
    let ours = format!("{:x}", Sha256::digest(&bytes));
    let python = String::from_utf8(python::run(PYTHON_W1, n.to_string().as_bytes())).unwrap();
    assert_eq!(ours, python.trim(), "W1 fingerprint");
    let back: Vec<workloads::Record> = JsonSerializer::python().deserialize(&bytes).unwrap();
    assert_eq!(back, records);
}
