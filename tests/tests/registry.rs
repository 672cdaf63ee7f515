//! Pull, push, login against the real Debian docker-registry; skopeo as the cross-check.
use imaged_client::Code;
use imaged_tests::{
    Daemon, Layer, REGISTRY_PASSWORD, REGISTRY_USER, RegistryServer, push_layout, random_bytes, skopeo,
    write_oci_layout, write_rootfs,
};
use serde_json::Value;

fn inspect(d: &Daemon, image: &str) -> Value {
    serde_json::from_str::<Value>(&d.ok(&["inspect", image])).unwrap()[0].clone()
}

#[test]
fn push_pull_round_trip_skip_existing_and_skopeo_agrees() {
    let reg = RegistryServer::start(false).unwrap();
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let shared = random_bytes(800_000);
    let a = write_rootfs(&dir.join("a.tar"), &[("shared", shared.clone())]);
    let name = format!("{}/team/app:1", reg.addr);
    let id = d.ok(&["import", a.to_str().unwrap(), &name, "-c", r#"CMD ["app"]"#]).trim().to_owned();
    let out = d.ok(&["push", &name]);
    assert!(out.starts_with(&format!("The push refers to repository [{}/team/app]", reg.addr)), "{out}");
    let last = out.lines().last().unwrap();
    let digest = last.split("digest: ").nth(1).unwrap().split(' ').next().unwrap().to_owned();
    assert!(last.starts_with("1: digest: sha256:"), "{out}");
    // skopeo sees the same manifest digest and can copy it.
    let info: Value =
        serde_json::from_str(&skopeo(dir, &["inspect", "--tls-verify=false", &format!("docker://{name}")])).unwrap();
    assert_eq!(info["Digest"], digest.as_str());
    skopeo(
        dir,
        &[
            "copy",
            "-q",
            "--src-tls-verify=false",
            &format!("docker://{name}"),
            &format!("oci:{}:x", dir.join("copy").display()),
        ],
    );
    // Pushing again transfers no blob.
    let uploads = reg.uploads();
    let again = d.ok(&["push", &name]);
    assert_eq!(again.matches("Layer already exists").count(), 2, "{again}");
    assert_eq!(reg.uploads(), uploads);

    // Pull back after removing: same id, repo digest recorded.
    d.ok(&["rmi", &name]);
    let out = d.ok(&["pull", &name]);
    assert!(out.contains(&format!("Digest: {digest}")), "{out}");
    assert!(out.contains(&format!("Status: Downloaded newer image for {name}")), "{out}");
    let img = inspect(&d, &name);
    assert_eq!(img["Id"], id.as_str());
    assert_eq!(img["RepoDigests"][0], format!("{}/team/app@{digest}", reg.addr));
    let out = d.ok(&["pull", &name]);
    assert!(out.contains(&format!("Status: Image is up to date for {name}")), "{out}");

    // An image sharing a layer with one already stored: that layer is not downloaded again.
    let v: Value =
        serde_json::from_str(&skopeo(dir, &["inspect", "--raw", "--tls-verify=false", &format!("docker://{name}")]))
            .unwrap();
    let layer_digest = v["layers"][0]["digest"].as_str().unwrap().to_owned();
    let name2 = format!("{}/team/other:1", reg.addr);
    d.ok(&["import", a.to_str().unwrap(), &name2, "-c", "ENV OTHER=1"]);
    d.ok(&["push", &name2]); // mounted or already there
    d.ok(&["rmi", &name2]);
    let before = reg.blob_gets(&layer_digest);
    let out = d.ok(&["pull", &name2]);
    assert!(out.contains("Already exists"), "{out}");
    assert_eq!(reg.blob_gets(&layer_digest), before, "the shared layer was downloaded again");
}

#[test]
fn oci_multi_platform_and_zstd_images_pushed_by_skopeo() {
    let reg = RegistryServer::start(false).unwrap();
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let layout = dir.join("multi");
    write_oci_layout(&layout, "multi", &["amd64", "arm64"], &random_bytes(50_000), Layer::Gzip);
    let multi = format!("{}/lib/multi:1", reg.addr);
    skopeo(
        dir,
        &[
            "copy",
            "-q",
            "--all",
            "--dest-tls-verify=false",
            &format!("oci:{}:multi", layout.display()),
            &format!("docker://{multi}"),
        ],
    );
    d.ok(&["pull", "--platform", "linux/arm64", &multi]);
    assert_eq!(inspect(&d, &multi)["Architecture"], "arm64");
    d.ok(&["rmi", &multi]);
    d.ok(&["pull", &multi]);
    assert_eq!(inspect(&d, &multi)["Architecture"], "amd64", "default is the daemon's platform");
    let err = d.fails(&["pull", "--platform", "linux/s390x", &multi]);
    assert!(err.contains("linux/s390x"), "{err}");

    let zlayout = dir.join("zstd");
    write_oci_layout(&zlayout, "z", &["amd64"], &random_bytes(80_000), Layer::Zstd);
    let zname = format!("{}/lib/zstd:1", reg.addr);
    push_layout(dir, &zlayout, "z", &zname);
    d.ok(&["pull", &zname]);
    let raw: Value =
        serde_json::from_str(&skopeo(dir, &["inspect", "--raw", "--tls-verify=false", &format!("docker://{zname}")]))
            .unwrap();
    assert_eq!(raw["layers"][0]["mediaType"], "application/vnd.oci.image.layer.v1.tar+zstd");
    assert_eq!(inspect(&d, &zname)["RootFS"]["Layers"].as_array().unwrap().len(), 1);
    assert!(imaged_tests::check_root_running(&d));
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_login_logout_and_errors() {
    let reg = RegistryServer::start(true).unwrap();
    let d = Daemon::start().unwrap();
    let c = d.client().await;
    let dir = d.dir.path();
    let a = write_rootfs(&dir.join("a.tar"), &[("f", random_bytes(10_000))]);
    let name = format!("{}/secure/app:1", reg.addr);
    d.ok(&["import", a.to_str().unwrap(), &name]);

    let e = c.push(&name, false, None, |_| {}).await.unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated, "{e}");
    let e = c.pull(&name, false, None, None, |_| {}).await.unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated, "{e}");
    assert!(e.to_string().contains("imagectl login"), "{e}");

    let e = c.login(&reg.addr, REGISTRY_USER, "wrong").await.unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated);
    assert!(c.logins().await.unwrap().is_empty(), "a failed login stored something");
    let out = d.imagectl_stdin(
        &["login", "-u", REGISTRY_USER, "--password-stdin", &reg.addr],
        Some(format!("{REGISTRY_PASSWORD}\n").as_bytes()),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Login Succeeded",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let logins = c.logins().await.unwrap();
    assert_eq!((logins[0].server.as_str(), logins[0].username.as_str()), (reg.addr.as_str(), REGISTRY_USER));
    let creds = std::fs::read_dir(d.root.join("credentials")).unwrap().next().unwrap().unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(creds.metadata().unwrap().permissions().mode() & 0o777, 0o600);
    d.ok(&["push", &name]);
    d.ok(&["rmi", &name]);
    d.ok(&["pull", &name]);
    // Per-call credentials work without a stored login; the secret never shows in the daemon's log.
    assert_eq!(d.ok(&["logout", &reg.addr]).trim(), format!("Removing login credentials for {}", reg.addr));
    let e = c.pull(&name, false, None, None, |_| {}).await.unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated);
    let auth = imaged_client::pb::AuthConfig {
        username: REGISTRY_USER.into(),
        password: REGISTRY_PASSWORD.into(),
        identity_token: String::new(),
    };
    c.pull(&name, false, None, Some(auth), |_| {}).await.unwrap();
    assert!(!d.log().contains(REGISTRY_PASSWORD));
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_pulls_download_each_blob_once() {
    let reg = RegistryServer::start(false).unwrap();
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let a = write_rootfs(&dir.join("a.tar"), &[("big", random_bytes(8_000_000))]);
    let name = format!("{}/c/app:1", reg.addr);
    d.ok(&["import", a.to_str().unwrap(), &name]);
    d.ok(&["push", &name]);
    d.ok(&["rmi", &name]);
    let raw: Value =
        serde_json::from_str(&skopeo(dir, &["inspect", "--raw", "--tls-verify=false", &format!("docker://{name}")]))
            .unwrap();
    let layer = raw["layers"][0]["digest"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (host, name) = (d.host(), name.clone());
        tasks.push(tokio::spawn(async move {
            let c = imaged_client::Client::connect(&host).await.unwrap();
            c.pull(&name, false, None, None, |_| {}).await.unwrap()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().len(), 1);
    }
    assert_eq!(reg.blob_gets(&layer), 1, "the layer was downloaded more than once");
}

#[test]
fn mirrors_are_tried_first_with_fallback_to_the_origin() {
    let origin = RegistryServer::start(false).unwrap();
    let mirror = RegistryServer::start(false).unwrap();
    let config = format!("[registry_mirrors]\n\"{}\" = [\"http://{}\"]\n", origin.addr, mirror.addr);
    let d = Daemon::start_with_config(&config).unwrap();
    let dir = d.dir.path();
    // Only the mirror has team/cached:1; only the origin has team/fresh:1.
    let cached = dir.join("cached");
    write_oci_layout(&cached, "c", &["amd64"], &random_bytes(30_000), Layer::Gzip);
    push_layout(dir, &cached, "c", &format!("{}/team/cached:1", mirror.addr));
    let fresh = dir.join("fresh");
    write_oci_layout(&fresh, "f", &["amd64"], &random_bytes(30_000), Layer::Gzip);
    push_layout(dir, &fresh, "f", &format!("{}/team/fresh:1", origin.addr));

    let name = format!("{}/team/cached:1", origin.addr);
    d.ok(&["pull", &name]);
    assert_eq!(inspect(&d, &name)["RepoTags"][0], name.as_str(), "stored under the origin's name");
    assert!(mirror.log().contains("GET /v2/team/cached/manifests/1"), "the mirror was not asked");
    let name = format!("{}/team/fresh:1", origin.addr);
    d.ok(&["pull", &name]);
    assert!(origin.log().contains("GET /v2/team/fresh/manifests/1"));
    assert!(imaged_tests::check_root_running(&d));
}

#[test]
fn search_falls_back_to_the_catalog() {
    let reg = RegistryServer::start(false).unwrap();
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let a = write_rootfs(&dir.join("a.tar"), &[("f", random_bytes(1000))]);
    for repo in ["team/webapp:1", "team/webworker:1", "other/db:1"] {
        let name = format!("{}/{repo}", reg.addr);
        d.ok(&["import", a.to_str().unwrap(), &name]);
        d.ok(&["push", &name]);
    }
    let out = d.imagectl(&["search", &format!("{}/web", reg.addr)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].starts_with("NAME") && rows[0].contains("DESCRIPTION") && rows[0].contains("STARS"), "{text}");
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows.iter().any(|r| r.starts_with(&format!("{}/team/webapp", reg.addr))), "{text}");
    assert!(!text.contains("other/db"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("/v2/_catalog"));
    assert_eq!(d.ok(&["search", "--limit", "1", &format!("{}/web", reg.addr)]).lines().count(), 2);
    assert_eq!(
        d.ok(&["search", "--filter", "stars=3", &format!("{}/web", reg.addr)]).lines().count(),
        1,
        "no stars in a catalog"
    );
}
