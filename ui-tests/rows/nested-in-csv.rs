use result_serializers::{ResultSerializer, Row};

#[derive(Row)]
struct Reading {
    sensor: u16,
    tags: Vec<String>,
}

#[derive(ResultSerializer)]
#[serializer(rows(file_type = "csv"))]
struct Readings(Vec<Reading>);

fn main() {}
