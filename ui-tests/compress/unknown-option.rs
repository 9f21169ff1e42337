use result_serializers::ResultSerializer;

#[derive(serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(json, compress(codec = "zstd", lvl = 3))]
struct Summary {
    rows: u64,
}

fn main() {}
