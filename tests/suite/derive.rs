use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use result_serializers::{
    BinarySerializer, DateTimeSerializer, Error, JsonSerializer, Operation, ResultSerializer,
    Serializer,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json)]
struct Named {
    rows: u64,
    label: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json(pretty))]
struct Tuple(u8, String);

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
struct Unit;

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
enum Event {
    Started,
    Progress(u8),
    Done { ok: bool, note: Option<String> },
}

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json)]
struct Page<T> {
    items: Vec<T>,
    next: Option<u32>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
struct Pair<'a, A, B: Clone>(A, B, std::marker::PhantomData<&'a ()>);

#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(datetime)]
struct Finished(DateTime<Utc>);

#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(datetime)]
struct Local {
    at: DateTime<FixedOffset>,
}

#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(datetime)]
struct Naive(NaiveDateTime);

/// A user-defined serializer: like a Prefect subclass, it implements the two methods.
#[derive(Debug, Default, PartialEq)]
struct UpperCase;

impl Serializer<Shout> for UpperCase {
    fn serialize(&self, value: &Shout) -> Result<Vec<u8>, Error> {
        Ok(value.0.to_uppercase().into_bytes())
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<Shout, Error> {
        String::from_utf8(bytes.to_vec())
            .map(Shout)
            .map_err(|err| Error::custom("uppercase", Operation::Deserialize, err))
    }

    fn name(&self) -> &'static str {
        "uppercase"
    }
}

#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(with = UpperCase)]
struct Shout(String);

/// `with` on a generic type: the serializer is generic too.
#[derive(Debug, Default, PartialEq)]
struct Lines;

impl<T: ToString + std::str::FromStr> Serializer<Column<T>> for Lines {
    fn serialize(&self, value: &Column<T>) -> Result<Vec<u8>, Error> {
        let lines: Vec<String> = value.0.iter().map(ToString::to_string).collect();
        Ok(lines.join("\n").into_bytes())
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<Column<T>, Error> {
        let text = std::str::from_utf8(bytes)
            .map_err(|err| Error::custom("lines", Operation::Deserialize, err))?;
        text.lines()
            .map(|line| {
                line.parse().map_err(|_| {
                    Error::custom(
                        "lines",
                        Operation::Deserialize,
                        format!("bad line `{line}`"),
                    )
                })
            })
            .collect::<Result<_, _>>()
            .map(Column)
    }
}

#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(with = "Lines")]
struct Column<T>(Vec<T>);

mod renamed {
    pub(crate) use result_serializers as rs;
}

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
#[serializer(crate = "renamed::rs")]
struct ThroughRenamedCrate(i16);

fn round_trip<T: ResultSerializer + PartialEq + std::fmt::Debug>(value: &T) -> Vec<u8> {
    let bytes = value.to_result_bytes().unwrap();
    assert_eq!(&T::from_result_bytes(&bytes).unwrap(), value);
    let mut streamed = Vec::new();
    value.write_result(&mut streamed).unwrap();
    assert_eq!(streamed, bytes);
    assert_eq!(&T::read_result(&streamed[..]).unwrap(), value);
    bytes
}

#[test]
fn json_on_structs_and_generics() {
    let named = Named {
        rows: 3,
        label: "ok".into(),
    };
    assert_eq!(round_trip(&named), br#"{"rows":3,"label":"ok"}"#);
    assert_eq!(Named::serializer(), JsonSerializer::new());

    let tuple = Tuple(1, "a".into());
    assert_eq!(round_trip(&tuple), b"[\n  1,\n  \"a\"\n]");
    assert_eq!(Tuple::serializer(), JsonSerializer::pretty());

    let page = Page {
        items: vec![Named {
            rows: 1,
            label: String::new(),
        }],
        next: Some(2),
    };
    assert_eq!(round_trip(&page), serde_json::to_vec(&page).unwrap());
    round_trip(&Page::<f32> {
        items: vec![0.5],
        next: None,
    });
}

#[test]
fn binary_on_unit_structs_enums_and_lifetimes() {
    assert_eq!(round_trip(&Unit), b"");
    assert_eq!(Unit::serializer(), BinarySerializer::new());
    for event in [
        Event::Started,
        Event::Progress(99),
        Event::Done {
            ok: true,
            note: Some("fine".into()),
        },
    ] {
        assert_eq!(round_trip(&event), postcard::to_allocvec(&event).unwrap());
    }
    round_trip(&Pair(1u8, "b".to_string(), std::marker::PhantomData));
    assert_eq!(round_trip(&ThroughRenamedCrate(-2)), [3]);
}

#[test]
fn datetime_on_newtypes_over_each_chrono_type() {
    let at = Utc.with_ymd_and_hms(2020, 12, 16, 21, 36, 0).unwrap();
    assert_eq!(round_trip(&Finished(at)), b"2020-12-16T21:36:00Z");
    assert_eq!(Finished::serializer(), DateTimeSerializer::new());
    let local = Local {
        at: at.with_timezone(&FixedOffset::west_opt(5 * 3600).unwrap()),
    };
    assert_eq!(round_trip(&local), b"2020-12-16T16:36:00-05:00");
    assert_eq!(round_trip(&Naive(at.naive_utc())), b"2020-12-16T21:36:00Z");
    // The newtype reads what Prefect writes, converting to its own type.
    let read = Finished::from_result_bytes(b"2020-12-16T23:36:00+02:00").unwrap();
    assert_eq!(read, Finished(at));
}

#[test]
fn with_uses_the_named_serializer() {
    assert_eq!(round_trip(&Shout("HEY".into())), b"HEY");
    assert_eq!(Shout("hey".into()).to_result_bytes().unwrap(), b"HEY");
    assert_eq!(Shout::serializer(), UpperCase);
    let err = Shout::from_result_bytes(b"\xff").unwrap_err();
    assert_eq!(err.serializer(), "uppercase");
    assert!(err
        .to_string()
        .starts_with("uppercase serializer failed to deserialize: "));

    assert_eq!(round_trip(&Column(vec![1, 2, 3])), b"1\n2\n3");
    let err = Column::<u8>::from_result_bytes(b"1\nx").unwrap_err();
    assert_eq!(
        err.to_string(),
        "lines serializer failed to deserialize: bad line `x`"
    );
}

#[test]
fn errors_from_a_derived_type_name_its_serializer() {
    let err = Named::from_result_bytes(b"{\"rows\": \"three\"}").unwrap_err();
    assert_eq!(err.serializer(), "json");
    let err = Event::from_result_bytes(&[7]).unwrap_err();
    assert_eq!(err.serializer(), "binary");
    let err = Finished::from_result_bytes(b"yesterday").unwrap_err();
    assert_eq!(err.serializer(), "datetime");
}
