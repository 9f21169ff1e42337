use std::num::NonZeroUsize;

use result_serializers::dataframe::{
    AvroCompression, AvroOptions, BrotliLevel, CsvOptions, DataFrameSerializer, FileType,
    GzipLevel, IpcCompression, IpcOptions, ParquetCompression, ParquetOptions, ZstdLevel,
};

// An option of another file type cannot be given: each has its own options type, and
// `ui-tests/dataframe` shows the derive refusing one at compile time.
use result_serializers::polars::prelude::*;
use result_serializers::{ErrorKind, Operation, Serializer};

use crate::{assert_error, DeserializeAs};

const MICROS: i64 = 1_592_224_245_123_456;

fn datetime(name: &str, tz: Option<&str>) -> Series {
    Series::new(name.into(), [Some(MICROS), None, Some(-1_000_000)])
        .cast(&DataType::Datetime(
            TimeUnit::Microseconds,
            TimeZone::opt_try_new(tz).unwrap(),
        ))
        .unwrap()
}

fn frame(columns: Vec<Series>) -> DataFrame {
    DataFrame::new_infer_height(columns.into_iter().map(Column::from).collect()).unwrap()
}

/// Every dtype the serializer promises something about, each with a null.
pub(crate) fn sample() -> DataFrame {
    frame(vec![
        Series::new("int".into(), [Some(1i64), Some(-3_000_000_000), None]),
        Series::new("float".into(), [Some(1.5f64), None, Some(-0.1)]),
        Series::new("text".into(), [Some("a"), Some("héllo, \"w\"\n"), None]),
        Series::new("flag".into(), [Some(true), None, Some(false)]),
        Series::new("day".into(), [Some(18_262i32), Some(-1), None])
            .cast(&DataType::Date)
            .unwrap(),
        datetime("at", None),
        datetime("at_utc", Some("UTC")),
        datetime("at_ny", Some("America/New_York")),
        Series::new("took".into(), [Some(90_000_000i64), None, Some(-1)])
            .cast(&DataType::Duration(TimeUnit::Microseconds))
            .unwrap(),
    ])
}

fn round_trip(serializer: &DataFrameSerializer, frame: &DataFrame) -> DataFrame {
    let bytes = serializer.serialize(frame).unwrap();
    let mut streamed = Vec::new();
    serializer.serialize_into(frame, &mut streamed).unwrap();
    if matches!(
        serializer.file_type(),
        FileType::Csv | FileType::Json | FileType::NdJson
    ) {
        // The binary formats' metadata need not come out in the same order twice.
        assert_eq!(streamed, bytes);
    }
    let back: DataFrame = serializer.deserialize_from(&bytes[..]).unwrap();
    let again: DataFrame = serializer.deserialize(&bytes).unwrap();
    assert!(back.equals_missing(&again));
    back
}

fn column(frame: &DataFrame, name: &str) -> Series {
    frame.column(name).unwrap().as_materialized_series().clone()
}

