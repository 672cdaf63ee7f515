//! The seed document's whole workflow, in order, through imagectl against a real daemon and real
//! registries, checking the shapes Docker documents; and the two pipelines people type.
use std::process::{Command, Stdio};

use imaged_tests::{Daemon, REGISTRY_PASSWORD, REGISTRY_USER, RegistryServer, bin, busybox_rootfs};

fn header(table: &str) -> Vec<String> {
    table.lines().next().unwrap_or("").split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect()
}

#[test]
fn seed_workflow_in_order() {
    let plain = RegistryServer::start(false).unwrap();
    let secure = RegistryServer::start(true).unwrap();
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    // The registry holds busybox, pushed there by imaged itself.
    let rootfs = busybox_rootfs(&dir.join("busybox.tar"));
    let remote = format!("{}/library/busybox:latest", plain.addr);
    d.ok(&["import", rootfs.to_str().unwrap(), &remote, "-c", r#"CMD ["sh"]"#]);
    d.ok(&["push", &remote]);
    d.ok(&["rmi", &remote]);

    // docker pull
    let out = d.ok(&["pull", &remote]);
    assert!(out.contains("Status: Downloaded newer image for"), "{out}");
    assert_eq!(out.lines().last().unwrap(), remote, "the last line is the reference");
    // docker images
    let images = d.ok(&["images"]);
    assert_eq!(header(&images), ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]);
    assert!(images.contains(&format!("{}/library/busybox", plain.addr)));
    // docker tag, inspect -f, history --no-trunc
    d.ok(&["tag", &remote, "busybox:seed"]);
    let id = d.ok(&["inspect", "-f", "{{.Id}}", "busybox:seed"]).trim().to_owned();
    assert!(id.starts_with("sha256:") && id.len() == 71);
    assert_eq!(d.ok(&["inspect", "-f", "{{.Os}}/{{.Architecture}}", "busybox:seed"]).trim(), "linux/amd64");
    let history = d.ok(&["history", "--no-trunc", "busybox:seed"]);
    assert_eq!(header(&history), ["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]);
    assert!(history.lines().nth(1).unwrap().starts_with(&id), "{history}");
    // docker search with filters
    let search = d.ok(&["search", "--filter", "stars=0", "--limit", "10", &format!("{}/busybox", plain.addr)]);
    assert_eq!(header(&search)[0], "NAME", "{search}");
    assert!(search.contains("library/busybox"), "{search}");
    let names = d.ok(&["search", "--format", "{{.Name}}: {{.StarCount}}", &format!("{}/busybox", plain.addr)]);
    assert!(names.lines().any(|l| l.ends_with("library/busybox: 0")), "{names}");
    // docker commit (from a container), docker build
    d.ok(&["container", "create", "--name", "seed", "busybox:seed"]);
    d.ok(&["container", "exec", "seed", "--", "sh", "-c", "echo hi > /test.txt"]);
    let committed = d.ok(&["commit", "-a", "seed <s@x>", "-m", "seed commit", "seed", "test:0.1"]).trim().to_owned();
    assert!(committed.starts_with("sha256:"));
    let ctx = dir.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), "FROM busybox:seed\nCOPY app.txt /\nCMD [\"cat\", \"/app.txt\"]\n").unwrap();
    std::fs::write(ctx.join("app.txt"), "app\n").unwrap();
    let build = d.ok(&["build", "-t", "python:3", ctx.to_str().unwrap()]);
    assert!(build.contains("Successfully tagged python:3"), "{build}");
    // rmi variants and prune
    d.ok(&["tag", "test:0.1", "test:extra"]);
    assert_eq!(d.ok(&["rmi", "test:extra"]).trim(), "Untagged: test:extra");
    let err = d.fails(&["rmi", &id[7..19]]);
    assert!(err.starts_with("Error response from daemon: conflict: unable to delete"), "{err}");
    let prune = d.ok(&["image", "prune", "-f"]);
    assert!(prune.contains("Total reclaimed space:"), "{prune}");
    // save -o, load -i
    let archive = dir.join("seed.tar");
    d.ok(&["save", "-o", archive.to_str().unwrap(), "python:3", "test:0.1"]);
    d.ok(&["rmi", "python:3"]);
    let load = d.ok(&["load", "-i", archive.to_str().unwrap()]);
    assert!(load.contains("Loaded image: python:3") && load.contains("Loaded image: test:0.1"), "{load}");
    // login, tag, push
    let out = Command::new(bin("imagectl"))
        .args(["--host", &d.host(), "login", "-u", REGISTRY_USER, "--password-stdin", &secure.addr])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(REGISTRY_PASSWORD.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Login Succeeded");
    let target = format!("{}/team/python:3", secure.addr);
    d.ok(&["tag", "python:3", &target]);
    let push = d.ok(&["push", &target]);
    assert!(push.lines().last().unwrap().starts_with("3: digest: sha256:"), "{push}");
    d.ok(&["logout", &secure.addr]);
    d.ok(&["container", "rm", "seed"]);
}

#[test]
fn pipelines() {
    let d = Daemon::start().unwrap();
    let rootfs = busybox_rootfs(&d.dir.path().join("busybox.tar"));
    d.ok(&["import", rootfs.to_str().unwrap(), "pipe/a:1"]);
    d.ok(&["import", rootfs.to_str().unwrap(), "pipe/b:1"]);
    let imagectl = bin("imagectl");
    let host = d.host();
    // imagectl save IMG | imagectl load
    let st = Command::new("sh")
        .arg("-c")
        .arg(format!("'{0}' --host '{host}' save pipe/a:1 | '{0}' --host '{host}' load", imagectl.display()))
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    assert!(String::from_utf8_lossy(&st.stdout).contains("Loaded image: pipe/a:1"));
    // imagectl images -q | xargs imagectl rmi -f
    let st = Command::new("sh")
        .arg("-c")
        .arg(format!("'{0}' --host '{host}' images -q | xargs '{0}' --host '{host}' rmi -f", imagectl.display()))
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    assert_eq!(d.ok(&["images", "-q"]), "");
}
