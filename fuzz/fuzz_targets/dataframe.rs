//! The DataFrame readers take arbitrary bytes as a frame or an error; the first byte picks the
//! file type. A panic inside polars that the serializer catches is one of its errors
//! (`ErrorKind::Panicked`), so the hook that would turn it into a crash is replaced; a panic
//! that escapes, or an abort, is still a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use result_serializers::dataframe::{DataFrameSerializer, FileType};
use result_serializers::polars::prelude::DataFrame;
use result_serializers::Serializer;

fuzz_target!(init: std::panic::set_hook(Box::new(|_| {})), |input: &[u8]| {
    let Some((&choice, bytes)) = input.split_first() else {
        return;
    };
    let file_type = FileType::ALL[usize::from(choice) % FileType::ALL.len()];
    let _ = Serializer::<DataFrame>::deserialize(&DataFrameSerializer::new(file_type), bytes);
});
