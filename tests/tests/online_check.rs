//! `imagectl system check` on a live daemon: a blob corrupted on disk is reported; `--repair` removes the
//! image that needs it (saying so) while the daemon keeps serving; a later pull restores it.
use std::os::unix::fs::PermissionsExt;

use imaged_tests::{Daemon, RegistryServer, write_rootfs};

#[test]
fn a_corrupt_blob_is_found_and_repaired_online() {
    let reg = RegistryServer::start(false).unwrap();
    let d = Daemon::start().unwrap();
    let tar = write_rootfs(&d.dir.path().join("r.tar"), &[("data", imaged_tests::random_bytes(200_000))]);
    let name = format!("{}/check/app:1", reg.addr);
    d.ok(&["import", tar.to_str().unwrap(), &name]);
    d.ok(&["import", tar.to_str().unwrap(), "other:1", "-c", "ENV KEEP=1"]);
    d.ok(&["push", &name]);
    assert!(d.ok(&["system", "check"]).contains("consistent"));

    // Flip a byte in the layer blob, as a failing disk would.
    let layer = d.ok(&["inspect", "-f", "{{json .RootFS.Layers}}", &name]);
    let manifest: serde_json::Value =
        serde_json::from_str(&d.ok(&["inspect", "-f", "{{json .Descriptor}}", &name])).unwrap();
    let manifest_path =
        d.root.join("blobs/sha256").join(manifest["digest"].as_str().unwrap().trim_start_matches("sha256:"));
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(manifest_path).unwrap()).unwrap();
    let blob =
        d.root.join("blobs/sha256").join(m["layers"][0]["digest"].as_str().unwrap().trim_start_matches("sha256:"));
    assert!(!layer.is_empty());
    std::fs::set_permissions(&blob, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[100] ^= 0xff;
    std::fs::write(&blob, bytes).unwrap();

    let out = d.imagectl(&["system", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("is corrupt"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--repair"));

    let repaired = d.ok(&["system", "check", "--repair"]);
    assert!(repaired.contains("repaired: deleted corrupt blob"), "{repaired}");
    assert!(repaired.contains("removed image") && repaired.contains("check/app:1"), "{repaired}");
    // Both images shared the layer: both are gone, and the daemon still answers.
    assert!(d.fails(&["inspect", &name]).contains("No such image"));
    assert!(d.ok(&["images"]).starts_with("REPOSITORY"));
    assert!(d.ok(&["system", "check"]).contains("consistent"));

    d.ok(&["pull", &name]);
    assert!(d.ok(&["system", "check"]).contains("consistent"));
    assert!(d.ok(&["inspect", "-f", "{{.Id}}", &name]).starts_with("sha256:"));
}
