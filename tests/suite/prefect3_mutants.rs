//! Prefect 3.9.1 as the oracle of its own format: 5,000 mutants of the Prefect 3 vectors (one
//! byte of a record, a split result or its metadata replaced), each read by Prefect's own
//! `ResultStore` once, its verdict kept in `tests/data/prefect3-mutants.json` (made by
//! `tests/interop/prefect3_mutants.py`). Every mutant Prefect refuses is refused here, and none
//! reads as a value other than the one Prefect read.
//!
//! One kind of mutant is told apart: a byte changed in the directory part of a split result's
//! `storage_key` (`/srv/prefect-results/split/` of `/srv/prefect-results/split/json/date`).
//! Prefect reads the result at that path of its own machine and finds nothing there; this
//! crate reads it at its key (the store may be S3 as well as a disk), and cannot see Prefect's
//! paths. Such a mutant reads as the vector's own value, which the test checks.

use std::collections::BTreeMap;

use result_serializers::prefect3::{Prefect3Metadata, Prefect3Record};
use serde_json::Value;

use super::prefect3::{read_typed, sorted, vectors_dir};

/// Whether `offset` of a split metadata file lies in its `storage_key`'s directory part,
/// before the `/KEY` that names the result.
fn in_storage_directory(vector: &Value, file: &str, offset: usize) -> bool {
    if vector["layout"] != "split" || vector["metadata_file"] != file {
        return false;
    }
    let bytes = std::fs::read(vectors_dir().join(file)).unwrap();
    let opening = b"\"storage_key\":\"";
    let Some(start) = bytes
        .windows(opening.len())
        .position(|window| window == opening)
        .map(|at| at + opening.len())
    else {
        return false;
    };
    let metadata = Prefect3Metadata::from_slice(&bytes).unwrap();
    let stored = metadata.storage_key.unwrap();
    let key = vector["key"].as_str().unwrap();
    (start..start + stored.len() - key.len() - 1).contains(&offset)
}

/// What this crate reads of a mutant, in the vectors' typed notation.
fn read(vector: &Value, file: &str, mutated: &[u8]) -> Result<Value, String> {
    let dir = vectors_dir();
    let name = vector["id"].as_str().unwrap().rsplit('.').next().unwrap();
    if vector["layout"] == "record" {
        let record = Prefect3Record::from_slice(mutated).map_err(|err| err.to_string())?;
        return read_typed(name, &record.metadata.serializer, record.result.as_bytes())
            .map_err(|err| err.to_string());
    }
    let original = |key: &str| std::fs::read(dir.join(vector[key].as_str().unwrap())).unwrap();
    let (result, metadata) = if vector["file"] == file {
        (mutated.to_vec(), original("metadata_file"))
    } else {
        (original("file"), mutated.to_vec())
    };
    let metadata = Prefect3Metadata::from_slice(&metadata).map_err(|err| err.to_string())?;
    // As `Prefect3Store` reads a split result: at its key, which its metadata must name.
    if !metadata.names_key(vector["key"].as_str().unwrap()) {
        return Err("its `storage_key` names another result".into());
    }
    read_typed(name, &metadata.serializer, &result).map_err(|err| err.to_string())
}

#[test]
fn no_mutant_reads_as_another_value_than_prefect_reads() {
    let dir = vectors_dir();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let vectors: BTreeMap<&str, &Value> = manifest["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|vector| (vector["id"].as_str().unwrap(), vector))
        .collect();
    let oracle: Value = serde_json::from_slice(
        &std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/prefect3-mutants.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mutants = oracle["mutants"].as_array().unwrap();
    assert_eq!(mutants.len(), 5000);
    let (mut refused_by_both, mut read_alike, mut refused_here_only) = (0, 0, 0);
    let mut prefects_own_path = 0;
    let mut wrong = Vec::new();
    for mutant in mutants {
        let vector = vectors[mutant["vector"].as_str().unwrap()];
        let file = mutant["file"].as_str().unwrap();
        let mut bytes = std::fs::read(dir.join(file)).unwrap();
        let offset = mutant["offset"].as_u64().unwrap() as usize;
        bytes[offset] = u8::try_from(mutant["byte"].as_u64().unwrap()).unwrap();
        let verdict = &mutant["verdict"];
        let ours = read(vector, file, &bytes);
        match (verdict.get("refused"), ours) {
            (Some(_), Err(_)) => refused_by_both += 1,
            (Some(_), Ok(value))
                if in_storage_directory(vector, file, offset)
                    && sorted(value.clone()) == sorted(vector["read_back"].clone()) =>
            {
                prefects_own_path += 1
            }
            (Some(why), Ok(value)) => wrong.push(format!(
                "{file} @{offset}: Prefect refused ({why}), this crate read {value}"
            )),
            (None, Err(_)) => refused_here_only += 1,
            (None, Ok(value)) if sorted(value.clone()) == sorted(verdict.clone()) => {
                read_alike += 1
            }
            (None, Ok(value)) => wrong.push(format!(
                "{file} @{offset}: Prefect read {verdict}, this crate read {value}"
            )),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} mutants disagree with Prefect:\n{}",
        wrong.len(),
        mutants.len(),
        wrong.join("\n")
    );
    println!(
        "{refused_by_both} refused by both, {read_alike} read alike, {refused_here_only} refused \
         here only, {prefects_own_path} in the directory of Prefect's `storage_key`"
    );
}
