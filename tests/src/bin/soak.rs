//! `imaged-soak`: kill -9 the daemon at random points of pull, push, load, build, commit, prune and tag,
//! ROUNDS times (default 50, SEED 1); prints the figures and exits 1 unless every count of damage is zero.
fn main() -> anyhow::Result<()> {
    let rounds = std::env::var("ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let seed = std::env::var("SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let started = std::time::Instant::now();
    let r = imaged_tests::soak::soak(rounds, seed)?;
    println!("imaged-soak: {} kill -9 rounds (seed {seed}) in {:.0} s", r.iterations, started.elapsed().as_secs_f64());
    println!("requests failed (retry after restart): {}", r.requests_failed);
    println!("images lost:                          {}", r.images_lost);
    println!("blobs corrupted / checks failed:      {}", r.checks_failed);
    for f in &r.failures {
        println!("  {f}");
    }
    if r.requests_failed + r.images_lost + r.checks_failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}
