use result_serializers::Row;

#[derive(Row)]
enum Status {
    Ok,
    Failed { code: u16 },
}

fn main() {}
