use result_serializers::ResultSerializer;

#[derive(serde::Serialize, ResultSerializer)]
#[serializer(binary)]
struct Summary {
    rows: u64,
}

fn main() {}
