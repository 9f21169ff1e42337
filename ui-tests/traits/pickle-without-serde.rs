use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(pickle)]
struct Summary {
    rows: u64,
}

fn main() {}
