//! Errors print once: a report that walks the `source` chain (as anyhow's `{:#}` and eyre do)
//! shows each cause one time.

use std::error::Error as StdError;

use result_serializers::{
    BinarySerializer, Codec, CompressedSerializer, Compression, Error, JsonSerializer, Operation,
    Serializer,
};

/// What anyhow's `{:#}` prints: each error of the chain, joined by `: `.
fn report(err: &dyn StdError) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    parts.join(": ")
}

fn once(report: &str, cause: &str) {
    assert_eq!(report.matches(cause).count(), 1, "{report}");
}

#[test]
fn a_json_error_reports_serde_jsons_message_once() {
    let err = Serializer::<Vec<u32>>::deserialize(&JsonSerializer::new(), b"[1, 2,").unwrap_err();
    let report = report(&err);
    once(&report, "EOF while parsing a value at line 1 column 6");
    assert!(
        report.starts_with("json serializer failed to deserialize"),
        "{report}"
    );
}

#[test]
fn a_postcard_error_and_a_decompression_error_report_once() {
    let err = Serializer::<String>::deserialize(&BinarySerializer::new(), &[9, b'a']).unwrap_err();
    let message = err.to_string();
    assert_eq!(report(&err), message);

    let gzip = CompressedSerializer::new(JsonSerializer::new(), Compression::new(Codec::Gzip));
    let err = Serializer::<Vec<u32>>::deserialize(&gzip, b"not gzip").unwrap_err();
    assert_eq!(report(&err), err.to_string());
}

#[test]
fn a_custom_and_an_io_error_report_once() {
    let err = Error::custom("tsv", Operation::Deserialize, "no tab in line `x`");
    once(&report(&err), "no tab in line `x`");
    let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe closed");
    let err = Error::io("json", Operation::Serialize, io);
    assert_eq!(
        report(&err),
        "json serializer failed to serialize: I/O error: pipe closed"
    );
}
