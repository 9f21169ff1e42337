use std::collections::{BTreeMap, BTreeSet};

use result_serializers::{
    ErrorKind, Operation, PickleProtocol, PickleSerializer, ResultSerializer, Serializer,
};
use serde::{Deserialize, Serialize};

use crate::{assert_error, python, DeserializeAs};

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(pickle)]
struct Task {
    name: String,
    retries: u8,
    weights: Vec<f64>,
    tags: BTreeSet<String>,
    params: BTreeMap<String, Option<i64>>,
    payload: serde_bytes::ByteBuf,
    big: u64,
    small: i64,
}

fn task() -> Task {
    Task {
        name: "extract ✓".into(),
        retries: 3,
        weights: vec![0.5, -0.0, f64::INFINITY, 1e-300],
        tags: ["a".to_string(), "b".to_string()].into(),
        params: [
            ("limit".to_string(), Some(-5)),
            ("offset".to_string(), None),
        ]
        .into(),
        payload: serde_bytes::ByteBuf::from(vec![0, 255, 10]),
        big: i64::MAX as u64,
        small: i64::MIN,
    }
}

#[test]
fn round_trips_with_both_protocols() {
    for protocol in [PickleProtocol::V2, PickleProtocol::V3] {
        let serializer = PickleSerializer::new().with_protocol(protocol);
        let bytes = serializer.serialize(&task()).unwrap();
        assert_eq!(
            bytes[..2],
            [0x80, if protocol == PickleProtocol::V2 { 2 } else { 3 }]
        );
        let back: Task = serializer.deserialize(&bytes).unwrap();
        assert_eq!(back, task());
    }
    let nan: f64 = PickleSerializer::new()
        .deserialize(&PickleSerializer::new().serialize(&f64::NAN).unwrap())
        .unwrap();
    assert!(nan.is_nan());
}

#[test]
fn python_reads_what_we_write_and_we_read_what_python_writes() {
    let bytes = task().to_result_bytes().unwrap();
    // Python loads ours and writes it back with its own default protocol (4).
    let again = python::run(
        "import pickle, sys; v = pickle.loads(sys.stdin.buffer.read()); \
         assert v['name'] == 'extract \\u2713' and v['big'] == 2**63 - 1 and v['small'] == -2**63, v; \
         assert v['weights'][2] == float('inf') and v['payload'] == b'\\x00\\xff\\n', v; \
         sys.stdout.buffer.write(pickle.dumps(v))",
        &bytes,
    );
    assert_eq!(again[..2], [0x80, 4]);
    assert_eq!(Task::from_result_bytes(&again).unwrap(), task());
}

#[test]
fn a_pickle_that_asks_for_a_global_is_refused_without_running_it() {
    // `pickle.dumps(os.system)`-style: GLOBAL 'os system', then REDUCE with an argument.
    let evil = b"cos\nsystem\n(S'echo pwned'\ntR.";
    let err = assert_error(
        PickleSerializer::new().deserialize_as::<String>(evil),
        "pickle",
        Operation::Deserialize,
        |kind| matches!(kind, ErrorKind::Pickle(_)),
    );
    assert!(err.to_string().contains("`os.system`"), "{err}");
    // Protocol 4's STACK_GLOBAL too: `pickle.dumps(print, protocol=4)`.
    let stack_global = b"\x80\x04\x95\x14\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x94\x8c\x05print\x94\x93\x94.";
    let err = PickleSerializer::new()
        .deserialize_as::<String>(stack_global)
        .unwrap_err();
    assert!(err.to_string().contains("`builtins.print`"), "{err}");
}

#[test]
fn an_object_made_without_a_call_is_refused_not_read_as_its_attributes() {
    // `pickle.dumps(Point(1, 2), protocol=5)` of a dataclass: the class, then NEWOBJ and
    // BUILD with its state. serde-pickle alone reads it as the dictionary `{"x": 1, "y": 2}`.
    let point = b"\x80\x05\x95*\x00\x00\x00\x00\x00\x00\x00\x8c\x08__main__\x94\x8c\x05Point\x94\x93\x94)\x81\x94}\x94(\x8c\x01x\x94K\x01\x8c\x01y\x94K\x02ub.";
    let err = PickleSerializer::new()
        .deserialize_as::<BTreeMap<String, i64>>(point)
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Pickle(_)), "{err:?}");
    assert!(err.to_string().contains("`__main__.Point`"), "{err}");
    // The same dictionary, pickled as plain data, reads.
    let plain = b"\x80\x05\x95\x0c\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x03int\x94K\x05s.";
    let back: BTreeMap<String, i64> = PickleSerializer::new().deserialize(plain).unwrap();
    assert_eq!(back["int"], 5);
    // `uuid.UUID(int=5)` is made the same way, and reads as the UUID, not its attributes.
    let uuid = b"\x80\x05\x95 \x00\x00\x00\x00\x00\x00\x00\x8c\x04uuid\x94\x8c\x04UUID\x94\x93\x94)\x81\x94}\x94\x8c\x03int\x94K\x05sb.";
    let back: String = PickleSerializer::new().deserialize_as(uuid).unwrap();
    assert_eq!(back, "00000000-0000-0000-0000-000000000005");
    assert!(PickleSerializer::new()
        .deserialize_as::<BTreeMap<String, i64>>(uuid)
        .is_err());
}

