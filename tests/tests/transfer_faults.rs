//! Transfers that survive the network: a fault proxy between imaged and the real registry breaks the
//! download of a layer once, in each of the ways networks and registries do; the first `imagectl pull`
//! still succeeds, resuming with Range from the bytes it has.
use imaged_tests::{
    Daemon, RegistryServer,
    fault_proxy::{Fault, FaultProxy},
    push_layout, skopeo, write_big_layout,
};

/// A registry holding one image with one big layer: (registry, image path, layer digest, layer size).
fn one_layer_image(dir: &std::path::Path) -> (RegistryServer, String, String, u64) {
    let reg = RegistryServer::start(false).unwrap();
    let layout = dir.join("layout");
    let manifest = write_big_layout(&layout, "big", 1, 24);
    let bytes = std::fs::read(layout.join("blobs/sha256").join(manifest.trim_start_matches("sha256:"))).unwrap();
    let m: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let (layer, size) =
        (m["layers"][0]["digest"].as_str().unwrap().to_owned(), m["layers"][0]["size"].as_u64().unwrap());
    let image = "faults/big:1".to_owned();
    push_layout(dir, &layout, "big", &format!("{}/{image}", reg.addr));
    (reg, image, layer, size)
}

/// Runs imagectl against `d` off the async runtime (the proxy runs on it); returns the output and its text.
async fn imagectl(d: &Daemon, args: &[&str]) -> (std::process::Output, String) {
    let mut cmd = std::process::Command::new(imaged_tests::bin("imagectl"));
    cmd.arg("--host").arg(d.host()).args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out, text)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pull_survives_each_fault_once() {
    let work = tempfile::tempdir().unwrap();
    let (reg, image, layer, size) = one_layer_image(work.path());
    let proxy = FaultProxy::start(&reg.addr, &layer).await;
    let through = format!("{}/{image}", proxy.addr);
    let half = size / 2;
    let cases = [
        ("cut at 50 %", Fault::Cut { at: half }),
        ("TCP reset", Fault::Reset { at: half }),
        ("10 s stall mid-body", Fault::Stall { at: half, secs: 10 }),
        ("503 twice", Fault::Status { status: 503, times: 2, retry_after: None }),
        ("429 with Retry-After: 1", Fault::Status { status: 429, times: 1, retry_after: Some(1) }),
    ];
    for (what, fault) in cases {
        let d = Daemon::start_with_config("registry_read_timeout_secs = 2\n").unwrap();
        proxy.set(fault);
        let (out, text) = imagectl(&d, &["pull", &through]).await;
        assert!(out.status.success(), "{what}: the first pull failed: {text}\n{}", d.log());
        assert!(text.contains("Retrying in"), "{what}: no retry was announced: {text}");
        let served = proxy.served();
        assert!(
            served.bytes as f64 <= 1.1 * size as f64,
            "{what}: served {} bytes of a {size}-byte layer ({:?})",
            served.bytes,
            served.ranges
        );
        if matches!(fault, Fault::Cut { .. } | Fault::Reset { .. } | Fault::Stall { .. }) {
            assert!(
                served.ranges.last().unwrap().is_some_and(|start| start > 0),
                "{what}: no ranged resume: {:?}",
                served.ranges
            );
        }
        assert!(imaged_tests::check_root_running(&d), "{what}: store inconsistent");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ranges_the_registry_ignores_or_garbles() {
    let work = tempfile::tempdir().unwrap();
    let (reg, image, layer, size) = one_layer_image(work.path());
    let proxy = FaultProxy::start(&reg.addr, &layer).await;
    let through = format!("{}/{image}", proxy.addr);

    // 200 instead of 206: the blob starts again from its first byte, and the pull succeeds.
    let d = Daemon::start().unwrap();
    proxy.set(Fault::CutThenIgnoreRange { at: size / 2 });
    let c = d.client().await;
    c.pull(&through, false, None, None, |_| {}).await.unwrap();
    let served = proxy.served();
    assert_eq!(served.ranges.len(), 2, "{served:?}");
    assert!(served.ranges[1].is_some(), "the retry asked for a range: {served:?}");
    assert!(imaged_tests::check_root_running(&d));

    // A 206 whose Content-Range starts elsewhere is refused; nothing corrupt stays, and a pull from a
    // well-behaved registry then completes and verifies.
    let d = Daemon::start().unwrap();
    proxy.set(Fault::CutThenWrongRange { at: size / 2 });
    let c = d.client().await;
    let err = c.pull(&through, false, None, None, |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("Content-Range"), "{err}");
    assert!(c.list(true, vec![]).await.unwrap().is_empty());
    proxy.set(Fault::None);
    c.pull(&through, false, None, None, |_| {}).await.unwrap();
    assert!(imaged_tests::check_root_running(&d));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_survives_a_cut_upload() {
    let work = tempfile::tempdir().unwrap();
    let (reg, image, layer, size) = one_layer_image(work.path());
    let d = Daemon::start().unwrap();
    d.ok(&["pull", &format!("{}/{image}", reg.addr)]);
    let proxy = FaultProxy::start(&reg.addr, &layer).await;
    let copy = format!("{}/faults/copy:1", proxy.addr);
    d.ok(&["tag", &format!("{}/{image}", reg.addr), &copy]);
    proxy.set(Fault::CutUpload { at: size / 2 });
    let (out, text) = imagectl(&d, &["push", &copy]).await;
    assert!(out.status.success(), "the push failed: {text}");
    assert!(text.contains("Retrying in"), "{text}");
    // skopeo reads the registry's copy (every blob verified by digest).
    let out = work.path().join("copy-out");
    skopeo(
        work.path(),
        &[
            "copy",
            "-q",
            "--src-tls-verify=false",
            &format!("docker://{}/faults/copy:1", reg.addr),
            &format!("oci:{}:c", out.display()),
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pull_whose_client_is_killed_stops_and_the_next_one_resumes() {
    let work = tempfile::tempdir().unwrap();
    let (reg, image, layer, size) = one_layer_image(work.path());
    let proxy = FaultProxy::start(&reg.addr, &layer).await;
    let through = format!("{}/{image}", proxy.addr);
    let d = Daemon::start().unwrap();
    // The layer stalls at half (for longer than the test): the pull is mid-download when its client dies.
    proxy.set(Fault::Stall { at: size / 2, secs: 60 });
    let mut client = std::process::Command::new(imaged_tests::bin("imagectl"))
        .args(["--host", &d.host(), "pull", &through])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while proxy.served().bytes < size / 2 {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the download never got halfway");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    client.kill().unwrap();
    let _ = client.wait();
    // Within a second or so the daemon notices and stops, keeping what it has.
    let noticed = std::time::Instant::now();
    while !d.log().contains("the client went away") {
        assert!(noticed.elapsed() < std::time::Duration::from_secs(3), "the pull went on: {}", d.log());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let kept = std::fs::read_dir(d.root.join("ingest")).unwrap().count();
    assert_eq!(kept, 1, "the partial layer was not kept");

    proxy.set(Fault::None);
    d.ok(&["pull", &through]);
    let served = proxy.served();
    assert!(served.ranges.iter().all(|r| r.is_some_and(|start| start > 0)), "the next pull did not resume: {served:?}");
    assert!(imaged_tests::check_root_running(&d));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pull_waiting_on_the_same_blob_takes_over_when_the_first_client_dies() {
    let work = tempfile::tempdir().unwrap();
    let (reg, image, layer, size) = one_layer_image(work.path());
    let proxy = FaultProxy::start(&reg.addr, &layer).await;
    let through = format!("{}/{image}", proxy.addr);
    let d = Daemon::start().unwrap();
    proxy.set(Fault::Stall { at: size / 2, secs: 60 });
    let pull = || {
        std::process::Command::new(imaged_tests::bin("imagectl"))
            .args(["--host", &d.host(), "pull", &through])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut first = pull();
    let started = std::time::Instant::now();
    while proxy.served().bytes < size / 2 {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the download never got halfway");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // A second pull of the same image waits on the blob the first is downloading.
    let second = pull();
    let second = tokio::task::spawn_blocking(move || second.wait_with_output().unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    first.kill().unwrap();
    let _ = first.wait();
    let out =
        tokio::time::timeout(std::time::Duration::from_secs(30), second).await.expect("the waiting pull hung").unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let served = proxy.served();
    assert_eq!(served.ranges.len(), 2, "{served:?}");
    assert!(served.ranges[1].is_some_and(|start| start > 0), "the second pull started over: {served:?}");
    assert!(imaged_tests::check_root_running(&d));
}
