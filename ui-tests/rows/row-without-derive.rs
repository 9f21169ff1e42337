use result_serializers::ResultSerializer;

#[derive(serde::Serialize, serde::Deserialize)]
struct Reading {
    sensor: u16,
}

#[derive(ResultSerializer)]
#[serializer(rows(file_type = "ipc"))]
struct Readings(Vec<Reading>);

fn main() {}
