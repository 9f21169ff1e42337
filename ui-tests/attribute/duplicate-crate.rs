use result_serializers::ResultSerializer;

#[derive(serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(json, crate = "result_serializers", crate = "result_serializers")]
struct Summary {
    rows: u64,
}

fn main() {}
