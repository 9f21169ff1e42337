use result_serializers::prefect3::ToPython;

#[derive(ToPython)]
enum Outcome {
    Done,
    Failed { code: u16 },
}

fn main() {}
