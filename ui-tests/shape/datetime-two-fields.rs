use chrono::{DateTime, Utc};
use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(datetime)]
struct Window {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

fn main() {}
