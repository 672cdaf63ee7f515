//! The engine's local operations over a real store and index in a temp dir.
use std::fs::File;

use imaged_core::{ErrorKind, ImageRef, Namespace, Reference};
use imaged_images::{DeleteItem, Engine, ImportOptions, ImportSource, ListOptions, RemoveOptions, parse_change};

fn rootfs_tar(dir: &std::path::Path, name: &str, files: &[(&str, &[u8])]) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut b = tar::Builder::new(File::create(&path).unwrap());
    for (n, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o755);
        h.set_mtime(1_700_000_000);
        h.set_cksum();
        b.append_data(&mut h, n, *data).unwrap();
    }
    b.finish().unwrap();
    path
}

/// What a user names an image by, parsed as the server's edge parses it.
fn img(s: &str) -> ImageRef {
    ImageRef::parse(s).unwrap()
}

async fn import(e: &Engine, ns: &Namespace, tar: &std::path::Path, name: Option<&str>) -> imaged_images::ImportOutcome {
    let opts = ImportOptions {
        reference: name.map(|n| Reference::parse_docker(n).unwrap()),
        changes: vec![parse_change(r#"CMD ["sh"]"#).unwrap()],
        ..Default::default()
    };
    e.images().import(ns, opts, ImportSource::File(File::open(tar).unwrap())).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn docker_rmi_semantics() {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open(&dir.path().join("root")).unwrap();
    let ns = Namespace::default();
    let a = rootfs_tar(dir.path(), "a.tar", &[("bin/a", &[1u8; 50_000])]);
    let b = rootfs_tar(dir.path(), "b.tar", &[("bin/b", &[2u8; 70_000])]);
    let ia = import(&e, &ns, &a, Some("alpha:1")).await;
    let ib = import(&e, &ns, &b, Some("beta")).await;
    e.images().tag(&ns, &img("alpha:1"), &Reference::parse_docker("alpha:2").unwrap()).await.unwrap();
    e.images().tag(&ns, &img("alpha:1"), &Reference::parse_docker("other/repo:x").unwrap()).await.unwrap();

    let list = e.images().list(&ns, ListOptions::default()).await.unwrap();
    assert_eq!(list.len(), 2);
    let la = list.iter().find(|s| s.record.id == ia.image_id).unwrap();
    assert_eq!(la.repo_tags.len(), 3);

    let details = e.images().inspect(&ns, &img(&ia.image_id.hex()[..8]), None).await.unwrap();
    assert_eq!(details.config.config.unwrap().cmd.unwrap(), ["sh"]);
    let hist = e.images().history(&ns, &img("beta"), None).await.unwrap();
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0].id.as_ref(), Some(&ib.image_id));
    assert_eq!(hist[0].comment, "Imported from -");

    // By tag: untag only while other names remain.
    let out = e.images().remove(&ns, &img("alpha:2"), RemoveOptions::default()).await.unwrap();
    assert_eq!(out.items, vec![DeleteItem::Untagged("docker.io/library/alpha:2".into())]);
    assert_eq!(out.space_reclaimed, 0);
    // By id with two repositories: refused, then forced.
    let err = e.images().remove(&ns, &img(ia.image_id.hex()), RemoveOptions::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FailedPrecondition);
    assert!(e.images().inspect(&ns, &img("alpha:1"), None).await.is_ok(), "refused rmi changed nothing");
    let out =
        e.images().remove(&ns, &img(ia.image_id.hex()), RemoveOptions { force: true, no_prune: false }).await.unwrap();
    assert_eq!(out.items.len(), 3);
    assert_eq!(out.items.last(), Some(&DeleteItem::Deleted(ia.image_id.clone())));
    assert!(out.space_reclaimed >= ia.layer.size, "{} < {}", out.space_reclaimed, ia.layer.size);
    assert!(!e.store().exists(&ia.layer.digest));

    // Last tag removed: image deleted.
    let out = e.images().remove(&ns, &img("beta"), RemoveOptions::default()).await.unwrap();
    assert_eq!(
        out.items,
        vec![DeleteItem::Untagged("docker.io/library/beta:latest".into()), DeleteItem::Deleted(ib.image_id.clone())]
    );
    assert!(e.store().walk().unwrap().is_empty(), "every blob reclaimed");
    assert!(e.content().check(true).await.unwrap().is_consistent());
}

#[tokio::test(flavor = "multi_thread")]
async fn prune_dangling_then_all_and_shared_usage() {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open(&dir.path().join("root")).unwrap();
    let ns = Namespace::default();
    let a = rootfs_tar(dir.path(), "a.tar", &[("x", &[7u8; 30_000])]);
    let b = rootfs_tar(dir.path(), "b.tar", &[("y", &[8u8; 30_000])]);
    let first = import(&e, &ns, &a, Some("app:1")).await;
    let second = import(&e, &ns, &b, Some("app:1")).await; // moves the name: first becomes dangling
    let same = import(&e, &ns, &a, Some("copy:1")).await; // same tar, same layer blob
    assert_eq!(same.layer.digest, first.layer.digest);

    let dangling = e
        .images()
        .list(&ns, ListOptions { all: false, filters: vec![("dangling".into(), "true".into())] })
        .await
        .unwrap();
    assert_eq!(dangling.len(), 1);
    assert_eq!(dangling[0].record.id, first.image_id);
    let du = e.images().disk_usage(&ns).await.unwrap();
    assert_eq!(du.images.len(), 3);
    // Logical sizes are Docker's (files unpacked); physical is the stored blobs, the shared layer once.
    assert_eq!(du.logical_size, 3 * 30_000);
    let shared: Vec<u64> = du.images.iter().map(|i| i.shared_size).collect();
    assert_eq!(shared.iter().filter(|s| **s == 30_000).count(), 2, "only the layer is shared: {shared:?}");
    // The two layer blobs once each, plus three small configs.
    let layers = first.layer.size + second.layer.size;
    assert!((layers..layers + 3_000).contains(&du.physical_size), "{} vs {layers}", du.physical_size);

    let out = e.images().prune(&ns, false, vec![]).await.unwrap();
    assert_eq!(out.items, vec![DeleteItem::Deleted(first.image_id.clone())]);
    assert!(e.store().exists(&first.layer.digest), "layer still used by copy:1");
    let out = e.images().prune(&ns, true, vec![]).await.unwrap();
    assert!(out.items.contains(&DeleteItem::Deleted(second.image_id.clone())));
    assert!(out.items.contains(&DeleteItem::Deleted(same.image_id.clone())));
    assert!(out.space_reclaimed >= first.layer.size + second.layer.size);
    assert!(e.store().walk().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open(&dir.path().join("root")).unwrap();
    let ns = Namespace::default();
    let a = rootfs_tar(dir.path(), "a.tar", &[("x", b"1")]);
    let i1 = import(&e, &ns, &a, Some("one")).await;
    let b = rootfs_tar(dir.path(), "b.tar", &[("y", b"2")]);
    import(&e, &ns, &b, Some("two")).await;
    assert_eq!(e.images().inspect(&ns, &img("nope"), None).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert!(ImageRef::parse("UPPER").is_err(), "refused at the edge");
    let with_digest = Reference::parse_docker(&format!("x@sha256:{}", "a".repeat(64))).unwrap();
    assert_eq!(e.images().tag(&ns, &img("one"), &with_digest).await.unwrap_err().kind(), ErrorKind::InvalidArgument);
    // A prefix shared by both ids is ambiguous unless it happens to be unique; the empty-ish prefix "sha256:" is not an id.
    let ids: Vec<_> =
        e.images().list(&ns, ListOptions::default()).await.unwrap().into_iter().map(|s| s.record.id).collect();
    let common: usize = ids[0].hex().chars().zip(ids[1].hex().chars()).take_while(|(x, y)| x == y).count();
    if common > 0 {
        let err = e.images().inspect(&ns, &img(&ids[0].hex()[..common]), None).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    }
    let evil = dir.path().join("evil.tar");
    {
        let mut b = tar::Builder::new(File::create(&evil).unwrap());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "etc", "/etc").unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        h.set_cksum();
        b.append_data(&mut h, "etc/passwd", &b"x"[..]).unwrap();
        b.finish().unwrap();
    }
    let err = e
        .images()
        .import(&ns, ImportOptions::default(), ImportSource::File(File::open(&evil).unwrap()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("etc/passwd"), "{err}");
    assert_eq!(e.images().list(&ns, ListOptions::default()).await.unwrap().len(), 2);
    assert!(e.store().list_ingests().unwrap().is_empty(), "failed import left an ingest");
    assert_eq!(e.images().inspect(&ns, &img("one"), None).await.unwrap().record.id, i1.image_id);
}
