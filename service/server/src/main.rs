//! `imaged`: the image daemon.
use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::Context;
use clap::Parser;
use imaged_images::Engine;
use imaged_server::{ServeOptions, serve};
use serde::Deserialize;

/// imaged: container images behind a gRPC API.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Where blobs, the index and containers live. Default ./imaged-data (or $XDG_DATA_HOME/imaged,
    /// /var/lib/imaged for root when installed).
    #[arg(long, env = "IMAGED_ROOT")]
    root: Option<PathBuf>,
    /// Unix socket to serve on. Default ROOT/imaged.sock.
    #[arg(long, env = "IMAGED_SOCKET")]
    socket: Option<PathBuf>,
    /// Also serve TCP on HOST:PORT (TLS required unless loopback).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Group (name or gid) owning the socket (mode 0660): its members may use imaged.
    #[arg(long, short = 'G')]
    group: Option<String>,
    /// TOML file with defaults for these options (command-line flags win).
    #[arg(long)]
    config: Option<PathBuf>,
    #[arg(long)]
    tls_cert: Option<PathBuf>,
    #[arg(long)]
    tls_key: Option<PathBuf>,
    /// Require client certificates signed by this CA (mTLS).
    #[arg(long)]
    tls_client_ca: Option<PathBuf>,
    /// Check the store against the index (re-hashing every blob), print the report and exit.
    #[arg(long)]
    check: bool,
}

/// The `--config` file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    root: Option<PathBuf>,
    socket: Option<PathBuf>,
    listen: Option<SocketAddr>,
    /// Group owning the socket.
    group: Option<String>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    tls_client_ca: Option<PathBuf>,
    max_concurrent_requests: Option<usize>,
    /// Registries spoken to over plain HTTP (loopback ones always are), e.g. ["registry.lan:5000"].
    #[serde(default)]
    insecure_registries: Vec<String>,
    /// Pull mirrors tried first, per registry: { "docker.io" = ["http://127.0.0.1:5001"] }.
    #[serde(default)]
    registry_mirrors: std::collections::HashMap<String, Vec<String>>,
    request_timeout_secs: Option<u64>,
    /// Blobs downloaded at once per pull (default 4).
    max_concurrent_downloads: Option<usize>,
    /// Per registry: blobs downloaded at once, e.g. { "registry.lan:5000" = 8 }.
    #[serde(default)]
    registry_concurrency: std::collections::HashMap<String, usize>,
    /// A registry that sends nothing for this long mid-request fails it (default 60).
    registry_read_timeout_secs: Option<u64>,
    /// Push blobs bigger than this many MiB in chunks of this size (default: one request per blob).
    push_chunk_mb: Option<u64>,
    /// "overlay" (default where the kernel allows it) or "copy" (the copying fallback).
    snapshotter: Option<String>,
}

fn default_root() -> PathBuf {
    PathBuf::from("imaged-data")
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down");
}

fn main() -> std::process::ExitCode {
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("imaged: starting the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(code) => code,
        Err(e) => {
            // One line a person can act on: the context chain, no Debug dump or backtrace.
            eprintln!("imaged: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<std::process::ExitCode> {
    let file: FileConfig = match &args.config {
        Some(p) => toml::from_str(&std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?)
            .with_context(|| format!("parsing {}", p.display()))?,
        None => FileConfig::default(),
    };
    let root = args.root.or(file.root).unwrap_or_else(default_root);
    let socket = args.socket.or(file.socket).unwrap_or_else(|| root.join("imaged.sock"));
    let registries = imaged_images::RegistryConfig {
        insecure: file.insecure_registries.clone(),
        mirrors: file.registry_mirrors.clone(),
        max_concurrent_downloads: file.max_concurrent_downloads,
        concurrency: file.registry_concurrency.clone(),
        read_timeout: file.registry_read_timeout_secs.map(std::time::Duration::from_secs),
        push_chunk_size: file.push_chunk_mb.map(|mb| mb << 20),
        force_copy_snapshots: match file.snapshotter.as_deref() {
            None | Some("overlay") => false,
            Some("copy") => true,
            Some(other) => anyhow::bail!("snapshotter {other:?}: use \"overlay\" or \"copy\""),
        },
    };
    let engine = tokio::task::spawn_blocking({
        let root = root.clone();
        move || Engine::open_configured(&root, registries)
    })
    .await?
    .with_context(|| format!("opening the store in {}", root.display()))?;

    if args.check {
        let report = engine.content().check(true).await?;
        println!("images: {}  blobs: {}  orphan blobs: {}", report.images, report.blobs, report.orphans);
        for p in &report.problems {
            println!("problem: {p}");
        }
        if !report.is_consistent() {
            return Ok(std::process::ExitCode::FAILURE);
        }
        println!("consistent");
        return Ok(std::process::ExitCode::SUCCESS);
    }

    let opts = ServeOptions {
        socket,
        socket_group: args.group.or(file.group),
        listen: args.listen.or(file.listen),
        tls_cert: args.tls_cert.or(file.tls_cert),
        tls_key: args.tls_key.or(file.tls_key),
        tls_client_ca: args.tls_client_ca.or(file.tls_client_ca),
        max_concurrent_requests: file.max_concurrent_requests.unwrap_or(256),
        request_timeout: Duration::from_secs(file.request_timeout_secs.unwrap_or(600)),
        max_message_size: 8 << 20,
    };
    tracing::info!(root = %root.display(), "imaged starting");
    serve(engine, opts, shutdown_signal()).await?;
    Ok(std::process::ExitCode::SUCCESS)
}
