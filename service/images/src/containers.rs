//! Working containers: a writable root made from an image (overlay of its layer snapshots plus a private
//! upper directory in `containers/<id>/`), commands run in it by the OCI runtime, and commit of its
//! changes into a new image, as `docker container create/exec/commit/rm` do.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, atomic::AtomicBool},
};

use imaged_build::{
    fsutil::{lookup_user, mkdir_in_root},
    runtime::{OutputSink, RunSpec},
    snapshot::remove_all,
};
use imaged_core::{Digest, ImageRef, Namespace, Reference};
pub use imaged_index::ContainerRecord as ContainerInfo;
use imaged_index::LayerRecord;

use crate::{Change, Containers, EngineError, HistoryDoc, ImageConfigDoc, blocking, config::format_time, now_nanos};

/// A command to run in a container.
#[derive(Debug, Clone, Default)]
pub struct ExecOptions {
    /// The command; empty runs the image's entrypoint and command.
    pub args: Vec<String>,
    /// `KEY=value`, added to (and overriding) the image's environment.
    pub env: Vec<String>,
    /// Working directory; default the image's.
    pub working_dir: String,
    /// `user[:group]`; default the image's.
    pub user: String,
}

/// What `commit` records.
#[derive(Debug, Clone, Default)]
pub struct CommitOptions {
    pub reference: Option<Reference>,
    pub author: String,
    pub message: String,
    pub changes: Vec<Change>,
}

const ADJECTIVES: &[&str] = &[
    "admiring",
    "brave",
    "clever",
    "dazzling",
    "eager",
    "focused",
    "gallant",
    "happy",
    "jolly",
    "keen",
    "lucid",
    "modest",
    "nifty",
    "optimistic",
    "quirky",
    "relaxed",
    "serene",
    "tender",
    "vibrant",
    "wizardly",
];
const NAMES: &[&str] = &[
    "babbage",
    "curie",
    "darwin",
    "euclid",
    "fermi",
    "gauss",
    "hopper",
    "johnson",
    "kepler",
    "lovelace",
    "mccarthy",
    "noether",
    "pascal",
    "ritchie",
    "shannon",
    "thompson",
    "turing",
    "wozniak",
    "yalow",
    "zhukovsky",
];

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Unmounts container roots left mounted by a daemon that was killed.
pub(crate) fn unmount_leftovers(root: &Path) {
    if let Ok(dirs) = std::fs::read_dir(root.join("containers")) {
        for d in dirs.flatten() {
            let _ = rustix_unmount(&d.path().join("merged"));
        }
    }
}

fn rustix_unmount(path: &Path) -> std::io::Result<()> {
    imaged_build::mount::unmount_detach(path)
}

