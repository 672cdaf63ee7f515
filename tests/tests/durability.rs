//! kill -9 in the middle of a large import: after a restart the store and index agree, no partial blob is
//! visible, and the same import then succeeds.
use std::time::Duration;

use imaged_tests::{Daemon, check_root, random_bytes, write_rootfs};

#[tokio::test(flavor = "multi_thread")]
async fn kill9_during_import_leaves_a_consistent_store() {
    let mut d = Daemon::start().unwrap();
    let small = write_rootfs(&d.dir.path().join("small.tar"), &[("s", random_bytes(50_000))]);
    d.ok(&["import", small.to_str().unwrap(), "survivor:1"]);
    let big = write_rootfs(
        &d.dir.path().join("big.tar"),
        &[("big1", random_bytes(60 << 20)), ("big2", random_bytes(60 << 20))],
    );

    let mut killed_mid_import = 0;
    for delay_ms in [150u64, 400, 900] {
        let mut child = std::process::Command::new(imaged_tests::bin("imagectl"))
            .args(["--host", &d.host(), "import", big.to_str().unwrap(), "big:1"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        d.kill9();
        let _ = child.wait();

        if std::fs::read_dir(d.root.join("ingest")).unwrap().count() > 0 {
            killed_mid_import += 1;
        }
        let report = check_root(&d.root);
        let text = String::from_utf8_lossy(&report.stdout);
        assert!(report.status.success(), "inconsistent after kill -9 at {delay_ms} ms: {text}");
        assert!(text.contains("consistent"), "{text}");

        d.spawn().unwrap();
        let c = d.client().await;
        assert!(c.inspect("survivor:1", vec![]).await.is_ok(), "an image stored before the crash was lost");
        // Whatever the crash left: every listed image is whole, and no partial ingest remains visible.
        assert_eq!(std::fs::read_dir(d.root.join("ingest")).unwrap().count(), 0, "partial import left after restart");
        assert!(imaged_tests::check_root_running(&d), "a blob does not match its name");
    }

    assert!(killed_mid_import > 0, "no kill landed in the middle of an import");
    let out = d.ok(&["import", big.to_str().unwrap(), "big:1"]);
    assert!(out.trim().starts_with("sha256:"));
    d.ok(&["inspect", "big:1"]);
    d.stop().unwrap();
    let report = check_root(&d.root);
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stdout));
}
