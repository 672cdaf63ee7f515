//! The README's quick tour, run as printed: its `sh` blocks in order, in a fresh directory laid out as a
//! checkout (`target/release/{imaged,imagectl}`), against a daemon started as `scripts/run-daemon.sh`
//! starts it (relative `--root ./imaged-data`, socket inside it) and a real registry. Only the registry
//! address is substituted. The first command that fails fails the test.
use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use imaged_tests::{RegistryServer, bin, grpcurl};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The `sh` blocks of the `## Quick tour` section, in order.
fn tour_blocks(readme: &str) -> Vec<String> {
    let start = readme.find("\n## Quick tour").expect("README has a Quick tour section");
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map(|i| i + 3).unwrap_or(rest.len());
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in rest[..end].lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(b), "```") => {
                blocks.push(std::mem::take(b));
                current = None;
            }
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The command `scripts/run-daemon.sh` ends with, which this test runs as it is.
fn run_daemon_command() -> String {
    let script = std::fs::read_to_string(Path::new(REPO).join("../scripts/run-daemon.sh")).unwrap();
    let line = script.lines().find(|l| l.starts_with("exec ")).expect("run-daemon.sh execs the daemon");
    assert_eq!(line, r#"exec ./target/release/imaged --root ./imaged-data "$@""#, "keep this test in step");
    line.trim_start_matches("exec ").trim_end_matches(r#" "$@""#).to_owned()
}

#[test]
fn the_quick_tour_runs_as_printed() {
    let readme = std::fs::read_to_string(Path::new(REPO).join("../README.md")).unwrap();
    let blocks = tour_blocks(&readme);
    assert!(blocks.len() >= 6, "expected the images, registries, containers, builds, CLI and grpcurl blocks");

    let work = tempfile::tempdir().unwrap();
    let release = work.path().join("target/release");
    std::fs::create_dir_all(&release).unwrap();
    for name in ["imaged", "imagectl"] {
        std::os::unix::fs::symlink(bin(name), release.join(name)).unwrap();
    }
    let registry = RegistryServer::start(false).unwrap();

    let log = std::fs::File::create(work.path().join("daemon.log")).unwrap();
    let cmd = run_daemon_command();
    let mut daemon = Command::new("sh")
        .arg("-c")
        .arg(format!("exec {cmd}"))
        .current_dir(work.path())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let socket = work.path().join("imaged-data/imaged.sock");
    let start = Instant::now();
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "the daemon did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    let mut script = String::from("set -euo pipefail\nshopt -s expand_aliases\nset -x\n");
    for b in &blocks {
        script.push_str(&b.replace("127.0.0.1:5000", &registry.addr));
    }
    let path = format!(
        "{}:{}",
        grpcurl().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
    );
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(work.path())
        .env("PATH", path)
        .env("HOME", work.path())
        .env_remove("IMAGED_HOST")
        .env_remove("IMAGECTL_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_with_deadline(&mut child, Duration::from_secs(300));
    let daemon_log = std::fs::read_to_string(work.path().join("daemon.log")).unwrap_or_default();
    let _ = daemon.kill();
    let _ = daemon.wait();
    let (stdout, stderr) = out.unwrap_or_else(|| panic!("the tour did not finish in 300 s; daemon log:\n{daemon_log}"));
    assert!(
        stderr.ends_with(
            "+ grpcurl -plaintext -authority localhost -unix imaged-data/imaged.sock grpc.health.v1.Health/Check\n"
        ) && stdout.contains("\"status\": \"SERVING\""),
        "the tour stopped early\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- daemon\n{daemon_log}"
    );
    // A few results that show the tour did what its comments say.
    assert!(
        stdout.contains("executable file not found in $PATH") || stderr.contains("executable file not found in $PATH")
    );
    assert!(stdout.contains("exit 127"), "{stdout}");
    assert!(stdout.contains("refused"), "{stdout}");
    assert!(stdout.contains("\"exitCode\""), "{stdout}");
    // The Python block ran through: its last lines.
    assert!(stdout.contains("BUILD_STEP_FAILED") && stdout.contains("about to fail"), "{stdout}\n{stderr}");
    assert!(stdout.contains("NotFound IMAGE_NOT_FOUND") && stdout.contains("version 2"), "{stdout}");
    assert!(!daemon_log.contains('\u{1b}'), "no colour codes in a log file");
}

fn wait_with_deadline(child: &mut std::process::Child, limit: Duration) -> Option<(String, String)> {
    use std::io::Read;
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t1 = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let t2 = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Some((t1.join().unwrap(), t2.join().unwrap()))
}