/// `KEY=value` lists merged: later keys replace earlier ones.
pub(crate) fn merge_env(base: &[String], extra: &[String]) -> Vec<String> {
    let mut out: Vec<String> = base.to_vec();
    for e in extra {
        let key = e.split('=').next().unwrap_or(e);
        if let Some(slot) = out.iter_mut().find(|x| x.split('=').next() == Some(key)) {
            *slot = e.clone();
        } else {
            out.push(e.clone());
        }
    }
    if !out.iter().any(|e| e.starts_with("PATH=")) {
        out.insert(0, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    }
    out
}

impl Containers {
    fn containers_dir(&self) -> PathBuf {
        self.root().join("containers")
    }

    fn container_dir(&self, id: &str) -> PathBuf {
        self.containers_dir().join(id)
    }

    fn container_lock(&self, id: &str) -> Arc<std::sync::Mutex<()>> {
        self.inner.container_locks.lock().expect("lock poisoned").entry(id.to_owned()).or_default().clone()
    }

    /// Finds a container by name, full id or unique id prefix.
    pub(crate) fn find_container(&self, ns: &Namespace, key: &str) -> Result<ContainerInfo, EngineError> {
        let all = self.index().list_containers(ns)?;
        if let Some(c) = all.iter().find(|c| c.name == key || c.id == key) {
            return Ok(c.clone());
        }
        let matches: Vec<_> = all.iter().filter(|c| !key.is_empty() && c.id.starts_with(key)).collect();
        match matches.len() {
            1 => Ok(matches[0].clone()),
            0 => Err(EngineError::ContainerNotFound(key.to_owned())),
            _ => Err(EngineError::ContainerNotFound(format!("{key} (ambiguous id prefix)"))),
        }
    }

    /// Creates a container from an image: its layers are unpacked (once, shared) and an empty upper
    /// directory is made for its changes.
    pub async fn create_container(
        &self,
        ns: &Namespace,
        image: &ImageRef,
        name: Option<String>,
        platform: Option<&imaged_core::Platform>,
    ) -> Result<ContainerInfo, EngineError> {
        if let Some(p) = platform {
            // The platform asked for must be the one this daemon runs and the image has in use.
            let here = self.platform();
            if !p.matches(here) {
                return Err(EngineError::PlatformMismatch {
                    image: image.to_string(),
                    wanted: p.to_string(),
                    have: format!("{here} (the platform this daemon runs)"),
                });
            }
        }
        let attempt = {
            let (this, ns, image, name) = (self.clone(), ns.clone(), image.clone(), name.clone());
            blocking(move || this.create_container_blocking(&ns, &image, name)).await
        };
        // As `docker create`: an image that is not here is pulled first.
        let reference = match attempt {
            Err(EngineError::ImageNotFound(_)) => match &image.name {
                Some(r) => r.clone(),
                None => return attempt,
            },
            other => return other,
        };
        let opts = crate::PullOptions { platforms: platform.into_iter().cloned().collect(), ..Default::default() };
        self.transfers().pull(ns, &reference, opts, None).await?;
        let (this, ns, image) = (self.clone(), ns.clone(), image.clone());
        blocking(move || this.create_container_blocking(&ns, &image, name)).await
    }

    fn create_container_blocking(
        &self,
        ns: &Namespace,
        image: &ImageRef,
        name: Option<String>,
    ) -> Result<ContainerInfo, EngineError> {
        let resolved = self.resolve_blocking(ns, image)?;
        let existing = self.index().list_containers(ns)?;
        let name = match name.filter(|n| !n.is_empty()) {
            Some(n) => {
                let n = n.trim_start_matches('/').to_owned();
                if !valid_name(&n) {
                    return Err(EngineError::BadContainerName(n));
                }
                if existing.iter().any(|c| c.name == n) {
                    return Err(EngineError::ContainerNameInUse(n));
                }
                n
            }
            None => loop {
                let n = format!(
                    "{}_{}",
                    ADJECTIVES[rand::random_range(0..ADJECTIVES.len())],
                    NAMES[rand::random_range(0..NAMES.len())]
                );
                if !existing.iter().any(|c| c.name == n) {
                    break n;
                }
            },
        };
        let id = format!("{:032x}{:032x}", rand::random::<u128>(), rand::random::<u128>());
        let record = &resolved.record;
        self.lowers_blocking(&record.layers)?;
        let dir = self.container_dir(&id);
        for d in ["upper", "work"] {
            let p = dir.join(d);
            std::fs::create_dir_all(&p).map_err(|e| EngineError::Io { path: p, source: e })?;
        }
        let config = self.config_blocking(&record.id)?;
        let config_path = dir.join("image-config.json");
        std::fs::write(&config_path, serde_json::to_vec(&config).expect("config serialises"))
            .map_err(|e| EngineError::Io { path: config_path, source: e })?;
        let layers_path = dir.join("layers.json");
        std::fs::write(&layers_path, serde_json::to_vec(&record.layers).expect("layers serialise"))
            .map_err(|e| EngineError::Io { path: layers_path, source: e })?;
        let shown = resolved.by_name.as_ref().map(|r| r.familiar()).unwrap_or_else(|| image.to_string());
        let info = ContainerInfo {
            id: id.clone(),
            name,
            image: shown,
            image_id: record.id.clone(),
            created: now_nanos(),
            diff_ids: record.layers.iter().map(|l| l.diff_id.clone()).collect(),
            last_command: Vec::new(),
        };
        self.index().put_container(ns, &info)?;
        tracing::info!(namespace = %ns, container = %id, image = %record.id, "created container");
        Ok(info)
    }

    /// The image config and layers a container was made from (kept with the container, so a forced rmi of
    /// the image does not break it).
    fn container_base(&self, id: &str) -> Result<(ImageConfigDoc, Vec<LayerRecord>), EngineError> {
        let dir = self.container_dir(id);
        let read = |name: &str| {
            let p = dir.join(name);
            std::fs::read(&p).map_err(|e| EngineError::Io { path: p, source: e })
        };
        let config = ImageConfigDoc::parse(&read("image-config.json")?)
            .map_err(|e| EngineError::BadConfig { digest: id.to_owned(), reason: e.to_string() })?;
        let layers: Vec<LayerRecord> = serde_json::from_slice(&read("layers.json")?)
            .map_err(|e| EngineError::BadConfig { digest: id.to_owned(), reason: e.to_string() })?;
        Ok((config, layers))
    }

    /// Runs a command in a container; output goes to `sink` as it comes. Returns the exit code.
    pub async fn exec(
        &self,
        ns: &Namespace,
        container: &str,
        opts: ExecOptions,
        sink: OutputSink,
        cancel: Arc<AtomicBool>,
    ) -> Result<i32, EngineError> {
        let (this, ns, container) = (self.clone(), ns.clone(), container.to_owned());
        blocking(move || this.exec_blocking(&ns, &container, opts, sink, &cancel)).await
    }

    fn exec_blocking(
        &self,
        ns: &Namespace,
        container: &str,
        opts: ExecOptions,
        sink: OutputSink,
        cancel: &AtomicBool,
    ) -> Result<i32, EngineError> {
        let mut info = self.find_container(ns, container)?;
        let lock = self.container_lock(&info.id);
        let _running = lock.lock().expect("lock poisoned");
        let (config, layers) = self.container_base(&info.id)?;
        let cc = config.config.clone().unwrap_or_default();
        let args = if opts.args.is_empty() {
            let mut a = cc.entrypoint.clone().unwrap_or_default();
            a.extend(cc.cmd.clone().unwrap_or_default());
            a
        } else {
            opts.args.clone()
        };
        if args.is_empty() {
            return Err(EngineError::InvalidChange {
                change: String::new(),
                reason: "no command given and the image has no entrypoint or command".into(),
            });
        }
        let dir = self.container_dir(&info.id);
        let mut ws = self.workspace_blocking(&layers, true, Some(&dir))?;
        let result = (|| {
            let merged = ws.merged();
            let user = if opts.user.is_empty() { cc.user.clone().unwrap_or_default() } else { opts.user.clone() };
            let ids = lookup_user(&merged, &user)?;
            let cwd = if opts.working_dir.is_empty() {
                cc.working_dir.clone().filter(|w| !w.is_empty()).unwrap_or_else(|| "/".into())
            } else {
                opts.working_dir.clone()
            };
            mkdir_in_root(&merged, &cwd, None)?;
            let spec = RunSpec {
                args: args.clone(),
                env: merge_env(&cc.env.clone().unwrap_or_default(), &opts.env),
                cwd,
                uid: ids.uid,
                gid: ids.gid,
                additional_gids: ids.additional_gids,
                hostname: info.id[..12].to_owned(),
            };
            Ok::<_, EngineError>(self.runtime()?.run(&dir.join("bundle"), &merged, &spec, sink, cancel)?)
        })();
        ws.unmount()?;
        let code = result?;
        info.last_command = args;
        self.index().put_container(ns, &info)?;
        Ok(code)
    }

    /// Commits a container's changes as a new image on top of its image.
    pub async fn commit(&self, ns: &Namespace, container: &str, opts: CommitOptions) -> Result<Digest, EngineError> {
        let (this, ns, container) = (self.clone(), ns.clone(), container.to_owned());
        blocking(move || this.commit_blocking(&ns, &container, opts)).await
    }

    fn commit_blocking(&self, ns: &Namespace, container: &str, opts: CommitOptions) -> Result<Digest, EngineError> {
        let info = self.find_container(ns, container)?;
        let lock = self.container_lock(&info.id);
        let _paused = lock.lock().expect("lock poisoned");
        let (mut config, mut layers) = self.container_base(&info.id)?;
        let dir = self.container_dir(&info.id);
        if self.inner.copy_snapshots {
            // A copy's changes are found by comparison, once, when they are committed.
            self.workspace_blocking(&layers, true, Some(&dir))?.finish()?;
        }
        let _gc = self.inner.gc.read().expect("gc lock poisoned");
        let (layer, _) = self.store_diff_blocking(&dir.join("upper"))?;
        let now = format_time(now_nanos());
        config.created = Some(now.clone());
        config.author = (!opts.author.is_empty()).then(|| opts.author.clone());
        let mut cc = config.config.take().unwrap_or_default();
        for c in &opts.changes {
            c.apply(&mut cc);
        }
        config.config = Some(cc);
        config.rootfs.diff_ids.push(layer.diff_id.to_string());
        config.history.push(HistoryDoc {
            created: Some(now),
            created_by: Some(info.last_command.join(" ")).filter(|s| !s.is_empty()),
            author: config.author.clone(),
            comment: (!opts.message.is_empty()).then(|| opts.message.clone()),
            empty_layer: false,
        });
        config.extra.remove("container");
        config.extra.remove("container_config");
        layers.push(layer);
        let names: Vec<String> = opts.reference.iter().map(|r| r.to_string()).collect();
        let record = self.store_image_blocking(ns, &config, layers, &names, Some(info.image_id.clone()))?;
        tracing::info!(namespace = %ns, container = %info.id, image = %record.id, "committed container");
        Ok(record.id)
    }

    /// Containers of a namespace, newest first.
    pub async fn list_containers(&self, ns: &Namespace) -> Result<Vec<ContainerInfo>, EngineError> {
        let (this, ns) = (self.clone(), ns.clone());
        blocking(move || {
            let mut all = this.index().list_containers(&ns)?;
            all.sort_by_key(|c| std::cmp::Reverse(c.created));
            Ok(all)
        })
        .await
    }

    /// Removes a container and its changes. A container running a command is refused without `force`.
    pub async fn remove_container(&self, ns: &Namespace, container: &str, force: bool) -> Result<String, EngineError> {
        let (this, ns, container) = (self.clone(), ns.clone(), container.to_owned());
        blocking(move || {
            let info = this.find_container(&ns, &container)?;
            let lock = this.container_lock(&info.id);
            let guard = match lock.try_lock() {
                Ok(g) => Some(g),
                Err(_) if force => None,
                Err(_) => return Err(EngineError::ContainerBusy(info.name.clone())),
            };
            let dir = this.container_dir(&info.id);
            let _ = rustix_unmount(&dir.join("merged"));
            this.index().delete_container(&ns, &info.id)?;
            remove_all(&dir)?;
            drop(guard);
            this.inner.container_locks.lock().expect("lock poisoned").remove(&info.id);
            tracing::info!(namespace = %ns, container = %info.id, "removed container");
            Ok(info.id)
        })
        .await
    }
}
