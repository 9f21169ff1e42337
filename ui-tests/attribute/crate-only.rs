use result_serializers::ResultSerializer;

#[derive(serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(crate = "result_serializers")]
struct Summary {
    rows: u64,
}

fn main() {}