#[test]
fn well_known_classes_read_as_their_text_in_every_protocol() {
    // `pickle.dumps([datetime(2020, 12, 16, 21, 36, 0, 5, tzinfo=timezone(-timedelta(hours=3,
    // minutes=30))), date(2021, 1, 2), timedelta(days=-1, seconds=5)], protocol=2)`: GLOBAL
    // opcodes, the state bytes through `_codecs.encode`, a negative offset and duration.
    let v2 = b"\x80\x02]q\x00(cdatetime\ndatetime\nq\x01c_codecs\nencode\nq\x02X\x0b\x00\x00\x00\x07\xc3\xa4\x0c\x10\x15$\x00\x00\x00\x05q\x03X\x06\x00\x00\x00latin1q\x04\x86q\x05Rq\x06cdatetime\ntimezone\nq\x07cdatetime\ntimedelta\nq\x08J\xff\xff\xff\xffJH \x01\x00K\x00\x87q\tRq\n\x85q\x0bRq\x0c\x86q\rRq\x0ecdatetime\ndate\nq\x0fh\x02X\x05\x00\x00\x00\x07\xc3\xa5\x01\x02q\x10h\x04\x86q\x11Rq\x12\x85q\x13Rq\x14h\x08J\xff\xff\xff\xffK\x05K\x00\x87q\x15Rq\x16e.";
    let back: Vec<String> = PickleSerializer::new().deserialize_as(v2).unwrap();
    assert_eq!(
        back,
        [
            "2020-12-16T21:36:00.000005-03:30",
            "2021-01-02",
            "-PT23H59M55S"
        ]
    );
    let (at, day, delta): (
        chrono::DateTime<chrono::FixedOffset>,
        chrono::NaiveDate,
        String,
    ) = PickleSerializer::new().deserialize_as(v2).unwrap();
    assert_eq!(delta, "-PT23H59M55S");
    assert_eq!(at.to_rfc3339(), "2020-12-16T21:36:00.000005-03:30");
    assert_eq!(day.to_string(), "2021-01-02");
    // A class beside them that is not well known is refused by name, where it sits.
    let zone = b"\x80\x05\x95\x3a\x00\x00\x00\x00\x00\x00\x00\x8c\x08datetime\x94\x8c\x04date\x94\x93\x94C\x04\x07\xe5\x01\x02\x94\x85\x94R\x94\x8c\x08zoneinfo\x94\x8c\x08ZoneInfo\x94\x93\x94\x86\x94.";
    let err = PickleSerializer::new()
        .deserialize_as::<(String, String)>(zone)
        .unwrap_err();
    assert!(err.to_string().contains("`zoneinfo.ZoneInfo`"), "{err}");
}

#[test]
fn base64_wrapped_pickles_are_read_and_the_first_error_is_reported() {
    let plain = PickleSerializer::new().serialize(&vec![1u8, 2, 3]).unwrap();
    let wrapped = python::run(
        "import base64, sys; sys.stdout.buffer.write(base64.encodebytes(sys.stdin.buffer.read()))",
        &plain,
    );
    let back: Vec<u8> = PickleSerializer::new().deserialize(&wrapped).unwrap();
    assert_eq!(back, [1, 2, 3]);

    let err = PickleSerializer::new()
        .deserialize_as::<Vec<u8>>(b"\x80\x03garbage")
        .unwrap_err();
    let base64_err = PickleSerializer::new()
        .deserialize_as::<Vec<u8>>(b"gAOKAQA=")
        .unwrap_err();
    // Each failure is the pickle error of the input itself, not of its base64 reading.
    assert!(matches!(err.kind(), ErrorKind::Pickle(_)), "{err:?}");
    assert!(
        matches!(base64_err.kind(), ErrorKind::Pickle(_)),
        "{base64_err:?}"
    );
}

