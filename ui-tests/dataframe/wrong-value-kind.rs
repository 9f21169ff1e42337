use result_serializers::polars::frame::DataFrame;
use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(dataframe(file_type = "parquet", statistics = "no", row_group_size = 0, columns = "a"))]
struct Sales(DataFrame);

fn main() {}
