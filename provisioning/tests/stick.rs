//! `tally-provision stick` end to end: a real root, a GSB certificate and key from the real
//! binary, a UKI signed with `sbsign` (Debian's systemd EFI stub, a real PE/EFI program); the
//! disk image read back with independent tools: `sfdisk` (partition table), `blkid` (file-system
//! types and labels), `mcopy` (the ESP's file), `debugfs` (the data partition's files),
//! `fsck.vfat` and `e2fsck` (consistency). And every bad input refused, with no file left.
//!
//! Needs the Debian packages fdisk, util-linux, dosfstools, mtools, e2fsprogs, sbsigntool,
//! systemd-boot-efi and openssl (scripts/test installs them).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::Digest;

const BIN: &str = env!("CARGO_BIN_EXE_tally-provision");
/// Debian's systemd EFI stub (package systemd-boot-efi): an unsigned x86-64 EFI application.
const STUB: &str = "/usr/lib/systemd/boot/efi/linuxx64.efi.stub";
const MIB: u64 = 1024 * 1024;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn check(o: Output, what: &str) -> Output {
    assert!(
        o.status.success(),
        "{what} failed:\n{}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    o
}

fn cmd(program: &str, args: &[&str]) -> Output {
    check(
        Command::new(program).args(args).output().unwrap(),
        &format!("{program} {args:?}"),
    )
}

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Setup {
    /// A root, a GSB certificate and key, an authority-role certificate, a second root with a
    /// GSB of its own, an expired GSB, a db key pair and a UKI signed with it.
    fn new() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let s = Setup { _tmp: tmp, dir };
        std::fs::write(s.path("pass"), "a passphrase of some length\n").unwrap();
        for root in ["root", "other-root"] {
            std::fs::create_dir(s.path(root)).unwrap();
            let out = s.path(root);
            let pass = s.path("pass");
            let args = [
                "init-authority",
                "--out-dir",
                p(&out),
                "--passphrase-file",
                p(&pass),
            ];
            check(Command::new(BIN).args(args).output().unwrap(), "init");
        }
        s.issue("root", "GSB", "0042", "2099-12-31", "keys");
        s.issue("root", "HSB", "HSB6", "2099-12-31", "keys");
        s.issue("root", "GSB-entry", "0042-E3", "2099-12-31", "keys");
        s.issue("root", "authority", "Kiesraad", "2099-12-31", "keys");
        s.issue("root", "GSB", "0043", "2025-12-31", "expired");
        s.issue("other-root", "GSB", "0042", "2099-12-31", "other");
        for db in ["db", "other-db"] {
            cmd(
                "openssl",
                &[
                    "req",
                    "-new",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-sha256",
                    "-days",
                    "30",
                    "-subj",
                    &format!("/CN=test {db}/"),
                    "-keyout",
                    p(&s.path(&format!("{db}.key"))),
                    "-out",
                    p(&s.path(&format!("{db}.crt"))),
                ],
            );
        }
        cmd(
            "sbsign",
            &[
                "--key",
                p(&s.path("db.key")),
                "--cert",
                p(&s.path("db.crt")),
                "--output",
                p(&s.path("signed.efi")),
                STUB,
            ],
        );
        s
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn issue(&self, root: &str, role: &str, id: &str, until: &str, out: &str) {
        let key = self.path(&format!("{root}/authority.key"));
        let pass = self.path("pass");
        let out = self.path(out);
        let args = vec![
            "issue",
            "--authority-key",
            p(&key),
            "--authority-passphrase-file",
            p(&pass),
            "--role",
            role,
            "--identifier",
            id,
            "--name",
            "Gemeente Juinen",
            "--election",
            "GR2025_Juinen",
            "--valid-from",
            "2025-07-01",
            "--valid-until",
            until,
            "--out-dir",
            p(&out),
            "--passphrase-file",
            p(&pass),
        ];
        check(Command::new(BIN).args(&args).output().unwrap(), "issue");
    }

    /// `stick` with the good inputs, except those replaced in `over` (flag, value).
    fn stick(&self, out: &str, over: &[(&str, String)]) -> Output {
        let mut args: Vec<(String, String)> = vec![
            ("--uki".into(), p(&self.path("signed.efi")).into()),
            (
                "--certificate".into(),
                p(&self.path("keys/GR2025_Juinen_0042.cert")).into(),
            ),
            (
                "--key".into(),
                p(&self.path("keys/GR2025_Juinen_0042.key")).into(),
            ),
            ("--root".into(), p(&self.path("root/authority.pub")).into()),
            ("--out".into(), p(&self.path(out)).into()),
        ];
        for (flag, value) in over {
            match args.iter_mut().find(|(f, _)| f == flag) {
                Some(a) => a.1 = value.clone(),
                None => args.push((flag.to_string(), value.clone())),
            }
        }
        let mut c = Command::new(BIN);
        c.arg("stick");
        for (f, v) in &args {
            c.arg(f).arg(v);
        }
        c.output().unwrap()
    }
}

/// (start sector, sectors, type, uuid, name) of each partition, as `sfdisk --json` reads them.
fn sfdisk_partitions(img: &Path) -> Vec<(u64, u64, String, String, String)> {
    let o = cmd("sfdisk", &["--json", p(img)]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["partitiontable"]["label"], "gpt");
    assert_eq!(v["partitiontable"]["sectorsize"], 512);
    v["partitiontable"]["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["start"].as_u64().unwrap(),
                p["size"].as_u64().unwrap(),
                p["type"].as_str().unwrap().to_string(),
                p["uuid"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `blkid -p` of the file system at byte `offset`: KEY=value pairs.
fn blkid(img: &Path, offset: u64) -> String {
    let o = cmd(
        "blkid",
        &["-p", "-O", &offset.to_string(), "-o", "export", p(img)],
    );
    text(&o.stdout)
}

fn extract(img: &Path, offset: u64, len: u64, to: &Path) {
    let bytes = std::fs::read(img).unwrap();
    std::fs::write(to, &bytes[offset as usize..(offset + len) as usize]).unwrap();
}

#[test]
fn an_entry_appliance_gets_its_stick_as_a_body_does() {
    let s = Setup::new();
    let cert_path = s.path("keys/GR2025_Juinen_0042-E3.cert");
    let key_path = s.path("keys/GR2025_Juinen_0042-E3.key");
    check(
        s.stick(
            "entry.img",
            &[
                ("--certificate", p(&cert_path).to_string()),
                ("--key", p(&key_path).to_string()),
            ],
        ),
        "stick for an entry appliance",
    );
    let cert = std::fs::read(&cert_path).unwrap();
    assert!(text(&cert).contains("role: GSB-entry\nidentifier: 0042-E3\n"));
    let parts = sfdisk_partitions(&s.path("entry.img"));
    let data_off = parts[1].0 * 512;
    let data_spec = format!("{}?offset={data_off}", p(&s.path("entry.img")));
    let cat = |f: &str| cmd("debugfs", &["-R", &format!("cat {f}"), &data_spec]).stdout;
    assert_eq!(cat("/body.cert"), cert);
    assert_eq!(cat("/body.key"), std::fs::read(&key_path).unwrap());
}

#[test]
fn stick_image_holds_the_uki_certificate_and_key() {
    let s = Setup::new();
    let o = check(
        s.stick(
            "disk.img",
            &[("--db-cert", p(&s.path("db.crt")).to_string())],
        ),
        "stick",
    );
    let out = text(&o.stdout);
    let img = s.path("disk.img");
    let uki = std::fs::read(s.path("signed.efi")).unwrap();
    let cert = std::fs::read(s.path("keys/GR2025_Juinen_0042.cert")).unwrap();
    let key = std::fs::read(s.path("keys/GR2025_Juinen_0042.key")).unwrap();
    // The system identity printed is the UKI's SHA-256 as sha256sum gives it.
    let sum = cmd("sha256sum", &[p(&s.path("signed.efi"))]);
    let sum = text(&sum.stdout)[..64].to_string();
    assert!(out.contains(&format!("\n  {sum}\n")), "{out}");

    // The partition table, as sfdisk reads it (it checks the CRCs and the backup header).
    let verify = cmd("sfdisk", &["--verify", p(&img)]);
    assert!(
        text(&verify.stdout).contains("No errors detected"),
        "{}",
        text(&verify.stdout)
    );
    let parts = sfdisk_partitions(&img);
    assert_eq!(parts.len(), 2, "{parts:?}");
    let (esp_start, esp_len, esp_type, esp_uuid, esp_name) = &parts[0];
    let (data_start, data_len, data_type, data_uuid, data_name) = &parts[1];
    assert_eq!(*esp_start, 2048);
    assert_eq!(*esp_len, 64 * 2048);
    assert_eq!(esp_type, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
    assert_eq!(esp_name, "TALLY-ESP");
    assert_eq!(*data_start, esp_start + esp_len);
    assert_eq!(*data_len, 64 * 2048);
    assert_eq!(data_type, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
    assert_eq!(data_name, "TALLY-DATA");
    assert!(out.contains(&esp_uuid.to_lowercase()), "{out}");
    assert!(out.contains(&data_uuid.to_lowercase()), "{out}");
    let img_len = std::fs::metadata(&img).unwrap().len();
    assert!((data_start + data_len) * 512 + 33 * 512 <= img_len);

    // The file systems, as blkid probes them.
    let esp_off = esp_start * 512;
    let data_off = data_start * 512;
    let esp_probe = blkid(&img, esp_off);
    assert!(esp_probe.contains("TYPE=vfat"), "{esp_probe}");
    assert!(esp_probe.contains("VERSION=FAT32"), "{esp_probe}");
    assert!(esp_probe.contains("LABEL=TALLYESP"), "{esp_probe}");
    let data_probe = blkid(&img, data_off);
    assert!(data_probe.contains("TYPE=ext4"), "{data_probe}");
    assert!(data_probe.contains("LABEL=TALLYDATA"), "{data_probe}");

    // The ESP's one file, read back with mtools.
    let esp_spec = format!("{}@@{esp_off}", p(&img));
    let back = s.path("BOOTX64.back");
    cmd(
        "mcopy",
        &["-i", &esp_spec, "::/EFI/BOOT/BOOTX64.EFI", p(&back)],
    );
    assert_eq!(std::fs::read(&back).unwrap(), uki);
    let listing = cmd("mdir", &["-i", &esp_spec, "-b", "-/", "::/"]);
    let mut files: Vec<String> = text(&listing.stdout).lines().map(str::to_string).collect();
    files.sort();
    assert_eq!(
        files,
        ["::/EFI/", "::/EFI/BOOT/", "::/EFI/BOOT/BOOTX64.EFI"],
        "only the UKI on the ESP"
    );

    // The data partition's files, read back with debugfs (no mounting).
    let data_spec = format!("{}?offset={data_off}", p(&img));
    let cat = |f: &str| cmd("debugfs", &["-R", &format!("cat {f}"), &data_spec]).stdout;
    assert_eq!(cat("/body.cert"), cert);
    assert_eq!(cat("/body.key"), key);
    let ls = text(&cmd("debugfs", &["-R", "ls -l /", &data_spec]).stdout);
    let names: Vec<&str> = ls
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .filter(|n| !matches!(*n, "." | ".."))
        .collect();
    assert_eq!(names, ["lost+found", "body.cert", "body.key"], "{ls}");
    let stat = |f: &str| text(&cmd("debugfs", &["-R", &format!("stat {f}"), &data_spec]).stdout);
    let key_stat = stat("/body.key");
    assert!(key_stat.contains("Mode:  0600"), "{key_stat}");
    assert!(
        key_stat.contains("User:     0   Group:     0"),
        "{key_stat}"
    );
    let cert_stat = stat("/body.cert");
    assert!(cert_stat.contains("Mode:  0644"), "{cert_stat}");

    // Both file systems are consistent; the data partition has a journal.
    let esp_img = s.path("esp.part");
    extract(&img, esp_off, esp_len * 512, &esp_img);
    // The FAT boot sector's hidden-sector count (BPB offset 0x1C) is the partition's start.
    let boot = std::fs::read(&esp_img).unwrap();
    assert_eq!(
        u32::from_le_bytes(boot[0x1c..0x20].try_into().unwrap()),
        2048
    );
    cmd("fsck.vfat", &["-n", p(&esp_img)]);
    let data_img = s.path("data.part");
    extract(&img, data_off, data_len * 512, &data_img);
    cmd("e2fsck", &["-f", "-n", p(&data_img)]);
    let sb = text(&cmd("dumpe2fs", &["-h", p(&data_img)]).stdout);
    assert!(sb.contains("has_journal"), "{sb}");
    assert!(sb.contains("Filesystem volume name:   TALLYDATA"), "{sb}");

    // Nothing else was left beside the output.
    let leftovers: Vec<_> = std::fs::read_dir(&s.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tally-stick-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn same_inputs_give_the_same_bytes() {
    let s = Setup::new();
    check(s.stick("one.img", &[]), "stick one");
    // Later, with the input files' times changed.
    for f in ["signed.efi", "keys/GR2025_Juinen_0042.cert"] {
        let bytes = std::fs::read(s.path(f)).unwrap();
        std::fs::remove_file(s.path(f)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        std::fs::write(s.path(f), bytes).unwrap();
    }
    check(s.stick("two.img", &[]), "stick two");
    let one = std::fs::read(s.path("one.img")).unwrap();
    let two = std::fs::read(s.path("two.img")).unwrap();
    assert_eq!(one.len(), two.len());
    assert!(one == two, "the two images differ");

    // Another body (another certificate and key): other GUIDs, same layout.
    check(
        s.stick(
            "hsb.img",
            &[
                (
                    "--certificate",
                    p(&s.path("keys/GR2025_Juinen_HSB6.cert")).into(),
                ),
                ("--key", p(&s.path("keys/GR2025_Juinen_HSB6.key")).into()),
                ("--size-mib", "32".into()),
            ],
        ),
        "stick hsb",
    );
    let a = sfdisk_partitions(&s.path("one.img"));
    let b = sfdisk_partitions(&s.path("hsb.img"));
    assert_ne!(a[0].3, b[0].3);
    assert_ne!(a[1].3, b[1].3);
    assert_eq!(b[1].1, 32 * 2048);
    assert_eq!(
        std::fs::metadata(s.path("hsb.img")).unwrap().len(),
        (1 + 64 + 32 + 1) * MIB
    );
    // The image's SHA-256 is the same on every build: print it for the record.
    eprintln!("stick image SHA-256: {}", hex(&sha2::Sha256::digest(&one)));
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn bad_inputs_are_refused_and_nothing_is_written() {
    let s = Setup::new();
    std::fs::write(s.path("not-pe.efi"), "just text\n").unwrap();
    // The key file cut after its public key; one asking for more Argon2 memory than allowed;
    // one asking for fewer passes than the floor.
    let key = std::fs::read_to_string(s.path("keys/GR2025_Juinen_0042.key")).unwrap();
    let cut: String = key.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(s.path("cut.key"), cut).unwrap();
    assert!(key.contains("kdf-memory-kib: 65536\nkdf-iterations: 3\n"));
    let greedy = key.replace("kdf-memory-kib: 65536\n", "kdf-memory-kib: 999999\n");
    std::fs::write(s.path("greedy.key"), greedy).unwrap();
    let weak = key.replace("kdf-iterations: 3\n", "kdf-iterations: 1\n");
    std::fs::write(s.path("weak.key"), weak).unwrap();
    std::fs::write(
        s.path("garbage.cert"),
        "tally-certificate v1\nrole: nobody\n",
    )
    .unwrap();
    let sp = |n: &str| p(&s.path(n)).to_string();
    // (what, flags replaced, the error's words)
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, String);
    let cases: Vec<Case> = vec![
        (
            "unsigned UKI",
            vec![("--uki", STUB.into())],
            format!("UKI {STUB}: carries no Authenticode signature"),
        ),
        (
            "not a PE file",
            vec![("--uki", sp("not-pe.efi"))],
            "not a PE file (no `MZ` header)".into(),
        ),
        (
            "UKI signed by another db key",
            vec![("--db-cert", sp("other-db.crt"))],
            "its signature does not verify with the db certificate".into(),
        ),
        (
            "missing UKI",
            vec![("--uki", sp("nowhere.efi"))],
            format!("UKI {}", sp("nowhere.efi")),
        ),
        (
            "authority certificate",
            vec![
                ("--certificate", sp("keys/GR2025_Juinen_Kiesraad.cert")),
                ("--key", sp("keys/GR2025_Juinen_Kiesraad.key")),
            ],
            "role `authority` (Kiesraad); a certified stick is for a counting body: GSB, GSB-entry, HSB or CSB"
                .into(),
        ),
        (
            "certificate of another root",
            vec![
                ("--certificate", sp("other/GR2025_Juinen_0042.cert")),
                ("--key", sp("other/GR2025_Juinen_0042.key")),
            ],
            "the certificate was issued by another authority".into(),
        ),
        (
            "expired certificate",
            vec![
                ("--certificate", sp("expired/GR2025_Juinen_0043.cert")),
                ("--key", sp("expired/GR2025_Juinen_0043.key")),
            ],
            "expired at 2025-12-31T23:59:59Z".into(),
        ),
        (
            "malformed certificate",
            vec![("--certificate", sp("garbage.cert"))],
            format!("certificate {}: the certificate is malformed", sp("garbage.cert")),
        ),
        (
            "key of another body",
            vec![("--key", sp("keys/GR2025_Juinen_HSB6.key"))],
            "they do not belong together".into(),
        ),
        (
            "certificate given as the key",
            vec![("--key", sp("keys/GR2025_Juinen_0042.cert"))],
            "not an encrypted tally secret-key file".into(),
        ),
        (
            "key file cut short",
            vec![("--key", sp("cut.key"))],
            format!(
                "key {}: not an encrypted tally secret-key file: the key file is malformed",
                sp("cut.key")
            ),
        ),
        (
            "key file with too much Argon2 memory",
            vec![("--key", sp("greedy.key"))],
            "Argon2id memory (kdf-memory-kib) is 999999 KiB, above the maximum of 262144 KiB (256 MiB)"
                .into(),
        ),
        (
            "key file with fewer Argon2 passes than the floor",
            vec![("--key", sp("weak.key"))],
            "Argon2id iterations (kdf-iterations) is 1, below the floor of 3".into(),
        ),
        (
            "root key file that is not one",
            vec![("--root", sp("keys/GR2025_Juinen_0042.cert"))],
            "expected tally-provision's authority.pub".into(),
        ),
        (
            "data partition too small",
            vec![("--size-mib", "8".into())],
            "data partition size 8 MiB: must be 16 to 65536 MiB".into(),
        ),
    ];
    for (what, over, want) in &cases {
        let o = s.stick("bad.img", over);
        let err = text(&o.stderr);
        assert!(!o.status.success(), "{what}: accepted");
        assert!(err.contains(want.as_str()), "{what}: {err}");
        assert!(!s.path("bad.img").exists(), "{what}: output left behind");
    }
    // An existing output is never overwritten.
    std::fs::write(s.path("exists.img"), "keep me").unwrap();
    let o = s.stick("exists.img", &[]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("exists already; refusing to overwrite it"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(std::fs::read(s.path("exists.img")).unwrap(), b"keep me");
    let leftovers: Vec<_> = std::fs::read_dir(&s.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tally-stick-") || n.ends_with(".img") && n != "exists.img")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
