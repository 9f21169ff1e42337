use result_serializers::{ResultSerializer, Row};

#[derive(Row)]
struct Reading {
    sensor: u16,
}

#[derive(ResultSerializer)]
#[serializer(rows(file_type = "parquet"))]
struct Readings {
    readings: Vec<Reading>,
    source: String,
}

fn main() {}