fn text_of(frame: &DataFrame, name: &str) -> Vec<Option<String>> {
    column(frame, name)
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

#[test]
fn parquet_and_ipc_keep_every_dtype() {
    let sample = sample();
    for serializer in [
        DataFrameSerializer::new(FileType::Parquet),
        DataFrameSerializer::new(FileType::Ipc),
        DataFrameSerializer::parquet(
            ParquetOptions::new().with_compression(ParquetCompression::Snappy),
        ),
        DataFrameSerializer::ipc(IpcOptions::new().with_compression(IpcCompression::Lz4)),
        DataFrameSerializer::ipc(
            IpcOptions::new().with_compression(IpcCompression::Zstd(ZstdLevel::new(7))),
        ),
    ] {
        let back = round_trip(&serializer, &sample);
        assert_eq!(back.schema(), sample.schema(), "{serializer:?}");
        assert!(back.equals_missing(&sample), "{serializer:?}\n{back}");
    }
}

#[test]
fn every_parquet_codec_round_trips() {
    let sample = sample();
    for compression in [
        ParquetCompression::Uncompressed,
        ParquetCompression::Snappy,
        ParquetCompression::Gzip(None),
        ParquetCompression::Gzip(GzipLevel::new(9)),
        ParquetCompression::Brotli(BrotliLevel::new(1)),
        ParquetCompression::Zstd(ZstdLevel::new(22)),
        ParquetCompression::Lz4Raw,
    ] {
        let serializer = DataFrameSerializer::parquet(
            ParquetOptions::new()
                .with_compression(compression)
                .with_statistics(false)
                .with_row_group_size(NonZeroUsize::new(2).unwrap()),
        );
        let back = round_trip(&serializer, &sample);
        assert!(back.equals_missing(&sample), "{compression:?}");
    }
}

#[test]
fn avro_keeps_all_but_zoned_datetimes_and_durations() {
    let kept = sample().drop_many(["at_utc", "at_ny", "took"]);
    for compression in [
        AvroCompression::Uncompressed,
        AvroCompression::Deflate,
        AvroCompression::Snappy,
    ] {
        let serializer =
            DataFrameSerializer::avro(AvroOptions::new().with_compression(compression));
        let back = round_trip(&serializer, &kept);
        assert_eq!(back.schema(), kept.schema());
        assert!(back.equals_missing(&kept), "{compression:?}\n{back}");
    }
    for refused in ["at_utc", "took"] {
        let one = sample().select([refused]).unwrap();
        assert_error(
            DataFrameSerializer::new(FileType::Avro).serialize(&one),
            "dataframe (avro)",
            Operation::Serialize,
            |kind| matches!(kind, ErrorKind::Polars(_)),
        );
    }
}

#[test]
fn csv_keeps_values_and_infers_dtypes_back() {
    let sample = sample().drop_many(["took"]);
    // Without date parsing, temporal columns come back as their text.
    let back = round_trip(&DataFrameSerializer::new(FileType::Csv), &sample);
    let plain = ["int", "float", "text", "flag"];
    assert!(back
        .select(plain)
        .unwrap()
        .equals_missing(&sample.select(plain).unwrap()));
    assert_eq!(
        text_of(&back, "at_ny"),
        [
            Some("2020-06-15T08:30:45.123456-0400".into()),
            None,
            Some("1969-12-31T18:59:59.000000-0500".into())
        ]
    );
    // With it, dates and date-times come back; a zoned one as the same instant in UTC.
    let parsing = DataFrameSerializer::csv(CsvOptions::new().with_parse_dates(true));
    let back = round_trip(&parsing, &sample);
    let temporal = ["day", "at", "at_utc"];
    assert!(back
        .select(temporal)
        .unwrap()
        .equals_missing(&sample.select(temporal).unwrap()));
    let utc = column(&sample, "at_ny")
        .cast(&DataType::Datetime(
            TimeUnit::Microseconds,
            Some(TimeZone::UTC),
        ))
        .unwrap();
    assert!(column(&back, "at_ny").equals_missing(&utc));
    // Durations have no CSV form in polars: refused, not written as something else.
    assert_error(
        DataFrameSerializer::new(FileType::Csv)
            .serialize(&self::sample().select(["took"]).unwrap()),
        "dataframe (csv)",
        Operation::Serialize,
        |kind| matches!(kind, ErrorKind::Polars(_)),
    );
}

#[test]
fn csv_round_trips_nan_and_infinity() {
    let floats = frame(vec![Series::new(
        "x".into(),
        [f64::NAN, f64::INFINITY, -0.0],
    )]);
    let back = round_trip(&DataFrameSerializer::new(FileType::Csv), &floats);
    let values: Vec<f64> = column(&back, "x").f64().unwrap().iter().flatten().collect();
    assert!(values[0].is_nan());
    assert_eq!(values[1], f64::INFINITY);
    assert_eq!(values[2].to_bits(), (-0.0f64).to_bits());
}

#[test]
fn json_keeps_plain_dtypes_and_writes_temporal_values_as_text() {
    let sample = sample();
    for serializer in [
        DataFrameSerializer::new(FileType::Json),
        DataFrameSerializer::new(FileType::NdJson),
    ] {
        let back = round_trip(&serializer, &sample);
        let plain = ["int", "float", "text", "flag"];
        assert!(back
            .select(plain)
            .unwrap()
            .equals_missing(&sample.select(plain).unwrap()));
        assert_eq!(
            text_of(&back, "at_utc"),
            [
                Some("2020-06-15T12:30:45.123456+00:00".into()),
                None,
                Some("1969-12-31T23:59:59+00:00".into())
            ]
        );
        assert_eq!(
            text_of(&back, "took"),
            [Some("PT90S".into()), None, Some("-PT0.000001S".into())]
        );
        // JSON has no NaN: refused instead of written as null.
        let nan = frame(vec![Series::new("x".into(), [1.0, f64::NAN])]);
        assert_error(
            serializer.serialize(&nan),
            serializer_name(serializer.file_type()),
            Operation::Serialize,
            |kind| matches!(kind, ErrorKind::NonFiniteFloat { .. }),
        );
    }
}

fn serializer_name(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Csv => "dataframe (csv)",
        FileType::Parquet => "dataframe (parquet)",
        FileType::Json => "dataframe (json)",
        FileType::NdJson => "dataframe (ndjson)",
        FileType::Ipc => "dataframe (ipc)",
        FileType::Avro => "dataframe (avro)",
    }
}

