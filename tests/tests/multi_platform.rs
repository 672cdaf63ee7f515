//! Whole images: an index with two platforms and a BuildKit-style attestation, put in the real registry
//! by `skopeo copy --all`, pulled and pushed by imaged — the copy is the same index, byte for byte.
use std::path::Path;

use imaged_tests::{
    Containerd, Daemon, Layer, RegistryServer, random_bytes, skopeo, write_attested_layout, write_oci_layout,
};

struct Source {
    reference: String,
    raw: String,
    index: serde_json::Value,
}

/// A two-platform index at `REG/lib/attest:1`: OCI with an attestation, or a Docker manifest list.
fn publish(reg: &RegistryServer, dir: &Path, docker_list: bool) -> Source {
    let layout = dir.join("attested");
    if docker_list {
        // skopeo cannot turn an in-toto layer into schema 2: the Docker list has platforms only.
        write_oci_layout(&layout, "a", &["amd64", "arm64"], &random_bytes(60_000), Layer::Gzip);
    } else {
        write_attested_layout(&layout, "a", &["amd64", "arm64"], &random_bytes(60_000));
    }
    let reference = format!("{}/lib/attest:1", reg.addr);
    let mut args = vec!["copy", "-q", "--all", "--dest-tls-verify=false"];
    if docker_list {
        args.extend(["--format", "v2s2"]);
    }
    let (src, dst) = (format!("oci:{}:a", layout.display()), format!("docker://{reference}"));
    args.extend([src.as_str(), dst.as_str()]);
    skopeo(dir, &args);
    let raw = raw_manifest(dir, &reference);
    let index = serde_json::from_str(&raw).unwrap();
    Source { reference, raw, index }
}

fn raw_manifest(dir: &Path, reference: &str) -> String {
    skopeo(dir, &["inspect", "--raw", "--tls-verify=false", &format!("docker://{reference}")])
}

/// The digest of the first layer of the index's manifest for `arch`.
fn layer_of(dir: &Path, src: &Source, arch: &str) -> String {
    let m = src.index["manifests"].as_array().unwrap().iter().find(|m| m["platform"]["architecture"] == arch).unwrap();
    let repo = src.reference.rsplit_once(':').unwrap().0;
    let manifest: serde_json::Value =
        serde_json::from_str(&raw_manifest(dir, &format!("{repo}@{}", m["digest"].as_str().unwrap()))).unwrap();
    manifest["layers"][0]["digest"].as_str().unwrap().to_owned()
}

fn id(d: &Daemon, reference: &str) -> String {
    d.ok(&["inspect", "-f", "{{.Id}}", reference]).trim().to_owned()
}

