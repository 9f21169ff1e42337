use result_serializers::prefect3::ToPython;

#[derive(ToPython)]
struct Job {
    name: String,
    started: std::time::Instant,
}

fn main() {}
