//! Harness for end-to-end tests: the real `imaged` binary on a temp socket, the real `imagectl`, the real
//! `grpcurl`. Binaries come from the workspace target dir (`cargo build --bins` first; scripts/test.sh does).
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
        let dir = tempfile::tempdir()?;
        let root = dir.path().join("root");
        let socket = dir.path().join("imaged.sock");
        let mut d = Self { dir, root, socket, child: None };
        d.spawn()?;
        Ok(d)
    }

    /// Starts (or restarts) the daemon on the same root.
    pub fn spawn(&mut self) -> anyhow::Result<()> {
        let log = File::create(self.dir.path().join("imaged.log"))?;
        let child = Command::new(bin("imaged"))
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

    /// Runs `grpcurl -plaintext -unix FLAGS SOCKET REST` (REST: `list`, `describe X`, or a method).
    pub fn grpcurl(&self, flags: &[&str], rest: &[&str]) -> Output {
        Command::new(grpcurl())
            .arg("-plaintext")
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
    for name in ["sh", "echo", "cat", "ls"] {
        let mut l = tar::Header::new_gnu();
        l.set_entry_type(tar::EntryType::Symlink);
        l.set_size(0);
        l.set_mode(0o777);
        b.append_link(&mut l, format!("bin/{name}"), "/bin/busybox").expect("link");
    }
    b.finish().expect("finish");
    path.to_owned()
}
