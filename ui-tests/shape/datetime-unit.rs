use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(datetime)]
struct Never;

fn main() {}
