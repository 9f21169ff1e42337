use result_serializers::ResultSerializer;

// Every mistake is reported in one pass, and using the type adds no error of its own.
#[derive(serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(jsn, datetime = "x", json(pretty, compact))]
struct Summary {
    rows: u64,
}

fn main() {
    let _ = Summary { rows: 1 }.to_result_bytes();
}
