//! `imaged-load`: CLIENTS (64) concurrent clients for SECS (20) seconds against one daemon, each looping
//! over a mix of List, Inspect, Pull of an image whose layers are all present, Tag + untag, and Save;
//! prints throughput and p50/p99 per RPC, the daemon's peak RSS, and "requests failed" (exit 1 if any).
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use imaged_client::{Client, pb};
use imaged_tests::{Daemon, RegistryServer, peak_rss_mb, random_bytes, write_rootfs};
use rand::{Rng, SeedableRng, rngs::StdRng};

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> anyhow::Result<()> {
    let clients: usize = std::env::var("CLIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    let secs: u64 = std::env::var("SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let reg = RegistryServer::start(false)?;
    let d = Daemon::start()?;
    let dir = d.dir.path().to_owned();
    for i in 0..50 {
        let tar = write_rootfs(&dir.join(format!("i{i}.tar")), &[("f", random_bytes(20_000))]);
        d.ok(&["import", tar.to_str().unwrap(), &format!("load/img:{i}")]);
    }
    let cached = format!("{}/load/cached:1", reg.addr);
    let tar = write_rootfs(&dir.join("cached.tar"), &[("f", random_bytes(2 << 20))]);
    d.ok(&["import", tar.to_str().unwrap(), &cached]);
    d.ok(&["push", &cached]);

    let stats: Arc<Mutex<BTreeMap<&'static str, Vec<f64>>>> = Arc::default();
    let failed: Arc<Mutex<Vec<String>>> = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for n in 0..clients {
        let (host, stats, failed, cached) = (d.host(), stats.clone(), failed.clone(), cached.clone());
        tasks.push(tokio::spawn(async move {
            let c = Client::connect(&host).await.expect("connect");
            let mut rng = StdRng::seed_from_u64(n as u64);
            while Instant::now() < deadline {
                let img = format!("load/img:{}", rng.random_range(0..50));
                let t = Instant::now();
                let (name, res): (&'static str, Result<(), imaged_client::ClientError>) = match rng.random_range(0..10)
                {
                    0..=3 => ("List", c.list(false, vec![]).await.map(|_| ())),
                    4..=6 => ("Inspect", c.inspect(&img, vec![]).await.map(|_| ())),
                    7 => ("Pull (cached)", c.pull(&cached, false, None, None, |_| {}).await.map(|_| ())),
                    8 => {
                        let tag = format!("load/tmp:{n}");
                        let r = c.tag(&img, &tag).await;
                        let r = match r {
                            Ok(_) => c.remove(&tag, false, false).await.map(|_| ()),
                            Err(e) => Err(e),
                        };
                        ("Tag+untag", r)
                    }
                    _ => {
                        let mut sink = tokio::io::sink();
                        (
                            "Save",
                            c.save(vec![img.clone()], pb::ArchiveFormat::Docker, None, &mut sink).await.map(|_| ()),
                        )
                    }
                };
                let ms = t.elapsed().as_secs_f64() * 1e3;
                match res {
                    Ok(()) => stats.lock().unwrap().entry(name).or_default().push(ms),
                    Err(e) => failed.lock().unwrap().push(format!("{name}: {e}")),
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let mut stats = stats.lock().unwrap();
    let failed = failed.lock().unwrap();
    println!("imaged-load: {clients} clients for {secs} s");
    println!("{:<16} {:>9} {:>9} {:>9} {:>9}", "rpc", "requests", "per s", "p50 ms", "p99 ms");
    let mut total = 0;
    for (name, v) in stats.iter_mut() {
        total += v.len();
        let n = v.len();
        println!("{name:<16} {n:>9} {:>9.0} {:>9.2} {:>9.2}", n as f64 / secs as f64, pct(v, 0.5), pct(v, 0.99));
    }
    println!("total requests: {total} ({:.0}/s)", total as f64 / secs as f64);
    println!("requests failed: {}", failed.len());
    for f in failed.iter().take(10) {
        println!("  {f}");
    }
    println!("daemon peak RSS: {} MB", peak_rss_mb(d.pid()));
    if !failed.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}
