use imaged_core::{Digest, Namespace};

use super::*;

fn rec(seed: &str, layers: &[&str]) -> ImageRecord {
    let d = |s: &str| Digest::of(s.as_bytes());
    ImageRecord {
        id: d(&format!("config-{seed}")),
        manifest: DescriptorRecord { media_type: "m".into(), digest: d(&format!("manifest-{seed}")), size: 10 },
        config: DescriptorRecord { media_type: "c".into(), digest: d(&format!("config-{seed}")), size: 5 },
        layers: layers
            .iter()
            .map(|l| LayerRecord { media_type: "l".into(), digest: d(l), size: 100, diff_id: d(&format!("diff-{l}")) })
            .collect(),
        created: 1,
        repo_tags: vec![],
        repo_digests: vec![],
        parent: None,
        labels: Default::default(),
        os: "linux".into(),
        architecture: "amd64".into(),
        variant: None,
        added: 1,
        last_tag_time: 1,
        index: None,
    }
}

#[test]
fn names_move_and_refcounts_free_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let idx = Index::open(dir.path()).unwrap();
    let ns = Namespace::default();
    let a = rec("a", &["shared", "only-a"]);
    let b = rec("b", &["shared"]);
    let out = idx.put_image(&ns, &a, b"{}", &["docker.io/library/x:1".into()], 5).unwrap();
    assert!(out.created);
    let out = idx.put_image(&ns, &b, b"{}", &["docker.io/library/x:1".into()], 6).unwrap();
    assert_eq!(out.moved, vec![(a.id.clone(), "docker.io/library/x:1".to_string())]);
    assert!(idx.get_image(&ns, &a.id).unwrap().unwrap().is_dangling());
    assert_eq!(idx.resolve_name(&ns, "docker.io/library/x:1").unwrap(), Some(b.id.clone()));
    let shared = Digest::of(b"shared");
    assert_eq!(idx.blob_refcount(&shared).unwrap(), 2);

    let freed = idx.delete_image(&ns, &a.id).unwrap();
    assert!(freed.contains(&Digest::of(b"only-a")));
    assert!(!freed.contains(&shared));
    assert_eq!(idx.config(&a.id).unwrap(), None);
    assert_eq!(idx.blob_refcount(&shared).unwrap(), 1);

    let other = Namespace::parse("other").unwrap();
    idx.put_image(&other, &b, b"{}", &[], 7).unwrap();
    assert_eq!(idx.blob_refcount(&shared).unwrap(), 2);
    assert!(idx.list_images(&ns).unwrap().len() == 1 && idx.list_images(&other).unwrap().len() == 1);
    assert_eq!(idx.find_id_prefix(&ns, &b.id.hex()[..3]).unwrap(), vec![b.id.clone()]);
    idx.delete_image(&ns, &b.id).unwrap();
    assert_eq!(idx.resolve_name(&ns, "docker.io/library/x:1").unwrap(), None);
    assert!(idx.delete_image(&other, &b.id).unwrap().contains(&shared));
    assert!(idx.referenced_blobs().unwrap().is_empty());
}

#[test]
fn reopen_keeps_data_and_checks_schema() {
    let dir = tempfile::tempdir().unwrap();
    let ns = Namespace::default();
    let a = rec("a", &["l"]);
    {
        let idx = Index::open(dir.path()).unwrap();
        idx.put_image(&ns, &a, b"{\"x\":1}", &["docker.io/library/a:latest".into()], 1).unwrap();
    }
    let idx = Index::open(dir.path()).unwrap();
    assert_eq!(idx.get_image(&ns, &a.id).unwrap().unwrap().repo_tags, vec!["docker.io/library/a:latest"]);
    assert_eq!(idx.config(&a.id).unwrap().unwrap(), b"{\"x\":1}");
    let r = idx.untag(&ns, &a.id, &["docker.io/library/a:latest".into()]).unwrap();
    assert!(r.is_dangling());
}
