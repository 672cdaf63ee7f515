//! Fuzz targets that run as plain tests (stable Rust, no libFuzzer): each target runs over its committed
//! corpus in `tests/fuzz/corpus/<target>/`, then over seeded mutations of it (bit flips, byte inserts and
//! deletes, truncations, splices of two inputs). Any panic fails the test and leaves the input in
//! `target/fuzz-crashes/`; a fixed crash gets its input added to the corpus as a regression case.
//! `FUZZ_ITERS` sets the mutations per target (default 1500); `FUZZ_SEED` the seed.
use std::{
    io::Read,
    panic::{AssertUnwindSafe, catch_unwind},
    path::PathBuf,
};

use imaged_archive::{BlobSink, plan, read_archive};
use imaged_build::dockerfile::{self, Lexer};
use imaged_core::{Digest, ImageRef, Platform, Reference, parse_plain};
use rand::{Rng, SeedableRng, rngs::StdRng};

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let out: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(!out.is_empty(), "empty corpus {}", dir.display());
    out
}

fn mutate(rng: &mut StdRng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..rng.random_range(1..4) {
        match rng.random_range(0..6) {
            0 if !v.is_empty() => {
                let i = rng.random_range(0..v.len());
                v[i] ^= 1 << rng.random_range(0..8);
            }
            1 => {
                let i = rng.random_range(0..=v.len());
                let b = [0u8, 0xff, b'/', b'.', b':', b'@', b'"', b'\n', b'{', b'\\'][rng.random_range(0..10)];
                v.insert(i, b);
            }
            2 if !v.is_empty() => {
                let i = rng.random_range(0..v.len());
                let n = rng.random_range(1..=(v.len() - i).min(64));
                v.drain(i..i + n);
            }
            3 if !v.is_empty() => v.truncate(rng.random_range(0..v.len())),
            4 if !other.is_empty() => {
                let i = rng.random_range(0..=v.len());
                let j = rng.random_range(0..other.len());
                let n = rng.random_range(1..=(other.len() - j).min(512));
                v.splice(i..i, other[j..j + n].iter().copied());
            }
            _ if v.len() > 512 => {
                // Overwrite a tar header byte region: the interesting part of archives.
                let block = rng.random_range(0..v.len() / 512) * 512;
                let off = block + rng.random_range(0..512.min(v.len() - block));
                v[off] = rng.random();
            }
            _ => {}
        }
    }
    v
}

fn run(target: &str, f: impl Fn(&[u8])) {
    let seeds = corpus(target);
    let iters: usize = std::env::var("FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1500);
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x1a9ed_u64);
    let mut rng = StdRng::seed_from_u64(seed ^ target.len() as u64);
    let check = |input: &[u8], what: &str| {
        if catch_unwind(AssertUnwindSafe(|| f(input))).is_err() {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-crashes");
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("{target}-{}", Digest::of(input).short()));
            std::fs::write(&path, input).unwrap();
            panic!("fuzz target {target} panicked on {what}: input saved to {}", path.display());
        }
    };
    for s in &seeds {
        check(s, "a corpus file");
    }
    for i in 0..iters {
        let a = &seeds[rng.random_range(0..seeds.len())];
        let b = &seeds[rng.random_range(0..seeds.len())];
        let input = mutate(&mut rng, a, b);
        check(&input, &format!("mutation {i}"));
    }
}

#[test]
fn fuzz_reference() {
    run("reference", |data| {
        let s = String::from_utf8_lossy(data);
        if let Ok(r) = Reference::parse_docker(&s) {
            // What we print parses back to the same reference.
            let again = Reference::parse_docker(&r.to_string()).expect("a printed reference parses");
            assert_eq!(again.to_string(), r.to_string());
            let _ = r.familiar();
        }
        let _ = parse_plain(&s);
        let _ = Reference::parse_normalized(&s);
        let _ = ImageRef::parse(&s);
        let _ = Digest::parse(&s);
        let _ = Platform::parse(&s);
    });
}

#[test]
fn fuzz_config() {
    run("config", |data| {
        if let Ok(doc) = imaged_images::ImageConfigDoc::parse(data) {
            let bytes = serde_json::to_vec(&doc).unwrap();
            let again = imaged_images::ImageConfigDoc::parse(&bytes).expect("our own output parses");
            assert_eq!(serde_json::to_value(&again).unwrap(), serde_json::to_value(&doc).unwrap());
            let _ = doc.created_nanos();
            let _ = doc.labels();
        }
    });
}

struct MemorySink;

impl BlobSink for MemorySink {
    fn store(&mut self, data: &mut dyn Read) -> std::io::Result<Digest> {
        let mut buf = Vec::new();
        data.read_to_end(&mut buf)?;
        Ok(Digest::of(&buf))
    }
}

#[test]
fn fuzz_archive() {
    let platform = Platform::parse("linux/amd64").unwrap();
    run("archive", |data| {
        if let Ok(contents) = read_archive(data, &mut MemorySink) {
            let _ = plan(&contents, &platform);
        }
    });
}

#[test]
fn fuzz_layer_unpack() {
    let base = tempfile::tempdir().unwrap();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    run("layer", |data| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = base.path().join(format!("u{n}"));
        std::fs::create_dir(&dir).unwrap();
        let _ = imaged_build::snapshot::unpack_overlay(data, &dir);
        // Whatever the tar said, nothing was written beside the target directory.
        let names: Vec<_> = std::fs::read_dir(base.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 1, "an entry escaped the unpack directory: {names:?}");
        let _ = std::fs::remove_dir_all(&dir);
        let _ = imaged_archive::layer_from_rootfs(data, std::io::sink());
    });
}

#[test]
fn fuzz_dockerfile() {
    run("dockerfile", |data| {
        let text = String::from_utf8_lossy(data);
        if let Ok(df) = dockerfile::parse(&text) {
            let lookup = |n: &str| n.len().is_multiple_of(2).then(|| format!("v-{n}"));
            let lexer = Lexer { escape: df.escape, lookup: &lookup };
            for ins in &df.instructions {
                let _ = lexer.words(&ins.args);
                let _ = lexer.word(&ins.args);
                let _ = lexer.expand_only(&ins.args);
            }
        }
    });
}
