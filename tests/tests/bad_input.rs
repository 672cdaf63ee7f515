//! Bad input gets a clear error with the right code and changes nothing that was stored.
use imaged_client::Code;
use imaged_client::{ClientError, pb};
use imaged_tests::{Daemon, gzip, random_bytes, raw_tar, write_rootfs};

fn code(e: &ClientError) -> Code {
    e.code()
}

async fn state(c: &imaged_client::Client) -> Vec<(String, Vec<String>)> {
    let mut v: Vec<_> = c.list(true, vec![]).await.unwrap().into_iter().map(|i| (i.id, i.repo_tags)).collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_and_changes_nothing() {
    let d = Daemon::start().unwrap();
    let c = d.client().await;
    let a = write_rootfs(&d.dir.path().join("a.tar"), &[("a", random_bytes(10_000))]);
    let b = write_rootfs(&d.dir.path().join("b.tar"), &[("b", random_bytes(10_000))]);
    d.ok(&["import", a.to_str().unwrap(), "keep:1"]);
    // Import until two ids share a first hex digit, to have an ambiguous prefix.
    let mut ids: Vec<String> = c.list(false, vec![]).await.unwrap().into_iter().map(|i| i.id).collect();
    let mut n = 0;
    while !ids.iter().enumerate().any(|(i, x)| ids[i + 1..].iter().any(|y| y[7..8] == x[7..8])) {
        let t = write_rootfs(&d.dir.path().join(format!("x{n}.tar")), &[("x", random_bytes(100))]);
        ids.push(d.ok(&["import", t.to_str().unwrap(), &format!("filler:{n}")]).trim().to_owned());
        n += 1;
    }
    d.ok(&["import", b.to_str().unwrap(), "keep:2"]);
    let before = state(&c).await;

    // Malformed references.
    for bad in ["UPPER:case", "a//b", "-lead", "name:tag:tag", ":"] {
        let e = c.inspect(bad, vec![]).await.unwrap_err();
        assert_eq!(code(&e), Code::InvalidArgument, "{bad}: {e}");
        assert_eq!(e.reason(), Some("INVALID_REFERENCE"));
        assert_eq!(code(&c.tag("keep:1", bad).await.unwrap_err()), Code::InvalidArgument, "tag to {bad}");
    }
    let err = d.fails(&["tag", "keep:1", "Bad/Name"]);
    assert!(err.starts_with("Error response from daemon: invalid reference format"), "{err}");
    // Unknown image.
    let e = c.remove("nothing:here", false, false).await.unwrap_err();
    assert_eq!(code(&e), Code::NotFound);
    assert_eq!(e.to_string(), "No such image: nothing:here");
    assert_eq!(e.reason(), Some("IMAGE_NOT_FOUND"));
    // Ambiguous id prefix.
    let prefix = ids
        .iter()
        .enumerate()
        .find_map(|(i, x)| ids[i + 1..].iter().any(|y| y[7..8] == x[7..8]).then(|| x[7..8].to_owned()))
        .unwrap();
    let e = c.remove(&prefix, true, false).await.unwrap_err();
    assert_eq!(code(&e), Code::InvalidArgument, "{e}");
    assert!(e.to_string().contains("ambiguous"), "{e}");

    // Hostile or broken tars.
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("dot-dot", raw_tar(&[("../escape", tar::EntryType::Regular, None, b"x")]), "../escape"),
        ("absolute", raw_tar(&[("/etc/evil", tar::EntryType::Regular, None, b"x")]), "/etc/evil"),
        (
            "through-absolute-symlink",
            raw_tar(&[
                ("etc", tar::EntryType::Symlink, Some("/etc"), b""),
                ("etc/cron.d/evil", tar::EntryType::Regular, None, b"x"),
            ]),
            "etc/cron.d/evil",
        ),
        ("symlink-climbs", raw_tar(&[("a/up", tar::EntryType::Symlink, Some("../../../../etc"), b"")]), "a/up"),
        ("hardlink-out", raw_tar(&[("h", tar::EntryType::Link, Some("/etc/shadow"), b"")]), "h"),
        (
            "truncated-gzip",
            {
                let g = gzip(&std::fs::read(&a).unwrap());
                g[..g.len() / 2].to_vec()
            },
            "truncated",
        ),
        ("not-a-tar", random_bytes(5000), "not a tar archive (plain, gzip or zstd)"),
        ("empty", vec![], "empty"),
    ];
    for (name, data, needle) in cases {
        let out = d.imagectl_stdin(&["import", "-", &format!("bad:{name}")], Some(&data));
        assert!(!out.status.success(), "{name} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("Error response from daemon:") && err.contains(needle), "{name}: {err}");
        let e = c
            .import(
                pb::ImportOptions { reference: format!("bad:{name}"), ..Default::default() },
                std::io::Cursor::new(data),
            )
            .await
            .unwrap_err();
        assert_eq!(code(&e), Code::InvalidArgument, "{name}: {e}");
    }
    // A change that is not allowed.
    let e = c
        .import(
            pb::ImportOptions { changes: vec!["RUN rm -rf /".into()], ..Default::default() },
            std::io::Cursor::new(std::fs::read(&a).unwrap()),
        )
        .await
        .unwrap_err();
    assert_eq!(code(&e), Code::InvalidArgument);
    // A namespace name with illegal characters.
    let e = c.with_namespace("no/slashes").unwrap().list(false, vec![]).await.unwrap_err();
    assert_eq!(code(&e), Code::InvalidArgument);
    assert_eq!(e.reason(), Some("INVALID_NAMESPACE"));
    // Bad filters.
    assert_eq!(code(&c.list(false, vec![("colour".into(), "red".into())]).await.unwrap_err()), Code::InvalidArgument);

    assert_eq!(state(&c).await, before, "bad input changed the stored images");
    let ingest = std::fs::read_dir(d.root.join("ingest")).unwrap().count();
    assert_eq!(ingest, 0, "failed imports left partial data");
    // Namespaces are separate: the same names do not leak.
    let other = c.with_namespace("team-b").unwrap();
    assert!(other.list(false, vec![]).await.unwrap().is_empty());
    assert_eq!(code(&other.inspect("keep:1", vec![]).await.unwrap_err()), Code::NotFound);
}
