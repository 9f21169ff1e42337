use result_serializers::polars::frame::DataFrame;
use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(dataframe(file_type = "parquet", compression = "zstd", level = 23))]
struct Sales(DataFrame);

fn main() {}
