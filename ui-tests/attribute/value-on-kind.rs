use result_serializers::ResultSerializer;

#[derive(serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(json = 1)]
struct Summary {
    rows: u64,
}

fn main() {}
