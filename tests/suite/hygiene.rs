//! The derive's output compiles whatever the user's scope holds, under strict lints.
#![deny(warnings, unused_qualifications)]

// Names the generated code must not pick up from here.
#[allow(dead_code)]
struct Result;
#[allow(dead_code)]
struct Ok;
#[allow(dead_code)]
struct Err;
#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct Some;
#[allow(dead_code)]
struct None;
#[allow(dead_code)]
struct Default;
#[allow(dead_code)]
struct Vec;
#[allow(dead_code)]
struct Serializer;
#[allow(dead_code)]
struct DateTimeValue;
#[allow(dead_code)]
struct JsonSerializer;
#[allow(dead_code)]
#[allow(non_camel_case_types)]
struct _rs;
#[allow(dead_code)]
mod result_serializers {}
#[allow(dead_code)]
mod core {}

use ::result_serializers::ResultSerializer;

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(json)]
struct Plain {
    value: u8,
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, ResultSerializer)]
#[serializer(binary)]
enum Generic<T> {
    One(T),
}

#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(datetime)]
struct When(chrono::NaiveDateTime);

#[derive(Debug, PartialEq, ::core::default::Default)]
struct Codec;

impl ::result_serializers::Serializer<Custom> for Codec {
    fn serialize(
        &self,
        _: &Custom,
    ) -> ::core::result::Result<::std::vec::Vec<u8>, ::result_serializers::Error> {
        ::core::result::Result::Ok(::std::vec::Vec::new())
    }

    fn deserialize(&self, _: &[u8]) -> ::core::result::Result<Custom, ::result_serializers::Error> {
        ::core::result::Result::Ok(Custom)
    }
}

#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(with = Codec)]
struct Custom;

#[test]
fn derived_impls_work_with_shadowing_names_in_scope() {
    let bytes = Plain { value: 1 }.to_result_bytes().unwrap();
    assert_eq!(
        Plain::from_result_bytes(&bytes).unwrap(),
        Plain { value: 1 }
    );
    let bytes = Generic::One(2u8).to_result_bytes().unwrap();
    assert_eq!(
        Generic::from_result_bytes(&bytes).unwrap(),
        Generic::One(2u8)
    );
    let when = When(chrono::DateTime::UNIX_EPOCH.naive_utc());
    assert_eq!(when.to_result_bytes().unwrap(), b"1970-01-01T00:00:00Z");
    assert_eq!(Custom.to_result_bytes().unwrap(), b"");
}
