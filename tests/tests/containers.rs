//! Working containers from the busybox image: exec through runc, commit with author/message/changes, and
//! rmi refused while a container uses the image.
use imaged_tests::{Daemon, archive_layers, busybox_rootfs};

#[test]
fn exec_commit_and_rmi_conflicts() {
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let rootfs = busybox_rootfs(&dir.join("busybox.tar"));
    let base = d.ok(&["import", rootfs.to_str().unwrap(), "busybox:latest"]).trim().to_owned();

    let id = d.ok(&["container", "create", "--name", "work", "busybox"]).trim().to_owned();
    assert_eq!(id.len(), 64, "{id}");
    let ls = d.ok(&["container", "ls"]);
    assert!(ls.starts_with("CONTAINER ID   IMAGE"), "{ls}");
    assert!(ls.contains(&id[..12]) && ls.contains("busybox:latest") && ls.contains("work"), "{ls}");
    // Names are unique.
    assert!(d.fails(&["container", "create", "--name", "work", "busybox"]).contains("already in use"));

    // Output streams back, the exit code is the command's, env/workdir/user apply.
    let out = d.imagectl(&["container", "exec", "work", "--", "sh", "-c", "echo out; echo err >&2; exit 7"]);
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
    let out = d.ok(&[
        "container",
        "exec",
        "-e",
        "GREETING=hey",
        "-w",
        "/tmp",
        "-u",
        "app",
        "work",
        "--",
        "sh",
        "-c",
        "echo $GREETING; pwd; id -u; id -g",
    ]);
    assert_eq!(out, "hey\n/tmp\n1000\n1000\n");
    // No network inside: only a loopback interface exists.
    let out = d.ok(&["container", "exec", "work", "--", "ls", "/sys/class/net"]);
    assert_eq!(out.trim(), "lo");

    let err = d.fails(&["rmi", &base[7..19]]);
    assert!(err.contains("(must be forced) - image is being used by container"), "{err}");
    d.ok(&["container", "exec", "work", "--", "sh", "-c", "echo hi > /test.txt"]);
    let new_id = d
        .ok(&[
            "commit",
            "-a",
            "Jane <jane@example.com>",
            "-m",
            "add test.txt",
            "-c",
            "ENV A=b",
            "-c",
            "CMD [\"cat\", \"/test.txt\"]",
            "work",
            "test:0.1",
        ])
        .trim()
        .to_owned();
    assert!(new_id.starts_with("sha256:") && new_id != base);

    // The new layer holds exactly /test.txt.
    let saved = dir.join("test.tar");
    d.ok(&["save", "-o", saved.to_str().unwrap(), "test:0.1"]);
    let layers = archive_layers(&saved);
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[1], vec!["test.txt=hi\n".to_owned()], "{:?}", layers[1]);

    let v: serde_json::Value = serde_json::from_str(&d.ok(&["inspect", "test:0.1"])).unwrap();
    assert_eq!(v[0]["Author"], "Jane <jane@example.com>");
    assert_eq!(v[0]["Comment"], "add test.txt");
    assert!(v[0]["Config"]["Env"].as_array().unwrap().iter().any(|e| e == "A=b"), "{}", v[0]["Config"]);
    assert_eq!(v[0]["Config"]["Cmd"], serde_json::json!(["cat", "/test.txt"]));
    assert_eq!(v[0]["Parent"], base.as_str());
    let history = d.ok(&["history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "test:0.1"]);
    let first = history.lines().next().unwrap();
    assert_eq!(first, "sh -c echo hi > /test.txt|add test.txt", "{history}");

    // A container made from the commit sees the file.
    d.ok(&["container", "create", "--name", "second", "test:0.1"]);
    assert_eq!(d.ok(&["container", "exec", "second"]), "hi\n", "runs the image's CMD");

    // rmi of the base is refused while a container uses it; allowed after `container rm`.
    d.ok(&["container", "rm", "second"]);
    let err = d.fails(&["rmi", "busybox"]);
    assert!(
        err.contains("conflict: unable to remove repository reference \"busybox\" (must force) - container"),
        "{err}"
    );
    assert!(d.ok(&["images"]).contains("busybox"), "nothing was removed");
    assert!(d.fails(&["rmi", &base[7..19]]).contains("image has dependent child images"));
    d.ok(&["container", "rm", "work"]);
    assert!(d.fails(&["container", "exec", "work", "--", "true"]).contains("No such container: work"));
    let out = d.ok(&["rmi", "busybox"]);
    assert!(out.contains("Untagged: busybox:latest"), "{out}");
    // The commit kept its layers: the image still runs.
    d.ok(&["container", "create", "--name", "third", "test:0.1"]);
    assert_eq!(d.ok(&["container", "exec", "third", "--", "cat", "/test.txt"]), "hi\n");
    assert!(d.ok(&["container", "ls", "-q"]).lines().count() == 1);
}
