use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(dataframe(file_type = "parquet"))]
struct Sales(Vec<u8>);

fn main() {}
