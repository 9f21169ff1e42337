use result_serializers::polars::frame::DataFrame;
use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(dataframe(file_type = "ipc", compression = "lz4", level = 3))]
struct Sales(DataFrame);

fn main() {}
