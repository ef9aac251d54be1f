//! The files an HSB or CSB keeps by their SHA-256 (`tally_body::Body::keep_file`,
//! `kept_file`): named in lowercase whatever the case asked, refused for a name that is no
//! SHA-256 or bytes that are not the file named, and a changed file is found damaged.

use tally_body::{Body, Sticks};
use tally_core::hashcode::Sha256Digest;

fn body(dir: &std::path::Path) -> Body {
    let paths = tally_demo::csb_paths(dir);
    tally_demo::prepare_csb_demo(&paths).unwrap();
    let sticks = Sticks::folder(&paths.media_dir);
    Body::open(paths, sticks, "0".repeat(64), true).unwrap()
}

#[test]
fn kept_files_are_named_by_their_digest_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let body = body(dir.path());
    let bytes = b"<EML/>".to_vec();
    let sha = Sha256Digest::of(&bytes).to_hex();
    // Asked in upper case: kept under the lowercase name, read back either way.
    body.keep_file(&sha.to_uppercase(), &bytes).unwrap();
    assert_eq!(body.kept_file(&sha).unwrap(), bytes);
    assert_eq!(body.kept_file(&sha.to_uppercase()).unwrap(), bytes);
    // Not a SHA-256, or bytes that are not the file named: nothing kept.
    for name in ["", "a", &"ab".repeat(33), &format!("{}/x", &sha[..62])] {
        assert!(body.keep_file(name, &bytes).is_err(), "{name:?}");
        assert!(body.kept_file(name).is_err(), "{name:?}");
    }
    let other = Sha256Digest::of(b"other").to_hex();
    assert!(body.keep_file(&other, &bytes).is_err());
    assert!(body.kept_file(&other).is_err());
    // Changed on the data partition: damaged.
    let kept = dir
        .path()
        .join("csb-data")
        .join("higher-files")
        .join(format!("{sha}.eml.xml"));
    std::fs::write(&kept, b"<EML>changed</EML>").unwrap();
    let err = body.kept_file(&sha).unwrap_err().to_string();
    assert!(err.contains("damaged"), "{err}");
}

/// The spool a count medium is verified into (`Body::incoming_spool`): a copy not taken is
/// removed when the spool goes, a taken one when it is dropped unkept, and a kept one is
/// renamed to its SHA-256; copies left by a power cut go when the next spool is made.
#[test]
fn incoming_copies_are_removed_unless_kept_by_their_digest() {
    use std::io::Write;
    use tally_signing::{ManifestEntry, Spool, SpooledFile};
    let dir = tempfile::tempdir().unwrap();
    let body = body(dir.path());
    let folder = dir.path().join("csb-data").join("higher-files");
    let entries = |folder: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let bytes = b"<EML Id=\"510b\"/>".to_vec();
    let sha = Sha256Digest::of(&bytes);
    let entry = |name: &str| ManifestEntry {
        name: name.into(),
        size: bytes.len() as u64,
        sha256: sha.0,
    };
    let spooled = |name: &str| SpooledFile {
        name: name.into(),
        sha256: sha.0,
        size: bytes.len() as u64,
    };

    // A power cut left a copy: gone when the next spool is made.
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(".incoming-7.part"), b"half").unwrap();
    let mut spool = body.incoming_spool().unwrap();
    assert!(entries(&folder).is_empty(), "{:?}", entries(&folder));
    assert!(spool.wants(&entry("a.eml.xml")));
    assert!(!spool.wants(&entry("a.csv")));
    for name in ["a.eml.xml", "b.eml.xml"] {
        spool.sink(&entry(name)).unwrap().write_all(&bytes).unwrap();
    }
    assert_eq!(entries(&folder).len(), 2);
    // One taken and dropped unkept, the other left in the spool: both removed.
    drop(spool.take(&spooled("a.eml.xml")).unwrap());
    assert_eq!(entries(&folder).len(), 1);
    drop(spool);
    assert!(entries(&folder).is_empty(), "{:?}", entries(&folder));

    // Kept: renamed to its digest, read back by it.
    let mut spool = body.incoming_spool().unwrap();
    spool
        .sink(&entry("a.eml.xml"))
        .unwrap()
        .write_all(&bytes)
        .unwrap();
    let incoming = spool.take(&spooled("a.eml.xml")).unwrap();
    assert_eq!(
        std::io::read_to_string(incoming.open().unwrap())
            .unwrap()
            .as_bytes(),
        bytes
    );
    body.keep_incoming(incoming).unwrap();
    drop(spool);
    assert_eq!(entries(&folder), vec![format!("{}.eml.xml", sha.to_hex())]);
    assert_eq!(body.kept_file(&sha.to_hex()).unwrap(), bytes);
    assert_eq!(
        body.kept_path(&sha.to_hex()).unwrap(),
        folder.join(format!("{}.eml.xml", sha.to_hex()))
    );
}
