//! Dockerfile builds: the context is unpacked, the Dockerfile parsed (imaged-build), and each stage run
//! step by step over layer snapshots. Every step goes through a cache keyed by the parent state, the
//! expanded instruction and (for COPY/ADD) the content of its sources, so an unchanged step is reused and
//! a rebuild gives the same image id.

mod fs_steps;
mod steps;

use std::{
    collections::BTreeMap,
    path::PathBuf,
    sync::{Arc, atomic::AtomicBool},
};

use imaged_build::{
    dockerfile::{self, Dockerfile, Instruction, Lexer},
    fsutil::resolve_in_root,
    snapshot::{remove_all, unpack_plain},
};
use imaged_core::{Digest, Namespace, Platform, Reference, pattern::IgnoreRules};
use imaged_index::{LayerRecord, Lease};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::{
    Builds, Engine, EngineError, HistoryDoc, ImageConfigDoc, ImportSource, blocking, config::format_time, now_nanos,
};

/// Options of a build (`docker build` flags).
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub tags: Vec<Reference>,
    /// Path of the Dockerfile inside the context (default `Dockerfile`).
    pub dockerfile: String,
    /// The Dockerfile text, when sent instead of read from the context.
    pub dockerfile_content: Option<String>,
    pub build_args: BTreeMap<String, String>,
    pub target: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub no_cache: bool,
    pub platform: Option<Platform>,
    /// Pull `FROM` images even when present.
    pub pull: bool,
}

/// What a build reports while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildEvent {
    Log(String),
    Step { number: usize, total: usize, instruction: String, cached: bool },
}

/// The built image.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    pub image_id: Digest,
    pub tags: Vec<String>,
}

/// The state of a stage after a step: what the cache stores.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StageState {
    pub config: ImageConfigDoc,
    pub layers: Vec<LayerRecord>,
}

/// A stage being built.
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    pub name: Option<String>,
    pub state: StageState,
    /// Cache chain key of the state.
    pub key: String,
    /// Declared build arguments and their values.
    pub args: BTreeMap<String, Option<String>>,
    /// CMD was set in this stage (ENTRYPOINT then keeps it).
    pub cmd_set: bool,
}

pub(crate) struct Builder<'a> {
    pub engine: &'a Engine,
    pub ns: &'a Namespace,
    pub opts: &'a BuildOptions,
    pub events: &'a mpsc::Sender<BuildEvent>,
    pub escape: char,
    pub context: PathBuf,
    pub lease: Lease,
    pub stages: Vec<Stage>,
    pub meta_args: BTreeMap<String, Option<String>>,
    pub used_args: std::collections::BTreeSet<String>,
    pub platform: Platform,
    pub cancel: Arc<AtomicBool>,
}

fn invalid(ins: &Instruction, msg: impl std::fmt::Display) -> EngineError {
    EngineError::Build(imaged_build::BuildError::Syntax { line: ins.line, message: msg.to_string() })
}

impl Builds {
    /// Builds an image from a context tar stream (plain, gzip or zstd) and a Dockerfile in it.
    pub async fn build(
        &self,
        ns: &Namespace,
        opts: BuildOptions,
        context: ImportSource,
        events: mpsc::Sender<BuildEvent>,
        cancel: Arc<AtomicBool>,
    ) -> Result<BuildOutcome, EngineError> {
        let (this, ns) = (self.clone(), ns.clone());
        blocking(move || this.build_blocking(&ns, opts, context, events, cancel)).await
    }

    fn build_blocking(
        &self,
        ns: &Namespace,
        opts: BuildOptions,
        context: ImportSource,
        events: mpsc::Sender<BuildEvent>,
        cancel: Arc<AtomicBool>,
    ) -> Result<BuildOutcome, EngineError> {
        let ctx_dir = self.snapshots().temp_dir()?;
        let lease = Lease { id: format!("build-{:016x}", rand::random::<u64>()), created: now_nanos(), blobs: vec![] };
        self.index().put_lease(&lease)?;
        let mut builder = Builder {
            engine: self,
            ns,
            opts: &opts,
            events: &events,
            escape: '\\',
            context: ctx_dir.clone(),
            lease,
            stages: Vec::new(),
            meta_args: BTreeMap::new(),
            used_args: Default::default(),
            platform: opts.platform.clone().unwrap_or_else(|| self.platform().clone()),
            cancel,
        };
        let result = builder.run(context);
        let _ = self.index().delete_lease(&builder.lease.id);
        let _ = remove_all(&ctx_dir);
        result
    }
}