#[test]
fn bad_input_is_a_typed_error() {
    let bytes = PickleSerializer::new().serialize(&task()).unwrap();
    for end in (0..bytes.len()).step_by(5) {
        assert!(PickleSerializer::new()
            .deserialize_as::<Task>(&bytes[..end])
            .is_err());
    }
    let mut trailing = bytes.clone();
    trailing.extend_from_slice(b"junk");
    assert!(PickleSerializer::new()
        .deserialize_as::<Task>(&trailing)
        .is_err());
    assert!(PickleSerializer::new().deserialize_as::<Task>(b"").is_err());
    // A valid pickle of another shape.
    let list = PickleSerializer::new().serialize(&vec![1, 2]).unwrap();
    assert!(PickleSerializer::new()
        .deserialize_as::<Task>(&list)
        .is_err());
}

#[test]
fn integers_beyond_i64_are_refused_not_changed() {
    // serde-pickle writes no 128-bit integers...
    let err = PickleSerializer::new().serialize(&i128::MAX).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Pickle(_)), "{err:?}");
    // ...and reads an integer past `i64::MAX` into no Rust integer: an error, never a
    // wrapped value. Python reads what was written.
    let bytes = PickleSerializer::new().serialize(&u64::MAX).unwrap();
    let err = PickleSerializer::new()
        .deserialize_as::<u64>(&bytes)
        .unwrap_err();
    assert!(err.to_string().contains("integer too large"), "{err}");
    assert_eq!(
        python::run(
            "import pickle, sys; print(pickle.loads(sys.stdin.buffer.read()))",
            &bytes
        ),
        b"18446744073709551615\n"
    );
}

/// A frozenset of NaNs and numbers: serde-pickle sorts set members with an order that NaN
/// breaks, and the sort panics. The serializer answers with an error instead.
#[test]
fn a_set_of_nans_is_an_error_not_a_panic() {
    let mut pickle = vec![0x80, 4, b'('];
    for i in 0..40u32 {
        let value = if i % 3 == 0 { f64::NAN } else { f64::from(i) };
        pickle.push(b'G');
        pickle.extend_from_slice(&value.to_be_bytes());
    }
    pickle.extend_from_slice(&[0x91, b'.']);
    let serializer = PickleSerializer::new();
    // Refused by the walk before serde-pickle would sort them (and panic): no panic to
    // catch, an error that says why.
    let refused = |pickle: &[u8]| {
        let err = serializer.deserialize_value(pickle).unwrap_err();
        assert_eq!(err.serializer(), "pickle");
        assert_eq!(err.operation(), Operation::Deserialize);
        assert!(err.to_string().contains("cannot be ordered"), "{err}");
    };
    refused(&pickle);
    // Fuzzing found it first; this is its input, whole.
    refused(include_bytes!("../data/fuzz/pickle-nan-set.pkl"));
    // A dict keyed by NaN, a set made of a list holding one, and one added to a set.
    let nan = f64::NAN.to_be_bytes();
    let keyed = [&[0x80, 4, b'(', b'G'][..], &nan, b"K\x01d."].concat();
    refused(&keyed);
    let made = [
        &b"\x80\x02c__builtin__\nset\n]("[..],
        b"G",
        &nan,
        b"K\x01e\x85R.",
    ]
    .concat();
    refused(&made);
    let added = [&[0x80, 4, 0x8f, b'(', b'G'][..], &nan, &[0x90, b'.']].concat();
    refused(&added);
    // Floats beside integers past 2**53, which serde-pickle orders by rules that contradict
    // each other: what fuzzing found next, a frozenset of a float and a 2**70.
    let mixed = [
        &[0x80, 4, b'(', b'G'][..],
        &1e300f64.to_be_bytes(),
        &[0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0x40, 0],
        &[0x91, b'.'],
    ]
    .concat();
    refused(&mixed);
    // Within 2**53 they order, and read.
    let plain = [
        &[0x80, 4, b'(', b'G'][..],
        &1.5f64.to_be_bytes(),
        b"K\x02\x91.",
    ]
    .concat();
    let back = serializer.deserialize_value(&plain).unwrap();
    assert!(
        matches!(&back, result_serializers::serde_pickle::Value::FrozenSet(members) if members.len() == 2),
        "{back:?}"
    );
    // A NaN elsewhere is a value like any other.
    let listed = [&[0x80, 4, b']', b'(', b'G'][..], &nan, b"e."].concat();
    let back: Vec<f64> = serializer.deserialize(&listed).unwrap();
    assert!(back[0].is_nan());
}