#[test]
fn empty_and_one_row_frames_round_trip() {
    let sample = sample();
    for file_type in [FileType::Parquet, FileType::Ipc] {
        let serializer = DataFrameSerializer::new(file_type);
        for rows in [sample.head(Some(0)), sample.head(Some(1))] {
            let back = round_trip(&serializer, &rows);
            assert_eq!(back.schema(), rows.schema(), "{file_type}");
            assert!(back.equals_missing(&rows), "{file_type}");
        }
    }
    let plain = sample.select(["int", "float", "text", "flag"]).unwrap();
    for file_type in [
        FileType::Csv,
        FileType::Json,
        FileType::NdJson,
        FileType::Avro,
    ] {
        let one = plain.head(Some(1));
        let back = round_trip(&DataFrameSerializer::new(file_type), &one);
        assert!(back.equals_missing(&one), "{file_type}\n{back}");
    }
    // A frame of no rows: Avro keeps its schema; the text formats keep no rows, and JSON (as
    // pandas' `to_json`) no columns either, for it writes `[]` or nothing at all.
    let none = plain.head(Some(0));
    let back = round_trip(&DataFrameSerializer::new(FileType::Avro), &none);
    assert_eq!(back.schema(), none.schema());
    for file_type in [FileType::Csv, FileType::Json, FileType::NdJson] {
        let back = round_trip(&DataFrameSerializer::new(file_type), &none);
        assert_eq!(back.height(), 0, "{file_type}");
    }
}

