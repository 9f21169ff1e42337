//! Writes to files are atomic: a writer killed midway leaves the old result, whole.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use result_serializers::{
    BinarySerializer, Error, ErrorKind, JsonSerializer, Operation, ResultSerializer, Serializer,
};

/// Set in the child process: the file it writes, slowly, until it is killed.
const CHILD: &str = "RESULT_SERIALIZERS_SLOW_WRITER";

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("files")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes 64 MiB a mebibyte at a time, announcing itself once it is halfway.
struct Slow;

impl Serializer<()> for Slow {
    fn serialize(&self, _: &()) -> Result<Vec<u8>, Error> {
        unreachable!("the test only streams")
    }

    fn deserialize(&self, _: &[u8]) -> Result<(), Error> {
        Ok(())
    }

    fn serialize_into<W: Write>(&self, _: &(), mut writer: W) -> Result<(), Error> {
        let block = vec![b'x'; 1 << 20];
        for written in 0..64 {
            writer
                .write_all(&block)
                .map_err(|err| Error::io("slow", Operation::Serialize, err))?;
            if written == 32 {
                writer.flush().unwrap();
                println!("\nslow writer halfway");
                std::io::stdout().flush().unwrap();
                std::thread::sleep(Duration::from_secs(60));
            }
        }
        Ok(())
    }
}

/// Not a test of its own: the slow writer the test below kills. Without the variable set it
/// has nothing to do.
#[test]
fn slow_writer_child() {
    if let Some(path) = std::env::var_os(CHILD) {
        Slow.serialize_to_file(&(), PathBuf::from(path)).unwrap();
    }
}

#[test]
fn a_writer_killed_midway_leaves_the_old_result_whole() {
    let dir = scratch("killed");
    let path = dir.join("result.json");
    let old = vec!["the old result".to_string(); 1000];
    JsonSerializer::new()
        .serialize_to_file(&old, &path)
        .unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "files::slow_writer_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, &path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let started = Instant::now();
    let mut line = String::new();
    loop {
        line.clear();
        let read = std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        assert!(read > 0, "the writer ended before halfway");
        if line.contains("slow writer halfway") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the writer never got halfway"
        );
    }
    // Halfway: 33 MiB are in a file of this directory, none of them under the final name.
    let debris: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|entry| entry != &path)
        .collect();
    assert_eq!(debris.len(), 1, "{debris:?}");
    assert!(std::fs::metadata(&debris[0]).unwrap().len() >= 32 << 20);
    child.kill().unwrap();
    child.wait().unwrap();

    let back: Vec<String> = JsonSerializer::new().deserialize_from_file(&path).unwrap();
    assert_eq!(back, old);
}

#[test]
fn a_failed_write_leaves_the_old_result_and_no_temporary_file() {
    let dir = scratch("failed");
    let path = dir.join("result.json");
    JsonSerializer::new()
        .serialize_to_file(&1.5, &path)
        .unwrap();
    let err = JsonSerializer::new()
        .serialize_to_file(&f64::NAN, &path)
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NonFiniteFloat { .. }),
        "{err}"
    );
    let back: f64 = JsonSerializer::new().deserialize_from_file(&path).unwrap();
    assert_eq!(back, 1.5);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[derive(
    Debug, PartialEq, serde::Serialize, serde::Deserialize, result_serializers::ResultSerializer,
)]
#[serializer(binary)]
struct Checkpoint {
    step: u32,
    scores: Vec<f64>,
}

#[test]
fn save_and_load_round_trip_and_replace() {
    let dir = scratch("save");
    let path = dir.join("checkpoint.bin");
    let first = Checkpoint {
        step: 1,
        scores: vec![0.5],
    };
    first.save(&path).unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap(), first);
    let second = Checkpoint {
        step: 2,
        scores: vec![0.25, 1.0],
    };
    second.save(&path).unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap(), second);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        BinarySerializer::new().serialize(&second).unwrap()
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

    let missing = Checkpoint::load(dir.join("missing.bin")).unwrap_err();
    assert!(matches!(missing.kind(), ErrorKind::Io(_)), "{missing}");
    // The error names the file.
    assert!(missing.to_string().contains("missing.bin"), "{missing}");
    assert_eq!(missing.operation(), Operation::Deserialize);
    let directory = first.save(&dir).unwrap_err();
    assert!(matches!(directory.kind(), ErrorKind::Io(_)), "{directory}");
}
