//! A deliberately lying registry: wrong bytes, truncated bodies, 500s; and a pull killed halfway that
//! resumes with a Range request instead of starting over.
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use imaged_client::Code;
use imaged_tests::{Daemon, gzip, random_bytes};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Good,
    WrongBytes,
    Truncated,
    ServerError,
    HalfThenHang,
}

#[derive(Default)]
struct State {
    /// (range start, bytes sent) of each layer request.
    layer_requests: Vec<(u64, u64)>,
}

struct Fake {
    addr: String,
    /// When set, the registry demands a bearer token from its token service at /token.
    bearer: Arc<Mutex<bool>>,
    mode: Arc<Mutex<Mode>>,
    state: Arc<Mutex<State>>,
    layer_digest: String,
    layer_len: u64,
}

async fn start_fake() -> Fake {
    let raw_tar = {
        let dir = tempfile::tempdir().unwrap();
        let p = imaged_tests::write_rootfs(&dir.path().join("l.tar"), &[("big", random_bytes(6_000_000))]);
        std::fs::read(p).unwrap()
    };
    let layer = gzip(&raw_tar);
    let layer_digest = imaged_core::Digest::of(&layer).to_string();
    let config = serde_json::to_vec(&serde_json::json!({"architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [imaged_core::Digest::of(&raw_tar).to_string()]}}))
    .unwrap();
    let config_digest = imaged_core::Digest::of(&config).to_string();
    let manifest = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest, "size": layer.len()}]})).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let mode = Arc::new(Mutex::new(Mode::Good));
    let bearer = Arc::new(Mutex::new(false));
    let state = Arc::new(Mutex::new(State::default()));
    let fake = Fake {
        addr: addr.clone(),
        bearer: bearer.clone(),
        mode: mode.clone(),
        state: state.clone(),
        layer_digest: layer_digest.clone(),
        layer_len: layer.len() as u64,
    };
    let (layer, config, manifest) = (Arc::new(layer), Arc::new(config), Arc::new(manifest));
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let (mode, state, layer, config, manifest, layer_digest, config_digest) = (
                mode.clone(),
                state.clone(),
                layer.clone(),
                config.clone(),
                manifest.clone(),
                layer_digest.clone(),
                config_digest.clone(),
            );
            let (bearer, addr) = (bearer.clone(), addr.clone());
            tokio::spawn(async move {
                loop {
                    let mut req = Vec::new();
                    let mut byte = [0u8; 1];
                    while !req.ends_with(b"\r\n\r\n") {
                        match sock.read(&mut byte).await {
                            Ok(1) => req.push(byte[0]),
                            _ => return,
                        }
                    }
                    let text = String::from_utf8_lossy(&req).to_lowercase();
                    let path = text.split_whitespace().nth(1).unwrap_or("").to_owned();
                    let range = text
                        .lines()
                        .find_map(|l| l.strip_prefix("range: bytes="))
                        .and_then(|r| r.trim().trim_end_matches('-').parse::<u64>().ok())
                        .unwrap_or(0);
                    let head = text.starts_with("head");
                    let current = *mode.lock().unwrap();
                    let auth =
                        text.lines().find_map(|l| l.strip_prefix("authorization: ")).unwrap_or("").trim().to_owned();
                    if *bearer.lock().unwrap() {
                        let reply = if path.starts_with("/token") {
                            // Basic tester:s3cret-pass, lowercased with the rest of the request.
                            let ok = auth == "basic dgvzdgvyonmzy3jldc1wyxnz";
                            let scoped = path.contains("scope=repository%3afake%2fapp%3apull");
                            if ok && scoped {
                                Some(("200 OK".to_owned(), r#"{"token":"good-token"}"#.to_owned(), String::new()))
                            } else if ok {
                                Some(("200 OK".to_owned(), r#"{"token":"login-token"}"#.to_owned(), String::new()))
                            } else {
                                Some(("401 Unauthorized".to_owned(), "{}".to_owned(), String::new()))
                            }
                        } else if auth != "bearer good-token" && !(path == "/v2/" && auth == "bearer login-token") {
                            let challenge =
                                format!("WWW-Authenticate: Bearer realm=\"http://{addr}/token\",service=\"fake\"\r\n");
                            Some(("401 Unauthorized".to_owned(), "{}".to_owned(), challenge))
                        } else {
                            None
                        };
                        if let Some((status, body, extra)) = reply {
                            let hdr = format!(
                                "HTTP/1.1 {status}\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                                body.len()
                            );
                            if sock.write_all(hdr.as_bytes()).await.is_err() {
                                return;
                            }
                            continue;
                        }
                    }
                    let (status, ctype, body): (&str, &str, Vec<u8>) = if path == "/v2/" {
                        ("200 OK", "application/json", b"{}".to_vec())
                    } else if path.contains("/manifests/") {
                        ("200 OK", "application/vnd.oci.image.manifest.v1+json", manifest.to_vec())
                    } else if path.ends_with(&config_digest) {
                        ("200 OK", "application/octet-stream", config.to_vec())
                    } else if path.ends_with(&layer_digest) {
                        match current {
                            Mode::ServerError => ("500 Internal Server Error", "text/plain", b"boom".to_vec()),
                            Mode::WrongBytes => {
                                let mut b = layer.to_vec();
                                b[1000] ^= 0xff;
                                ("200 OK", "application/octet-stream", b[range as usize..].to_vec())
                            }
                            _ => (
                                if range > 0 { "206 Partial Content" } else { "200 OK" },
                                "application/octet-stream",
                                layer[range as usize..].to_vec(),
                            ),
                        }
                    } else {
                        ("404 Not Found", "application/json", b"{}".to_vec())
                    };
                    let is_layer = path.ends_with(&layer_digest) && !head;
                    let hdr =
                        format!("HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n", body.len());
                    if sock.write_all(hdr.as_bytes()).await.is_err() || head {
                        if head { continue } else { return }
                    }
                    let send = match (is_layer, current) {
                        (true, Mode::Truncated | Mode::HalfThenHang) => body.len() / 2,
                        _ => body.len(),
                    };
                    let _ = sock.write_all(&body[..send]).await;
                    let _ = sock.flush().await;
                    if is_layer {
                        state.lock().unwrap().layer_requests.push((range, send as u64));
                    }
                    match (is_layer, current) {
                        (true, Mode::Truncated) => return,
                        (true, Mode::HalfThenHang) => {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            return;
                        }
                        _ => {}
                    }
                }
            });
        }
    });
    fake
}

