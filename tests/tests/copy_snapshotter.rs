//! The copying fallback (`snapshotter = "copy"`, chosen automatically where overlayfs cannot be mounted):
//! containers, commit with a deletion, and a multi-stage build give the same results as with overlayfs.
use imaged_tests::{Daemon, archive_layers, busybox_rootfs};

#[test]
fn containers_commit_and_build_without_overlayfs() {
    let d = Daemon::start_with_config("snapshotter = \"copy\"\n").unwrap();
    assert!(d.log().contains("overlayfs unavailable or disabled"), "{}", d.log());
    let dir = d.dir.path();
    let rootfs = busybox_rootfs(&dir.join("busybox.tar"));
    d.ok(&["import", rootfs.to_str().unwrap(), "busybox:latest"]);

    d.ok(&["container", "create", "--name", "c", "busybox"]);
    d.ok(&["container", "exec", "c", "--", "sh", "-c", "echo hi > /test.txt && rm /etc/group"]);
    assert_eq!(d.ok(&["container", "exec", "c", "--", "cat", "/test.txt"]), "hi\n", "changes persist between commands");
    d.ok(&["commit", "-m", "copy mode", "c", "copied:1"]);
    let archive = dir.join("copied.tar");
    d.ok(&["save", "-o", archive.to_str().unwrap(), "copied:1"]);
    let layers = archive_layers(&archive);
    let top = layers.last().unwrap();
    assert!(top.contains(&"test.txt=hi\n".to_owned()), "{top:?}");
    assert!(top.contains(&"etc/.wh.group=".to_owned()), "{top:?}");
    assert!(!top.iter().any(|e| e.starts_with("bin/") || e.starts_with("proc")), "only the changes: {top:?}");

    let ctx = dir.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("a.txt"), "a\n").unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox AS b\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt && rm /etc/passwd\nFROM busybox\nCOPY --from=b /b.txt /\n",
    )
    .unwrap();
    d.ok(&["build", "-t", "copied:2", ctx.to_str().unwrap()]);
    let log = d.ok(&["build", "-t", "copied:2", ctx.to_str().unwrap()]);
    assert!(log.contains("Using cache"), "{log}");
    d.ok(&["build", "--target", "b", "-t", "copied:b", ctx.to_str().unwrap()]);
    d.ok(&["container", "create", "--name", "b", "copied:b"]);
    let out = d.ok(&["container", "exec", "b", "--", "sh", "-c", "cat /b.txt; test -e /etc/passwd || echo gone"]);
    assert_eq!(out, "a\ngone\n");
    d.ok(&["container", "create", "--name", "final", "copied:2"]);
    assert_eq!(d.ok(&["container", "exec", "final", "--", "cat", "/b.txt"]), "a\n");
}
