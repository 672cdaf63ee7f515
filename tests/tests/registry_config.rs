//! Registry settings: docker credential helpers (credsStore/credHelpers), chunked uploads, per-registry
//! download concurrency — against the real docker-registry.
use std::os::unix::fs::PermissionsExt;

use imaged_client::Code;
use imaged_tests::{Daemon, REGISTRY_PASSWORD, REGISTRY_USER, RegistryServer, random_bytes, skopeo, write_rootfs};

/// A docker-credential helper keeping its secrets in a JSON file next to it (`get`/`store`/`erase`/`list`).
const HELPER: &str = r#"#!/usr/bin/env python3
import json, os, sys
db = os.path.join(os.path.dirname(os.path.abspath(__file__)), "helper-store.json")
data = json.load(open(db)) if os.path.exists(db) else {}
action, inp = sys.argv[1], sys.stdin.read()
if action == "store":
    c = json.loads(inp); data[c["ServerURL"]] = [c["Username"], c["Secret"]]
elif action == "get":
    if inp.strip() not in data:
        print("credentials not found in native keychain"); sys.exit(1)
    u, s = data[inp.strip()]; print(json.dumps({"ServerURL": inp.strip(), "Username": u, "Secret": s}))
elif action == "erase":
    data.pop(inp.strip(), None)
elif action == "list":
    print(json.dumps({k: v[0] for k, v in data.items()}))
json.dump(data, open(db, "w"))
"#;

#[tokio::test(flavor = "multi_thread")]
async fn credential_helpers_hold_the_secrets() {
    let reg = RegistryServer::start(true).unwrap();
    let mut d = Daemon::start().unwrap();
    let bin = d.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-testing");
    std::fs::write(&helper, HELPER).unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let creds_dir = d.root.join("credentials");
    std::fs::create_dir_all(&creds_dir).unwrap();
    // credHelpers names the helper for this registry only (credsStore would for all).
    std::fs::write(
        creds_dir.join("default.json"),
        format!(r#"{{"auths": {{}}, "credHelpers": {{"{}": "testing"}}, "psFormat": "kept"}}"#, reg.addr),
    )
    .unwrap();
    d.stop().unwrap();
    d.spawn().unwrap();
    let c = d.client().await;
    let name = format!("{}/helped/app:1", reg.addr);
    let a = write_rootfs(&d.dir.path().join("a.tar"), &[("f", random_bytes(20_000))]);
    d.ok(&["import", a.to_str().unwrap(), &name]);

    assert_eq!(c.login(&reg.addr, REGISTRY_USER, "wrong").await.unwrap_err().code(), Code::Unauthenticated);
    assert!(!bin.join("helper-store.json").exists(), "a refused login stored nothing");
    c.login(&reg.addr, REGISTRY_USER, REGISTRY_PASSWORD).await.unwrap();
    let stored = std::fs::read_to_string(bin.join("helper-store.json")).unwrap();
    assert!(stored.contains(REGISTRY_PASSWORD), "the helper got the secret");
    let file = std::fs::read_to_string(creds_dir.join("default.json")).unwrap();
    assert!(!file.contains(REGISTRY_PASSWORD) && file.contains("psFormat"), "config keeps no secret: {file}");
    let logins = c.logins().await.unwrap();
    assert_eq!((logins[0].server.as_str(), logins[0].username.as_str()), (reg.addr.as_str(), REGISTRY_USER));
    d.ok(&["push", &name]);
    d.ok(&["rmi", &name]);
    d.ok(&["pull", &name]);
    d.ok(&["logout", &reg.addr]);
    assert!(!std::fs::read_to_string(bin.join("helper-store.json")).unwrap().contains(REGISTRY_PASSWORD));
    assert_eq!(c.pull(&name, false, None, None, |_| {}).await.unwrap_err().code(), Code::Unauthenticated);
    assert!(!d.log().contains(REGISTRY_PASSWORD), "no secret in the daemon log");
}

#[test]
fn chunked_push_and_per_registry_concurrency() {
    let reg = RegistryServer::start(false).unwrap();
    let config =
        format!("push_chunk_mb = 1\nmax_concurrent_downloads = 2\n[registry_concurrency]\n\"{}\" = 1\n", reg.addr);
    let d = Daemon::start_with_config(&config).unwrap();
    let dir = d.dir.path();
    let a = write_rootfs(&dir.join("a.tar"), &[("big", random_bytes(3_500_000))]);
    let name = format!("{}/chunked/app:1", reg.addr);
    let id = d.ok(&["import", a.to_str().unwrap(), &name]).trim().to_owned();
    d.ok(&["push", &name]);
    let patches = reg.log().lines().filter(|l| l.contains("\"PATCH /v2/chunked/app/blobs/uploads/")).count();
    assert!(patches >= 4, "a 3.5 MB layer in 1 MiB chunks: {patches} PATCH requests");
    skopeo(dir, &["inspect", "--tls-verify=false", &format!("docker://{name}")]);
    d.ok(&["rmi", &name]);
    d.ok(&["pull", &name]);
    assert_eq!(d.ok(&["inspect", "-f", "{{.Id}}", &name]).trim(), id);
}
