use result_serializers::ResultSerializer;

#[derive(serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(binary(pretty))]
struct Summary {
    rows: u64,
}

fn main() {}
