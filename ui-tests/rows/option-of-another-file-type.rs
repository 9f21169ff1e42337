use result_serializers::{ResultSerializer, Row};

#[derive(Row)]
struct Reading {
    sensor: u16,
}

#[derive(ResultSerializer)]
#[serializer(rows(file_type = "parquet", separator = ";"))]
struct Readings(Vec<Reading>);

fn main() {}