#[test]
fn read_options_select_and_limit() {
    let sample = sample();
    let parquet = DataFrameSerializer::parquet(
        ParquetOptions::new()
            .with_columns(["text", "int"])
            .with_row_limit(2),
    );
    let back: DataFrame = parquet
        .deserialize(&parquet.serialize(&sample).unwrap())
        .unwrap();
    // In the order asked for, as pandas returns them.
    assert_eq!(
        back.get_column_names()
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>(),
        ["text", "int"]
    );
    assert_eq!(back.height(), 2);
    assert!(back.equals_missing(&sample.select(["text", "int"]).unwrap().head(Some(2))));

    let ipc = DataFrameSerializer::ipc(IpcOptions::new().with_columns(["at_ny"]));
    let back: DataFrame = ipc.deserialize(&ipc.serialize(&sample).unwrap()).unwrap();
    assert!(back.equals_missing(&sample.select(["at_ny"]).unwrap()));

    let csv = DataFrameSerializer::csv(
        CsvOptions::new()
            .with_columns(["int", "text"])
            .with_schema_override("int", DataType::Float64),
    );
    let bytes = DataFrameSerializer::new(FileType::Csv)
        .serialize(&sample.select(["int", "float", "text"]).unwrap())
        .unwrap();
    let back: DataFrame = csv.deserialize(&bytes).unwrap();
    assert_eq!(
        back.get_column_names()
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>(),
        ["int", "text"]
    );
    assert_eq!(back.column("int").unwrap().dtype(), &DataType::Float64);

    for serializer in [parquet, ipc] {
        let wrong = match serializer.file_type() {
            FileType::Parquet => {
                DataFrameSerializer::parquet(ParquetOptions::new().with_columns(["nope"]))
            }
            _ => DataFrameSerializer::ipc(IpcOptions::new().with_columns(["nope"])),
        };
        let bytes = serializer.serialize(&sample).unwrap();
        let err = assert_error(
            wrong.deserialize_as::<DataFrame>(&bytes),
            serializer_name(serializer.file_type()),
            Operation::Deserialize,
            |kind| matches!(kind, ErrorKind::InvalidOption { .. }),
        );
        assert!(
            err.to_string().ends_with("the file has no column `nope`"),
            "{err}"
        );
    }
}

#[test]
fn csv_write_options_shape_the_text() {
    let small = df!("a" => [Some(1.25f64), None], "b" => ["x", "y;z"]).unwrap();
    let serializer = DataFrameSerializer::csv(
        CsvOptions::new()
            .with_separator(b';')
            .with_quote(b'\'')
            .with_header(false)
            .with_na_rep("NA")
            .with_float_precision(1),
    );
    assert_eq!(serializer.serialize(&small).unwrap(), b"1.2;x\nNA;'y;z'\n");
    let back: DataFrame = DataFrameSerializer::csv(
        CsvOptions::new()
            .with_separator(b';')
            .with_quote(b'\'')
            .with_header(false)
            .with_na_values(["NA"]),
    )
    .deserialize(b"1.2;x\nNA;'y;z'\n")
    .unwrap();
    assert_eq!(
        text_of(&back, "column_2"),
        [Some("x".into()), Some("y;z".into())]
    );
    assert_eq!(back.column("column_1").unwrap().null_count(), 1);
}

#[test]
fn prefects_own_csv_cases_pass_in_our_terms() {
    // A csv written with `sep=":"` and read with the defaults is one column `one:two`.
    let small = df!("one" => [1i64], "two" => [2i64]).unwrap();
    let written = DataFrameSerializer::csv(CsvOptions::new().with_separator(b':'))
        .serialize(&small)
        .unwrap();
    let read: DataFrame = DataFrameSerializer::new(FileType::Csv)
        .deserialize(&written)
        .unwrap();
    assert_eq!(
        read.get_column_names()
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>(),
        ["one:two"]
    );
    assert_eq!(text_of(&read, "one:two"), [Some("1:2".into())]);

    // `na_values=[3, 5]`: those fields read as nulls.
    let small = df!("one" => [1i64, 2, 3], "two" => [4i64, 5, 6]).unwrap();
    let written = DataFrameSerializer::new(FileType::Csv)
        .serialize(&small)
        .unwrap();
    let read: DataFrame = DataFrameSerializer::csv(CsvOptions::new().with_na_values(["3", "5"]))
        .deserialize(&written)
        .unwrap();
    let expected =
        df!("one" => [Some(1i64), Some(2), None], "two" => [Some(4i64), None, Some(6)]).unwrap();
    assert!(read.equals_missing(&expected), "{read}");
}

