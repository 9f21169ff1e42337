use result_serializers::polars::frame::DataFrame;
use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(dataframe(file_type = "csv", compression = "zstd"))]
struct Sales(DataFrame);

fn main() {}
