use result_serializers::polars::frame::DataFrame;
use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(dataframe(file_type = "parquet"))]
struct Sales {
    north: DataFrame,
    south: DataFrame,
}

fn main() {}