#[test]
fn file_types_parse_as_prefect_names_them() {
    for (name, file_type) in [
        ("csv", FileType::Csv),
        ("parquet", FileType::Parquet),
        ("json", FileType::Json),
        ("ndjson", FileType::NdJson),
        ("ipc", FileType::Ipc),
        ("feather", FileType::Ipc),
        ("avro", FileType::Avro),
    ] {
        assert_eq!(name.parse::<FileType>().unwrap(), file_type);
        assert_eq!(
            name.parse::<DataFrameSerializer>().unwrap(),
            DataFrameSerializer::new(file_type)
        );
    }
    // Every name Prefect's constructor refused in the vectors is refused here too.
    let refused: Vec<String> = crate::vectors_of("PandasSerializer")
        .iter()
        .filter(|vector| vector["op"] == "construct")
        .map(|vector| vector["ctor"]["file_type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(refused.len(), 9);
    for name in refused {
        let err = name.parse::<FileType>().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("unknown file type `{name}`; expected one of: csv, parquet, json, ndjson, ipc (or feather), avro")
        );
    }
}

#[test]
fn serializers_compare_by_file_type_and_options() {
    assert_eq!(
        DataFrameSerializer::new(FileType::Csv),
        DataFrameSerializer::csv(CsvOptions::default())
    );
    assert_ne!(
        DataFrameSerializer::new(FileType::Csv),
        DataFrameSerializer::csv(CsvOptions::new().with_separator(b':'))
    );
    assert_ne!(
        DataFrameSerializer::new(FileType::Csv),
        DataFrameSerializer::new(FileType::Json)
    );
}

#[test]
fn levels_outside_their_range_are_refused() {
    assert_eq!(ZstdLevel::new(0), None);
    assert_eq!(ZstdLevel::new(23), None);
    assert_eq!(GzipLevel::new(10), None);
    assert_eq!(BrotliLevel::new(12), None);
    assert_eq!(ZstdLevel::new(3).map(ZstdLevel::get), Some(3));
}

#[test]
fn bad_bytes_are_errors_for_every_file_type() {
    let sample = sample().drop_many(["at_utc", "at_ny", "took"]);
    for file_type in FileType::ALL {
        let serializer = DataFrameSerializer::new(file_type);
        let name = serializer_name(file_type);
        let valid = serializer.serialize(&sample).unwrap();
        let mut inputs: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"garbage \x00\xff not a file".to_vec(),
            (0..=255u8).cycle().take(4096).collect(),
        ];
        if matches!(
            file_type,
            FileType::Parquet | FileType::Ipc | FileType::Avro
        ) {
            // Every truncation of a binary file is malformed.
            inputs.extend((0..valid.len()).step_by(7).map(|end| valid[..end].to_vec()));
        }
        for input in inputs {
            match serializer.deserialize_as::<DataFrame>(&input) {
                Err(err) => {
                    assert_eq!(err.serializer(), name);
                    assert_eq!(err.operation(), Operation::Deserialize);
                }
                // CSV and JSON read some garbage as text, which is no error.
                Ok(_) => assert!(
                    matches!(file_type, FileType::Csv | FileType::NdJson),
                    "{file_type} read {input:?}"
                ),
            }
        }
    }
}

