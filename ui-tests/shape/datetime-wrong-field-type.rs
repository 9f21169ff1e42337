use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(datetime)]
struct Finished(String);

fn main() {}
