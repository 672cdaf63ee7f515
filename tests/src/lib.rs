//! Harness for end-to-end tests: the real `imaged` binary on a temp socket, the real `imagectl`, the real
//! `grpcurl`. Binaries come from the workspace target dir (`cargo build --bins` first; scripts/test.sh does).
pub mod fault_proxy;
pub mod soak;

use std::{
    fs::File,
    io::Write,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};

/// The directory with the built `imaged` and `imagectl`.
pub fn bin_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("IMAGED_BIN_DIR") {
        return PathBuf::from(d);
    }
    // target/<profile>/deps/<test exe> → target/<profile>
    let exe = std::env::current_exe().expect("current exe");
    let mut dir = exe.parent().expect("exe dir").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir
}

pub fn bin(name: &str) -> PathBuf {
    let p = bin_dir().join(name);
    assert!(p.exists(), "{} is missing: run `cargo build --bins` first (scripts/test.sh does)", p.display());
    p
}

/// The real grpcurl: `$GRPCURL`, or `.tools/bin/grpcurl` installed by scripts/install-grpcurl.sh.
pub fn grpcurl() -> PathBuf {
    let p = std::env::var_os("GRPCURL")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/bin/grpcurl"));
    assert!(p.exists(), "grpcurl is missing at {}: run scripts/install-grpcurl.sh", p.display());
    p
}

/// A running daemon on its own root and socket; killed on drop.
pub struct Daemon {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub socket: PathBuf,
    child: Option<Child>,
}