#[test]
fn compressed_feather_reads_as_polars_reads_it() {
    // Compressed IPC is decompressed here, on every core, and read by polars as a stream;
    // the frame must be the one polars' own file reader makes of the same bytes, with
    // several batches, string views and nulls.
    let big = df!(
        "n" => (0..100_000i64).collect::<Vec<_>>(),
        "s" => (0..100_000).map(|i| (i % 7 != 0).then(|| format!("value number {i}"))).collect::<Vec<_>>()
    )
    .unwrap();
    let several = concat_frames(&[sample(), sample(), sample()]);
    for compression in [IpcCompression::Lz4, IpcCompression::Zstd(None)] {
        let serializer = DataFrameSerializer::ipc(IpcOptions::new().with_compression(compression));
        for frame in [&sample(), &big, &several] {
            let bytes = serializer.serialize(frame).unwrap();
            let ours: DataFrame = serializer.deserialize(&bytes).unwrap();
            let polars = IpcReader::new(std::io::Cursor::new(&bytes))
                .finish()
                .unwrap();
            assert!(
                ours.equals_missing(&polars),
                "{compression:?}\n{ours}\n{polars}"
            );
            assert!(ours.equals_missing(frame), "{compression:?}");
        }
        let projected = DataFrameSerializer::ipc(
            IpcOptions::new()
                .with_compression(compression)
                .with_columns(["s"]),
        );
        let back: DataFrame = projected
            .deserialize(&serializer.serialize(&big).unwrap())
            .unwrap();
        assert!(back.equals_missing(&big.select(["s"]).unwrap()));
    }
}

#[test]
fn large_compressed_feather_is_written_in_batches_read_by_polars_and_us() {
    // A frame of several MiB, in three chunks, is written as record batches encoded on every
    // core: polars' own reader finds several batches and the frame; ours reads it back as one
    // chunk per column; the bytes do not depend on the threads that wrote them.
    let part = |from: i64| {
        let rows = from..from + 70_000;
        df!(
            "n" => rows.clone().collect::<Vec<_>>(),
            "x" => rows.clone().map(|i| (i % 5 != 0).then_some(i as f64 * 0.5)).collect::<Vec<_>>(),
            "s" => rows.map(|i| (i % 7 != 0).then(|| format!("row number {i} of a large frame"))).collect::<Vec<_>>()
        )
        .unwrap()
    };
    let frame = concat_frames(&[part(0), part(70_000), part(140_000)]);
    assert_eq!(frame.first_col_n_chunks(), 3);
    for compression in [IpcCompression::Lz4, IpcCompression::Zstd(None)] {
        let serializer = DataFrameSerializer::ipc(IpcOptions::new().with_compression(compression));
        let bytes = serializer.serialize(&frame).unwrap();
        assert_eq!(
            serializer.serialize(&frame).unwrap(),
            bytes,
            "{compression:?}"
        );
        let polars = IpcReader::new(std::io::Cursor::new(&bytes))
            .set_rechunk(false)
            .finish()
            .unwrap();
        assert!(polars.first_col_n_chunks() > 3, "{compression:?}");
        assert!(polars.equals_missing(&frame), "{compression:?}");
        let ours: DataFrame = serializer.deserialize(&bytes).unwrap();
        assert_eq!(ours.first_col_n_chunks(), 1);
        assert!(ours.equals_missing(&frame), "{compression:?}");
        let mut streamed = Vec::new();
        serializer.serialize_into(&frame, &mut streamed).unwrap();
        assert_eq!(streamed, bytes);
    }
}

fn concat_frames(frames: &[DataFrame]) -> DataFrame {
    let mut all = frames[0].clone();
    for frame in &frames[1..] {
        // Appended, not rechunked: one IPC batch per frame.
        all.vstack_mut(frame).unwrap();
    }
    all
}

#[test]
fn parquet_sizes_are_checked_before_polars_allocates_them() {
    // Mutated files whose page declares a negative value count: polars reserved 2^61 bytes
    // for it and the process aborted.
    for found in [
        &include_bytes!("../data/fuzz/parquet-negative-page-values-1.parquet")[..],
        &include_bytes!("../data/fuzz/parquet-negative-page-values-2.parquet")[..],
    ] {
        let err = DataFrameSerializer::new(FileType::Parquet)
            .deserialize_as::<DataFrame>(found)
            .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Malformed { reason } if reason.contains("negative")),
            "{err}"
        );
    }

    // 1,000 eight-byte values and their pages: about 16 KB declared.
    let frame = df!("a" => (0..1000i64).collect::<Vec<_>>()).unwrap();
    let bytes = DataFrameSerializer::new(FileType::Parquet)
        .serialize(&frame)
        .unwrap();
    let bounded = |bytes: u64| {
        DataFrameSerializer::parquet(ParquetOptions::new().with_max_decoded_bytes(bytes))
    };
    let err = bounded(8_000)
        .deserialize_as::<DataFrame>(&bytes)
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::LimitExceeded { reason } if reason.contains("8000")),
        "{err}"
    );
    let back: DataFrame = bounded(32_000).deserialize(&bytes).unwrap();
    assert!(back.equals(&frame));
}

