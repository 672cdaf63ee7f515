//! The crash soak: kill -9 the daemon at random points of pull, push, load, build, commit, prune and tag;
//! after each restart `imaged --check` must pass, no image that existed before is lost, and the
//! interrupted operation must succeed when retried. Used by `imaged-soak` (many iterations) and by a test
//! (one round of every operation).
use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use rand::{Rng, SeedableRng, rngs::StdRng};

use crate::{Daemon, RegistryServer, bin, busybox_rootfs, check_root, random_bytes, write_rootfs};

/// What a soak run saw.
#[derive(Debug, Default, Clone)]
pub struct SoakReport {
    pub iterations: usize,
    pub requests_failed: usize,
    pub images_lost: usize,
    pub checks_failed: usize,
    pub failures: Vec<String>,
}

const OPS: &[&str] = &["pull", "push", "load", "build", "commit", "prune", "tag"];

struct World {
    d: Daemon,
    reg: RegistryServer,
    archive: std::path::PathBuf,
    ctx: std::path::PathBuf,
}

impl World {
    fn args(&self, op: &str, i: usize) -> Vec<String> {
        let reg = &self.reg.addr;
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        match op {
            "pull" => s(&["pull", &format!("{reg}/soak/big:1")]),
            "push" => s(&["push", &format!("{reg}/soak/pushed:{i}")]),
            "load" => s(&["load", "-i", self.archive.to_str().unwrap()]),
            "build" => s(&["build", "--no-cache", "-t", &format!("soak/built:{i}"), self.ctx.to_str().unwrap()]),
            "commit" => s(&["commit", "-m", "soak", "soakc", &format!("soak/committed:{i}")]),
            "prune" => s(&["image", "prune", "-a", "-f"]),
            _ => s(&["tag", "soak/base:1", &format!("soak/tagged:{i}")]),
        }
    }

    fn prepare(&self, op: &str, i: usize) {
        match op {
            "pull" => {
                let _ = self.d.imagectl(&["rmi", "-f", &format!("{}/soak/big:1", self.reg.addr)]);
            }
            "push" => {
                self.d.ok(&["tag", "soak/base:1", &format!("{}/soak/pushed:{i}", self.reg.addr)]);
            }
            "commit" => {
                let _ = self.d.imagectl(&["container", "rm", "-f", "soakc"]);
                self.d.ok(&["container", "create", "--name", "soakc", "soak/base:1"]);
                self.d.ok(&["container", "exec", "soakc", "--", "sh", "-c", &format!("echo {i} > /round.txt")]);
            }
            "prune" => {
                let tar = write_rootfs(&self.d.dir.path().join("dangling.tar"), &[("x", random_bytes(500_000))]);
                self.d.ok(&["import", tar.to_str().unwrap()]);
            }
            _ => {}
        }
    }

    fn spawn(&self, args: &[String]) -> Child {
        Command::new(bin("imagectl"))
            .arg("--host")
            .arg(self.d.host())
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("imagectl")
    }
}

/// Runs `rounds` iterations (each op once per `OPS.len()` iterations, in seeded order) with `seed`.
pub fn soak(rounds: usize, seed: u64) -> anyhow::Result<SoakReport> {
    let reg = RegistryServer::start(false)?;
    let d = Daemon::start()?;
    let dir = d.dir.path().to_owned();
    let rootfs = busybox_rootfs(&dir.join("busybox.tar"));
    d.ok(&["import", rootfs.to_str().unwrap(), "soak/base:1"]);
    let big = write_rootfs(&dir.join("big.tar"), &[("big", random_bytes(24 << 20))]);
    let big_ref = format!("{}/soak/big:1", reg.addr);
    d.ok(&["import", big.to_str().unwrap(), &big_ref]);
    d.ok(&["push", &big_ref]);
    let archive = dir.join("load.tar");
    d.ok(&["tag", &big_ref, "soak/loaded:1"]);
    d.ok(&["save", "-o", archive.to_str().unwrap(), "soak/loaded:1"]);
    d.ok(&["rmi", "soak/loaded:1"]);
    let ctx = dir.join("ctx");
    std::fs::create_dir_all(&ctx)?;
    std::fs::write(ctx.join("Dockerfile"), "FROM soak/base:1\nCOPY data.bin /\nRUN cat /data.bin > /copy.bin\n")?;
    std::fs::write(ctx.join("data.bin"), random_bytes(8 << 20))?;
    let mut w = World { d, reg, archive, ctx };
    let mut rng = StdRng::seed_from_u64(seed);
    let mut report = SoakReport::default();
    for i in 0..rounds {
        let op = OPS[if rounds >= OPS.len() && i < OPS.len() { i } else { rng.random_range(0..OPS.len()) }];
        w.prepare(op, i);
        let keep: Vec<String> = ["soak/base:1"].iter().map(|s| s.to_string()).collect();
        let args = w.args(op, i);
        let mut child = w.spawn(&args);
        std::thread::sleep(Duration::from_millis(rng.random_range(0..400)));
        w.d.kill9();
        let _ = child.kill();
        let _ = child.wait();
        // The check needs the daemon stopped (it opens the same index).
        let check = check_root(&w.d.root);
        if !check.status.success() {
            report.checks_failed += 1;
            report.failures.push(format!("round {i} ({op}): check: {}", String::from_utf8_lossy(&check.stdout)));
        }
        w.d.spawn()?;
        for k in &keep {
            if !w.d.imagectl(&["inspect", k]).status.success() {
                report.images_lost += 1;
                report.failures.push(format!("round {i} ({op}): {k} lost"));
            }
        }
        let retry = w.d.imagectl(&args.iter().map(String::as_str).collect::<Vec<_>>());
        if !retry.status.success() {
            report.requests_failed += 1;
            report.failures.push(format!("round {i} ({op}): retry failed: {}", String::from_utf8_lossy(&retry.stderr)));
        }
        report.iterations += 1;
    }
    Ok(report)
}
