use result_serializers::ResultSerializer;

#[derive(serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(binary, compress(codec = "lz4", level = 1))]
struct Summary {
    rows: u64,
}

fn main() {}
