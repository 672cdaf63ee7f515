//! `imaged-bench-pull`: cold pull of a ~300 MB 4-layer image from a local docker-registry, imaged beside
//! `skopeo copy docker://… oci:DIR` and (when containerd is installed) `ctr content fetch`, medians of 3
//! runs and ratios, plus the daemon's peak RSS. Env: MB (default 300).
use std::process::Command;

use imaged_tests::{
    Containerd, Daemon, RegistryServer, median, peak_rss_mb, skopeo, timed, write_big_index, write_big_layout,
};

fn main() -> anyhow::Result<()> {
    let mb: usize = std::env::var("MB").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let reg = RegistryServer::start(false)?;
    let d = Daemon::start()?;
    let dir = d.dir.path().to_owned();
    let layout = dir.join("layout");
    write_big_layout(&layout, "big", 4, mb);
    let name = format!("{}/bench/big:1", reg.addr);
    skopeo(
        &dir,
        &[
            "copy",
            "-q",
            "--dest-tls-verify=false",
            &format!("oci:{}:big", layout.display()),
            &format!("docker://{name}"),
        ],
    );
    let ctr = Containerd::start(&dir).ok();
    println!(
        "imaged-bench-pull: {name}, 4 layers, {mb} MB uncompressed; containerd: {}",
        if ctr.is_some() { "yes" } else { "not installed" }
    );

    let (mut ours, mut sk, mut ct) = (vec![], vec![], vec![]);
    for round in 0..3 {
        d.ok(&["image", "prune", "-a", "-f"]);
        ours.push(timed(Command::new(imaged_tests::bin("imagectl")).args(["--host", &d.host(), "pull", "-q", &name])));
        settle(&d);
        let out = dir.join(format!("skopeo{round}"));
        sk.push(timed(skopeo_cmd(&dir).args([
            "copy",
            "-q",
            "--src-tls-verify=false",
            &format!("docker://{name}"),
            &format!("oci:{}:x", out.display()),
        ])));
        let _ = std::fs::remove_dir_all(&out);
        if let Some(c) = &ctr {
            let ctr_cmd = |args: &[&str]| {
                let mut cmd = Command::new("ctr");
                cmd.args(["--address", &c.socket]).args(args);
                cmd
            };
            let _ = ctr_cmd(&["images", "rm", &name]).output();
            let _ = ctr_cmd(&["content", "prune", "references"]).output();
            ct.push(timed(&mut ctr_cmd(&["content", "fetch", "--plain-http", &name])));
        }
    }
    let (o, s) = (median(ours), median(sk));
    println!("cold pull: imaged {o:.2}s | skopeo {s:.2}s | ratio {:.2}", o / s);
    if !ct.is_empty() {
        let c = median(ct);
        println!("cold pull: ctr content fetch {c:.2}s | imaged/ctr ratio {:.2}", o / c);
    }
    // Warm: every layer already present (imaged: the image is stored; skopeo: the same OCI dir again;
    // containerd: its content store has the blobs).
    let warm_dir = dir.join("skopeo-warm");
    let skopeo_warm = || {
        timed(skopeo_cmd(&dir).args([
            "copy",
            "-q",
            "--src-tls-verify=false",
            &format!("docker://{name}"),
            &format!("oci:{}:x", warm_dir.display()),
        ]))
    };
    skopeo_warm();
    let (mut wo, mut ws, mut wc) = (vec![], vec![], vec![]);
    for _ in 0..3 {
        wo.push(timed(Command::new(imaged_tests::bin("imagectl")).args(["--host", &d.host(), "pull", "-q", &name])));
        ws.push(skopeo_warm());
        if let Some(c) = &ctr {
            wc.push(timed(Command::new("ctr").args([
                "--address",
                &c.socket,
                "content",
                "fetch",
                "--plain-http",
                &name,
            ])));
        }
    }
    let (o, s) = (median(wo), median(ws));
    println!("warm pull: imaged {o:.3}s | skopeo {s:.3}s | ratio {:.2}", o / s);
    if !wc.is_empty() {
        let c = median(wc);
        println!("warm pull: ctr content fetch {c:.3}s | imaged/ctr ratio {:.2}", o / c);
    }

    // A 4-platform index, every platform: imaged pull --all-platforms beside skopeo copy --all.
    let multi_layout = dir.join("multi-layout");
    write_big_index(&multi_layout, "multi", &["amd64", "arm64", "ppc64le", "s390x"], 2, mb);
    let multi = format!("{}/bench/multi:1", reg.addr);
    skopeo(
        &dir,
        &[
            "copy",
            "-q",
            "--all",
            "--dest-tls-verify=false",
            &format!("oci:{}:multi", multi_layout.display()),
            &format!("docker://{multi}"),
        ],
    );
    let (mut mo, mut ms) = (vec![], vec![]);
    for round in 0..3 {
        d.ok(&["image", "prune", "-a", "-f"]);
        mo.push(timed(Command::new(imaged_tests::bin("imagectl")).args([
            "--host",
            &d.host(),
            "pull",
            "-q",
            "--all-platforms",
            &multi,
        ])));
        settle(&d);
        let out = dir.join(format!("skopeo-multi{round}"));
        ms.push(timed(skopeo_cmd(&dir).args([
            "copy",
            "-q",
            "--all",
            "--src-tls-verify=false",
            &format!("docker://{multi}"),
            &format!("oci:{}:x", out.display()),
        ])));
        let _ = std::fs::remove_dir_all(&out);
    }
    let (o, s) = (median(mo), median(ms));
    println!("pull --all-platforms, 4 platforms: imaged {o:.2}s | skopeo copy --all {s:.2}s | ratio {:.2}", o / s);
    println!("imaged peak RSS: {} MB", peak_rss_mb(d.pid()));
    Ok(())
}

/// Waits for the work a pull leaves in the background (measuring layer sizes) by asking for them, so
/// that it never overlaps the next timed command.
fn settle(d: &Daemon) {
    d.ok(&["images", "-q"]);
}

fn skopeo_cmd(dir: &std::path::Path) -> Command {
    let policy = dir.join("policy.json");
    let mut c = Command::new("skopeo");
    c.arg("--policy").arg(policy);
    c
}
