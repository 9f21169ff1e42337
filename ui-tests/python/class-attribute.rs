use result_serializers::prefect3::ToPython;

#[derive(ToPython)]
#[python(class = "flows.models.Reading")]
struct Reading {
    sensor: String,
}

fn main() {}