fn store_has(d: &Daemon, digest: &str) -> bool {
    d.root.join("blobs/sha256").join(digest.trim_start_matches("sha256:")).exists()
}

#[tokio::test(flavor = "multi_thread")]
async fn lying_registry_faults_leave_nothing() {
    let fake = start_fake().await;
    let d = Daemon::start().unwrap();
    let c = d.client().await;
    let name = format!("{}/fake/app:1", fake.addr);
    for (mode, code) in [
        (Mode::WrongBytes, Code::FailedPrecondition),
        (Mode::Truncated, Code::Unavailable),
        (Mode::ServerError, Code::Unavailable),
    ] {
        *fake.mode.lock().unwrap() = mode;
        let e = c.pull(&name, false, None, None, |_| {}).await.unwrap_err();
        assert_eq!(e.code(), code, "{mode:?}: {e}");
        assert!(c.list(true, vec![]).await.unwrap().is_empty(), "{mode:?} left an image");
        assert!(!store_has(&d, &fake.layer_digest), "{mode:?} left the layer blob");
        let blobs = std::fs::read_dir(d.root.join("blobs/sha256")).unwrap().count();
        assert_eq!(blobs, 0, "{mode:?} left blobs");
    }
    *fake.mode.lock().unwrap() = Mode::Good;
    c.pull(&name, false, None, None, |_| {}).await.unwrap();
    assert!(store_has(&d, &fake.layer_digest));
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_halfway_resumes_with_range() {
    let fake = start_fake().await;
    let mut d = Daemon::start().unwrap();
    let name = format!("{}/fake/app:1", fake.addr);
    *fake.mode.lock().unwrap() = Mode::HalfThenHang;
    let host = d.host();
    let n2 = name.clone();
    let pull = tokio::spawn(async move {
        let c = imaged_client::Client::connect(&host).await.unwrap();
        c.pull(&n2, false, None, None, |_| {}).await
    });
    let half = fake.layer_len / 2;
    for _ in 0..200 {
        if fake.state.lock().unwrap().layer_requests.iter().any(|(_, sent)| *sent == half) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await; // let the daemon write what it received
    d.kill9();
    let _ = pull.await;
    *fake.mode.lock().unwrap() = Mode::Good;
    d.spawn().unwrap();
    let c = d.client().await;
    c.pull(&name, false, None, None, |_| {}).await.unwrap();
    let reqs = fake.state.lock().unwrap().layer_requests.clone();
    let (start, sent) = *reqs.last().unwrap();
    assert!(start > 0, "the second download started from zero: {reqs:?}");
    assert!(start <= half, "{reqs:?}");
    assert_eq!(start + sent, fake.layer_len, "{reqs:?}");
    assert!(store_has(&d, &fake.layer_digest));
    assert!(imaged_tests::check_root_running(&d));
}

#[tokio::test(flavor = "multi_thread")]
async fn bearer_token_flow() {
    let fake = start_fake().await;
    *fake.bearer.lock().unwrap() = true;
    let d = Daemon::start().unwrap();
    let c = d.client().await;
    let name = format!("{}/fake/app:1", fake.addr);
    let e = c.pull(&name, false, None, None, |_| {}).await.unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated, "{e}");
    let e = c.login(&fake.addr, "tester", "wrong").await.unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated, "{e}");
    c.login(&fake.addr, imaged_tests::REGISTRY_USER, imaged_tests::REGISTRY_PASSWORD).await.unwrap();
    let r = c.pull(&name, false, None, None, |_| {}).await.unwrap();
    assert_eq!(r.len(), 1);
    assert!(store_has(&d, &fake.layer_digest));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_registry_times_out_and_leaves_nothing() {
    let fake = start_fake().await;
    let d = Daemon::start_with_config("registry_read_timeout_secs = 2\n").unwrap();
    let c = d.client().await;
    let name = format!("{}/fake/app:1", fake.addr);
    *fake.mode.lock().unwrap() = Mode::HalfThenHang;
    let started = std::time::Instant::now();
    let e = c.pull(&name, false, None, None, |_| {}).await.unwrap_err();
    assert_eq!(e.code(), Code::Unavailable, "{e}");
    assert!(started.elapsed() < Duration::from_secs(30), "gave up after {:?}", started.elapsed());
    assert!(c.list(true, vec![]).await.unwrap().is_empty(), "no image");
    assert!(!store_has(&d, &fake.layer_digest), "no layer blob (the partial download stays only as an ingest)");
    // Once the registry answers again, the pull completes.
    *fake.mode.lock().unwrap() = Mode::Good;
    c.pull(&name, false, None, None, |_| {}).await.unwrap();
}
