//! Generated values round-trip exactly through every serializer; where a format cannot carry
//! a value, writing it is an error, never a changed value.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use proptest::prelude::*;
use result_serializers::{
    BinarySerializer, Codec, CompressedSerializer, Compression, DateTimeSerializer, ErrorKind,
    JsonSerializer, PickleSerializer, Serializer,
};
use serde::{Deserialize, Serialize};

/// Every integer width, floats, unicode text, bytes, options, nested collections and an enum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Everything {
    small: (i8, i16, i32, i64),
    unsigned: (u8, u16, u32, u64),
    /// `None` for pickle, which holds no 128-bit integers.
    wide: Option<(i128, u128)>,
    float: f64,
    single: f32,
    text: String,
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
    /// Not `Option<Option<_>>`: JSON and pickle write `Some(None)` as `None`'s null.
    maybe: Option<u16>,
    nested: Vec<BTreeMap<String, Vec<Option<i32>>>>,
    choice: Choice,
    character: char,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Choice {
    Unit,
    Newtype(String),
    Tuple(i64, bool),
    Struct { x: f64, tags: Vec<String> },
}

fn choice(float: impl Strategy<Value = f64> + Clone + 'static) -> impl Strategy<Value = Choice> {
    prop_oneof![
        Just(Choice::Unit),
        any::<String>().prop_map(Choice::Newtype),
        (any::<i64>(), any::<bool>()).prop_map(|(a, b)| Choice::Tuple(a, b)),
        (float, prop::collection::vec(any::<String>(), 0..3))
            .prop_map(|(x, tags)| Choice::Struct { x, tags }),
    ]
}

/// Values with every float `float` draws and the 128-bit integers `wide` draws.
fn everything(
    float: impl Strategy<Value = f64> + Clone + 'static,
    single: impl Strategy<Value = f32> + 'static,
    wide: impl Strategy<Value = Option<(i128, u128)>> + 'static,
    unsigned: impl Strategy<Value = (u8, u16, u32, u64)> + 'static,
) -> impl Strategy<Value = Everything> {
    (
        (any::<(i8, i16, i32, i64)>(), unsigned, wide),
        (float.clone(), single, any::<String>()),
        (
            prop::collection::vec(any::<u8>(), 0..32),
            any::<Option<u16>>(),
            prop::collection::vec(
                prop::collection::btree_map(
                    any::<String>(),
                    prop::collection::vec(any::<Option<i32>>(), 0..4),
                    0..3,
                ),
                0..3,
            ),
        ),
        (choice(float), any::<char>()),
    )
        .prop_map(
            |(
                (small, unsigned, wide),
                (float, single, text),
                (bytes, maybe, nested),
                (choice, character),
            )| {
                Everything {
                    small,
                    unsigned,
                    wide,
                    float,
                    single,
                    text,
                    bytes,
                    maybe,
                    nested,
                    choice,
                    character,
                }
            },
        )
}

/// Finite floats, the edges among them: zero of both signs, subnormals, the extremes.
fn finite() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
        Just(f64::MIN),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(f64::EPSILON),
    ]
}

fn finite_f32() -> impl Strategy<Value = f32> {
    prop::num::f32::NORMAL | prop::num::f32::SUBNORMAL | prop::num::f32::ZERO
}

/// Every float, NaN and the infinities included.
fn any_float() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        finite(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY)
    ]
}

/// Equality that holds NaN equal to NaN and tells -0.0 from 0.0: what "exactly" means here.
fn same(a: &Everything, b: &Everything) -> bool {
    fn float(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }
    let choices = match (&a.choice, &b.choice) {
        (Choice::Struct { x, tags }, Choice::Struct { x: y, tags: other }) => {
            float(*x, *y) && tags == other
        }
        (left, right) => left == right,
    };
    let (mut a, mut b) = (a.clone(), b.clone());
    let floats = float(a.float, b.float)
        && (a.single.to_bits() == b.single.to_bits() || (a.single.is_nan() && b.single.is_nan()));
    (a.float, a.single, a.choice) = (0.0, 0.0, Choice::Unit);
    (b.float, b.single, b.choice) = (0.0, 0.0, Choice::Unit);
    floats && choices && a == b
}

fn has_non_finite(value: &Everything) -> bool {
    !value.float.is_finite()
        || !value.single.is_finite()
        || matches!(value.choice, Choice::Struct { x, .. } if !x.is_finite())
}

