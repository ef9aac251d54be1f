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