#[test]
fn an_attested_index_is_pulled_per_platform_and_pushed_byte_identical() {
    let reg = RegistryServer::start(false).unwrap();
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let src = publish(&reg, dir, false);
    let arm_layer = layer_of(dir, &src, "arm64");
    let amd_layer = layer_of(dir, &src, "amd64");

    // The default pull takes the host platform and the attestation about it, not arm64.
    d.ok(&["pull", &src.reference]);
    assert_eq!(reg.blob_gets(&amd_layer), 1);
    assert_eq!(reg.blob_gets(&arm_layer), 0, "the arm64 layer was downloaded by a host-platform pull");
    let amd_id = id(&d, &src.reference);

    // Pushing the index now would name arm64, which neither side has: refused, with what to do.
    let partial = format!("{}/lib/partial:1", reg.addr);
    d.ok(&["tag", &src.reference, &partial]);
    let err = d.fails(&["push", &partial]);
    assert!(err.contains("linux/arm64") && err.contains("--platform"), "{err}");
    // One platform on its own is an explicit choice.
    d.ok(&["push", "--platform", "linux/amd64", &partial]);
    let single: serde_json::Value = serde_json::from_str(&raw_manifest(dir, &partial)).unwrap();
    assert!(single.get("config").is_some(), "a single manifest: {single}");

    // A later pull of arm64 joins the same image: the tag still names the amd64 image.
    d.ok(&["pull", "--platform", "linux/arm64", &src.reference]);
    assert_eq!(reg.blob_gets(&arm_layer), 1);
    assert_eq!(id(&d, &src.reference), amd_id, "the tag was re-pointed");

    // Every command understands platforms.
    let tree = d.ok(&["images", "--tree", &src.reference]);
    let rows: Vec<&str> = tree.lines().collect();
    assert_eq!(rows.len(), 5, "{tree}");
    assert!(rows[2].contains("├─ linux/amd64") && rows[2].contains("in use"), "{tree}");
    assert!(rows[3].contains("├─ linux/arm64") && !rows[3].contains("not here"), "{tree}");
    assert!(rows[4].contains("└─ attestation for linux/amd64"), "{tree}");
    let arch = |platform: &str| d.ok(&["inspect", "--platform", platform, "-f", "{{.Architecture}}", &src.reference]);
    assert_eq!(arch("linux/arm64").trim(), "arm64");
    assert_eq!(arch("linux/amd64").trim(), "amd64");
    let index: serde_json::Value =
        serde_json::from_str(&d.ok(&["inspect", "-f", "{{json .Index}}", &src.reference])).unwrap();
    assert_eq!(index["Manifests"].as_array().unwrap().len(), 3, "{index}");
    assert!(d.ok(&["history", "--platform", "linux/arm64", &src.reference]).contains("IMAGE"));
    let err = d.fails(&["inspect", "--platform", "linux/s390x", &src.reference]);
    assert!(err.contains("linux/s390x") && err.contains("linux/amd64, linux/arm64"), "{err}");

    // rmi --platform takes one platform away; the platform in use stays until the image goes.
    let arm_blob = d.root.join("blobs/sha256").join(arm_layer.trim_start_matches("sha256:"));
    assert!(arm_blob.exists());
    d.ok(&["rmi", "--platform", "linux/arm64", &src.reference]);
    assert!(!arm_blob.exists(), "the arm64 layer stayed on disk");
    assert!(d.ok(&["images", "--tree", &src.reference]).lines().nth(3).unwrap().contains("not here"));
    let err = d.fails(&["rmi", "--platform", "linux/amd64", &src.reference]);
    assert!(err.contains("in use"), "{err}");
    d.ok(&["pull", "--platform", "linux/arm64", &src.reference]);

    // Now the whole index goes up, byte for byte, and skopeo can copy every blob of it.
    let copy = format!("{}/lib/copy:1", reg.addr);
    d.ok(&["tag", &src.reference, &copy]);
    d.ok(&["push", &copy]);
    assert_eq!(raw_manifest(dir, &copy), src.raw, "the pushed index differs from the source");
    let out = dir.join("out");
    skopeo(
        dir,
        &[
            "copy",
            "-q",
            "--all",
            "--src-tls-verify=false",
            &format!("docker://{copy}"),
            &format!("oci:{}:c", out.display()),
        ],
    );

    // save → load into a fresh root → push: the same index again; containerd and skopeo take the archive
    // with every platform.
    let archive = dir.join("attest.tar");
    d.ok(&["save", "-o", archive.to_str().unwrap(), &src.reference]);
    let loaded = Daemon::start().unwrap();
    loaded.ok(&["load", "-i", archive.to_str().unwrap()]);
    assert_eq!(id(&loaded, &src.reference), amd_id);
    let copy3 = format!("{}/lib/copy3:1", reg.addr);
    loaded.ok(&["tag", &src.reference, &copy3]);
    loaded.ok(&["push", &copy3]);
    assert_eq!(raw_manifest(dir, &copy3), src.raw, "the index did not survive save and load");
    let ctr = Containerd::start(dir).unwrap();
    ctr.ctr(&["images", "import", "--all-platforms", archive.to_str().unwrap()]);
    assert!(ctr.ctr(&["images", "ls", "-q"]).contains("lib/attest:1"));
    let out2 = dir.join("out2");
    skopeo(
        dir,
        &["copy", "-q", "--all", &format!("oci-archive:{}", archive.display()), &format!("oci:{}:c", out2.display())],
    );
    // With --platform, one platform's manifest alone.
    let arm = dir.join("arm.tar");
    d.ok(&["save", "--platform", "linux/arm64", "-o", arm.to_str().unwrap(), &src.reference]);
    let one = Daemon::start().unwrap();
    one.ok(&["load", "-i", arm.to_str().unwrap()]);
    assert_eq!(one.ok(&["inspect", "-f", "{{.Architecture}}", &src.reference]).trim(), "arm64");

    // --all-platforms in a fresh daemon: everything in one pull, and the same index out again.
    let fresh = Daemon::start().unwrap();
    fresh.ok(&["pull", "--all-platforms", &src.reference]);
    assert_eq!(id(&fresh, &src.reference), amd_id, "the host platform is the image in use");
    let copy2 = format!("{}/lib/copy2:1", reg.addr);
    fresh.ok(&["tag", &src.reference, &copy2]);
    fresh.ok(&["push", &copy2]);
    assert_eq!(raw_manifest(dir, &copy2), src.raw);

    // Several platforms in one pull (repeated or comma-separated): the first is the one in use.
    let two = Daemon::start().unwrap();
    two.ok(&["pull", "--platform", "linux/arm64", "--platform", "linux/amd64", &src.reference]);
    assert_eq!(two.ok(&["inspect", "-f", "{{.Architecture}}", &src.reference]).trim(), "arm64");
    let tree = two.ok(&["images", "--tree", &src.reference]);
    assert!(!tree.contains("not here"), "{tree}");
}

#[test]
fn docker_manifest_lists_behave_as_oci_indexes() {
    let reg = RegistryServer::start(false).unwrap();
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let src = publish(&reg, dir, true);
    assert_eq!(src.index["mediaType"], "application/vnd.docker.distribution.manifest.list.v2+json");
    d.ok(&["pull", "--all-platforms", &src.reference]);
    let copy = format!("{}/lib/listcopy:1", reg.addr);
    d.ok(&["tag", &src.reference, &copy]);
    d.ok(&["push", &copy]);
    assert_eq!(raw_manifest(dir, &copy), src.raw);
    // Removing the image gives back every blob of every platform.
    d.ok(&["rmi", &src.reference, &copy]);
    let blobs = std::fs::read_dir(d.root.join("blobs/sha256")).map(|r| r.count()).unwrap_or(0);
    assert_eq!(blobs, 0, "blobs of the index stayed behind");
}