proptest! {
    #[test]
    fn json_round_trips_finite_values(value in everything(finite(), finite_f32(), any::<Option<(i128, u128)>>(), any::<(u8, u16, u32, u64)>())) {
        for json in [JsonSerializer::new(), JsonSerializer::pretty(), JsonSerializer::python()] {
            let bytes = json.serialize(&value).unwrap();
            let back: Everything = json.deserialize(&bytes).unwrap();
            prop_assert!(same(&back, &value), "{json:?}: {back:?} from {}", String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn json_refuses_and_python_json_keeps_non_finite_floats(value in everything(any_float(), any::<f32>(), any::<Option<(i128, u128)>>(), any::<(u8, u16, u32, u64)>())) {
        let strict = JsonSerializer::new().serialize(&value);
        if has_non_finite(&value) {
            let err = strict.unwrap_err();
            prop_assert!(matches!(err.kind(), ErrorKind::NonFiniteFloat { .. }), "{err}");
        } else {
            prop_assert!(strict.is_ok());
        }
        let python = JsonSerializer::python();
        let back: Everything = python.deserialize(&python.serialize(&value).unwrap()).unwrap();
        prop_assert!(same(&back, &value), "{back:?}");
    }

    #[test]
    fn binary_round_trips_every_value(value in everything(any_float(), any::<f32>(), any::<Option<(i128, u128)>>(), any::<(u8, u16, u32, u64)>())) {
        let binary = BinarySerializer::new();
        let bytes = binary.serialize(&value).unwrap();
        prop_assert_eq!(&bytes, &postcard::to_allocvec(&value).unwrap());
        let back: Everything = binary.deserialize(&bytes).unwrap();
        prop_assert!(same(&back, &value), "{back:?}");
    }

    /// Pickle holds integers up to 64 bits when writing and up to `i64::MAX` when reading
    /// them into Rust integers.
    #[test]
    fn pickle_round_trips_values_within_its_integers(
        value in everything(any_float(), any::<f32>(), Just(None), (any::<u8>(), any::<u16>(), any::<u32>(), 0..=i64::MAX as u64)),
    ) {
        let pickle = PickleSerializer::new();
        let back: Everything = pickle.deserialize(&pickle.serialize(&value).unwrap()).unwrap();
        prop_assert!(same(&back, &value), "{back:?}");
    }

    #[test]
    fn pickle_refuses_integers_it_cannot_read_back(big in (i64::MAX as u64 + 1)..=u64::MAX, wide in any::<u128>().prop_filter("past 64 bits", |v| *v > u128::from(u64::MAX))) {
        let pickle = PickleSerializer::new();
        let bytes = pickle.serialize(&big).unwrap();
        prop_assert!(Serializer::<u64>::deserialize(&pickle, &bytes).is_err());
        prop_assert!(pickle.serialize(&wide).is_err());
    }

    #[test]
    fn compression_round_trips_through_every_codec(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        codec in prop::sample::select(Codec::ALL.to_vec()),
        level in 0u32..=22,
    ) {
        let compression = match codec.levels() {
            Some((low, high)) => Compression::with_level(codec, level.clamp(low, high)).unwrap(),
            None => Compression::new(codec),
        };
        let serializer = CompressedSerializer::new(BinarySerializer::new(), compression);
        let packed = serializer.serialize(&bytes).unwrap();
        let back: Vec<u8> = serializer.deserialize(&packed).unwrap();
        prop_assert_eq!(back, bytes);
    }

    /// Every instant chrono can hold, to the nanosecond, at every offset to the second.
    #[test]
    fn datetimes_round_trip_over_chronos_range(
        seconds in DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp(),
        nanos in prop_oneof![Just(0u32), (0u32..1_000_000).prop_map(|micros| micros * 1000), 0u32..1_000_000_000],
        offset in -86_399i32..=86_399,
    ) {
        let serializer = DateTimeSerializer::new();
        let utc = Utc.timestamp_opt(seconds, nanos).unwrap();
        let back: DateTime<Utc> = serializer.deserialize(&serializer.serialize(&utc).unwrap()).unwrap();
        prop_assert_eq!(back, utc);

        let naive: NaiveDateTime = utc.naive_utc();
        let back: NaiveDateTime = serializer.deserialize(&serializer.serialize(&naive).unwrap()).unwrap();
        prop_assert_eq!(back, naive);

        let offset = FixedOffset::east_opt(offset).unwrap();
        // Near the ends of the range, the local time at some offsets falls outside it.
        if let Some(local) = utc.naive_utc().checked_add_offset(offset) {
            let zoned = offset.from_local_datetime(&local).unwrap();
            let text = serializer.serialize(&zoned).unwrap();
            let back: DateTime<FixedOffset> = serializer.deserialize(&text).unwrap();
            prop_assert_eq!(back, zoned);
            prop_assert_eq!(back.offset(), zoned.offset(), "{}", String::from_utf8_lossy(&text));
        }
    }
}

#[cfg(feature = "dataframe")]
mod frames {
    use proptest::prelude::*;
    use result_serializers::dataframe::{
        AvroOptions, CsvOptions, DataFrameSerializer, FileType, IpcCompression, IpcOptions,
        JsonOptions, NdJsonOptions,
    };
    use result_serializers::polars::prelude::*;
    use result_serializers::{ErrorKind, Serializer};

    /// Microseconds within chrono's and every format's range (years 1 to 9999).
    const MICROS: std::ops::RangeInclusive<i64> = -62_135_596_800_000_000..=253_402_300_799_999_999;

    /// Rows of every dtype the serializer promises something about, each nullable.
    #[derive(Debug, Clone)]
    struct Rows {
        int: Vec<Option<i64>>,
        float: Vec<Option<f64>>,
        text: Vec<Option<String>>,
        flag: Vec<Option<bool>>,
        day: Vec<Option<i32>>,
        at: Vec<Option<i64>>,
        took: Vec<Option<i64>>,
    }

    fn rows(float: BoxedStrategy<f64>) -> impl Strategy<Value = Rows> {
        (0usize..8).prop_flat_map(move |n| {
            let float = float.clone();
            (
                prop::collection::vec(any::<Option<i64>>(), n),
                prop::collection::vec(prop::option::of(float), n),
                prop::collection::vec(prop::option::of(".{0,12}"), n),
                prop::collection::vec(any::<Option<bool>>(), n),
                prop::collection::vec(prop::option::of(-719_162i32..=2_932_896), n),
                prop::collection::vec(prop::option::of(MICROS), n),
                prop::collection::vec(any::<Option<i64>>(), n),
            )
                .prop_map(|(int, float, text, flag, day, at, took)| Rows {
                    int,
                    float,
                    text,
                    flag,
                    day,
                    at,
                    took,
                })
        })
    }

    impl Rows {
        fn frame(&self) -> DataFrame {
            let datetime = |name: &str, tz: Option<&str>| {
                Series::new(name.into(), &self.at)
                    .cast(&DataType::Datetime(
                        TimeUnit::Microseconds,
                        TimeZone::opt_try_new(tz).unwrap(),
                    ))
                    .unwrap()
            };
            let columns = vec![
                Series::new("int".into(), &self.int),
                Series::new("float".into(), &self.float),
                Series::new("text".into(), &self.text),
                Series::new("flag".into(), &self.flag),
                Series::new("day".into(), &self.day)
                    .cast(&DataType::Date)
                    .unwrap(),
                datetime("at", None),
                datetime("at_utc", Some("UTC")),
                datetime("at_ny", Some("America/New_York")),
                Series::new("took".into(), &self.took)
                    .cast(&DataType::Duration(TimeUnit::Microseconds))
                    .unwrap(),
            ];
            DataFrame::new(
                self.int.len(),
                columns.into_iter().map(Column::from).collect(),
            )
            .unwrap()
        }
    }

    /// Same schema and same values, NaN equal to NaN and -0.0 told from 0.0.
    fn same(a: &DataFrame, b: &DataFrame) -> Result<(), String> {
        if a.schema() != b.schema() {
            return Err(format!("schema {:?} != {:?}", a.schema(), b.schema()));
        }
        for (left, right) in a.columns().iter().zip(b.columns()) {
            let equal = match left.dtype() {
                DataType::Float64 => {
                    let bits = |column: &Column| -> Vec<Option<u64>> {
                        column
                            .f64()
                            .unwrap()
                            .iter()
                            .map(|v| v.map(|v| if v.is_nan() { u64::MAX } else { v.to_bits() }))
                            .collect()
                    };
                    bits(left) == bits(right)
                }
                _ => left
                    .as_materialized_series()
                    .equals_missing(right.as_materialized_series()),
            };
            if !equal {
                return Err(format!(
                    "column {} differs: {left:?} != {right:?}",
                    left.name()
                ));
            }
        }
        Ok(())
    }

    fn round_trip(serializer: &DataFrameSerializer, frame: &DataFrame) -> DataFrame {
        let bytes = serializer.serialize(frame).unwrap();
        serializer.deserialize(&bytes).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn parquet_and_ipc_keep_every_dtype(rows in rows(prop::num::f64::ANY.boxed())) {
            let frame = rows.frame();
            // Compressed IPC is decompressed by this crate before polars reads it.
            for serializer in [
                DataFrameSerializer::new(FileType::Parquet),
                DataFrameSerializer::new(FileType::Ipc),
                DataFrameSerializer::ipc(IpcOptions::new().with_compression(IpcCompression::Lz4)),
                DataFrameSerializer::ipc(IpcOptions::new().with_compression(IpcCompression::Zstd(None))),
            ] {
                let back = round_trip(&serializer, &frame);
                prop_assert!(same(&back, &frame).is_ok(), "{serializer:?}: {:?}", same(&back, &frame));
            }
        }

        #[test]
        fn avro_keeps_every_dtype_but_zoned_datetimes_and_durations(rows in rows(prop::num::f64::ANY.boxed())) {
            let frame = rows.frame().drop_many(["at_utc", "at_ny", "took"]);
            let back = round_trip(&DataFrameSerializer::avro(AvroOptions::new()), &frame);
            prop_assert!(same(&back, &frame).is_ok(), "{:?}", same(&back, &frame));
        }

        /// CSV keeps no dtypes: read back with the schema given, values come back, a zoned
        /// date-time as the same instant in UTC.
        #[test]
        fn csv_keeps_values_given_the_schema(rows in rows(prop::num::f64::ANY.boxed())) {
            let frame = rows.frame().drop_many(["took"]);
            let utc = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
            let mut options = CsvOptions::new();
            for (name, dtype) in frame.schema().iter() {
                let dtype = if name.as_str() == "at_ny" { utc.clone() } else { dtype.clone() };
                options = options.with_schema_override(name.as_str(), dtype);
            }
            let serializer = DataFrameSerializer::csv(options);
            // New York kept local mean time, -04:56:02, until 1883-11-18 17:00 UTC: an offset
            // with seconds, which `%z` cannot write.
            let mean_time = rows.at.iter().flatten().any(|at| *at < -2_717_650_800_000_000);
            match serializer.serialize(&frame) {
                Err(err) => prop_assert!(
                    mean_time && matches!(err.kind(), ErrorKind::Unrepresentable { .. }),
                    "{err}"
                ),
                Ok(bytes) => {
                    prop_assert!(!mean_time, "wrote an offset with seconds");
                    let back: DataFrame = serializer.deserialize(&bytes).unwrap();
                    let mut expected = frame.clone();
                    expected
                        .with_column(frame.column("at_ny").unwrap().cast(&utc).unwrap())
                        .unwrap();
                    prop_assert!(same(&back, &expected).is_ok(), "{:?}", same(&back, &expected));
                }
            }
        }

        /// JSON and NDJSON keep the plain dtypes given the schema; NaN and infinity are refused.
        #[test]
        fn json_keeps_plain_dtypes_given_the_schema(rows in rows(prop::num::f64::ANY.boxed())) {
            let frame = rows.frame().select(["int", "float", "text", "flag"]).unwrap();
            let schema: Vec<(String, DataType)> = frame
                .schema()
                .iter()
                .map(|(name, dtype)| (name.to_string(), dtype.clone()))
                .collect();
            let non_finite = rows.float.iter().flatten().any(|v| !v.is_finite());
            for serializer in [
                DataFrameSerializer::json(JsonOptions::new().with_schema(schema.clone())),
                DataFrameSerializer::ndjson(NdJsonOptions::new().with_schema(schema.clone())),
            ] {
                match serializer.serialize(&frame) {
                    Err(err) => prop_assert!(
                        non_finite && matches!(err.kind(), ErrorKind::NonFiniteFloat { .. }),
                        "{err}"
                    ),
                    Ok(bytes) => {
                        prop_assert!(!non_finite);
                        let back: DataFrame = serializer.deserialize(&bytes).unwrap();
                        prop_assert!(same(&back, &frame).is_ok(), "{:?}", same(&back, &frame));
                    }
                }
            }
        }
    }
}
