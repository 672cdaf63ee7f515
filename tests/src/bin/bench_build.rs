//! `imaged-bench-build`: a build whose context holds 10,000 small files and one 100 MB file (COPY), cold and
//! cached, side by side with Docker Engine's builder (`DOCKER_BUILDKIT=0 docker build`, vfs storage here)
//! on the same context; medians of 3, ratios, context transfer rate. Env: FILES (10000), MB (100).
use std::{fs, process::Command};

use imaged_tests::{Daemon, Dockerd, busybox_rootfs, median, peak_rss_mb, random_bytes, timed};

fn main() -> anyhow::Result<()> {
    let files: usize = std::env::var("FILES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let mb: usize = std::env::var("MB").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let d = Daemon::start()?;
    let dir = d.dir.path().to_owned();
    let rootfs = busybox_rootfs(&dir.join("busybox.tar"));
    d.ok(&["import", rootfs.to_str().unwrap(), "busybox:latest"]);
    let ctx = dir.join("ctx");
    for i in 0..files {
        let sub = ctx.join(format!("small/{:03}", i % 100));
        fs::create_dir_all(&sub)?;
        fs::write(sub.join(format!("f{i}.txt")), format!("file {i}\n"))?;
    }
    fs::write(ctx.join("big.bin"), random_bytes(mb << 20))?;
    fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox\nCOPY small /small\nCOPY big.bin /big.bin\nRUN ls /small | wc -l\n",
    )?;
    let context_mb = (mb << 20) as f64 / 1e6 + files as f64 * 10.0 / 1e6;
    println!("imaged-bench-build: context of {files} small files + one {mb} MB file ({context_mb:.0} MB)");

    let imagectl = |extra: &[&str]| {
        let mut c = Command::new(imaged_tests::bin("imagectl"));
        c.args(["--host", &d.host(), "build", "-q"]).args(extra).arg(&ctx);
        c
    };
    let docker = Dockerd::start()?;
    let docker_build = |extra: &[&str]| {
        let mut c = Command::new("docker");
        c.env("DOCKER_HOST", format!("unix://{}", docker.dir.path().join("docker.sock").display()))
            .env("DOCKER_BUILDKIT", "0")
            .args(["build", "-q"])
            .args(extra)
            .arg(&ctx);
        c
    };
    let saved = dir.join("busybox-saved.tar");
    d.ok(&["save", "-o", saved.to_str().unwrap(), "busybox"]);
    docker.ok(&["load", "-i", saved.to_str().unwrap()]);

    let (mut cold_i, mut warm_i, mut cold_d, mut warm_d) = (vec![], vec![], vec![], vec![]);
    for round in 0..3 {
        let tag = format!("bench/build:{round}");
        cold_i.push(timed(&mut imagectl(&["--no-cache", "-t", &tag])));
        warm_i.push(timed(&mut imagectl(&["-t", &tag])));
        cold_d.push(timed(&mut docker_build(&["--no-cache", "-t", &tag])));
        warm_d.push(timed(&mut docker_build(&["-t", &tag])));
    }
    let (ci, wi, cd, wd) = (median(cold_i), median(warm_i), median(cold_d), median(warm_d));
    println!("{:<28} {:>10} {:>10} {:>8}", "median of 3 (s)", "imaged", "docker", "ratio");
    println!("{:<28} {:>10.2} {:>10.2} {:>8.2}", "cold build (--no-cache)", ci, cd, ci / cd);
    println!("{:<28} {:>10.2} {:>10.2} {:>8.2}", "cached build", wi, wd, wi / wd);
    println!("context transfer + hashing, cached build: {:.0} MB/s", context_mb / wi);
    println!("daemon peak RSS: {} MB", peak_rss_mb(d.pid()));
    Ok(())
}