impl Daemon {
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with_config("")
    }

    /// Starts a daemon with `config` as its `--config` TOML file (empty: no file).
    pub fn start_with_config(config: &str) -> anyhow::Result<Self> {
        Self::start_at("root", "imaged.sock", config)
    }

    /// Starts a daemon with its root and socket at these paths inside its temp dir.
    pub fn start_at(root: &str, socket: &str, config: &str) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let root = dir.path().join(root);
        let socket = dir.path().join(socket);
        std::fs::create_dir_all(socket.parent().context("socket path")?)?;
        if !config.is_empty() {
            std::fs::write(dir.path().join("imaged.toml"), config)?;
        }
        let mut d = Self { dir, root, socket, child: None };
        d.spawn()?;
        Ok(d)
    }

    /// Starts (or restarts) the daemon on the same root.
    pub fn spawn(&mut self) -> anyhow::Result<()> {
        let log = File::create(self.dir.path().join("imaged.log"))?;
        let config = self.dir.path().join("imaged.toml");
        let mut cmd = Command::new(bin("imaged"));
        if config.exists() {
            cmd.arg("--config").arg(&config);
        }
        // Programs a test puts in DIR/bin (docker credential helpers) are found first.
        let extra = self.dir.path().join("bin");
        if extra.is_dir() {
            let path = std::env::var("PATH").unwrap_or_default();
            cmd.env("PATH", format!("{}:{path}", extra.display()));
        }
        let child = cmd
            .arg("--root")
            .arg(&self.root)
            .arg("--socket")
            .arg(&self.socket)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting imaged")?;
        self.child = Some(child);
        let start = Instant::now();
        while std::os::unix::net::UnixStream::connect(&self.socket).is_err() {
            if start.elapsed() > Duration::from_secs(20) {
                bail!("imaged did not listen within 20 s: {}", self.log());
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                bail!("imaged exited with {status}: {}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("imaged.log")).unwrap_or_default()
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    pub async fn client(&self) -> imaged_client::Client {
        imaged_client::Client::connect(&self.host()).await.expect("connect to imaged")
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// SIGKILL, no chance to clean up.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait for a graceful exit.
    pub fn stop(&mut self) -> anyhow::Result<std::process::ExitStatus> {
        let mut c = self.child.take().context("not running")?;
        Command::new("kill").arg("-TERM").arg(c.id().to_string()).status()?;
        Ok(c.wait()?)
    }

    /// Runs `imagectl` against this daemon.
    pub fn imagectl(&self, args: &[&str]) -> Output {
        self.imagectl_stdin(args, None)
    }

    pub fn imagectl_stdin(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let mut cmd = Command::new(bin("imagectl"));
        cmd.arg("--host").arg(self.host()).args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        let mut child = cmd.spawn().expect("imagectl");
        if let Some(data) = stdin {
            let mut sin = child.stdin.take().expect("stdin");
            sin.write_all(data).expect("write stdin");
        }
        child.wait_with_output().expect("imagectl output")
    }

    /// Runs imagectl and returns stdout, failing the test with stderr when it fails.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.imagectl(args);
        assert!(out.status.success(), "imagectl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf8")
    }

    /// Runs imagectl expecting failure; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.imagectl(args);
        assert!(
            !out.status.success(),
            "imagectl {args:?} should fail, printed {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stderr).expect("utf8")
    }

    /// Runs `grpcurl -plaintext -authority localhost -unix FLAGS SOCKET REST` (REST: `list`, `describe X`,
    /// or a method), as the README shows it for grpcurl 1.8 and stock h2.
    pub fn grpcurl(&self, flags: &[&str], rest: &[&str]) -> Output {
        Command::new(grpcurl())
            .args(["-plaintext", "-authority", "localhost"])
            .arg("-unix")
            .args(flags)
            .arg(&self.socket)
            .args(rest)
            .output()
            .expect("grpcurl")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Writes a root filesystem tar with the given files (deterministic headers).
pub fn write_rootfs(path: &Path, files: &[(&str, Vec<u8>)]) -> PathBuf {
    let mut b = tar::Builder::new(File::create(path).expect("create tar"));
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o755);
        h.set_mtime(1_700_000_000);
        h.set_cksum();
        b.append_data(&mut h, name, &data[..]).expect("append");
    }
    b.finish().expect("finish tar");
    path.to_owned()
}

/// Incompressible bytes, so stored sizes are predictable.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rand::fill(&mut v[..]);
    v
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

/// `imaged --check` on a stopped daemon's root.
pub fn check_root(root: &Path) -> Output {
    Command::new(bin("imaged")).arg("--root").arg(root).arg("--check").output().expect("imaged --check")
}

/// Consistency of a running daemon's store, checked through its files: every blob matches its name.
pub fn check_root_running(d: &Daemon) -> bool {
    use std::io::Read;
    for entry in std::fs::read_dir(d.root.join("blobs/sha256")).expect("blobs dir") {
        let entry = entry.expect("entry");
        let mut data = Vec::new();
        File::open(entry.path()).and_then(|mut f| f.read_to_end(&mut data)).expect("read blob");
        if imaged_core::Digest::of(&data).hex() != entry.file_name().to_string_lossy() {
            return false;
        }
    }
    true
}

/// A private Docker Engine (Debian docker.io) with its own data root and socket, as the interop oracle.
pub struct Dockerd {
    pub dir: tempfile::TempDir,
    pub socket: PathBuf,
    child: Child,
}

impl Dockerd {
    pub fn start() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let socket = dir.path().join("docker.sock");
        let log = File::create(dir.path().join("dockerd.log"))?;
        let child = Command::new("dockerd")
            .arg("--data-root")
            .arg(dir.path().join("data"))
            .arg("--exec-root")
            .arg(dir.path().join("exec"))
            .arg("--pidfile")
            .arg(dir.path().join("docker.pid"))
            .arg("-H")
            .arg(format!("unix://{}", socket.display()))
            .args(["--iptables=false", "--ip-masq=false", "--bridge=none", "--storage-driver=vfs"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting dockerd (Debian docker.io; scripts/test.sh installs it)")?;
        let d = Self { dir, socket, child };
        let start = Instant::now();
        loop {
            let ok = d.docker(&["version", "--format", "{{.Server.Version}}"]).status.success();
            if ok {
                return Ok(d);
            }
            if start.elapsed() > Duration::from_secs(60) {
                bail!(
                    "dockerd did not answer within 60 s: {}",
                    std::fs::read_to_string(d.dir.path().join("dockerd.log")).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn docker(&self, args: &[&str]) -> Output {
        Command::new("docker")
            .env("DOCKER_HOST", format!("unix://{}", self.socket.display()))
            .args(args)
            .output()
            .expect("docker CLI")
    }

    /// Runs docker and returns stdout, failing with stderr.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.docker(args);
        assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Dockerd {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A root filesystem with a static busybox (Debian busybox-static) and `sh`/`echo` links to it.
pub fn busybox_rootfs(path: &Path) -> PathBuf {
    let busybox = ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists())
        .expect("busybox-static is installed");
    let data = std::fs::read(busybox).expect("read busybox");
    let mut b = tar::Builder::new(File::create(path).expect("create tar"));
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o755);
    dir.set_size(0);
    b.append_data(&mut dir, "bin/", std::io::empty()).expect("dir");
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o755);
    h.set_mtime(1_700_000_000);
    b.append_data(&mut h, "bin/busybox", &data[..]).expect("busybox");
    for d in ["etc/", "tmp/"] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(if d == "tmp/" { 0o1777 } else { 0o755 });
        h.set_size(0);
        h.set_mtime(1_700_000_000);
        b.append_data(&mut h, d, std::io::empty()).expect("dir");
    }
    for (name, body) in [
        ("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"),
        ("etc/group", "root:x:0:\napp:x:1000:\n"),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        b.append_data(&mut h, name, body.as_bytes()).expect("etc file");
    }
    for name in ["sh", "echo", "cat", "ls", "id", "rm", "mkdir", "touch", "pwd", "true", "false", "test", "stat"] {
        let mut l = tar::Header::new_gnu();
        l.set_entry_type(tar::EntryType::Symlink);
        l.set_size(0);
        l.set_mode(0o777);
        b.append_link(&mut l, format!("bin/{name}"), "/bin/busybox").expect("link");
    }
    b.finish().expect("finish");
    path.to_owned()
}

/// A real Debian `docker-registry` on a free loopback port, optionally with htpasswd basic auth.
pub struct RegistryServer {
    pub dir: tempfile::TempDir,
    pub addr: String,
    child: Child,
}

pub const REGISTRY_USER: &str = "tester";
pub const REGISTRY_PASSWORD: &str = "s3cret-pass";

impl RegistryServer {
    pub fn start(with_auth: bool) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr = format!("127.0.0.1:{port}");
        let mut config = format!(
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n",
            dir.path().join("data").display()
        );
        if with_auth {
            let htpasswd = dir.path().join("htpasswd");
            let st = Command::new("htpasswd")
                .arg("-Bbc")
                .arg(&htpasswd)
                .arg(REGISTRY_USER)
                .arg(REGISTRY_PASSWORD)
                .output()?;
            if !st.status.success() {
                bail!("htpasswd failed: {}", String::from_utf8_lossy(&st.stderr));
            }
            config.push_str(&format!("auth:\n  htpasswd:\n    realm: imaged-test\n    path: {}\n", htpasswd.display()));
        }
        let cfg = dir.path().join("config.yml");
        std::fs::write(&cfg, config)?;
        let log = File::create(dir.path().join("registry.log"))?;
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&cfg)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("docker-registry")?;
        let start = Instant::now();
        while std::net::TcpStream::connect(&addr).is_err() {
            if start.elapsed() > Duration::from_secs(20) {
                bail!("registry did not listen");
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        Ok(Self { dir, addr, child })
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// How many successful GETs of a blob the access log shows.
    pub fn blob_gets(&self, digest: &str) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains("\"GET /v2/") && l.contains(&format!("/blobs/{digest} ")) && l.contains("\" 200 "))
            .count()
    }

    /// How many blob uploads were finished (PUT to an upload location).
    pub fn uploads(&self) -> usize {
        self.log().lines().filter(|l| l.contains("\"PUT /v2/") && l.contains("/blobs/uploads/")).count()
    }
}

impl Drop for RegistryServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Debian's containerd with its own root, state and socket under `dir` (no CRI); killed on drop.
pub struct Containerd {
    child: Child,
    pub socket: String,
}

impl Containerd {
    pub fn start(dir: &Path) -> anyhow::Result<Self> {
        let socket = dir.join("containerd.sock").display().to_string();
        let config = dir.join("containerd.toml");
        std::fs::write(
            &config,
            format!(
                "version = 2\nroot = \"{}\"\nstate = \"{}\"\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n[grpc]\n  address = \"{socket}\"\n",
                dir.join("ctr-root").display(),
                dir.join("ctr-state").display()
            ),
        )?;
        let child = Command::new("containerd")
            .arg("--config")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("containerd (scripts/test.sh installs it)")?;
        let start = Instant::now();
        while !Path::new(&socket).exists() {
            if start.elapsed() > Duration::from_secs(20) {
                bail!("containerd did not listen");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self { child, socket })
    }

    /// `ctr --address SOCK ARGS`, failing the test when it fails; returns stdout.
    pub fn ctr(&self, args: &[&str]) -> String {
        let out = Command::new("ctr").arg("--address").arg(&self.socket).args(args).output().expect("ctr");
        assert!(out.status.success(), "ctr {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Containerd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// skopeo with an accept-anything policy kept in `dir`.
/// Copies the image tagged `tag` in the OCI layout at `layout` to `dest` (`host:port/repo:tag`) with skopeo.
pub fn push_layout(dir: &Path, layout: &Path, tag: &str, dest: &str) {
    let (src, dst) = (format!("oci:{}:{tag}", layout.display()), format!("docker://{dest}"));
    skopeo(dir, &["copy", "-q", "--dest-tls-verify=false", &src, &dst]);
}

pub fn skopeo(dir: &Path, args: &[&str]) -> String {
    let policy = dir.join("policy.json");
    std::fs::write(&policy, r#"{"default":[{"type":"insecureAcceptAnything"}]}"#).expect("policy");
    let out = Command::new("skopeo")
        .arg("--policy")
        .arg(&policy)
        .args(args)
        .output()
        .expect("skopeo is installed (scripts/test.sh)");
    assert!(out.status.success(), "skopeo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Layer compression for [`write_oci_layout`].
#[derive(Clone, Copy)]
pub enum Layer {
    Gzip,
    Zstd,
}

/// Writes an OCI layout at `dir` with one image per architecture (one layer each: a tar with `file`
/// containing `content` and the architecture), under an index when there are several. Returns the
/// top digest (the manifest, or the index).
pub fn write_oci_layout(dir: &Path, tag: &str, arches: &[&str], content: &[u8], layer: Layer) -> String {
    write_layout(dir, tag, arches, content, layer, false)
}

/// As [`write_oci_layout`] with several architectures, plus a BuildKit-style attestation manifest
/// (`unknown/unknown`, an in-toto layer) about the first one. Returns the index digest.
pub fn write_attested_layout(dir: &Path, tag: &str, arches: &[&str], content: &[u8]) -> String {
    assert!(arches.len() > 1, "an index needs several platforms");
    write_layout(dir, tag, arches, content, Layer::Gzip, true)
}

fn write_layout(dir: &Path, tag: &str, arches: &[&str], content: &[u8], layer: Layer, attest: bool) -> String {
    use serde_json::json;
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("layout dir");
    let put = |data: &[u8]| put_blob(&blobs, data);
    let mut manifests = Vec::new();
    for arch in arches {
        let tar_path = dir.join(format!("{arch}.rootfs.tar"));
        let mut data = content.to_vec();
        data.extend_from_slice(arch.as_bytes());
        write_rootfs(&tar_path, &[("file", data)]);
        let raw = std::fs::read(&tar_path).expect("tar");
        std::fs::remove_file(&tar_path).expect("rm");
        let (compressed, media) = match layer {
            Layer::Gzip => (gzip(&raw), "application/vnd.oci.image.layer.v1.tar+gzip"),
            Layer::Zstd => {
                (zstd::encode_all(&raw[..], 3).expect("zstd"), "application/vnd.oci.image.layer.v1.tar+zstd")
            }
        };
        let layer_d = put(&compressed);
        let config = serde_json::to_vec(&json!({"architecture": arch, "os": "linux", "created": "2026-01-01T00:00:00Z",
            "config": {"Cmd": ["/file"]}, "rootfs": {"type": "layers", "diff_ids": [imaged_core::Digest::of(&raw).to_string()]}})).expect("json");
        let cfg_d = put(&config);
        let manifest =
            serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_d, "size": config.len()},
            "layers": [{"mediaType": media, "digest": layer_d, "size": compressed.len()}]}))
            .expect("json");
        let man_d = put(&manifest);
        manifests.push(
            json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man_d, "size": manifest.len(),
            "platform": {"os": "linux", "architecture": arch}}),
        );
    }
    if attest {
        let statement = serde_json::to_vec(&json!({"_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": "https://spdx.dev/Document", "predicate": {"spdxVersion": "SPDX-2.3"}}))
        .expect("json");
        let statement_d = put(&statement);
        let config = serde_json::to_vec(&json!({"architecture": "unknown", "os": "unknown", "config": {},
            "rootfs": {"type": "layers", "diff_ids": [statement_d]}}))
        .expect("json");
        let cfg_d = put(&config);
        let manifest =
            serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_d, "size": config.len()},
            "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": statement_d, "size": statement.len(),
                "annotations": {"in-toto.io/predicate-type": "https://spdx.dev/Document"}}]}))
            .expect("json");
        let about = manifests[0]["digest"].clone();
        manifests.push(json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put(&manifest),
            "size": manifest.len(), "platform": {"os": "unknown", "architecture": "unknown"},
            "annotations": {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": about}}));
    }
    let top = if manifests.len() == 1 {
        manifests[0].clone()
    } else {
        let index = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests})).expect("json");
        json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": put(&index), "size": index.len()})
    };
    let mut top_entry = top.clone();
    top_entry["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": [top_entry]})).expect("json"),
    )
    .expect("index");
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).expect("oci-layout");
    top["digest"].as_str().expect("digest").to_owned()
}

