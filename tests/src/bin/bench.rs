//! `imaged-bench`: List latency with many images, Inspect latency, and Import throughput beside
//! `sha256sum` and `gzip -1` on the same tar, all in the same run. Env: IMAGES (default 10000), MB (256).
use std::{
    process::Command,
    time::{Duration, Instant},
};

use futures::{StreamExt, stream};
use imaged_client::pb;
use imaged_tests::{Daemon, random_bytes, write_rootfs};

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time_cmd(sh: &str) -> f64 {
    let t = Instant::now();
    let st = Command::new("sh").arg("-c").arg(sh).status().expect("sh");
    assert!(st.success(), "{sh} failed");
    t.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::var("IMAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let mb: usize = std::env::var("MB").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    let d = Daemon::start()?;
    let c = d.client().await;
    println!("imaged-bench: {n} images, import of a {mb} MB tar; binaries from {}", imaged_tests::bin_dir().display());

    // Many small images, 8 imports in flight.
    let t = Instant::now();
    let dir = d.dir.path().to_owned();
    let results: Vec<anyhow::Result<()>> = stream::iter(0..n)
        .map(|i| {
            let c = c.clone();
            let dir = dir.clone();
            async move {
                let data = format!("image {i}\n").into_bytes();
                let tar = write_rootfs(&dir.join(format!("s{}.tar", i % 64)), &[("id", data)]);
                let bytes = tokio::fs::read(&tar).await?;
                c.import(
                    pb::ImportOptions { reference: format!("bench/img{}:{}", i % 100, i), ..Default::default() },
                    std::io::Cursor::new(bytes),
                )
                .await?;
                Ok(())
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    for r in results {
        r?;
    }
    let made = t.elapsed();
    println!("created {n} images in {:.1}s ({:.0} imports/s)", made.as_secs_f64(), n as f64 / made.as_secs_f64());

    let mut list = Vec::new();
    let mut count = 0;
    for _ in 0..30 {
        let t = Instant::now();
        count = c.list(false, vec![]).await?.len();
        list.push(t.elapsed());
    }
    list.sort();
    assert_eq!(count, n);
    println!(
        "List ({count} images): p50 {:.1} ms, p99 {:.1} ms",
        pct(&list, 0.5).as_secs_f64() * 1e3,
        pct(&list, 0.99).as_secs_f64() * 1e3
    );

    let mut insp = Vec::new();
    for i in 0..1000 {
        let t = Instant::now();
        c.inspect(&format!("bench/img{}:{}", (i * 7919) % n % 100, (i * 7919) % n), vec![]).await?;
        insp.push(t.elapsed());
    }
    insp.sort();
    println!(
        "Inspect: p50 {:.2} ms, p99 {:.2} ms",
        pct(&insp, 0.5).as_secs_f64() * 1e3,
        pct(&insp, 0.99).as_secs_f64() * 1e3
    );

    // Import throughput beside sha256sum and gzip -1 on the same tar: half random bytes, half text.
    let half = (mb << 20) / 2;
    let text: Vec<u8> = (0..half).map(|i| b"the quick brown fox jumps over the lazy dog\n"[i % 44]).collect();
    let big = write_rootfs(&dir.join("big.tar"), &[("random.bin", random_bytes(half)), ("text.txt", text)]);
    let size = std::fs::metadata(&big)?.len() as f64 / 1e6;
    let path = big.display().to_string();
    let (mut imp, mut sha, mut gz) = (vec![], vec![], vec![]);
    for round in 0..3 {
        let t = Instant::now();
        let f = tokio::fs::File::open(&big).await?;
        c.import(pb::ImportOptions { reference: format!("bench/big:{round}"), ..Default::default() }, f).await?;
        imp.push(size / t.elapsed().as_secs_f64());
        sha.push(size / time_cmd(&format!("sha256sum {path} > /dev/null")));
        gz.push(size / time_cmd(&format!("gzip -1 -c {path} > /dev/null")));
    }
    let (imp, sha, gz) = (median(imp), median(sha), median(gz));
    println!("Import {size:.0} MB: imaged {imp:.0} MB/s | sha256sum {sha:.0} MB/s | gzip -1 {gz:.0} MB/s");
    println!("ratios: imaged/gzip-1 = {:.2}, imaged/sha256sum = {:.2}", imp / gz, imp / sha);
    Ok(())
}
