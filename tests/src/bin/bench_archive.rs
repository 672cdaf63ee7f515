//! `imaged-bench-archive`: save and load of a ~300 MB 4-layer image, side by side with skopeo doing the
//! equivalent copies, medians of 3 and ratios; and the daemon's peak RSS. Env: MB (default 300).
use std::{process::Command, time::Instant};

use imaged_tests::{Daemon, random_bytes, write_rootfs};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn run(cmd: &mut Command) -> f64 {
    let t = Instant::now();
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    t.elapsed().as_secs_f64()
}

fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    let mb: usize = std::env::var("MB").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let d = Daemon::start()?;
    let dir = d.dir.path().to_owned();
    let policy = dir.join("policy.json");
    std::fs::write(&policy, r#"{"default":[{"type":"insecureAcceptAnything"}]}"#)?;
    let skopeo = || {
        let mut c = Command::new("skopeo");
        c.arg("--policy").arg(&policy);
        c
    };
    // A 4-layer image made with skopeo from an OCI layout of 4 imported layers.
    let per_layer = (mb << 20) / 4;
    let layers: Vec<_> = (0..4)
        .map(|i| {
            let half = per_layer / 2;
            let text: Vec<u8> = (0..half).map(|j| b"lorem ipsum dolor sit amet\n"[(j + i) % 27]).collect();
            write_rootfs(
                &dir.join(format!("l{i}.tar")),
                &[(&format!("data{i}/random"), random_bytes(half)), (&format!("data{i}/text"), text)],
            )
        })
        .collect();
    // Build the image: import layer 0, then extend with layers 1..3 through an OCI layout made here.
    let oci = dir.join("oci");
    std::fs::create_dir_all(oci.join("blobs/sha256"))?;
    let mut descs = Vec::new();
    let mut diff_ids = Vec::new();
    for l in &layers {
        let raw = std::fs::read(l)?;
        diff_ids.push(imaged_core::Digest::of(&raw).to_string());
        let gz = imaged_tests::gzip(&raw);
        let dg = imaged_core::Digest::of(&gz);
        std::fs::write(oci.join("blobs/sha256").join(dg.hex()), &gz)?;
        descs.push(serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": dg.to_string(), "size": gz.len()}));
    }
    let config = serde_json::json!({"architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
        "config": {"Cmd": ["sh"]}, "rootfs": {"type": "layers", "diff_ids": diff_ids}});
    let cfg = serde_json::to_vec(&config)?;
    let cfg_d = imaged_core::Digest::of(&cfg);
    std::fs::write(oci.join("blobs/sha256").join(cfg_d.hex()), &cfg)?;
    let manifest = serde_json::to_vec(
        &serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_d.to_string(), "size": cfg.len()}, "layers": descs}),
    )?;
    let man_d = imaged_core::Digest::of(&manifest);
    std::fs::write(oci.join("blobs/sha256").join(man_d.hex()), &manifest)?;
    std::fs::write(oci.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#)?;
    std::fs::write(
        oci.join("index.json"),
        serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man_d.to_string(), "size": manifest.len(),
         "annotations": {"org.opencontainers.image.ref.name": "bench/big:1", "io.containerd.image.name": "docker.io/bench/big:1"}}]}))?,
    )?;
    let seed = dir.join("seed.tar");
    run(Command::new("tar").arg("-C").arg(&oci).arg("-cf").arg(&seed).arg("."));
    d.ok(&["load", "-i", seed.to_str().unwrap()]);
    let size = std::fs::metadata(&seed)?.len() as f64 / 1e6;
    println!("imaged-bench-archive: 4-layer image, {size:.0} MB compressed");

    let (mut save_i, mut save_s, mut load_i, mut load_s) = (vec![], vec![], vec![], vec![]);
    for round in 0..3 {
        let ours = dir.join(format!("ours{round}.tar"));
        save_i.push(run(Command::new(imaged_tests::bin("imagectl")).args([
            "--host",
            &d.host(),
            "save",
            "-o",
            ours.to_str().unwrap(),
            "bench/big:1",
        ])));
        let theirs = dir.join(format!("theirs{round}.tar"));
        save_s.push(run(skopeo().args([
            "copy",
            "-q",
            &format!("oci:{}:bench/big:1", oci.display()),
            &format!("docker-archive:{}:bench/big:1", theirs.display()),
        ])));
        d.ok(&["rmi", "bench/big:1"]);
        load_i.push(run(Command::new(imaged_tests::bin("imagectl")).args([
            "--host",
            &d.host(),
            "load",
            "-i",
            ours.to_str().unwrap(),
        ])));
        let out_dir = dir.join(format!("out{round}"));
        load_s.push(run(skopeo().args([
            "copy",
            "-q",
            &format!("docker-archive:{}", ours.display()),
            &format!("oci:{}:x", out_dir.display()),
        ])));
        let _ = std::fs::remove_file(&theirs);
        let _ = std::fs::remove_dir_all(&out_dir);
    }
    let (si, ss, li, ls) = (median(save_i), median(save_s), median(load_i), median(load_s));
    println!("save: imaged {si:.2}s | skopeo oci→docker-archive {ss:.2}s | ratio {:.2}", si / ss);
    println!("load: imaged {li:.2}s | skopeo docker-archive→oci {ls:.2}s | ratio {:.2}", li / ls);
    println!("imaged peak RSS: {} MB", peak_rss_kb(d.pid()) / 1024);
    Ok(())
}