/// Writes an OCI layout with one amd64 image of `layers` gzip layers, about `mb` MB uncompressed in all
/// (half random, half text, so gzip has work to do). Returns the manifest digest.
pub fn write_big_layout(dir: &Path, tag: &str, layers: usize, mb: usize) -> String {
    use serde_json::json;
    let (man_d, size) = big_manifest(dir, "amd64", layers, mb);
    write_layout_index(
        dir,
        json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man_d,
        "size": size, "annotations": {"org.opencontainers.image.ref.name": tag}}),
    );
    man_d
}

/// As [`write_big_layout`], one image per architecture (`mb` in all, split between them) under an index.
pub fn write_big_index(dir: &Path, tag: &str, arches: &[&str], layers: usize, mb: usize) -> String {
    use serde_json::json;
    let manifests: Vec<serde_json::Value> = arches
        .iter()
        .map(|arch| {
            let (d, size) = big_manifest(dir, arch, layers, mb / arches.len());
            json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": size,
                "platform": {"os": "linux", "architecture": arch}})
        })
        .collect();
    let index = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests}))
    .expect("json");
    let index_d = put_blob(&dir.join("blobs/sha256"), &index);
    write_layout_index(
        dir,
        json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": index_d,
        "size": index.len(), "annotations": {"org.opencontainers.image.ref.name": tag}}),
    );
    index_d
}

