use std::collections::HashMap;

use result_serializers::Row;

#[derive(Row)]
struct Reading {
    sensor: u16,
    labels: HashMap<String, String>,
}

fn main() {}
