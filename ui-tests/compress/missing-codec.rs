use result_serializers::ResultSerializer;

#[derive(serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(json, compress(level = 3))]
struct Summary {
    rows: u64,
}

fn main() {}