fn write_layout_index(dir: &Path, top: serde_json::Value) {
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).expect("oci-layout");
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [top]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).expect("json")).expect("index");
}

/// A manifest of `layers` gzip layers of `mb` MiB in all (half random, half text) for `arch`; returns its
/// digest and size.
fn big_manifest(dir: &Path, arch: &str, layers: usize, mb: usize) -> (String, usize) {
    use serde_json::json;
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("layout dir");
    let put = |data: &[u8]| put_blob(&blobs, data);
    let per_layer = (mb << 20) / layers;
    let (mut descs, mut diff_ids) = (Vec::new(), Vec::new());
    for i in 0..layers {
        let half = per_layer / 2;
        let text: Vec<u8> = (0..half).map(|j| b"lorem ipsum dolor sit amet\n"[(j + i) % 27]).collect();
        let tar_path = dir.join(format!("layer-{arch}-{i}.tar"));
        write_rootfs(&tar_path, &[(&format!("data{i}/random"), random_bytes(half)), (&format!("data{i}/text"), text)]);
        let raw = std::fs::read(&tar_path).expect("tar");
        std::fs::remove_file(&tar_path).expect("rm");
        diff_ids.push(imaged_core::Digest::of(&raw).to_string());
        let gz = gzip(&raw);
        descs.push(
            json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(&gz), "size": gz.len()}),
        );
    }
    let config = serde_json::to_vec(&json!({"architecture": arch, "os": "linux", "created": "2026-01-01T00:00:00Z",
        "config": {"Cmd": ["sh"]}, "rootfs": {"type": "layers", "diff_ids": diff_ids}}))
    .expect("json");
    let cfg_d = put(&config);
    let manifest = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_d, "size": config.len()}, "layers": descs})).expect("json");
    (put(&manifest), manifest.len())
}

