//! `imaged-bench-archive`: save and load of a ~300 MB 4-layer image, side by side with skopeo doing the
//! equivalent copies, medians of 3 and ratios; and the daemon's peak RSS. Env: MB (default 300).
use std::process::Command;

use imaged_tests::{Daemon, median, peak_rss_mb, timed, write_big_layout};

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
    // A 4-layer image in an OCI layout, loaded into imaged and copied by skopeo from the same layout.
    let oci = dir.join("oci");
    write_big_layout(&oci, "bench/big:1", 4, mb);
    let seed = dir.join("seed.tar");
    timed(Command::new("tar").arg("-C").arg(&oci).arg("-cf").arg(&seed).arg("."));
    d.ok(&["load", "-i", seed.to_str().unwrap()]);
    let size = std::fs::metadata(&seed)?.len() as f64 / 1e6;
    println!("imaged-bench-archive: 4-layer image, {size:.0} MB compressed");

    let (mut save_i, mut save_s, mut load_i, mut load_s) = (vec![], vec![], vec![], vec![]);
    for round in 0..3 {
        let ours = dir.join(format!("ours{round}.tar"));
        save_i.push(timed(Command::new(imaged_tests::bin("imagectl")).args([
            "--host",
            &d.host(),
            "save",
            "-o",
            ours.to_str().unwrap(),
            "bench/big:1",
        ])));
        let theirs = dir.join(format!("theirs{round}.tar"));
        save_s.push(timed(skopeo().args([
            "copy",
            "-q",
            &format!("oci:{}:bench/big:1", oci.display()),
            &format!("docker-archive:{}:bench/big:1", theirs.display()),
        ])));
        d.ok(&["rmi", "bench/big:1"]);
        load_i.push(timed(Command::new(imaged_tests::bin("imagectl")).args([
            "--host",
            &d.host(),
            "load",
            "-i",
            ours.to_str().unwrap(),
        ])));
        let out_dir = dir.join(format!("out{round}"));
        load_s.push(timed(skopeo().args([
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
    println!("imaged peak RSS: {} MB", peak_rss_mb(d.pid()));
    Ok(())
}
