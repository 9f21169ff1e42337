//! Typed rows: `#[derive(Row)]` structs stored as tables with `#[serializer(rows(...))]`,
//! round trips on every file type, and files whose columns do not fit the row type.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use result_serializers::dataframe::{DataFrameSerializer, FileType, RowsSerializer};
use result_serializers::polars;
use result_serializers::polars::prelude::*;
use result_serializers::{ErrorKind, ResultSerializer, Row, Serializer};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Row, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Status {
    Ok,
    NeedsService,
}

#[derive(Debug, Clone, PartialEq, Row)]
struct Position {
    lat: f64,
    lon: f64,
}

/// Every supported field type, with nulls, renames and a skipped field.
#[derive(Debug, Clone, PartialEq, Row)]
struct Reading {
    sensor: u16,
    seq: u64,
    small: i8,
    delta: i32,
    #[serde(rename = "value")]
    reading: Option<f64>,
    ratio: f32,
    ok: bool,
    status: Status,
    label: Option<String>,
    day: NaiveDate,
    local: NaiveDateTime,
    at: DateTime<Utc>,
    took: TimeDelta,
    position: Option<Position>,
    tags: Vec<String>,
    #[serde(skip)]
    cache: Option<String>,
}

#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(rows(file_type = "parquet", compression = "zstd", level = 3))]
struct Readings(Vec<Reading>);

/// The flat subset CSV holds (no lists or structs).
#[derive(Debug, Clone, PartialEq, Row)]
struct Flat {
    sensor: u16,
    #[serde(rename = "value")]
    reading: Option<f64>,
    ok: bool,
    status: Status,
    label: Option<String>,
    day: NaiveDate,
    at: DateTime<Utc>,
}

fn reading(i: u32) -> Reading {
    let at = Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap() + TimeDelta::seconds(i.into());
    Reading {
        sensor: u16::try_from(i % 65_536).unwrap(),
        seq: u64::MAX - u64::from(i),
        small: -8,
        delta: -i32::try_from(i).unwrap(),
        reading: (!i.is_multiple_of(3)).then(|| f64::from(i) * 0.25),
        ratio: 0.5,
        ok: i.is_multiple_of(2),
        status: if i.is_multiple_of(5) {
            Status::NeedsService
        } else {
            Status::Ok
        },
        label: (!i.is_multiple_of(4)).then(|| format!("sensor {i}")),
        day: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
        local: at.naive_utc(),
        at,
        took: TimeDelta::milliseconds(i64::from(i) * 7),
        position: (i % 2 == 1).then(|| Position {
            lat: 52.5,
            lon: f64::from(i),
        }),
        tags: (0..i % 3).map(|t| format!("t{t}")).collect(),
        cache: None,
    }
}

fn rows(file_type: FileType) -> RowsSerializer {
    RowsSerializer::new(DataFrameSerializer::new(file_type))
}

#[test]
fn the_derive_round_trips_every_field_type_in_parquet() {
    let readings = Readings((0..50).map(reading).collect());
    let serializer = Readings::serializer();
    let bytes = serializer.serialize(&readings).unwrap();
    let back: Readings = serializer.deserialize(&bytes).unwrap();
    assert_eq!(back, readings);
    assert_eq!(Serializer::<Readings>::name(&serializer), "rows (parquet)");
}

#[test]
fn every_nested_file_type_round_trips() {
    let readings: Vec<Reading> = (0..20).map(reading).collect();
    for file_type in [FileType::Parquet, FileType::Ipc] {
        let serializer = rows(file_type);
        let bytes = serializer.serialize(&readings).unwrap();
        let back: Vec<Reading> = serializer.deserialize(&bytes).unwrap();
        assert_eq!(back, readings, "{file_type:?}");
    }
}

