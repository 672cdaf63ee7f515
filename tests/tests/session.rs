//! The foundation's scripted session through imagectl, checked against Docker's output shapes.
use imaged_tests::{Daemon, random_bytes, write_rootfs};

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

/// Splits a table row on runs of two or more spaces (Docker's tabwriter padding).
fn cells(line: &str) -> Vec<String> {
    line.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect()
}

fn parse_size(s: &str) -> f64 {
    let units = [("kB", 1e3), ("MB", 1e6), ("GB", 1e9), ("B", 1.0)];
    for (u, m) in units {
        if let Some(n) = s.strip_suffix(u) {
            return n.parse::<f64>().unwrap() * m;
        }
    }
    panic!("not a size: {s}")
}

#[test]
fn scripted_session() {
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let a = write_rootfs(&dir.join("a.tar"), &[("bin/a", random_bytes(2_000_000)), ("etc/a", b"a".to_vec())]);
    let b = write_rootfs(&dir.join("b.tar"), &[("bin/b", random_bytes(1_000_000))]);
    let id_a = d.ok(&[
        "import",
        a.to_str().unwrap(),
        "alpha:1",
        "-m",
        "from a",
        "-c",
        r#"CMD ["sh"]"#,
        "-c",
        "ENV A=1",
        "-c",
        "LABEL team=imaged",
    ]);
    let id_a = id_a.trim().to_owned();
    assert!(id_a.starts_with("sha256:") && id_a.len() == 71, "{id_a}");
    let gz = imaged_tests::gzip(&std::fs::read(&b).unwrap());
    let out = d.imagectl_stdin(&["import", "-", "beta"], Some(&gz));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    d.ok(&["tag", "alpha:1", "alpha:2"]);
    d.ok(&["tag", "alpha:1", "localhost:5000/team/alpha:v1"]);

    let list = d.ok(&["images"]);
    let rows = lines(&list);
    assert_eq!(cells(rows[0]), ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]);
    assert_eq!(rows.len(), 5, "{list}");
    let short = &id_a[7..19];
    for (repo, tag) in [("alpha", "1"), ("alpha", "2"), ("localhost:5000/team/alpha", "v1")] {
        let row = rows
            .iter()
            .map(|r| cells(r))
            .find(|c| c[0] == repo && c[1] == tag)
            .unwrap_or_else(|| panic!("{repo}:{tag} in {list}"));
        assert_eq!(row[2], short);
        assert!(row[3].ends_with(" ago"), "{row:?}");
        let size = parse_size(&row[4]);
        assert!((2.0e6..2.2e6).contains(&size), "{row:?}");
    }
    assert_eq!(d.ok(&["images", "-q"]).lines().count(), 2, "-q lists unique ids");
    assert_eq!(lines(&d.ok(&["images", "alpha"])).len(), 3, "positional reference filter");
    assert_eq!(d.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}", "beta"]).trim(), "beta:latest");
    assert_eq!(lines(&d.ok(&["images", "--filter", "label=team=imaged", "-q"])), [short]);

    // inspect, with and without -f
    let json: serde_json::Value = serde_json::from_str(&d.ok(&["inspect", "alpha:1"])).unwrap();
    let img = &json[0];
    assert_eq!(img["Id"], id_a);
    assert_eq!(img["RepoTags"], serde_json::json!(["alpha:1", "alpha:2", "localhost:5000/team/alpha:v1"]));
    assert_eq!(img["Config"]["Cmd"], serde_json::json!(["sh"]));
    assert_eq!(img["Config"]["Env"], serde_json::json!(["A=1"]));
    assert_eq!(img["Config"]["Labels"]["team"], "imaged");
    assert_eq!(img["Comment"], "from a");
    assert_eq!(img["Os"], "linux");
    assert_eq!(img["RootFS"]["Layers"].as_array().unwrap().len(), 1);
    let size = d.ok(&["inspect", "-f", "{{.Size}}", "alpha:1"]);
    assert_eq!(size.trim(), img["Size"].to_string());
    assert_eq!(d.ok(&["inspect", "-f", "{{json .Config.Cmd}}", short]).trim(), r#"["sh"]"#);

    // history
    let hist = d.ok(&["history", "--no-trunc", "alpha:1"]);
    let hrows = lines(&hist);
    assert_eq!(cells(hrows[0]), ["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]);
    assert!(hrows[1].starts_with(&id_a), "{hist}");
    assert!(hrows[1].contains("from a"), "{hist}");
    assert_eq!(d.ok(&["history", "-q", "alpha:1"]).trim(), short);

    // rmi by tag only untags while other names remain
    assert_eq!(d.ok(&["rmi", "alpha:2"]).trim(), "Untagged: alpha:2");
    // rmi by id: refused while two repositories reference it, then forced
    let err = d.fails(&["rmi", short]);
    assert!(
        err.contains("Error response from daemon: conflict: unable to delete")
            && err.contains("referenced in multiple repositories"),
        "{err}"
    );
    assert_eq!(lines(&d.ok(&["images", "-q"])).len(), 2, "refused rmi changed nothing");
    let out = d.ok(&["rmi", "-f", short]);
    assert_eq!(
        lines(&out),
        ["Untagged: alpha:1", "Untagged: localhost:5000/team/alpha:v1", &format!("Deleted: {id_a}")]
    );

    // prune: dangling first (beta is tagged, so nothing), then -a
    let id_c = d.ok(&["import", a.to_str().unwrap(), "gamma"]).trim().to_owned();
    d.ok(&["import", b.to_str().unwrap(), "gamma"]); // moves the name: the first gamma dangles
    let dangling = d.ok(&["images", "--filter", "dangling=true", "-q"]);
    assert_eq!(dangling.trim(), &id_c[7..19]);
    let du_before = blob_bytes(&d);
    let out = d.ok(&["image", "prune", "-f"]);
    assert!(out.starts_with("Deleted Images:\ndeleted: "), "{out}");
    let reclaimed = out.lines().last().unwrap();
    let freed = du_before - blob_bytes(&d);
    assert!(freed > 2_000_000, "the dangling image's layer is unique: freed {freed}");
    assert_eq!(reclaimed, format!("Total reclaimed space: {}", human(freed)));
    let before = blob_bytes(&d);
    let out = d.ok(&["image", "prune", "-a", "-f"]);
    assert!(out.contains("untagged: beta:latest") && out.contains("untagged: gamma:latest"), "{out}");
    assert_eq!(before - blob_bytes(&d), before, "prune -a frees every blob");
    assert_eq!(out.lines().last().unwrap(), format!("Total reclaimed space: {}", human(before)));
    assert_eq!(lines(&d.ok(&["images"])).len(), 1, "only the header is left");

    // system df: the same tar under two names is stored once
    d.ok(&["import", a.to_str().unwrap(), "one"]);
    d.ok(&["import", a.to_str().unwrap(), "two"]);
    let df = d.ok(&["system", "df"]);
    let row = cells(lines(&df)[1]);
    assert_eq!(row[0], "Images");
    assert_eq!(row[1], "2");
    let physical = parse_size(&row[3]);
    let df = d.ok(&["system", "df", "-v"]);
    let shared: Vec<f64> = lines(&df)
        .iter()
        .filter(|l| l.starts_with("one") || l.starts_with("two"))
        .map(|l| parse_size(&cells(l)[5]))
        .collect();
    assert_eq!(shared.len(), 2, "{df}");
    assert!(shared.iter().all(|s| (2.0e6..2.2e6).contains(s)), "the layer is shared: {df}");
    assert!((2.0e6..2.2e6).contains(&physical), "stored once: {physical}");
    // Sizes are Docker's (the files unpacked: 2,000,000 bytes each); on disk, the gzip blobs.
    assert!(df.contains("Logical size 4MB"), "{df}");
}

fn blob_bytes(d: &Daemon) -> u64 {
    std::fs::read_dir(d.root.join("blobs/sha256")).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum()
}

fn human(n: u64) -> String {
    let units = ["B", "kB", "MB", "GB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1000.0 && i < units.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    let dec = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{v:.dec$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s };
    format!("{s}{}", units[i])
}
