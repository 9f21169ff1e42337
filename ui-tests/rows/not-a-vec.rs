use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(rows(file_type = "parquet"))]
struct Readings(String);

fn main() {}
