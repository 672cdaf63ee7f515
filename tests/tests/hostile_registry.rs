//! A registry is untrusted input: a small hostile registry on loopback answers with endless or huge
//! bodies and absurd sizes. Each pull fails within seconds with a clear error, the daemon's memory stays
//! flat, and nothing stays in `ingest/`.
use std::time::{Duration, Instant};

use imaged_tests::Daemon;
use tokio::{
    io::AsyncWriteExt,
    net::{TcpListener, TcpStream},
};

#[derive(Clone, Copy, Debug)]
enum Hostile {
    EndlessManifest,
    TenMegManifest,
    TerabyteConfig,
    EndlessToken,
    EndlessError,
}

async fn endless(sock: &mut TcpStream, status: &str) {
    let head = format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
    if sock.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let chunk = vec![b'a'; 64 * 1024];
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && sock.write_all(&chunk).await.is_ok() {}
}

async fn reply(sock: &mut TcpStream, status: &str, extra: &str, ctype: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\n{extra}Content-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = sock.write_all(head.as_bytes()).await;
    let _ = sock.write_all(body).await;
}

async fn serve(mut sock: TcpStream, mode: Hostile, addr: String) {
    let Some(head) = imaged_tests::fault_proxy::read_head(&mut sock).await else { return };
    let text = String::from_utf8_lossy(&head).into_owned();
    let path = text.split_whitespace().nth(1).unwrap_or("").to_owned();
    let manifest_type = "application/vnd.oci.image.manifest.v1+json";
    match mode {
        Hostile::EndlessToken if path.starts_with("/token") => endless(&mut sock, "200 OK").await,
        Hostile::EndlessToken if !text.to_ascii_lowercase().contains("authorization: bearer") => {
            let challenge = format!("WWW-Authenticate: Bearer realm=\"http://{addr}/token\",service=\"hostile\"\r\n");
            reply(&mut sock, "401 Unauthorized", &challenge, "application/json", b"{}").await
        }
        _ if path == "/v2/" => reply(&mut sock, "200 OK", "", "application/json", b"{}").await,
        Hostile::EndlessManifest if path.contains("/manifests/") => endless(&mut sock, "200 OK").await,
        Hostile::EndlessError if path.contains("/manifests/") => endless(&mut sock, "500 Internal Server Error").await,
        Hostile::TenMegManifest if path.contains("/manifests/") => {
            reply(&mut sock, "200 OK", "", manifest_type, &vec![b' '; 10 << 20]).await
        }
        Hostile::TerabyteConfig if path.contains("/manifests/") => {
            let m = serde_json::json!({"schemaVersion": 2, "mediaType": manifest_type,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 1u64 << 40,
                    "digest": format!("sha256:{}", "1".repeat(64))},
                "layers": []});
            reply(&mut sock, "200 OK", "", manifest_type, &serde_json::to_vec(&m).unwrap()).await
        }
        // A config download, if one were tried: endless.
        _ if path.contains("/blobs/") => endless(&mut sock, "200 OK").await,
        _ => reply(&mut sock, "404 Not Found", "", "application/json", b"{}").await,
    }
}

async fn hostile_registry(mode: Hostile) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let a = addr.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(serve(sock, mode, a.clone()));
        }
    });
    addr
}

fn rss_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_answers_fail_fast_with_flat_memory_and_nothing_kept() {
    let d = Daemon::start().unwrap();
    let c = d.client().await;
    c.list(false, vec![]).await.unwrap();
    let before = rss_kb(d.pid(), "VmRSS:");
    for (mode, says) in [
        (Hostile::EndlessManifest, "larger than"),
        (Hostile::TenMegManifest, "larger than"),
        (Hostile::TerabyteConfig, "claims 1099511627776 bytes"),
        (Hostile::EndlessToken, "larger than"),
        (Hostile::EndlessError, "500"),
    ] {
        let addr = hostile_registry(mode).await;
        let started = Instant::now();
        let err = c.pull(&format!("{addr}/evil/app:1"), false, None, None, |_| {}).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(20), "{mode:?} took {:?}", started.elapsed());
        assert!(err.to_string().contains(says), "{mode:?}: {err}");
        let ingest: Vec<_> =
            std::fs::read_dir(d.root.join("ingest")).map(|r| r.flatten().collect()).unwrap_or_default();
        assert!(ingest.is_empty(), "{mode:?} left {} ingests", ingest.len());
    }
    let peak = rss_kb(d.pid(), "VmHWM:");
    assert!(peak < before + 50 * 1024, "the daemon grew from {before} kB to a peak of {peak} kB");
}
