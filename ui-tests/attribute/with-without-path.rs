use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(with)]
struct Summary {
    rows: u64,
}

fn main() {}