#[test]
fn flat_rows_round_trip_in_every_file_type() {
    let flat: Vec<Flat> = (0..30)
        .map(reading)
        .map(|r| Flat {
            sensor: r.sensor,
            reading: r.reading,
            ok: r.ok,
            status: r.status,
            label: r.label,
            day: r.day,
            at: r.at,
        })
        .collect();
    for file_type in [
        FileType::Parquet,
        FileType::Ipc,
        FileType::Csv,
        FileType::Json,
        FileType::NdJson,
    ] {
        let serializer = rows(file_type);
        let bytes = serializer.serialize(&flat).unwrap();
        let back: Result<Vec<Flat>, _> = serializer.deserialize(&bytes);
        assert_eq!(back.unwrap(), flat, "{file_type:?}");
    }
}

#[test]
fn empty_vectors_round_trip() {
    for file_type in [FileType::Parquet, FileType::Ipc] {
        let serializer = rows(file_type);
        let bytes = serializer.serialize(&Vec::<Reading>::new()).unwrap();
        let back: Vec<Reading> = serializer.deserialize(&bytes).unwrap();
        assert!(back.is_empty(), "{file_type:?}");
    }
}

#[test]
fn columns_are_named_and_typed_as_a_person_expects() {
    let readings: Vec<Reading> = (0..3).map(reading).collect();
    let bytes = rows(FileType::Parquet).serialize(&readings).unwrap();
    let frame: DataFrame = DataFrameSerializer::new(FileType::Parquet)
        .deserialize(&bytes)
        .unwrap();
    let schema = frame.schema();
    let dtype = |name: &str| schema.get(name).cloned();
    assert_eq!(dtype("sensor"), Some(DataType::UInt16));
    assert_eq!(dtype("value"), Some(DataType::Float64));
    assert_eq!(dtype("reading"), None);
    assert_eq!(dtype("cache"), None);
    assert_eq!(dtype("status"), Some(DataType::String));
    assert_eq!(
        dtype("at"),
        Some(DataType::Datetime(
            TimeUnit::Nanoseconds,
            Some(polars::prelude::TimeZone::UTC)
        ))
    );
    assert_eq!(dtype("day"), Some(DataType::Date));
    assert_eq!(
        dtype("took"),
        Some(DataType::Duration(TimeUnit::Nanoseconds))
    );
    assert_eq!(
        dtype("tags"),
        Some(DataType::List(Box::new(DataType::String)))
    );
    let status = frame.column("status").unwrap().str().unwrap();
    assert_eq!(status.get(0), Some("needs_service"));
}

/// `frame` as polars writes parquet by hand.
fn parquet(frame: &mut DataFrame) -> Vec<u8> {
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(frame).unwrap();
    bytes
}

fn read_flat(frame: &mut DataFrame) -> Result<Vec<Flat>, result_serializers::Error> {
    rows(FileType::Parquet).deserialize(&parquet(frame))
}

/// The flat frame with `column` in place of its namesake.
fn flat_with(column: Series) -> DataFrame {
    let mut frame = flat_frame();
    frame.with_column(column.into_column()).unwrap();
    frame
}

