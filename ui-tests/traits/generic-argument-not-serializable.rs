use result_serializers::ResultSerializer;

#[derive(serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(json)]
struct Page<T> {
    items: Vec<T>,
}

struct Opaque;

fn main() {
    let page = Page { items: vec![Opaque] };
    let _ = page.to_result_bytes();
}
