use chrono::{DateTime, Utc};
use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(datetime)]
enum Moment {
    At(DateTime<Utc>),
}

fn main() {}