mod derived {
    use result_serializers::dataframe::{
        AvroCompression, AvroOptions, CsvOptions, DataFrameSerializer, GzipLevel, IpcCompression,
        IpcOptions, JsonLayout, JsonOptions, NdJsonOptions, ParquetCompression, ParquetOptions,
        ZstdLevel,
    };
    use result_serializers::polars::prelude::*;
    use result_serializers::ResultSerializer;
    use std::num::NonZeroUsize;

    #[derive(Debug, ResultSerializer)]
    #[serializer(dataframe(
        file_type = "parquet",
        compression = "zstd",
        level = 3,
        statistics = false,
        row_group_size = 2
    ))]
    struct Sales(DataFrame);

    #[derive(Debug, ResultSerializer)]
    #[serializer(dataframe(
        file_type = "parquet",
        compression = "gzip",
        level = 9,
        columns = ["int", "text"],
        row_limit = 2,
        max_decoded_bytes = 1_000_000
    ))]
    struct Projected {
        frame: DataFrame,
    }

    #[derive(Debug, ResultSerializer)]
    #[serializer(dataframe(
        file_type = "csv",
        separator = ';',
        quote = "'",
        header = true,
        na_rep = "NA",
        na_values = ["NA"],
        parse_dates = true,
        float_precision = 3,
        date_format = "%Y/%m/%d",
        datetime_format = "%Y-%m-%d %H:%M:%S%.6f",
        columns = ["int", "day"]
    ))]
    struct Report(DataFrame);

    #[derive(Debug, ResultSerializer)]
    #[serializer(dataframe(file_type = "feather", compression = "zstd"))]
    struct Feather(DataFrame);

    #[derive(Debug, ResultSerializer)]
    #[serializer(dataframe(
        file_type = "json",
        layout = "pandas_columns",
        infer_schema_length = 5
    ))]
    struct FromPandas(DataFrame);

    #[derive(Debug, ResultSerializer)]
    #[serializer(dataframe(file_type = "ndjson", infer_schema_length = 10))]
    struct Lines(DataFrame);

    #[derive(Debug, ResultSerializer)]
    #[serializer(dataframe(file_type = "avro", compression = "deflate"))]
    struct Archive(DataFrame);

    #[test]
    fn the_attribute_builds_the_same_serializer_as_the_options() {
        let nonzero = |n| NonZeroUsize::new(n).unwrap();
        assert_eq!(
            Sales::serializer(),
            DataFrameSerializer::parquet(
                ParquetOptions::new()
                    .with_compression(ParquetCompression::Zstd(ZstdLevel::new(3)))
                    .with_statistics(false)
                    .with_row_group_size(nonzero(2))
            )
        );
        assert_eq!(
            Projected::serializer(),
            DataFrameSerializer::parquet(
                ParquetOptions::new()
                    .with_compression(ParquetCompression::Gzip(GzipLevel::new(9)))
                    .with_columns(["int", "text"])
                    .with_row_limit(2)
                    .with_max_decoded_bytes(1_000_000)
            )
        );
        assert_eq!(
            Report::serializer(),
            DataFrameSerializer::csv(
                CsvOptions::new()
                    .with_separator(b';')
                    .with_quote(b'\'')
                    .with_header(true)
                    .with_na_rep("NA")
                    .with_na_values(["NA"])
                    .with_parse_dates(true)
                    .with_float_precision(3)
                    .with_date_format("%Y/%m/%d")
                    .with_datetime_format("%Y-%m-%d %H:%M:%S%.6f")
                    .with_columns(["int", "day"])
            )
        );
        assert_eq!(
            Feather::serializer(),
            DataFrameSerializer::ipc(
                IpcOptions::new().with_compression(IpcCompression::Zstd(None))
            )
        );
        assert_eq!(
            FromPandas::serializer(),
            DataFrameSerializer::json(
                JsonOptions::new()
                    .with_layout(JsonLayout::PandasColumns)
                    .with_infer_schema_length(Some(nonzero(5)))
            )
        );
        assert_eq!(
            Lines::serializer(),
            DataFrameSerializer::ndjson(
                NdJsonOptions::new().with_infer_schema_length(Some(nonzero(10)))
            )
        );
        assert_eq!(
            Archive::serializer(),
            DataFrameSerializer::avro(
                AvroOptions::new().with_compression(AvroCompression::Deflate)
            )
        );
    }

    #[test]
    fn derived_newtypes_round_trip() {
        let sample = super::sample();
        let bytes = Sales(sample.clone()).to_result_bytes().unwrap();
        assert!(Sales::from_result_bytes(&bytes)
            .unwrap()
            .0
            .equals_missing(&sample));

        let bytes = Feather(sample.clone()).to_result_bytes().unwrap();
        assert!(Feather::from_result_bytes(&bytes)
            .unwrap()
            .0
            .equals_missing(&sample));

        let projected = Projected {
            frame: sample.clone(),
        };
        let back = Projected::from_result_bytes(&projected.to_result_bytes().unwrap()).unwrap();
        assert!(back
            .frame
            .equals_missing(&sample.select(["int", "text"]).unwrap().head(Some(2))));

        let report = Report(sample.select(["int", "float", "day"]).unwrap());
        let bytes = report.to_result_bytes().unwrap();
        assert!(String::from_utf8_lossy(&bytes).starts_with("int;float;day\n1;1.500;2020/01/01\n"));
        let back = Report::from_result_bytes(&bytes).unwrap();
        assert!(
            back.0
                .equals_missing(&sample.select(["int", "day"]).unwrap()),
            "{}",
            back.0
        );
    }
}

