use result_serializers::ResultSerializer;

#[derive(serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(json, compress(codec = "gzip", level = 10))]
struct Summary {
    rows: u64,
}

fn main() {}
