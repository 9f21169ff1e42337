use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(datetime)]
struct Day {
    date: chrono::NaiveDate,
}

fn main() {}
