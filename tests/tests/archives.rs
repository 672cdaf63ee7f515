//! Save and load: round trips, interop with the real skopeo in both directions, hostile archives.
use std::process::Command;

use imaged_tests::{Daemon, gzip, random_bytes, raw_tar, skopeo, write_rootfs};
use serde_json::Value;

fn inspect(d: &Daemon, image: &str) -> Value {
    let v: Value = serde_json::from_str(&d.ok(&["inspect", image])).unwrap();
    v[0].clone()
}

/// What must survive a round trip: id, names, history, layers, config.
fn identity(d: &Daemon, image: &str) -> (Value, Value, String, Value, Value) {
    let i = inspect(d, image);
    let hist = d.ok(&["history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}", image]);
    (i["Id"].clone(), i["RepoTags"].clone(), hist, i["RootFS"].clone(), i["Config"].clone())
}

fn blob_count(d: &Daemon) -> usize {
    std::fs::read_dir(d.root.join("blobs/sha256")).unwrap().count()
}

#[test]
fn round_trip_both_formats_and_shared_layers() {
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let base = write_rootfs(&dir.join("base.tar"), &[("bin/tool", random_bytes(3_000_000))]);
    let other = write_rootfs(&dir.join("other.tar"), &[("etc/x", random_bytes(500_000))]);
    d.ok(&["import", base.to_str().unwrap(), "app:1", "-c", r#"CMD ["tool"]"#]);
    d.ok(&["import", base.to_str().unwrap(), "app:2", "-c", "ENV MODE=2"]); // same layer, other config
    d.ok(&["import", other.to_str().unwrap(), "registry.local:5000/team/other:v1", "-m", "other one"]);
    d.ok(&["tag", "app:1", "app:latest"]);
    let images = ["app:1", "app:2", "registry.local:5000/team/other:v1"];
    let before: Vec<_> = images.iter().map(|i| identity(&d, i)).collect();

    for format in ["docker", "oci"] {
        let archive = dir.join(format!("all-{format}.tar"));
        d.ok(&[
            "save",
            "--format",
            format,
            "-o",
            archive.to_str().unwrap(),
            "app:1",
            "app:latest",
            "app:2",
            "registry.local:5000/team/other:v1",
        ]);
        // The shared layer is written once.
        let listing = Command::new("tar").arg("-tf").arg(&archive).output().unwrap();
        let names = String::from_utf8_lossy(&listing.stdout).into_owned();
        assert_eq!(
            names.lines().filter(|l| l.starts_with("blobs/sha256/") && l.len() > 20).count(),
            2 + 3 + 3,
            "{names}"
        );
        assert_eq!(names.contains("manifest.json"), format == "docker");

        d.ok(&["image", "prune", "-a", "-f"]);
        assert_eq!(blob_count(&d), 0);
        let out = d.ok(&["load", "-i", archive.to_str().unwrap()]);
        for n in ["app:1", "app:latest", "app:2", "registry.local:5000/team/other:v1"] {
            assert!(out.lines().any(|l| l == format!("Loaded image: {n}")), "{out}");
        }
        let after: Vec<_> = images.iter().map(|i| identity(&d, i)).collect();
        assert_eq!(before, after, "{format} round trip changed an image");
        let check = imaged_tests::check_root_running(&d);
        assert!(check, "store inconsistent after load");
    }

    // Streamed through a pipe, gzip- and zstd-compressed: `imagectl save | gzip | imagectl load`.
    let out = d.imagectl(&["save", "app:2"]);
    assert!(out.status.success());
    d.ok(&["rmi", "app:2"]);
    let loaded = d.imagectl_stdin(&["load"], Some(&gzip(&out.stdout)));
    assert_eq!(String::from_utf8_lossy(&loaded.stdout).trim(), "Loaded image: app:2");
    d.ok(&["rmi", "app:2"]);
    let z = zstd::encode_all(&out.stdout[..], 3).unwrap();
    let loaded = d.imagectl_stdin(&["load", "-q"], Some(&z));
    assert!(loaded.status.success() && loaded.stdout.is_empty());
    assert_eq!(identity(&d, "app:2"), before[1]);
}

#[test]
fn skopeo_reads_ours_and_we_read_skopeos() {
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let a = write_rootfs(&dir.join("a.tar"), &[("a", random_bytes(1_000_000))]);
    let b = write_rootfs(&dir.join("b.tar"), &[("b", random_bytes(700_000))]);
    let id_a = d.ok(&["import", a.to_str().unwrap(), "sk/a:1", "-c", r#"ENTRYPOINT ["/a"]"#]).trim().to_owned();
    d.ok(&["import", b.to_str().unwrap(), "sk/b:1"]);
    d.ok(&["import", a.to_str().unwrap(), "sk/a:2", "-c", "LABEL second=yes"]);

    // Ours → skopeo: docker-archive (our default format) and oci-archive.
    let ours = dir.join("ours.tar");
    d.ok(&["save", "-o", ours.to_str().unwrap(), "sk/a:1"]);
    let info: Value =
        serde_json::from_str(&skopeo(dir, &["inspect", &format!("docker-archive:{}", ours.display())])).unwrap();
    assert_eq!(info["Architecture"], "amd64");
    assert_eq!(info["Layers"].as_array().unwrap().len(), 1);
    let oci_dir = dir.join("oci");
    skopeo(
        dir,
        &["copy", "-q", &format!("docker-archive:{}", ours.display()), &format!("oci:{}:a1", oci_dir.display())],
    );
    let cfg: Value =
        serde_json::from_str(&skopeo(dir, &["inspect", "--config", &format!("oci:{}:a1", oci_dir.display())])).unwrap();
    assert_eq!(cfg["config"]["Entrypoint"][0], "/a");
    let ours_oci = dir.join("ours-oci.tar");
    d.ok(&["save", "--format", "oci", "-o", ours_oci.to_str().unwrap(), "sk/b:1"]);
    let info: Value =
        serde_json::from_str(&skopeo(dir, &["inspect", &format!("oci-archive:{}", ours_oci.display())])).unwrap();
    assert_eq!(info["Layers"].as_array().unwrap().len(), 1);
    // Two images sharing a layer, read by skopeo from one archive of ours.
    let both = dir.join("both.tar");
    d.ok(&["save", "-o", both.to_str().unwrap(), "sk/a:1", "sk/a:2"]);
    for name in ["sk/a:1", "sk/a:2"] {
        let info: Value =
            serde_json::from_str(&skopeo(dir, &["inspect", &format!("docker-archive:{}:{name}", both.display())]))
                .unwrap();
        assert_eq!(info["Layers"].as_array().unwrap().len(), 1, "{name}");
    }

    // skopeo → ours: a docker-archive skopeo wrote (legacy layout, uncompressed layers, symlinks).
    let theirs = dir.join("theirs.tar");
    skopeo(
        dir,
        &[
            "copy",
            "-q",
            &format!("oci:{}:a1", oci_dir.display()),
            &format!("docker-archive:{}:from/skopeo:v1", theirs.display()),
        ],
    );
    d.ok(&["image", "prune", "-a", "-f"]);
    assert_eq!(d.ok(&["load", "-i", theirs.to_str().unwrap()]).trim(), "Loaded image: from/skopeo:v1");
    assert_eq!(inspect(&d, "from/skopeo:v1")["Id"], Value::from(id_a.clone()), "same config, same id");
    // …and an OCI layout holding two images that share a layer, written by skopeo, tarred.
    let layout = dir.join("layout");
    d.ok(&["save", "-o", both.to_str().unwrap(), "from/skopeo:v1"]);
    let ours_two = dir.join("ours-two.tar");
    {
        let d2 = Daemon::start().unwrap();
        d2.ok(&["import", a.to_str().unwrap(), "x:1", "-c", r#"ENTRYPOINT ["/a"]"#]);
        d2.ok(&["import", a.to_str().unwrap(), "x:2", "-c", "LABEL second=yes"]);
        d2.ok(&["save", "-o", ours_two.to_str().unwrap(), "x:1", "x:2"]);
    }
    for (name, tag) in [("x:1", "one"), ("x:2", "two")] {
        skopeo(
            dir,
            &[
                "copy",
                "-q",
                &format!("docker-archive:{}:{name}", ours_two.display()),
                &format!("oci:{}:{tag}", layout.display()),
            ],
        );
    }
    let tarred = dir.join("layout.tar");
    assert!(Command::new("tar").arg("-C").arg(&layout).arg("-cf").arg(&tarred).arg(".").status().unwrap().success());
    let out = d.ok(&["load", "-i", tarred.to_str().unwrap()]);
    let ids: Vec<String> = out.lines().map(|l| l.trim_start_matches("Loaded image ID: ").to_owned()).collect();
    assert_eq!(ids.len(), 2, "two untagged images (bare ref names are tags, not names): {out}");
    let layers: Vec<Value> = ids.iter().map(|i| inspect(&d, i)["RootFS"]["Layers"].clone()).collect();
    assert_eq!(layers[0], layers[1], "the two images share their layer");
    assert_eq!(layers[0], inspect(&d, &id_a)["RootFS"]["Layers"], "same tar, same diff id as imported here");
    assert_ne!(ids[0], ids[1]);
    assert!(imaged_tests::check_root_running(&d));
}

#[test]
fn hostile_archives_are_refused_and_change_nothing() {
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let a = write_rootfs(&dir.join("a.tar"), &[("a", random_bytes(100_000))]);
    d.ok(&["import", a.to_str().unwrap(), "keep:1"]);
    let good = dir.join("good.tar");
    d.ok(&["save", "-o", good.to_str().unwrap(), "keep:1"]);
    let good_bytes = std::fs::read(&good).unwrap();
    let images_before = d.ok(&["images", "-a", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}"]);
    let blobs_before = blob_count(&d);

    // Entries of the good archive, to build variants from.
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut ar = tar::Archive::new(&good_bytes[..]);
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        if e.header().entry_type().is_dir() {
            continue;
        }
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).unwrap();
        entries.push((e.path().unwrap().to_string_lossy().into_owned(), data));
    }
    let reg = |n: &str, d: Vec<u8>| (n.to_owned(), tar::EntryType::Regular, None::<String>, d);
    let rebuild = |extra: Vec<(String, tar::EntryType, Option<String>, Vec<u8>)>, skip: &dyn Fn(&str) -> bool| {
        let mut all: Vec<(String, tar::EntryType, Option<String>, Vec<u8>)> =
            entries.iter().filter(|(n, _)| !skip(n)).map(|(n, d)| reg(n, d.clone())).collect();
        all.extend(extra);
        let refs: Vec<(&str, tar::EntryType, Option<&str>, &[u8])> =
            all.iter().map(|(n, k, l, d)| (n.as_str(), *k, l.as_deref(), &d[..])).collect();
        raw_tar(&refs)
    };
    let layer_path = entries.iter().find(|(_, d)| d.len() > 50_000).unwrap().0.clone();
    let mut bomb = rebuild(vec![], &|_| false);
    bomb.extend(std::iter::repeat_n(0u8, 64 << 20));

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("dot-dot", rebuild(vec![reg("../evil", b"x".to_vec())], &|_| false), "../evil"),
        ("absolute", rebuild(vec![reg("/etc/evil", b"x".to_vec())], &|_| false), "/etc/evil"),
        (
            "escaping link",
            rebuild(
                vec![("x/layer.tar".into(), tar::EntryType::Symlink, Some("../../../etc/passwd".into()), vec![])],
                &|_| false,
            ),
            "x/layer.tar",
        ),
        ("duplicate", rebuild(vec![reg("oci-layout", b"{}".to_vec())], &|_| false), "duplicate"),
        ("missing blob", rebuild(vec![], &|n| n == layer_path), "missing"),
        (
            "mismatching blob",
            rebuild(vec![reg(&layer_path, random_bytes(1000))], &|n| n == layer_path),
            "does not match",
        ),
        ("gzip bomb", gzip(&bomb), "decompression bomb"),
        ("not a tar", random_bytes(10_000), "not a tar archive (plain, gzip or zstd)"),
        ("truncated", good_bytes[..good_bytes.len() / 2].to_vec(), "truncated"),
        ("empty", vec![], "empty"),
    ];
    for (name, data, needle) in cases {
        let out = d.imagectl_stdin(&["load"], Some(&data));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name} was accepted");
        assert!(err.contains("Error response from daemon:") && err.contains(needle), "{name}: {err}");
        assert_eq!(
            d.ok(&["images", "-a", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}"]),
            images_before,
            "{name} changed the images"
        );
        assert_eq!(blob_count(&d), blobs_before, "{name} left blobs behind");
    }
    assert_eq!(std::fs::read_dir(d.root.join("ingest")).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn oci_layout_with_zstd_layer_and_daemon_side_paths() {
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let layout = dir.join("z");
    imaged_tests::write_oci_layout(&layout, "zimg", &["amd64"], &random_bytes(40_000), imaged_tests::Layer::Zstd);
    let tarred = dir.join("z.tar");
    assert!(Command::new("tar").arg("-C").arg(&layout).arg("-cf").arg(&tarred).arg(".").status().unwrap().success());
    let c = d.client().await;
    // Daemon-side path: no bytes cross the connection.
    let loaded = c.load_path(&tarred).await.unwrap();
    assert_eq!(loaded.len(), 1);
    assert!(loaded[0].status.starts_with("Loaded image ID: sha256:"), "{loaded:?}");
    let id = loaded[0].image_id.clone();
    let img = inspect(&d, &id);
    assert_eq!(img["Descriptor"]["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    d.ok(&["tag", &id, "zstd/img:1"]);
    let out = dir.join("saved.tar");
    let size = c.save_path(vec!["zstd/img:1".into()], imaged_client::pb::ArchiveFormat::Oci, &out).await.unwrap();
    assert_eq!(size, std::fs::metadata(&out).unwrap().len());
    d.ok(&["rmi", "zstd/img:1"]);
    let again = c.load_path(&out).await.unwrap();
    assert_eq!(again[0].status, "Loaded image: zstd/img:1");
    assert_eq!(again[0].image_id, id);
    let e = c.load_path(&dir.join("missing.tar")).await.unwrap_err();
    assert_eq!(e.code(), imaged_client::Code::NotFound);
}
