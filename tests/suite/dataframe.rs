use result_serializers::dataframe::{DataFrameSerializer, FileType};
use result_serializers::polars::prelude::*;
use result_serializers::Serializer;

use crate::DeserializeAs;

/// Every dtype the issue names, with nulls.
pub(crate) fn sample() -> DataFrame {
    let micros = |name: &str, tz: Option<&str>| {
        Series::new(name.into(), [Some(1_592_224_245_123_456i64), None, Some(-1_000_000)])
            .cast(&DataType::Datetime(
                TimeUnit::Microseconds,
                TimeZone::opt_try_new(tz).unwrap(),
            ))
            .unwrap()
    };
    let columns = vec![
        Series::new("int".into(), [Some(1i64), Some(-3_000_000_000), None]),
        Series::new("float".into(), [Some(1.5f64), None, Some(-0.1)]),
        Series::new("text".into(), [Some("a"), Some("héllo, \"w\"\n"), None]),
        Series::new("flag".into(), [Some(true), None, Some(false)]),
        Series::new("day".into(), [Some(18_262i32), Some(-1), None])
            .cast(&DataType::Date)
            .unwrap(),
        micros("at", None),
        micros("at_utc", Some("UTC")),
        micros("at_ny", Some("America/New_York")),
        Series::new("took".into(), [Some(90_000_000i64), None, Some(-1)])
            .cast(&DataType::Duration(TimeUnit::Microseconds))
            .unwrap(),
    ];
    DataFrame::new_infer_height(columns.into_iter().map(Column::from).collect()).unwrap()
}

#[test]
fn explore() {
    let frame = sample();
    println!("{frame}");
    for file_type in FileType::ALL {
        let serializer = DataFrameSerializer::new(file_type);
        match serializer.serialize(&frame) {
            Ok(bytes) => match serializer.deserialize_as::<DataFrame>(&bytes) {
                Ok(back) => println!("{file_type}: {} bytes -> {:?}\n{back}", bytes.len(), back.schema()),
                Err(err) => println!("{file_type}: read error {err}"),
            },
            Err(err) => println!("{file_type}: write error {err}"),
        }
    }
}

#[test]
fn explore2() {
    use result_serializers::dataframe::{CsvOptions, JsonOptions};
    let frame = sample();
    let avro = frame.drop_many(["at_utc", "at_ny"]);
    let s = DataFrameSerializer::new(FileType::Avro);
    match s.serialize(&avro) {
        Ok(bytes) => println!("avro: {:?}", s.deserialize_as::<DataFrame>(&bytes).map(|b| b.schema().clone())),
        Err(e) => println!("avro err {e}"),
    }
    let avro2 = avro.drop_many(["took"]);
    let bytes = s.serialize(&avro2).unwrap();
    let back = s.deserialize_as::<DataFrame>(&bytes).unwrap();
    println!("avro2 {:?} equal={}", back.schema(), back.equals_missing(&avro2));
    let csv = frame.drop_many(["took"]);
    let s = DataFrameSerializer::csv(CsvOptions::new().with_parse_dates(true));
    let bytes = s.serialize(&csv).unwrap();
    println!("{}", String::from_utf8_lossy(&bytes));
    let back = s.deserialize_as::<DataFrame>(&bytes).unwrap();
    println!("csv {:?}\n{back}", back.schema());
    let schema: Vec<(String, DataType)> = frame.schema().iter().map(|(n, d)| (n.to_string(), d.clone())).collect();
    let s = DataFrameSerializer::json(JsonOptions::new().with_schema(schema));
    let bytes = s.serialize(&frame).unwrap();
    match s.deserialize_as::<DataFrame>(&bytes) { Ok(back) => println!("json schema {:?} eq={}", back.schema(), back.equals_missing(&frame)), Err(e) => println!("json schema err {e}") }
    let nan = df!("x" => [f64::NAN]).unwrap();
    println!("json nan: {:?}", DataFrameSerializer::new(FileType::Json).serialize(&nan).map(|b| String::from_utf8(b)));
    let csvnan = DataFrameSerializer::new(FileType::Csv);
    let b = csvnan.serialize(&nan).unwrap();
    println!("csv nan: {:?} -> {:?}", String::from_utf8_lossy(&b), csvnan.deserialize_as::<DataFrame>(&b).map(|d| format!("{d}")));
    let empty_header = b",a\n0,1\n1,2\n";
    println!("csv empty header: {:?}", csvnan.deserialize_as::<DataFrame>(empty_header).map(|d| d.schema().clone()));
}
