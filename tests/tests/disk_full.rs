//! A root on a small tmpfs that fills up mid-pull: RESOURCE_EXHAUSTED, nothing corrupt, the space comes
//! back, and pulls that fit still work.
use std::process::Command;

use imaged_client::Code;
use imaged_tests::{Daemon, RegistryServer, check_root_running, random_bytes, write_rootfs};

fn used_kb(path: &std::path::Path) -> u64 {
    let out = Command::new("df").arg("-k").arg("--output=used").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().nth(1).unwrap().trim().parse().unwrap()
}

struct Tmpfs(std::path::PathBuf);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn disk_full_mid_pull() {
    let reg = RegistryServer::start(false).unwrap();
    // A feeder daemon with room pushes a big (incompressible) image and a small one.
    let feeder = Daemon::start().unwrap();
    let big = write_rootfs(&feeder.dir.path().join("big.tar"), &[("big", random_bytes(60 << 20))]);
    let small = write_rootfs(&feeder.dir.path().join("small.tar"), &[("small", random_bytes(1 << 20))]);
    let (big_ref, small_ref) = (format!("{}/fill/big:1", reg.addr), format!("{}/fill/small:1", reg.addr));
    feeder.ok(&["import", big.to_str().unwrap(), &big_ref]);
    feeder.ok(&["import", small.to_str().unwrap(), &small_ref]);
    feeder.ok(&["push", &big_ref]);
    feeder.ok(&["push", &small_ref]);

    // The daemon under test lives on a 40 MB tmpfs.
    let mnt = tempfile::tempdir().unwrap();
    let st = Command::new("mount").args(["-t", "tmpfs", "-o", "size=40m", "tmpfs"]).arg(mnt.path()).status().unwrap();
    assert!(st.success(), "mounting a tmpfs (the suite runs as root)");
    let _guard = Tmpfs(mnt.path().to_owned());
    let mut d = Daemon::start().unwrap();
    d.stop().unwrap();
    d.root = mnt.path().join("root");
    d.spawn().unwrap();
    let c = d.client().await;
    let before = used_kb(mnt.path());

    let e = c.pull(&big_ref, false, None, None, |_| {}).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{e}");
    assert!(c.list(true, vec![]).await.unwrap().is_empty(), "no image from the failed pull");
    let after = used_kb(mnt.path());
    assert!(after < before + 4096, "space came back: {before} kB before, {after} kB after");
    assert!(check_root_running(&d), "the store is consistent");
    // Something that fits still works.
    c.pull(&small_ref, false, None, None, |_| {}).await.unwrap();
    assert_eq!(c.list(false, vec![]).await.unwrap().len(), 1);
}
