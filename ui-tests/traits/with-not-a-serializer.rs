use result_serializers::ResultSerializer;

#[derive(Default)]
struct Codec;

#[derive(ResultSerializer)]
#[serializer(with = Codec)]
struct Summary {
    rows: u64,
}

fn main() {}
