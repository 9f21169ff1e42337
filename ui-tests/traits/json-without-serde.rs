use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(json)]
struct Summary {
    rows: u64,
}

fn main() {}
