use result_serializers::prefect3::ToPython;

#[derive(serde::Serialize, ToPython)]
struct Summary {
    rows: u64,
    #[serde(flatten)]
    extra: std::collections::BTreeMap<String, u64>,
}

fn main() {}
