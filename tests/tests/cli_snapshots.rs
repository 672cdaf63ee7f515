//! Snapshot tests of imagectl: every command's `--help`, table and `--format` output. Run with
//! `UPDATE_SNAPSHOTS=1` to rewrite the files in `tests/snapshots/` after an intended change.
use std::{path::PathBuf, process::Command};

use imaged_tests::{Daemon, bin, write_rootfs};

const COMMANDS: &[&str] = &[
    "",
    "images",
    "inspect",
    "history",
    "tag",
    "rmi",
    "import",
    "save",
    "load",
    "pull",
    "push",
    "login",
    "logout",
    "search",
    "commit",
    "build",
    "image",
    "image ls",
    "image prune",
    "image rm",
    "container",
    "container create",
    "container exec",
    "container ls",
    "container rm",
    "system",
    "system df",
    "info",
    "version",
    "completion",
];

fn snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no snapshot {}: run with UPDATE_SNAPSHOTS=1", path.display()));
    assert_eq!(actual, expected, "snapshot {name} differs (UPDATE_SNAPSHOTS=1 rewrites it)");
}

#[test]
fn help_of_every_command() {
    for cmd in COMMANDS {
        let mut args: Vec<&str> = cmd.split_whitespace().collect();
        args.push("--help");
        let out = Command::new(bin("imagectl")).args(&args).env_remove("IMAGED_HOST").output().unwrap();
        assert!(out.status.success(), "{cmd} --help failed");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Usage: imagectl"), "{cmd}: {text}");
        let name = if cmd.is_empty() { "imagectl".to_owned() } else { cmd.replace(' ', "_") };
        snapshot(&format!("help/{name}.txt"), &text);
    }
}

#[test]
fn tables_and_templates() {
    let d = Daemon::start().unwrap();
    let a = write_rootfs(&d.dir.path().join("a.tar"), &[("f", b"x".to_vec())]);
    d.ok(&["import", a.to_str().unwrap(), "snap/alpha:1", "-c", "ENV A=1", "-c", "LABEL team=x"]);
    d.ok(&["tag", "snap/alpha:1", "snap/alpha:2"]);
    d.ok(&["tag", "snap/alpha:1", "localhost:5000/snap/beta:v1"]);
    let mut out = String::new();
    for args in [
        &["images", "--format", "table {{.Repository}}\t{{.Tag}}"][..],
        &["images", "--format", "{{.Repository}}:{{.Tag}}"][..],
        &[
            "images",
            "--format",
            "{{json .Repository}} {{.Tag | upper}} {{title .Repository}} {{split .Repository \"/\"}}",
        ][..],
        &["inspect", "-f", "{{.Config.Env}} {{json .Config.Labels}} {{index .RepoTags 0}}", "snap/alpha:1"][..],
        &["inspect", "-f", "{{range .RepoTags}}[{{.}}]{{end}}", "snap/alpha:1"][..],
        &["history", "--format", "{{.CreatedBy}}|{{.Comment}}", "snap/alpha:1"][..],
        &["container", "ls"][..],
    ] {
        out.push_str(&format!("$ imagectl {}\n{}", args.join(" "), d.ok(args)));
    }
    snapshot("tables_and_templates.txt", &out);
    // The default table's header and id column, as Docker prints them.
    let table = d.ok(&["images"]);
    let header = table.lines().next().unwrap();
    assert_eq!(header.split_whitespace().collect::<Vec<_>>(), ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"]);
    assert!(header.contains("   TAG       IMAGE ID       CREATED   "), "{header}");
    let first = table.lines().nth(1).unwrap();
    let id = first.split_whitespace().nth(2).unwrap();
    assert!(id.len() == 12 && id.chars().all(|c| c.is_ascii_hexdigit()), "{first}");
}

#[test]
fn completions_for_bash_zsh_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(bin("imagectl")).args(["completion", shell]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        for word in ["images", "pull", "container", "build", "no-trunc"] {
            assert!(text.contains(word), "{shell} completion lacks {word}");
        }
    }
    let script = Command::new(bin("imagectl")).args(["completion", "bash"]).output().unwrap().stdout;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.bash"), script).unwrap();
    let ok = Command::new("bash").arg("-n").arg(dir.path().join("c.bash")).status().unwrap();
    assert!(ok.success(), "the bash completion script parses");
}