/// A gzip parquet page whose trailer does not match its bytes (its CRC-32 flipped: the deflate
/// data still decodes, so polars alone reads the values as if nothing were wrong) is refused,
/// as pyarrow refuses it; an intact file reads.
#[test]
fn a_gzip_page_that_fails_its_checksum_is_refused() {
    let frame = df!(
        "id" => (0..5_000i64).collect::<Vec<_>>(),
        "name" => (0..5_000).map(|i| format!("n{}", i % 97)).collect::<Vec<_>>()
    )
    .unwrap();
    let serializer = DataFrameSerializer::parquet(
        ParquetOptions::new().with_compression(ParquetCompression::Gzip(None)),
    );
    let bytes = serializer.serialize(&frame).unwrap();
    let back: DataFrame = serializer.deserialize(&bytes).unwrap();
    assert!(back.equals_missing(&frame));
    // The first gzip member: where its magic starts, and where its trailer ends.
    let start = bytes
        .windows(3)
        .position(|window| window == [0x1f, 0x8b, 0x08])
        .unwrap();
    let mut member = flate2::bufread::GzDecoder::new(&bytes[start..]);
    std::io::copy(&mut member, &mut std::io::sink()).unwrap();
    let rest = member.into_inner().len();
    let end = bytes.len() - rest;
    let mut damaged = bytes.clone();
    damaged[end - 8] ^= 0x01;
    let err = Serializer::<DataFrame>::deserialize(&serializer, &damaged).unwrap_err();
    assert!(
        err.to_string().contains("gzip page does not check"),
        "{err}"
    );
}
