use result_serializers::ResultSerializer;

#[derive(ResultSerializer)]
#[serializer(binary)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