/// A tar of raw entries `(name, type, link target, data)`. Names are written as given, so `..` and absolute
/// paths survive (tar::Builder refuses them): for hostile-input tests.
pub fn raw_tar(entries: &[(&str, tar::EntryType, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, kind, link, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        if let Some(l) = link {
            h.set_link_name(l).expect("link name");
        }
        let bytes = name.as_bytes();
        h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        h.set_cksum();
        b.append(&h, *data).expect("append");
    }
    b.into_inner().expect("tar")
}

/// Writes `data` into an OCI layout's `blobs/sha256/` and returns its digest.
pub fn put_blob(blobs: &Path, data: &[u8]) -> String {
    let d = imaged_core::Digest::of(data);
    std::fs::write(blobs.join(d.hex()), data).expect("blob");
    d.to_string()
}

/// The median of a few timings.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs a command to completion, failing loudly, and returns its wall time in seconds.
pub fn timed(cmd: &mut Command) -> f64 {
    let t = Instant::now();
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    t.elapsed().as_secs_f64()
}

/// Peak resident memory (VmHWM) of a process, in MB.
pub fn peak_rss_mb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
        / 1024
}

/// The layers of a saved archive (`imagectl save`), each as its entries `path` (`path=content` for small
/// regular files), in manifest order.
pub fn archive_layers(archive: &Path) -> Vec<Vec<String>> {
    use std::io::Read;
    let mut files = std::collections::HashMap::new();
    let mut a = tar::Archive::new(File::open(archive).expect("open archive"));
    for e in a.entries().expect("entries") {
        let mut e = e.expect("entry");
        let name = e.path().expect("path").to_string_lossy().into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).expect("read");
        files.insert(name, data);
    }
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).expect("manifest.json");
    let mut out = Vec::new();
    for l in manifest[0]["Layers"].as_array().expect("layers") {
        let data = &files[l.as_str().expect("layer path")];
        let plain = if data.starts_with(&[0x1f, 0x8b]) {
            let mut v = Vec::new();
            flate2::read::GzDecoder::new(&data[..]).read_to_end(&mut v).expect("gunzip");
            v
        } else {
            data.clone()
        };
        let mut entries = Vec::new();
        let mut t = tar::Archive::new(&plain[..]);
        for e in t.entries().expect("layer entries") {
            let mut e = e.expect("layer entry");
            let path = e.path().expect("path").to_string_lossy().into_owned();
            if e.header().entry_type().is_file() && e.size() < 256 {
                let mut s = String::new();
                e.read_to_string(&mut s).expect("content");
                entries.push(format!("{path}={s}"));
            } else {
                entries.push(path);
            }
        }
        out.push(entries);
    }
    out
}
