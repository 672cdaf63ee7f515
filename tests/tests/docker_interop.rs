//! Docker Engine as the oracle: it loads and runs what imaged saves, and imaged loads what it saves.
use imaged_tests::{Daemon, Dockerd, busybox_rootfs};

#[test]
fn docker_loads_and_runs_ours_and_we_load_docker_save() {
    let d = Daemon::start().unwrap();
    let docker = Dockerd::start().unwrap();
    let dir = d.dir.path();
    let rootfs = busybox_rootfs(&dir.join("busybox.tar"));
    let id = d
        .ok(&["import", rootfs.to_str().unwrap(), "interop/bb:1", "-c", r#"CMD ["echo", "hello from imaged"]"#])
        .trim()
        .to_owned();
    d.ok(&["tag", "interop/bb:1", "interop/bb:2"]);

    // imaged save → docker load → docker run
    let ours = dir.join("ours.tar");
    d.ok(&["save", "-o", ours.to_str().unwrap(), "interop/bb:1", "interop/bb:2"]);
    let out = docker.ok(&["load", "-i", ours.to_str().unwrap()]);
    assert!(out.contains("Loaded image: interop/bb:1") && out.contains("Loaded image: interop/bb:2"), "{out}");
    assert_eq!(
        docker.ok(&["image", "inspect", "-f", "{{.Id}}", "interop/bb:1"]).trim(),
        id,
        "Docker sees the same image id"
    );
    assert_eq!(docker.ok(&["run", "--rm", "--network", "none", "interop/bb:1"]).trim(), "hello from imaged");

    // docker save (legacy layout) → imaged load: same id, names, config
    docker.ok(&["tag", "interop/bb:1", "from-docker/bb:latest"]);
    let theirs = dir.join("theirs.tar");
    docker.ok(&["save", "-o", theirs.to_str().unwrap(), "from-docker/bb:latest", "interop/bb:2"]);
    d.ok(&["image", "prune", "-a", "-f"]);
    let out = d.ok(&["load", "-i", theirs.to_str().unwrap()]);
    assert!(out.lines().any(|l| l == "Loaded image: from-docker/bb:latest"), "{out}");
    assert!(out.lines().any(|l| l == "Loaded image: interop/bb:2"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&d.ok(&["inspect", "from-docker/bb"])).unwrap();
    assert_eq!(v[0]["Id"], id.as_str());
    assert_eq!(v[0]["Config"]["Cmd"], serde_json::json!(["echo", "hello from imaged"]));
    // …and back into Docker once more after an imaged round trip
    let again = dir.join("again.tar");
    d.ok(&["save", "-o", again.to_str().unwrap(), "from-docker/bb"]);
    docker.ok(&["rmi", "-f", &id]);
    docker.ok(&["load", "-i", again.to_str().unwrap()]);
    assert_eq!(docker.ok(&["run", "--rm", "--network", "none", "from-docker/bb"]).trim(), "hello from imaged");
}
