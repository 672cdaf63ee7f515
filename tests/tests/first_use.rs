//! What a new user meets first: each case here failed on a fresh clone before it was fixed (issue 12).
use std::{
    io::Write,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use imaged_tests::{Daemon, archive_layers, bin, busybox_rootfs};

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A busybox image `bb:1` and a container `w` made from it.
fn busybox_container(d: &Daemon) {
    let tar = busybox_rootfs(&d.dir.path().join("bb.tar"));
    d.ok(&["import", tar.to_str().unwrap(), "bb:1"]);
    d.ok(&["container", "create", "--name", "w", "bb:1"]);
}

#[test]
fn grpcurl_exec_stream_ends_after_the_exit_code() {
    let d = Daemon::start().unwrap();
    busybox_container(&d);
    let start = Instant::now();
    let out =
        d.grpcurl(&["-max-time", "20", "-d", r#"{"container":"w","args":["ls","/"]}"#], &["imaged.v1.Containers/Exec"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("\"exitCode\""), "{}", text(&out));
    assert!(start.elapsed() < Duration::from_secs(15), "the stream stayed open after the exit code");
}

#[test]
fn exec_of_a_missing_or_non_executable_command_says_so_as_docker() {
    let d = Daemon::start().unwrap();
    busybox_container(&d);
    let out = d.imagectl(&["container", "exec", "w", "--", "nosuchcmd"]);
    assert_eq!(out.status.code(), Some(127), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(r#"exec: "nosuchcmd": executable file not found in $PATH"#), "{err}");
    assert!(!err.contains("level=error"), "runc's log line leaked: {err}");
    let out = d.imagectl(&["container", "exec", "w", "--", "/etc/passwd"]);
    assert_eq!(out.status.code(), Some(126), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("permission denied"), "{}", text(&out));
    let out = d.imagectl(&["container", "exec", "w", "--", "/nope/x"]);
    assert_eq!(out.status.code(), Some(127), "{}", text(&out));
    // A command through a symlink inside the root still runs.
    assert_eq!(d.ok(&["container", "exec", "w", "--", "echo", "fine"]), "fine\n");
}

#[test]
fn build_context_never_carries_the_daemon_root_sockets_or_fifos() {
    // The daemon's root and socket inside the context, as with `imagectl build .` in the checkout.
    let d = Daemon::start_at("ctx/imaged-data", "ctx/imaged-data/imaged.sock", "").unwrap();
    let ctx = d.dir.path().join("ctx");
    std::fs::write(ctx.join("Dockerfile"), "FROM scratch\nCOPY . /ctx/\n").unwrap();
    std::fs::write(ctx.join("file.txt"), "kept").unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(ctx.join("app.sock")).unwrap();
    assert!(Command::new("mkfifo").arg(ctx.join("fifo")).status().unwrap().success());
    d.ok(&["build", "-q", "-t", "ctx:1", ctx.to_str().unwrap()]);
    let archive = d.dir.path().join("ctx.tar");
    d.ok(&["save", "-o", archive.to_str().unwrap(), "ctx:1"]);
    let entries = archive_layers(&archive).concat();
    assert!(entries.iter().any(|e| e == "ctx/file.txt=kept"), "{entries:?}");
    assert!(
        !entries.iter().any(|e| e.contains("imaged-data") || e.contains("app.sock") || e.contains("fifo")),
        "{entries:?}"
    );

    // No Dockerfile: a local error before anything is sent, not the daemon's internal paths.
    let empty = d.dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let err = d.fails(&["build", empty.to_str().unwrap()]);
    assert!(err.contains("unable to prepare context") && err.contains("Dockerfile"), "{err}");
}

#[test]
fn a_truncated_build_context_is_invalid_argument_without_internal_paths() {
    let d = Daemon::start().unwrap();
    // A tar header announcing 4096 bytes of Dockerfile, followed by 10: the stream ends mid-file.
    let mut header = tar::Header::new_gnu();
    header.set_size(4096);
    header.set_mode(0o644);
    header.set_path("Dockerfile").unwrap();
    header.set_cksum();
    let mut tar = header.as_bytes().to_vec();
    tar.extend_from_slice(b"FROM scrat");
    use base64::Engine as _;
    let body =
        format!("{{\"options\":{{}}}}\n{{\"context\":\"{}\"}}", base64::engine::general_purpose::STANDARD.encode(&tar));
    let mut child = Command::new(imaged_tests::grpcurl())
        .args(["-plaintext", "-authority", "localhost", "-d", "@", "-unix"])
        .arg(&d.socket)
        .arg("imaged.v1.Builds/Build")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let t = text(&out);
    assert!(t.contains("Code: InvalidArgument"), "{t}");
    assert!(t.contains("invalid build context"), "{t}");
    assert!(!t.contains(d.root.to_str().unwrap()), "an internal path leaked: {t}");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let d = Daemon::start().unwrap();
    for args in [&["completion", "zsh"][..], &["--host", &d.host(), "images"][..]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(bin("imagectl")).args(args).stdout(writer).stderr(Stdio::piped()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
    }
}

#[test]
fn loading_a_file_that_is_not_an_archive_says_so_plainly() {
    let d = Daemon::start().unwrap();
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let err = d.fails(&["load", "-i", readme.to_str().unwrap()]);
    assert!(err.contains("not a tar archive (plain, gzip or zstd)"), "{err}");
    assert!(!err.contains("numeric field") && !err.contains("imaged"), "the input's bytes leaked: {err}");
}

#[test]
fn check_while_the_daemon_runs_names_the_problem() {
    let d = Daemon::start().unwrap();
    let start = Instant::now();
    let out = Command::new(bin("imaged")).arg("--root").arg(&d.root).arg("--check").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another process") && err.contains("imaged already running"), "{err}");
    assert!(!err.contains("WouldBlock") && !err.contains("Os {") && !err.contains("Stack backtrace"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(15));
}

#[test]
fn version_fails_when_the_daemon_does_not_answer_and_a_named_config_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}/none.sock", dir.path().display());
    let out = Command::new(bin("imagectl")).args(["--host", &host, "version"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Client:"), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Cannot connect"), "{}", text(&out));

    let missing = dir.path().join("nope.toml");
    let out = Command::new(bin("imagectl")).env("IMAGECTL_CONFIG", &missing).args(["images"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains(missing.to_str().unwrap()), "{}", text(&out));
}

#[test]
fn create_pulls_an_image_that_is_not_here() {
    let registry = imaged_tests::RegistryServer::start(false).unwrap();
    let d = Daemon::start().unwrap();
    let tar = busybox_rootfs(&d.dir.path().join("bb.tar"));
    let remote = format!("{}/lib/bb:1", registry.addr);
    d.ok(&["import", tar.to_str().unwrap(), &remote]);
    d.ok(&["push", &remote]);
    d.ok(&["rmi", &remote]);
    d.ok(&["container", "create", "--name", "fresh", &remote]);
    assert_eq!(d.ok(&["container", "exec", "fresh", "--", "echo", "ok"]), "ok\n");
}
