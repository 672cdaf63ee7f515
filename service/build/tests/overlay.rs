//! Layers unpacked into overlay form, mounted, changed, and diffed back (needs root and overlayfs, as the
//! daemon does).

use std::{
    fs,
    io::Read,
    os::unix::fs::{FileTypeExt, MetadataExt},
};

use imaged_build::{
    diff::diff_upper,
    mount::mount_overlay,
    snapshot::{OPAQUE_XATTR, Snapshots},
};
use imaged_core::Digest;

fn tar_of(entries: &[(&str, Option<&str>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, content) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_uid(0);
        h.set_gid(0);
        match content {
            Some(c) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(c.len() as u64);
                h.set_mode(0o644);
                h.set_mtime(1_600_000_000);
                b.append_data(&mut h, path, c.as_bytes()).unwrap();
            }
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                h.set_mode(0o755);
                h.set_mtime(1_600_000_000);
                b.append_data(&mut h, path, std::io::empty()).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

fn entries(gz: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(gz));
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let mut s = String::new();
        e.read_to_string(&mut s).unwrap();
        out.push(format!("{}={}", e.path().unwrap().display(), s));
    }
    out
}

#[test]
fn unpack_mount_change_diff() {
    let dir = tempfile::tempdir().unwrap();
    let snaps = Snapshots::open(&dir.path().join("snapshots")).unwrap();
    let base =
        tar_of(&[("etc/", None), ("etc/a", Some("a")), ("etc/b", Some("b")), ("opt/", None), ("opt/x", Some("x"))]);
    let base_id = Digest::of(&base);
    let lower1 = snaps.unpack(&base_id, &base[..]).unwrap();
    assert_eq!(fs::read_to_string(lower1.join("etc/a")).unwrap(), "a");
    assert_eq!(fs::metadata(lower1.join("etc/a")).unwrap().mtime(), 1_600_000_000);
    assert_eq!(fs::metadata(lower1.join("etc")).unwrap().mtime(), 1_600_000_000);

    // A second layer deletes etc/b and makes opt opaque.
    let top = tar_of(&[
        ("etc/", None),
        ("etc/.wh.b", Some("")),
        ("opt/", None),
        ("opt/.wh..wh..opq", Some("")),
        ("opt/y", Some("y")),
    ]);
    let top_id = Digest::of(&top);
    let lower2 = snaps.unpack(&top_id, &top[..]).unwrap();
    let wh = fs::symlink_metadata(lower2.join("etc/b")).unwrap();
    assert!(wh.file_type().is_char_device() && wh.rdev() == 0);
    assert_eq!(xattr::get(lower2.join("opt"), OPAQUE_XATTR).unwrap().as_deref(), Some(&b"y"[..]));

    // A wrong diff id leaves nothing.
    let wrong = Digest::of(b"not it");
    assert!(snaps.unpack(&wrong, &base[..]).is_err());
    assert!(!snaps.exists(&wrong));

    let work = snaps.temp_dir().unwrap();
    let (upper, wd, merged) = (work.join("upper"), work.join("work"), work.join("merged"));
    fs::create_dir_all(&upper).unwrap();
    fs::create_dir_all(&wd).unwrap();
    let m = mount_overlay(&[lower2.clone(), lower1.clone()], Some((&upper, &wd)), &merged).unwrap();
    assert!(merged.join("etc/a").exists());
    assert!(!merged.join("etc/b").exists());
    assert!(!merged.join("opt/x").exists());
    assert!(merged.join("opt/y").exists());
    fs::write(merged.join("test.txt"), "hi\n").unwrap();
    fs::remove_file(merged.join("etc/a")).unwrap();
    m.unmount().unwrap();

    let (stats, gz) = diff_upper(&upper, Vec::new()).unwrap();
    let got = entries(&gz);
    assert!(got.contains(&"etc/.wh.a=".to_owned()), "{got:?}");
    assert!(got.contains(&"test.txt=hi\n".to_owned()), "{got:?}");
    assert_eq!(got.len(), 3, "{got:?}");
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut plain).unwrap();
    assert_eq!(stats.diff_id, Digest::of(&plain));

    // The diff unpacks again as a snapshot with the same meaning.
    let again = snaps.unpack(&stats.diff_id, &gz[..]).unwrap();
    assert!(fs::symlink_metadata(again.join("etc/a")).unwrap().file_type().is_char_device());
    assert_eq!(fs::read_to_string(again.join("test.txt")).unwrap(), "hi\n");

    // Unused snapshots go, recent ones stay within the grace period, kept ones always stay.
    let keep: std::collections::HashSet<String> = [base_id.hex().to_owned()].into_iter().collect();
    assert_eq!(snaps.retain(&keep, std::time::Duration::from_secs(600)).unwrap(), 0, "all are recent");
    assert_eq!(snaps.retain(&keep, std::time::Duration::ZERO).unwrap(), 2);
    assert!(snaps.exists(&base_id) && !snaps.exists(&top_id) && !snaps.exists(&stats.diff_id));
}