impl Builder<'_> {
    pub fn log(&self, line: impl Into<String>) {
        let _ = self.events.blocking_send(BuildEvent::Log(line.into()));
    }

    fn receive_context(&self, context: ImportSource) -> Result<(), EngineError> {
        let (reader, cancelled) = context.into_reader();
        let was_cancelled = || cancelled.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst));
        let mut input = std::io::BufReader::with_capacity(1 << 20, reader);
        let head = match std::io::BufRead::fill_buf(&mut input) {
            Ok(head) => head,
            Err(_) if was_cancelled() => return Err(EngineError::Cancelled),
            Err(e) => return Err(EngineError::BadContext(format!("reading it: {e}"))),
        };
        if head.is_empty() {
            return Ok(());
        }
        let compression = imaged_archive::sniff(head);
        let decoded = imaged_archive::decoder(input, compression)?;
        // A context that does not unpack is the client's input, not an internal failure: say so without
        // naming the daemon's paths.
        match unpack_plain(decoded, &self.context, &|_| false) {
            Ok(()) => {}
            Err(_) if was_cancelled() => return Err(EngineError::Cancelled),
            Err(e @ imaged_build::BuildError::Archive(_)) => return Err(e.into()),
            Err(imaged_build::BuildError::Io { source, .. }) if source.raw_os_error() == Some(28) => {
                return Err(EngineError::Io { path: "build context".into(), source });
            }
            Err(imaged_build::BuildError::Io { path, source }) => {
                let inside = path.strip_prefix(&self.context).unwrap_or(&path).display().to_string();
                return Err(EngineError::BadContext(format!(
                    "the context tar is truncated or unreadable at {inside:?} ({})",
                    source.kind()
                )));
            }
            Err(e) => return Err(EngineError::BadContext(e.to_string())),
        }
        // The client applies .dockerignore; apply it here too, for clients that do not.
        let ignore = std::fs::read_to_string(self.context.join(".dockerignore")).unwrap_or_default();
        let rules = IgnoreRules::parse(&ignore);
        if !rules.is_empty() {
            prune_ignored(&self.context, "", &rules)?;
        }
        Ok(())
    }

    fn dockerfile(&self) -> Result<Dockerfile, EngineError> {
        let text = match &self.opts.dockerfile_content {
            Some(t) => t.clone(),
            None => {
                let name = if self.opts.dockerfile.is_empty() { "Dockerfile" } else { &self.opts.dockerfile };
                let path = resolve_in_root(&self.context, name, true)?;
                std::fs::read_to_string(&path).map_err(|_| {
                    EngineError::Build(imaged_build::BuildError::Invalid(format!(
                        "Cannot locate specified Dockerfile: {name}"
                    )))
                })?
            }
        };
        Ok(dockerfile::parse(&text)?)
    }

    fn run(&mut self, context: ImportSource) -> Result<BuildOutcome, EngineError> {
        self.receive_context(context)?;
        let df = self.dockerfile()?;
        self.escape = df.escape;
        // Meta arguments (ARG before the first FROM) and the stages to build.
        let first_from = df.instructions.iter().position(|i| i.keyword == "FROM").unwrap_or(0);
        for ins in &df.instructions[..first_from] {
            self.declare_args(ins, true)?;
        }
        let mut stages: Vec<Vec<&Instruction>> = Vec::new();
        for ins in &df.instructions[first_from..] {
            if ins.keyword == "FROM" {
                stages.push(Vec::new());
            }
            stages.last_mut().expect("starts with FROM").push(ins);
        }
        let last = match &self.opts.target {
            Some(t) if !t.is_empty() => stages
                .iter()
                .position(|s| stage_name(s[0]).is_some_and(|n| n.eq_ignore_ascii_case(t)))
                .ok_or_else(|| {
                    EngineError::Build(imaged_build::BuildError::Invalid(format!(
                        "target stage \"{t}\" could not be found"
                    )))
                })?,
            _ => stages.len() - 1,
        };
        let total: usize = stages[..=last].iter().map(Vec::len).sum();
        let mut number = 0;
        for stage in &stages[..=last] {
            for ins in stage {
                number += 1;
                self.log(format!("Step {number}/{total} : {}", ins.original));
                let cached = self.step(ins)?;
                let _ = self.events.blocking_send(BuildEvent::Step {
                    number,
                    total,
                    instruction: ins.original.clone(),
                    cached,
                });
                if number < total {
                    let key = &self.stages.last().expect("a stage").key;
                    self.log(format!(" ---> {}", &key[..12]));
                }
            }
        }
        let unused: Vec<_> = self.opts.build_args.keys().filter(|k| !self.used_args.contains(*k)).cloned().collect();
        if !unused.is_empty() {
            self.log(format!("[Warning] One or more build-args {unused:?} were not consumed"));
        }
        self.finish()
    }

    /// Writes the final image and names it.
    fn finish(&mut self) -> Result<BuildOutcome, EngineError> {
        let stage = self.stages.last().expect("a stage").clone();
        let mut config = stage.state.config;
        if !self.opts.labels.is_empty() {
            let cc = config.config.get_or_insert_with(Default::default);
            let labels = cc.labels.get_or_insert_with(BTreeMap::new);
            labels.extend(self.opts.labels.clone());
        }
        let names: Vec<String> = self.opts.tags.iter().map(|t| t.to_string()).collect();
        let _gc = self.engine.inner.gc.read().expect("gc lock poisoned");
        let record = self.engine.store_image_blocking(self.ns, &config, stage.state.layers, &names, None)?;
        drop(_gc);
        // The last step's line names the image it made, as Docker's does.
        self.log(format!(" ---> {}", record.id.short()));
        self.log(format!("Successfully built {}", record.id.short()));
        for t in &self.opts.tags {
            self.log(format!("Successfully tagged {}", t.familiar()));
        }
        tracing::info!(namespace = %self.ns, image = %record.id, "built image");
        Ok(BuildOutcome { image_id: record.id, tags: self.opts.tags.iter().map(|t| t.familiar()).collect() })
    }

    /// Variables visible to substitution: the stage's ENV over its declared ARGs (or meta ARGs for FROM).
    pub fn lookup_env(&self, for_from: bool) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let args = if for_from { &self.meta_args } else { &self.stages.last().expect("a stage").args };
        for (k, v) in args {
            if let Some(v) = v {
                out.insert(k.clone(), v.clone());
            }
        }
        if !for_from {
            let st = self.stages.last().expect("a stage");
            for e in st.state.config.config.as_ref().and_then(|c| c.env.clone()).unwrap_or_default() {
                if let Some((k, v)) = e.split_once('=') {
                    out.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        out
    }

    pub fn lexer_words(&self, text: &str, for_from: bool) -> Result<Vec<String>, EngineError> {
        let env = self.lookup_env(for_from);
        let lookup = |n: &str| env.get(n).cloned();
        Ok(Lexer { escape: self.escape, lookup: &lookup }.words(text)?)
    }

    pub fn lexer_word(&self, text: &str) -> Result<String, EngineError> {
        let env = self.lookup_env(false);
        let lookup = |n: &str| env.get(n).cloned();
        Ok(Lexer { escape: self.escape, lookup: &lookup }.word(text)?)
    }

    pub fn expand_heredoc(&self, text: &str) -> Result<String, EngineError> {
        let env = self.lookup_env(false);
        let lookup = |n: &str| env.get(n).cloned();
        Ok(Lexer { escape: self.escape, lookup: &lookup }.expand_only(text)?)
    }

    /// `ARG a=b c` declarations; before FROM they are meta args.
    fn declare_args(&mut self, ins: &Instruction, meta: bool) -> Result<(), EngineError> {
        let words = self.lexer_words(&ins.args, meta || self.stages.is_empty())?;
        for w in words {
            let (name, default) = match w.split_once('=') {
                Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                None => (w.clone(), None),
            };
            if name.is_empty() {
                return Err(invalid(ins, "ARG requires a name"));
            }
            let value = match self.opts.build_args.get(&name) {
                Some(v) => {
                    self.used_args.insert(name.clone());
                    Some(v.clone())
                }
                None if default.is_some() => default,
                None if !meta => self.meta_args.get(&name).cloned().flatten(),
                None => None,
            };
            if meta {
                self.meta_args.insert(name, value);
            } else {
                let st = self.stages.last_mut().expect("a stage");
                st.key = Digest::of(format!("{}\nARG {name}={value:?}", st.key).as_bytes()).hex().to_owned();
                st.args.insert(name, value);
            }
        }
        Ok(())
    }

    /// Runs one instruction (through the cache); true when it was a cache hit.
    fn step(&mut self, ins: &Instruction) -> Result<bool, EngineError> {
        if self.cancel.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(EngineError::Cancelled);
        }
        match ins.keyword.as_str() {
            "FROM" => self.from(ins),
            "ARG" => self.declare_args(ins, false).map(|_| true),
            "RUN" => self.run_step(ins),
            "COPY" | "ADD" => self.copy_step(ins),
            "WORKDIR" => self.workdir_step(ins),
            _ => self.metadata_step(ins),
        }
    }

    /// Looks a step up in the cache, or runs `f` and stores its result. `material` is what (beyond the
    /// parent state) decides the result.
    pub fn cached(
        &mut self,
        material: &str,
        f: impl FnOnce(&mut Self, StageState) -> Result<StageState, EngineError>,
    ) -> Result<bool, EngineError> {
        let parent = self.stages.last().expect("a stage").key.clone();
        let key = Digest::of(format!("{parent}\n{material}").as_bytes()).hex().to_owned();
        if !self.opts.no_cache
            && let Some(bytes) = self.engine.index().cache_get(&key)?
            && let Ok(state) = serde_json::from_slice::<StageState>(&bytes)
            && self.hold(&state.layers)
        {
            self.log(" ---> Using cache");
            let st = self.stages.last_mut().expect("a stage");
            st.state = state;
            st.key = key;
            return Ok(true);
        }
        let state = self.stages.last().expect("a stage").state.clone();
        let state = f(self, state)?;
        self.engine.index().cache_put(&key, &serde_json::to_vec(&state).expect("state serialises"))?;
        let st = self.stages.last_mut().expect("a stage");
        st.state = state;
        st.key = key;
        Ok(false)
    }

    /// Puts layer blobs under the build's lease; false when one of them is gone.
    pub fn hold(&mut self, layers: &[LayerRecord]) -> bool {
        let _gc = self.engine.inner.gc.read().expect("gc lock poisoned");
        if !layers.iter().all(|l| self.engine.store().exists(&l.digest)) {
            return false;
        }
        for l in layers {
            if !self.lease.blobs.contains(&l.digest) {
                self.lease.blobs.push(l.digest.clone());
            }
        }
        self.engine.index().put_lease(&self.lease).is_ok()
    }

    /// A history entry for the step, as BuildKit writes them.
    pub fn history(ins: &Instruction, empty_layer: bool) -> HistoryDoc {
        HistoryDoc {
            created: Some(format_time(now_nanos())),
            created_by: Some(ins.original.clone()),
            author: None,
            comment: Some("buildkit.dockerfile.v0".into()),
            empty_layer,
        }
    }
}

/// The `AS name` of a FROM line.
pub(crate) fn stage_name(ins: &Instruction) -> Option<String> {
    let words: Vec<&str> = ins.args.split_whitespace().collect();
    match words.as_slice() {
        [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some(name.to_lowercase()),
        _ => None,
    }
}

/// Removes files of the context that `.dockerignore` excludes (the Dockerfile and .dockerignore stay).
fn prune_ignored(root: &std::path::Path, rel: &str, rules: &IgnoreRules) -> Result<(), EngineError> {
    let dir = root.join(rel);
    let entries = std::fs::read_dir(&dir).map_err(|e| EngineError::Io { path: dir.clone(), source: e })?;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if rules.excludes(&path) && path != ".dockerignore" && path != "Dockerfile" {
            if is_dir && rules.may_reinclude_below(&path) {
                prune_ignored(root, &path, rules)?;
            } else {
                imaged_build::snapshot::remove_any(&e.path())?;
            }
        } else if is_dir {
            prune_ignored(root, &path, rules)?;
        }
    }
    Ok(())
}
