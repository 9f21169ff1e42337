//! Every serializer but the DataFrame one, and Prefect 3's records, read arbitrary bytes as a
//! value or an error; the first byte picks the serializer and the type.
#![no_main]

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use libfuzzer_sys::fuzz_target;
use result_serializers::prefect3::{Prefect3Metadata, Prefect3Record};
use result_serializers::{
    BinarySerializer, Codec, CompressedSerializer, Compression, DateTimeSerializer, JsonSerializer,
    PickleSerializer, Serializer,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
enum Shape {
    Unit,
    Ints(i8, i16, i32, i64, u8, u16, u32, u64),
    Text {
        name: String,
        bytes: Vec<u8>,
        maybe: Option<f64>,
    },
    Nested(Vec<BTreeMap<String, Vec<Option<char>>>>),
}

fn read<T, S: Serializer<T>>(serializer: S, bytes: &[u8]) {
    let _ = serializer.deserialize(bytes);
}

fuzz_target!(|input: &[u8]| {
    let Some((&choice, bytes)) = input.split_first() else {
        return;
    };
    match choice % 15 {
        0 => read::<serde_json::Value, _>(JsonSerializer::new(), bytes),
        1 => read::<Shape, _>(JsonSerializer::new(), bytes),
        2 => read::<serde_json::Value, _>(JsonSerializer::python(), bytes),
        3 => read::<Shape, _>(JsonSerializer::python(), bytes),
        4 => read::<Shape, _>(BinarySerializer::new(), bytes),
        5 => read::<DateTime<FixedOffset>, _>(DateTimeSerializer::new(), bytes),
        6 => read::<DateTime<Utc>, _>(DateTimeSerializer::new(), bytes),
        7 => read::<NaiveDateTime, _>(DateTimeSerializer::new(), bytes),
        8 => {
            let _ = PickleSerializer::new().deserialize_value(bytes);
        }
        9 => read::<Shape, _>(PickleSerializer::new(), bytes),
        10 => read::<(DateTime<Utc>, String, f64), _>(PickleSerializer::new(), bytes),
        11 => {
            if let Ok(record) = Prefect3Record::from_slice(bytes) {
                let _ = record.read::<serde_json::Value>();
                let _ = record.read::<Shape>();
            }
        }
        12 => {
            let _ = Prefect3Metadata::from_slice(bytes);
        }
        _ => {
            let codec = Codec::ALL[usize::from(choice / 15) % Codec::ALL.len()];
            let serializer =
                CompressedSerializer::new(JsonSerializer::new(), Compression::new(codec))
                    .with_max_decompressed_size(1 << 24);
            read::<serde_json::Value, _>(serializer, bytes);
        }
    }
});
