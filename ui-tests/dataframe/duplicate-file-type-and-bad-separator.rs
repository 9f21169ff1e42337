use result_serializers::polars::frame::DataFrame;
use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(dataframe(file_type = "csv", separator = "::", file_type = "csv"))]
struct Sales(DataFrame);

fn main() {}
