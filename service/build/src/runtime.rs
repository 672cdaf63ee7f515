//! Running a command in a root filesystem through an OCI runtime bundle (`config.json` from oci-spec's
//! runtime types) with `runc` (or `crun`). No network: the container gets its own empty network namespace.

use std::{
    io::Read,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use oci_spec::runtime::{Spec, UserBuilder};

use crate::{BuildError, error::io_at};

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    pub args: Vec<String>,
    /// `KEY=value` pairs.
    pub env: Vec<String>,
    /// Absolute working directory inside the root.
    pub cwd: String,
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
    pub hostname: String,
}

/// Which stream a chunk of output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Receives output as it arrives.
pub type OutputSink = Arc<dyn Fn(Stream, &[u8]) + Send + Sync>;

/// An OCI runtime binary and its state directory.
#[derive(Debug, Clone)]
pub struct Runtime {
    binary: PathBuf,
    state: PathBuf,
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")
        .unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

impl Runtime {
    /// `IMAGED_RUNTIME` when set, else `runc`, else `crun`, from `PATH`.
    pub fn find(state: &Path) -> Result<Self, BuildError> {
        let binary = match std::env::var_os("IMAGED_RUNTIME") {
            Some(b) => PathBuf::from(b),
            None => find_in_path("runc").or_else(|| find_in_path("crun")).ok_or_else(|| {
                BuildError::Runtime("no OCI runtime found: install runc (apt-get install runc) or crun".into())
            })?,
        };
        Ok(Self { binary, state: state.to_owned() })
    }

    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// Runs `spec` with `rootfs` as root, `bundle` as the bundle directory; output goes to `sink`.
    /// Returns the exit code (128 + signal when killed). Setting `cancel` kills the process.
    pub fn run(
        &self,
        bundle: &Path,
        rootfs: &Path,
        spec: &RunSpec,
        sink: OutputSink,
        cancel: &AtomicBool,
    ) -> Result<i32, BuildError> {
        std::fs::create_dir_all(bundle).map_err(io_at(bundle))?;
        std::fs::create_dir_all(&self.state).map_err(io_at(&self.state))?;
        if let Err(problem) = find_executable(rootfs, spec) {
            // What Docker prints and returns when the command cannot start, instead of runc's log line.
            sink(Stream::Stderr, format!("{problem}\n").as_bytes());
            return Ok(problem.exit_code());
        }
        let config = runtime_spec(rootfs, spec)?;
        let config_path = bundle.join("config.json");
        config.save(&config_path).map_err(|e| BuildError::Runtime(format!("writing config.json: {e}")))?;
        let id = format!("imaged-{:016x}", rand::random::<u64>());
        let mut child = Command::new(&self.binary)
            .arg("--root")
            .arg(&self.state)
            .arg("run")
            .arg("--bundle")
            .arg(bundle)
            .arg(&id)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| BuildError::Runtime(format!("starting {}: {e}", self.binary.display())))?;
        let readers: Vec<_> = [
            (Stream::Stdout, child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>)),
            (Stream::Stderr, child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>)),
        ]
        .into_iter()
        .filter_map(|(stream, r)| r.map(|r| (stream, r)))
        .map(|(stream, mut r)| {
            let sink = sink.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 32 * 1024];
                while let Ok(n) = r.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink(stream, &buf[..n]);
                }
            })
        })
        .collect();
        let mut killed = false;
        let status = loop {
            if let Some(status) = child.try_wait().map_err(|e| BuildError::Runtime(e.to_string()))? {
                break status;
            }
            if cancel.load(Ordering::SeqCst) && !killed {
                killed = true;
                let _ = Command::new(&self.binary).arg("--root").arg(&self.state).args(["kill", &id, "KILL"]).status();
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        for r in readers {
            let _ = r.join();
        }
        let _ = Command::new(&self.binary)
            .arg("--root")
            .arg(&self.state)
            .args(["delete", "--force", &id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        use std::os::unix::process::ExitStatusExt;
        Ok(status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0)))
    }
}

/// Why a command cannot start, worded as Docker (Go's `exec`) words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRunnable {
    NotInPath(String),
    Missing(String),
    NotExecutable(String),
}

impl NotRunnable {
    /// 127 for a command that is not there, 126 for one that cannot be executed (as a shell and Docker).
    pub fn exit_code(&self) -> i32 {
        match self {
            NotRunnable::NotInPath(_) | NotRunnable::Missing(_) => 127,
            NotRunnable::NotExecutable(_) => 126,
        }
    }
}

impl std::fmt::Display for NotRunnable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotRunnable::NotInPath(c) => write!(f, "exec: \"{c}\": executable file not found in $PATH"),
            NotRunnable::Missing(c) => write!(f, "exec: \"{c}\": stat {c}: no such file or directory"),
            NotRunnable::NotExecutable(c) => write!(f, "exec: \"{c}\": permission denied"),
        }
    }
}

fn is_executable(path: &Path) -> Option<bool> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).ok()?;
    Some(meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// Looks the command up inside `rootfs` as runc will (its `PATH` from the environment, symlinks resolved
/// inside the root), so that a missing or non-executable command is reported the way Docker reports it.
pub fn find_executable(rootfs: &Path, spec: &RunSpec) -> Result<(), NotRunnable> {
    let Some(cmd) = spec.args.first() else { return Ok(()) };
    let check =
        |inside: &str| crate::fsutil::resolve_in_root(rootfs, inside, true).ok().and_then(|p| is_executable(&p));
    if cmd.contains('/') {
        let inside = if cmd.starts_with('/') { cmd.clone() } else { format!("{}/{cmd}", spec.cwd) };
        return match check(&inside) {
            None => Err(NotRunnable::Missing(cmd.clone())),
            Some(false) => Err(NotRunnable::NotExecutable(cmd.clone())),
            Some(true) => Ok(()),
        };
    }
    let path = spec
        .env
        .iter()
        .rev()
        .find_map(|e| e.strip_prefix("PATH="))
        .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    // As Go's LookPath: a file in PATH that is not executable is skipped.
    match path.split(':').filter(|d| !d.is_empty()).any(|dir| check(&format!("{dir}/{cmd}")) == Some(true)) {
        true => Ok(()),
        false => Err(NotRunnable::NotInPath(cmd.clone())),
    }
}

/// The runtime config: oci-spec's defaults (namespaces incl. network, masked paths, default mounts), with
/// the process, root and hostname set.
fn runtime_spec(rootfs: &Path, run: &RunSpec) -> Result<Spec, BuildError> {
    let bad = |e: oci_spec::OciSpecError| BuildError::Runtime(format!("runtime config: {e}"));
    let mut spec = Spec::default();
    let mut process = spec.process().clone().unwrap_or_default();
    process.set_args(Some(run.args.clone()));
    process.set_env(Some(run.env.clone()));
    process.set_cwd(PathBuf::from(if run.cwd.is_empty() { "/" } else { &run.cwd }));
    process.set_terminal(Some(false));
    let user = UserBuilder::default()
        .uid(run.uid)
        .gid(run.gid)
        .additional_gids(run.additional_gids.clone())
        .build()
        .map_err(bad)?;
    process.set_user(user);
    spec.set_process(Some(process));
    let mut root = spec.root().clone().unwrap_or_default();
    root.set_path(rootfs.to_owned());
    root.set_readonly(Some(false));
    spec.set_root(Some(root));
    spec.set_hostname(Some(if run.hostname.is_empty() { "imaged".into() } else { run.hostname.clone() }));
    Ok(spec)
}