fn flat_frame() -> DataFrame {
    let at = Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap();
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let days =
        i32::try_from((day - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days()).unwrap();
    let at = Series::new("at".into(), [at.timestamp_nanos_opt().unwrap(); 3])
        .into_datetime(TimeUnit::Nanoseconds, Some(polars::prelude::TimeZone::UTC));
    df!(
        "sensor" => [1_i64, 2, 3],
        "value" => [Some(0.5), None, Some(1.5)],
        "ok" => [true, false, true],
        "status" => ["ok", "needs_service", "ok"],
        "label" => [Some("a"), None, Some("c")],
        "day" => Series::new("day".into(), [days; 3]).into_date(),
        "at" => at,
        "extra" => [9, 9, 9],
    )
    .unwrap()
}

#[test]
fn a_pandas_shaped_frame_reads_with_wider_integers_and_extra_columns() {
    let back = read_flat(&mut flat_frame()).unwrap();
    assert_eq!(back.len(), 3);
    assert_eq!(back[1].sensor, 2);
    assert_eq!(back[1].reading, None);
    assert_eq!(back[1].status, Status::NeedsService);
}

fn mismatch(mut frame: DataFrame) -> String {
    let err = read_flat(&mut frame).unwrap_err();
    assert_eq!(err.serializer(), "rows (parquet)");
    match err.kind() {
        ErrorKind::Mismatch { reason } | ErrorKind::OutOfRange { reason } => reason.to_string(),
        other => panic!("not a mismatch: {other:?}"),
    }
}

#[test]
fn columns_that_do_not_fit_are_errors_naming_column_and_row() {
    let missing = flat_frame().drop("label").unwrap();
    assert_eq!(mismatch(missing), "column `label` is missing");

    let wrong = flat_with(Series::new("ok".into(), ["yes", "no", "yes"]));
    assert_eq!(
        mismatch(wrong),
        "column `ok`: a column of str, not booleans"
    );

    let null = flat_with(Series::new("sensor".into(), [Some(1_i64), None, Some(3)]));
    assert_eq!(
        mismatch(null),
        "column `sensor`, row 1: a null in a field that is not an `Option`"
    );

    let wide = flat_with(Series::new("sensor".into(), [1_i64, 70_000, 3]));
    assert_eq!(
        mismatch(wide),
        "column `sensor`, row 1: 70000 is outside the range of u16"
    );

    let unknown = flat_with(Series::new("status".into(), ["ok", "broken", "ok"]));
    assert_eq!(
        mismatch(unknown),
        "column `status`, row 1: `broken` is none of the variants ok, needs_service"
    );

    let naive = flat_with(
        Series::new("at".into(), [0_i64, 1, 2]).into_datetime(TimeUnit::Microseconds, None),
    );
    assert_eq!(
        mismatch(naive),
        "column `at`: date-times without a time zone, and the field is a `DateTime<Utc>`"
    );
}

#[test]
fn a_null_inside_a_struct_column_names_the_field() {
    #[derive(Debug, PartialEq, Row)]
    struct Outer {
        position: Position,
    }
    let position = StructChunked::from_series(
        "position".into(),
        2,
        [
            Series::new("lat".into(), [Some(1.0), None]),
            Series::new("lon".into(), [2.0, 3.0]),
        ]
        .iter(),
    )
    .unwrap()
    .into_series();
    let mut frame = DataFrame::new(2, vec![position.into_column()]).unwrap();
    let err = Serializer::<Vec<Outer>>::deserialize(&rows(FileType::Parquet), &parquet(&mut frame))
        .unwrap_err();
    assert_eq!(
        err.kind().to_string(),
        ErrorKind::mismatch(
            "column `position.lat`, row 1: a null in a field that is not an `Option`"
        )
        .to_string()
    );
}

#[test]
fn a_date_time_outside_nanoseconds_is_an_error_not_a_wrapped_value() {
    let mut far = reading(1);
    far.at = Utc.with_ymd_and_hms(2300, 1, 1, 0, 0, 0).unwrap();
    let err = rows(FileType::Parquet).serialize(&vec![far]).unwrap_err();
    assert!(err.to_string().contains("column `at`, row 0"), "{err}");
}

#[derive(Debug, Clone, PartialEq, Row)]
struct Props {
    a: u8,
    b: i64,
    c: Option<f64>,
    d: Option<String>,
    e: Vec<u32>,
    f: Option<Vec<Option<i16>>>,
    g: bool,
}

fn props() -> impl Strategy<Value = Props> {
    (
        any::<u8>(),
        any::<i64>(),
        proptest::option::of(any::<f64>()),
        proptest::option::of(".{0,12}"),
        proptest::collection::vec(any::<u32>(), 0..4),
        proptest::option::of(proptest::collection::vec(
            proptest::option::of(any::<i16>()),
            0..4,
        )),
        any::<bool>(),
    )
        .prop_map(|(a, b, c, d, e, f, g)| Props {
            a,
            b,
            c,
            d,
            e,
            f,
            g,
        })
}

/// NaN compares unequal: compare the bits.
fn same(left: &[Props], right: &[Props]) -> bool {
    left.len() == right.len()
        && left.iter().zip(right).all(|(l, r)| {
            l.a == r.a
                && l.b == r.b
                && l.c.map(f64::to_bits) == r.c.map(f64::to_bits)
                && l.d == r.d
                && l.e == r.e
                && l.f == r.f
                && l.g == r.g
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn rows_round_trip_in_parquet_and_ipc(rows_in in proptest::collection::vec(props(), 0..20)) {
        for file_type in [FileType::Parquet, FileType::Ipc] {
            let serializer = rows(file_type);
            let bytes = serializer.serialize(&rows_in).unwrap();
            let back: Vec<Props> = serializer.deserialize(&bytes).unwrap();
            prop_assert!(same(&back, &rows_in), "{:?}: {:?}", file_type, back);
        }
    }
}

/// Avro holds no unsigned integers and no nanosecond date-times: rows without them.
#[derive(Debug, Clone, PartialEq, Row)]
struct Signed {
    id: i64,
    small: i32,
    value: Option<f64>,
    name: String,
    ok: bool,
    day: NaiveDate,
    tags: Vec<String>,
}

#[test]
fn avro_round_trips_signed_rows_and_refuses_unsigned_ones() {
    let signed: Vec<Signed> = (0..10)
        .map(reading)
        .map(|r| Signed {
            id: i64::from(r.delta),
            small: r.delta,
            value: r.reading,
            name: r.label.unwrap_or_default(),
            ok: r.ok,
            day: r.day,
            tags: vec![format!("t{}", r.sensor)],
        })
        .collect();
    let serializer = rows(FileType::Avro);
    let bytes = serializer.serialize(&signed).unwrap();
    let back: Vec<Signed> = serializer.deserialize(&bytes).unwrap();
    assert_eq!(back, signed);

    let err = serializer.serialize(&vec![reading(1)]).unwrap_err();
    assert_eq!(err.serializer(), "rows (avro)");
    assert_eq!(err.operation(), result_serializers::Operation::Serialize);
    assert!(err.to_string().contains("UInt16"), "{err}");

    // polars' avro writer runs the next row's items into an empty list: refused.
    let mut empty = signed;
    empty[3].tags.clear();
    let err = serializer.serialize(&empty).unwrap_err();
    assert!(
        err.to_string()
            .contains("column `tags` holds an empty list"),
        "{err}"
    );
}

fn flat(i: u32) -> Flat {
    let r = reading(i % 1_000);
    Flat {
        sensor: u16::try_from(i % 60_000).unwrap(),
        reading: r.reading,
        ok: r.ok,
        status: r.status,
        label: r.label,
        day: r.day,
        at: r.at,
    }
}

#[test]
fn rows_stream_in_batches_through_every_file_type() {
    // More than two batches of 65,536 rows.
    let count = 140_000;
    for file_type in [
        FileType::Parquet,
        FileType::Ipc,
        FileType::Csv,
        FileType::NdJson,
        FileType::Json,
    ] {
        let serializer = rows(file_type);
        let mut file = Vec::new();
        let written = serializer
            .write_rows((0..count).map(flat), &mut file)
            .unwrap();
        assert_eq!(written, u64::from(count), "{file_type:?}");
        let reader = serializer.read_rows::<Flat, _>(file.as_slice()).unwrap();
        assert_eq!(reader.len(), count as usize, "{file_type:?}");
        for (i, row) in reader.enumerate() {
            let i = u32::try_from(i).unwrap();
            assert_eq!(row.unwrap(), flat(i), "{file_type:?} row {i}");
        }
        // What streamed reads whole, and the other way round.
        let whole: Vec<Flat> = serializer.deserialize(&file).unwrap();
        assert_eq!(whole.len(), count as usize, "{file_type:?}");
    }
}

#[test]
fn an_empty_stream_writes_a_table_with_its_columns() {
    for file_type in [FileType::Parquet, FileType::Ipc, FileType::Json] {
        let serializer = rows(file_type);
        let mut file = Vec::new();
        let written = serializer
            .write_rows(std::iter::empty::<Flat>(), &mut file)
            .unwrap();
        assert_eq!(written, 0);
        let back: Vec<Flat> = serializer.deserialize(&file).unwrap();
        assert!(back.is_empty(), "{file_type:?}");
    }
}

#[test]
fn a_streamed_read_names_the_tables_row() {
    let count = 100_000_usize;
    let sensors: Vec<Option<i64>> = (0..count).map(|i| (i != 70_000).then_some(1)).collect();
    let mut frame = flat_frame()
        .slice(0, 1)
        .vstack(&flat_frame().slice(0, 1))
        .unwrap();
    // A frame of `count` rows: the first row repeated, one null sensor.
    let mut tall = frame.clone();
    while tall.height() < count {
        tall.vstack_mut(&frame).unwrap();
        frame = tall.clone();
    }
    let mut tall = tall.slice(0, count);
    tall.with_column(Series::new("sensor".into(), sensors).into_column())
        .unwrap();
    let bytes = parquet(&mut tall);
    let rows: Vec<Result<Flat, _>> = rows(FileType::Parquet)
        .read_rows::<Flat, _>(bytes.as_slice())
        .unwrap()
        .collect();
    // The first batch reads; the second stops at its error.
    assert_eq!(rows.len(), 65_536 + 1);
    assert!(rows[..65_536].iter().all(Result::is_ok));
    let err = rows.last().unwrap().as_ref().unwrap_err();
    assert!(
        err.to_string()
            .contains("column `sensor`, row 70000: a null in a field that is not an `Option`"),
        "{err}"
    );
}

/// Lists and structs in JSON and NDJSON, without the types JSON writes as text.
#[derive(Debug, Clone, PartialEq, Row)]
struct NestedText {
    id: i64,
    position: Option<Position>,
    tags: Vec<String>,
    scores: Vec<Option<f64>>,
}

#[test]
fn json_and_ndjson_hold_lists_and_structs() {
    let nested: Vec<NestedText> = (0..20)
        .map(|i| {
            let r = reading(i);
            NestedText {
                id: i64::from(i),
                position: r.position,
                tags: r.tags,
                scores: vec![Some(0.5), None],
            }
        })
        .collect();
    for file_type in [FileType::Json, FileType::NdJson] {
        let serializer = rows(file_type);
        let bytes = serializer.serialize(&nested).unwrap();
        let back: Vec<NestedText> = serializer.deserialize(&bytes).unwrap();
        assert_eq!(back, nested, "{file_type:?}");
    }
}

#[derive(Debug, Clone, PartialEq, Row)]
struct FlatProps {
    a: i32,
    b: Option<f64>,
    c: Option<String>,
    d: bool,
    e: NaiveDate,
    f: DateTime<Utc>,
    g: Status,
    h: String,
}

fn flat_props() -> impl Strategy<Value = FlatProps> {
    (
        any::<i32>(),
        proptest::option::of(-1e300..1e300_f64),
        proptest::option::of("[a-z0-9 ,\"]{0,8}"),
        any::<bool>(),
        -100_000..100_000_i32,
        // Nanosecond date-times: the years 1678 to 2261.
        -9_000_000_000_000_000_000..9_000_000_000_000_000_000_i64,
        any::<bool>(),
        "[0-9]{1,6}",
    )
        .prop_map(|(a, b, c, d, days, nanos, g, h)| FlatProps {
            a,
            b,
            c,
            d,
            e: NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + TimeDelta::days(days.into()),
            f: DateTime::from_timestamp_nanos(nanos),
            g: if g { Status::Ok } else { Status::NeedsService },
            h,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Flat rows with nulls, dates, zoned date-times, enums and strings of digits, through
    /// every file type (avro holds no nanosecond date-times, and is tested above).
    #[test]
    fn any_flat_rows_round_trip_in_every_file_type(rows_in in proptest::collection::vec(flat_props(), 0..12)) {
        for file_type in [FileType::Parquet, FileType::Ipc, FileType::Csv, FileType::Json, FileType::NdJson] {
            let serializer = rows(file_type);
            let bytes = serializer.serialize(&rows_in).unwrap();
            let back: Result<Vec<FlatProps>, _> = serializer.deserialize(&bytes);
            prop_assert_eq!(back.as_ref().ok(), Some(&rows_in), "{:?}: {:?}", file_type, back);
        }
    }
}

#[test]
fn an_empty_string_and_a_null_stay_apart() {
    let at = DateTime::from_timestamp_nanos(0);
    let day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let row = |c: Option<&str>, h: &str| FlatProps {
        a: 1,
        b: None,
        c: c.map(str::to_owned),
        d: true,
        e: day,
        f: at,
        g: Status::Ok,
        h: h.to_owned(),
    };
    let rows_in = vec![
        row(Some(""), ""),
        row(None, "007"),
        row(Some("\"a,b\""), " "),
    ];
    for file_type in FileType::ALL {
        if file_type == FileType::Avro {
            continue;
        }
        let serializer = rows(file_type);
        let bytes = serializer.serialize(&rows_in).unwrap();
        let back: Vec<FlatProps> = serializer.deserialize(&bytes).unwrap();
        assert_eq!(back, rows_in, "{file_type:?}");
    }
}

#[test]
fn a_strict_row_type_refuses_extra_columns() {
    #[derive(Debug, PartialEq, Row)]
    #[serde(deny_unknown_fields)]
    struct Strict {
        sensor: u16,
        ok: bool,
    }
    let mut frame = df!("sensor" => [1_u16], "ok" => [true], "extra" => [3_i64]).unwrap();
    let err =
        Serializer::<Vec<Strict>>::deserialize(&rows(FileType::Parquet), &parquet(&mut frame))
            .unwrap_err();
    assert!(
        err.to_string()
            .contains("column `extra` is no field of the row type"),
        "{err}"
    );
    // Without the extra column it reads.
    let mut frame = frame.drop("extra").unwrap();
    let back: Vec<Strict> = rows(FileType::Parquet)
        .deserialize(&parquet(&mut frame))
        .unwrap();
    assert_eq!(
        back,
        vec![Strict {
            sensor: 1,
            ok: true
        }]
    );
}

/// Rows and a DataFrame of the same options share one format identity: a rows result reads as
/// a DataFrame from the store with `read_as`, and a DataFrame result as rows, as the docs say.
#[cfg(feature = "store")]
#[test]
fn rows_and_frames_read_as_each_other_from_the_store() {
    use result_serializers::store::{BlockingResultStore, ResultStore};

    #[derive(Debug, PartialEq, ResultSerializer)]
    #[serializer(dataframe(file_type = "parquet", compression = "zstd", level = 3))]
    struct Frame(DataFrame);

    let store = BlockingResultStore::new(ResultStore::memory()).unwrap();
    let readings = Readings((0..3).map(reading).collect());
    store.write(&readings, "rows.parquet").unwrap();
    let Frame(frame) = store.read_as("rows.parquet").unwrap();
    assert_eq!(frame.height(), 3);
    store.write(&Frame(frame), "frame.parquet").unwrap();
    let back: Readings = store.read_as("frame.parquet").unwrap();
    assert_eq!(back, readings);
}

/// JSON and NDJSON hold no NaN or infinity: one inside a struct field or a list is refused, as
/// one at the top is, never written as `null` (which would read back as `None`).
#[test]
fn nested_non_finite_floats_are_refused_in_json() {
    #[derive(Debug, Clone, PartialEq, Row)]
    struct Inner {
        v: Option<f64>,
    }
    #[derive(Debug, Clone, PartialEq, Row)]
    struct Outer {
        inner: Inner,
        values: Vec<f64>,
    }
    let nested = |v: Option<f64>, values: Vec<f64>| {
        vec![Outer {
            inner: Inner { v },
            values,
        }]
    };
    for file_type in [FileType::Json, FileType::NdJson] {
        let serializer = rows(file_type);
        for rows in [
            nested(Some(f64::NAN), vec![1.0]),
            nested(Some(1.0), vec![2.0, f64::INFINITY]),
            nested(None, vec![f64::NEG_INFINITY]),
        ] {
            let err = serializer.serialize(&rows).unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::NonFiniteFloat { .. }),
                "{file_type:?}: {err}"
            );
        }
        let finite = nested(Some(0.5), vec![1.5, -2.0]);
        let bytes = serializer.serialize(&finite).unwrap();
        let back: Vec<Outer> = serializer.deserialize(&bytes).unwrap();
        assert_eq!(back, finite, "{file_type:?}");
    }
}

/// JSON and NDJSON read back what they wrote: the row type's dtypes replace what inference from
/// the first 100 rows would pick (`f32` as `f64`, a `u64` past `i64::MAX`, a column null in
/// its first rows), inside lists and structs too.
#[test]
fn json_reads_back_every_field_type_it_holds() {
    #[derive(Debug, Clone, PartialEq, Row)]
    struct Part {
        weight: f32,
    }
    #[derive(Debug, Clone, PartialEq, Row)]
    struct Wide {
        big: u64,
        ratio: f32,
        late: Option<i16>,
        parts: Vec<f32>,
        part: Part,
        flags: Vec<bool>,
    }
    let table: Vec<Wide> = (0..150u64)
        .map(|i| Wide {
            big: u64::MAX - i,
            ratio: 0.1 + i as f32,
            late: (i >= 120).then_some(i as i16),
            parts: vec![0.3, i as f32 / 7.0],
            part: Part {
                weight: 1.0 / (i as f32 + 3.0),
            },
            flags: vec![i % 2 == 0],
        })
        .collect();
    for file_type in [FileType::Json, FileType::NdJson] {
        let serializer = rows(file_type);
        let bytes = serializer.serialize(&table).unwrap();
        let back: Vec<Wide> = serializer.deserialize(&bytes).unwrap();
        assert_eq!(back, table, "{file_type:?}");
    }
}

/// An empty `Vec` reads back from Avro with every block compression (polars' reader failed on
/// the empty compressed block it wrote: a caught panic with snappy, "OutOfSpec" with deflate).
#[test]
fn no_rows_read_back_from_compressed_avro() {
    use result_serializers::dataframe::{AvroCompression, AvroOptions};
    for compression in [
        AvroCompression::Uncompressed,
        AvroCompression::Snappy,
        AvroCompression::Deflate,
    ] {
        let serializer = RowsSerializer::new(DataFrameSerializer::avro(
            AvroOptions::new().with_compression(compression),
        ));
        let bytes = serializer.serialize(&Vec::<Signed>::new()).unwrap();
        let back: Vec<Signed> = serializer.deserialize(&bytes).unwrap();
        assert!(back.is_empty(), "{compression:?}");
    }
}

/// A float that does not fit an `f32` field is named in its short form (`1e300`, not 301
/// digits), with its row.
#[test]
fn a_wide_float_is_named_short_in_errors() {
    #[derive(Debug, PartialEq, Row)]
    struct Narrow {
        ratio: f32,
    }
    let frame = df!("ratio" => [0.5f64, 1e300]).unwrap();
    let bytes = DataFrameSerializer::new(FileType::Parquet)
        .serialize(&frame)
        .unwrap();
    let err = Serializer::<Vec<Narrow>>::deserialize(&rows(FileType::Parquet), &bytes).unwrap_err();
    assert!(
        err.to_string().contains("1e300 is not exactly an f32"),
        "{err}"
    );
}

/// A CSV cell that does not parse as its field's type names the column and the row, in this
/// crate's words (polars' message names neither the row nor a Rust remedy).
#[test]
fn csv_cells_that_do_not_parse_name_their_column_and_row() {
    #[derive(Debug, PartialEq, Row)]
    struct Cells {
        small: u8,
        whole: i32,
        flag: bool,
    }
    for (csv, named) in [
        (
            "small,whole,flag\n1,2,true\n300,2,true\n",
            "column `small`, row 1: `300` is not a u8",
        ),
        (
            "small,whole,flag\n1,2,true\n1,1.5,true\n",
            "column `whole`, row 1: `1.5` is not a i32",
        ),
        (
            "small,whole,flag\n1,2,yes\n",
            "column `flag`, row 0: `yes` is not a bool",
        ),
    ] {
        let err = Serializer::<Vec<Cells>>::deserialize(&rows(FileType::Csv), csv.as_bytes())
            .unwrap_err();
        assert!(err.to_string().contains(named), "{err}");
        assert!(!err.to_string().contains("schema_overrides"), "{err}");
    }
}
