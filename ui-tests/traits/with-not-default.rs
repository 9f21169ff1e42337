use result_serializers::{Error, ResultSerializer, Serializer};

struct Codec(u8);

impl Serializer<Summary> for Codec {
    fn serialize(&self, _: &Summary) -> Result<Vec<u8>, Error> {
        Ok(vec![self.0])
    }

    fn deserialize(&self, _: &[u8]) -> Result<Summary, Error> {
        Ok(Summary)
    }
}

#[derive(ResultSerializer)]
#[serializer(with = Codec)]
struct Summary;

fn main() {}
