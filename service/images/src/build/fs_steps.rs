//! Steps that change the file system: RUN (through the OCI runtime), COPY/ADD, WORKDIR.

use std::{
    io::Read,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use imaged_build::{
    dockerfile::Instruction,
    fsutil::{CopyOptions, copy_entry, lookup_user, mkdir_in_root, resolve_in_root},
    mount::{OverlayMount, mount_overlay},
    runtime::{OutputSink, RunSpec},
    snapshot::unpack_plain,
};
use imaged_core::{
    Sha256Hasher,
    pattern::{clean_path, has_wildcard, path_match},
};

use super::{BuildEvent, Builder, StageState, invalid, steps::env_map};
use crate::{EngineError, config::format_time, containers::merge_env, now_nanos};

/// Cleans an absolute container path lexically.
fn clean_abs(p: &str) -> String {
    format!("/{}", clean_path(p))
}

/// Where copies come from.
struct Source {
    root: PathBuf,
    /// Sources from the context are owned by root unless `--chown`; from stages/images they keep theirs.
    from_context: bool,
    /// Cache material when the content is known by key (a stage or image), not by hashing files.
    key: Option<String>,
    _mount: Option<OverlayMount>,
    _tmp: Option<PathBuf>,
}

impl Drop for Source {
    fn drop(&mut self) {
        self._mount.take();
        if let Some(t) = self._tmp.take() {
            let _ = imaged_build::snapshot::remove_all(&t);
        }
    }
}

/// Hashes a source tree (names, types, modes, sizes, contents) for the cache key.
fn hash_tree(path: &Path, rel: &str, h: &mut Sha256Hasher) -> Result<(), EngineError> {
    use std::os::unix::fs::MetadataExt;
    let io = |e| EngineError::Io { path: path.to_owned(), source: e };
    let meta = std::fs::symlink_metadata(path).map_err(io)?;
    h.update(format!("{rel}\0{:o}\0{}\0", meta.mode(), meta.len()).as_bytes());
    if meta.is_dir() {
        let mut names: Vec<_> =
            std::fs::read_dir(path).map_err(io)?.filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
        names.sort();
        for n in names {
            hash_tree(&path.join(&n), &format!("{rel}/{}", n.to_string_lossy()), h)?;
        }
    } else if meta.file_type().is_symlink() {
        h.update(std::fs::read_link(path).map_err(io)?.to_string_lossy().as_bytes());
    } else if meta.is_file() {
        let mut f = std::fs::File::open(path).map_err(io)?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
    }
    Ok(())
}

/// Relative paths under `root` matching a glob pattern.
fn glob(root: &Path, pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    let depth = pattern.split('/').filter(|s| !s.is_empty()).count();
    fn walk(root: &Path, rel: &str, depth: usize, pattern: &str, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(root.join(rel)) else { return };
        let mut names: Vec<String> = rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        for n in names {
            let p = if rel.is_empty() { n } else { format!("{rel}/{n}") };
            if path_match(pattern, &p) {
                out.push(p.clone());
            }
            if depth > 1 && root.join(&p).is_dir() {
                walk(root, &p, depth - 1, pattern, out);
            }
        }
    }
    walk(root, "", depth, pattern, &mut out);
    out
}

fn is_archive(path: &Path) -> bool {
    let Ok(mut f) = std::fs::File::open(path) else { return false };
    let mut head = vec![0u8; 512];
    let n = f.read(&mut head).unwrap_or(0);
    head.truncate(n);
    match imaged_archive::sniff(&head) {
        imaged_archive::Compression::None => n >= 262 && &head[257..262] == b"ustar",
        _ => true,
    }
}

impl Builder<'_> {
    /// Runs `f` on a writable root of `state`; stores the changes as a layer (kept even when empty if
    /// `keep_empty`) with a history entry for `ins`.
    fn fs_step(
        &mut self,
        ins: &Instruction,
        mut state: StageState,
        init: bool,
        keep_empty: bool,
        f: impl FnOnce(&mut Self, &Path, &StageState) -> Result<(), EngineError>,
    ) -> Result<StageState, EngineError> {
        let mut ws = self.engine.workspace_blocking(&state.layers, init, None)?;
        let result = f(self, &ws.merged(), &state);
        let unmounted = ws.finish();
        if let Err(e) = result.and(unmounted) {
            ws.discard();
            return Err(e);
        }
        let stored = {
            let _gc = self.engine.inner.gc.read().expect("gc lock poisoned");
            let stored = self.engine.store_diff_blocking(&ws.upper());
            if let Ok((layer, _)) = &stored {
                self.lease.blobs.push(layer.digest.clone());
                self.engine.index().put_lease(&self.lease)?;
            }
            stored
        };
        let (layer, entries) = match stored {
            Ok(v) => v,
            Err(e) => {
                ws.discard();
                return Err(e);
            }
        };
        let now = format_time(now_nanos());
        state.config.created = Some(now);
        if entries == 0 && !keep_empty {
            ws.discard();
            state.config.history.push(Builder::history(ins, true));
            return Ok(state);
        }
        self.engine.snapshots().adopt(&layer.diff_id, &ws.upper())?;
        ws.discard();
        state.config.rootfs.diff_ids.push(layer.diff_id.to_string());
        state.config.history.push(Builder::history(ins, false));
        state.layers.push(layer);
        Ok(state)
    }

    fn workdir_of(state: &StageState) -> String {
        state.config.config.as_ref().and_then(|c| c.working_dir.clone()).filter(|w| !w.is_empty()).unwrap_or("/".into())
    }

    pub(super) fn workdir_step(&mut self, ins: &Instruction) -> Result<bool, EngineError> {
        let w = self.lexer_word(ins.args.trim())?;
        let cur = Self::workdir_of(&self.stages.last().expect("a stage").state);
        let path = clean_abs(&if w.starts_with('/') { w } else { format!("{cur}/{w}") });
        self.cached(&format!("WORKDIR {path}"), |b, mut state| {
            state.config.config.get_or_insert_with(Default::default).working_dir = Some(path.clone());
            b.fs_step(ins, state, false, false, |_, merged, _| {
                mkdir_in_root(merged, &path, None)?;
                Ok(())
            })
        })
    }

    /// Build arguments visible to RUN as environment (ENV wins over ARG).
    fn run_env(&self, state: &StageState) -> Vec<String> {
        let env = state.config.config.as_ref().and_then(|c| c.env.clone()).unwrap_or_default();
        let set = env_map(&env);
        let mut extra = Vec::new();
        for (k, v) in &self.stages.last().expect("a stage").args {
            if let Some(v) = v
                && !set.contains_key(k)
            {
                extra.push(format!("{k}={v}"));
            }
        }
        merge_env(&extra, &env)
    }

    pub(super) fn run_step(&mut self, ins: &Instruction) -> Result<bool, EngineError> {
        for (n, _) in &ins.flags {
            if !matches!(n.as_str(), "network" | "security") {
                return Err(invalid(ins, format!("RUN --{n} is not supported by imaged")));
            }
        }
        let text = ins.args.trim();
        let only_heredoc = !ins.heredocs.is_empty() && text.starts_with("<<") && !text.contains(char::is_whitespace);
        let args = if only_heredoc {
            let h = &ins.heredocs[0];
            let body = if h.expand { self.expand_heredoc(&h.content)? } else { h.content.clone() };
            self.command(ins, &body)
        } else if !ins.heredocs.is_empty() && ins.json.is_none() {
            let mut full = format!("{text}\n");
            for h in &ins.heredocs {
                full.push_str(&h.content);
                full.push_str(&h.name);
                full.push('\n');
            }
            self.command(ins, &full)
        } else {
            self.command(ins, text)
        };
        let state = self.stages.last().expect("a stage").state.clone();
        let env = self.run_env(&state);
        let cc = state.config.config.clone().unwrap_or_default();
        let user = cc.user.clone().unwrap_or_default();
        let cwd = Self::workdir_of(&state);
        let material =
            format!("RUN {}\n{}\n{user}\n{cwd}", serde_json::to_string(&args).unwrap_or_default(), env.join("\n"));
        self.cached(&material, |b, state| {
            b.log(" ---> Running in a new container");
            b.fs_step(ins, state, true, true, |b, merged, _| {
                let ids = lookup_user(merged, &user)?;
                mkdir_in_root(merged, &cwd, None)?;
                let spec = RunSpec {
                    args: args.clone(),
                    env,
                    cwd: cwd.clone(),
                    uid: ids.uid,
                    gid: ids.gid,
                    additional_gids: ids.additional_gids,
                    hostname: "buildkitsandbox".into(),
                };
                let pending = Arc::new(Mutex::new(Vec::<u8>::new()));
                let sink: OutputSink = {
                    let (events, pending) = (b.events.clone(), pending.clone());
                    Arc::new(move |_, data: &[u8]| {
                        let mut buf = pending.lock().expect("lock poisoned");
                        buf.extend_from_slice(data);
                        while let Some(nl) = buf.iter().position(|&c| c == b'\n') {
                            let line: Vec<u8> = buf.drain(..=nl).collect();
                            let text = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
                            let _ = events.blocking_send(BuildEvent::Log(text));
                        }
                    })
                };
                let bundle = merged.with_file_name("bundle");
                let code = b.engine.runtime()?.run(&bundle, merged, &spec, sink, &b.cancel)?;
                let rest = std::mem::take(&mut *pending.lock().expect("lock poisoned"));
                if !rest.is_empty() {
                    b.log(String::from_utf8_lossy(&rest).into_owned());
                }
                if code != 0 {
                    return Err(EngineError::StepFailed {
                        message: format!(
                            "Dockerfile:{}: the command '{}' returned a non-zero code: {code}",
                            ins.line,
                            args.join(" ")
                        ),
                    });
                }
                Ok(())
            })
        })
    }

    /// The root COPY/ADD read from: the context, a stage, or an image.
    fn source(&mut self, ins: &Instruction) -> Result<Source, EngineError> {
        let Some(from) = ins.flag("from") else {
            return Ok(Source { root: self.context.clone(), from_context: true, key: None, _mount: None, _tmp: None });
        };
        let from = self.lexer_word(from)?;
        let stage = match from.parse::<usize>() {
            Ok(i) if i + 1 < self.stages.len() => Some(self.stages[i].clone()),
            _ => self.stages[..self.stages.len() - 1]
                .iter()
                .find(|s| s.name.as_deref() == Some(from.to_lowercase().as_str()))
                .cloned(),
        };
        let (layers, key) = match stage {
            Some(s) => (s.state.layers, s.key),
            None => {
                let platform = self.platform.clone();
                let (record, _) = self.base_image(&from, &platform)?;
                (record.layers, record.id.hex().to_owned())
            }
        };
        let tmp = self.engine.snapshots().temp_dir()?;
        let lowers = self.engine.lowers_blocking(&layers)?;
        let mount = if self.engine.inner.copy_snapshots {
            imaged_build::copyfs::materialize(&lowers, &tmp.join("merged"))?;
            None
        } else {
            Some(mount_overlay(&lowers, None, &tmp.join("merged"))?)
        };
        Ok(Source { root: tmp.join("merged"), from_context: false, key: Some(key), _mount: mount, _tmp: Some(tmp) })
    }

    pub(super) fn copy_step(&mut self, ins: &Instruction) -> Result<bool, EngineError> {
        let add = ins.keyword == "ADD";
        for (n, _) in &ins.flags {
            if !matches!(n.as_str(), "from" | "chown" | "chmod" | "link") {
                return Err(invalid(ins, format!("{} --{n} is not supported", ins.keyword)));
            }
        }
        let mut words = match &ins.json {
            Some(v) => v.iter().map(|w| self.lexer_word(w)).collect::<Result<Vec<_>, _>>()?,
            None => self.lexer_words(&ins.args, false)?,
        };
        let dest_word = words.pop().ok_or_else(|| invalid(ins, "COPY requires a destination"))?;
        let mut source = self.source(ins)?;
        // Heredoc sources become files in a scratch directory.
        let mut srcs: Vec<(PathBuf, String)> = Vec::new();
        let heredoc_dir = if ins.heredocs.is_empty() { None } else { Some(self.engine.snapshots().temp_dir()?) };
        for w in &words {
            if let Some(name) = w.strip_prefix("<<") {
                let name = name.trim_start_matches('-').trim_matches(|c| c == '"' || c == '\'');
                let h = ins
                    .heredocs
                    .iter()
                    .find(|h| h.name == name)
                    .ok_or_else(|| invalid(ins, format!("no heredoc {name}")))?;
                let body = if h.expand { self.expand_heredoc(&h.content)? } else { h.content.clone() };
                let dir = heredoc_dir.as_ref().expect("heredoc dir");
                let p = dir.join(name);
                std::fs::write(&p, body).map_err(|e| EngineError::Io { path: p.clone(), source: e })?;
                srcs.push((p, name.to_owned()));
                continue;
            }
            if add && (w.starts_with("http://") || w.starts_with("https://") || w.starts_with("git@")) {
                return Err(invalid(
                    ins,
                    format!("ADD of a remote URL ({w}) is not supported: put the file in the context"),
                ));
            }
            let rel = w.trim_start_matches('/');
            let lexical = imaged_archive::EntryGuard::new().check(
                if rel.is_empty() { "." } else { rel },
                tar::EntryType::Directory,
                None,
            );
            if lexical.is_err() {
                return Err(invalid(ins, format!("forbidden path outside the build context: {w}")));
            }
            if has_wildcard(rel) {
                let found = glob(&source.root, rel);
                if found.is_empty() {
                    return Err(invalid(ins, format!("no source files were specified: {w} matches nothing")));
                }
                for f in found {
                    srcs.push((source.root.join(&f), f));
                }
            } else {
                let host = resolve_in_root(&source.root, rel, true)?;
                if std::fs::symlink_metadata(&host).is_err() {
                    return Err(invalid(
                        ins,
                        format!(
                            "{w}: no such file or directory in the {}",
                            if source.from_context { "build context" } else { "source stage" }
                        ),
                    ));
                }
                srcs.push((host, rel.to_owned()));
            }
        }
        // Cache material: flags, destination, and what the sources hold.
        let mut h = Sha256Hasher::new();
        match &source.key {
            Some(k) => h.update(format!("from {k}\n{words:?}").as_bytes()),
            None => {
                for (p, rel) in &srcs {
                    hash_tree(p, rel, &mut h)?;
                }
            }
        }
        let material = format!("{} {:?} {dest_word} {}", ins.keyword, ins.flags, h.finish());
        let state = self.stages.last().expect("a stage").state.clone();
        let cwd = Self::workdir_of(&state);
        let dest = if dest_word.starts_with('/') {
            dest_word.clone()
        } else {
            format!("{}/{dest_word}", cwd.trim_end_matches('/'))
        };
        let dest_is_dir = dest_word.ends_with('/') || srcs.len() > 1;
        let chmod = ins
            .flag("chmod")
            .map(|m| {
                u32::from_str_radix(m, 8).map_err(|_| invalid(ins, format!("invalid --chmod {m:?}: give octal bits")))
            })
            .transpose()?;
        let chown = ins.flag("chown").map(|c| self.lexer_word(c)).transpose()?;
        let from_context = source.from_context;
        let result = self.cached(&material, |b, state| {
            b.fs_step(ins, state, false, true, |_, merged, _| {
                let owner = match &chown {
                    Some(spec) => {
                        let ids = lookup_user(merged, spec)?;
                        Some((ids.uid, ids.gid))
                    }
                    None if from_context => Some((0, 0)),
                    None => None,
                };
                let opts = CopyOptions { chown: owner, chmod };
                for (host, rel) in &srcs {
                    let meta = std::fs::symlink_metadata(host)
                        .map_err(|e| EngineError::Io { path: host.clone(), source: e })?;
                    let base = rel.rsplit('/').next().unwrap_or(rel).to_owned();
                    if meta.is_dir() {
                        let d = mkdir_in_root(merged, &dest, None)?;
                        let mut entries: Vec<_> = std::fs::read_dir(host)
                            .map_err(|e| EngineError::Io { path: host.clone(), source: e })?
                            .flatten()
                            .collect();
                        entries.sort_by_key(|e| e.file_name());
                        for e in entries {
                            copy_entry(&e.path(), &d.join(e.file_name()), opts)?;
                        }
                    } else if add && from_context && is_archive(host) {
                        let d = mkdir_in_root(merged, &dest, None)?;
                        let f =
                            std::fs::File::open(host).map_err(|e| EngineError::Io { path: host.clone(), source: e })?;
                        let mut input = std::io::BufReader::new(f);
                        let head = std::io::BufRead::fill_buf(&mut input)
                            .map_err(|e| EngineError::Io { path: host.clone(), source: e })?
                            .to_vec();
                        let decoded = imaged_archive::decoder(input, imaged_archive::sniff(&head))?;
                        unpack_plain(decoded, &d, &|_| false)?;
                    } else {
                        let existing_dir = resolve_in_root(merged, &dest, true)?.is_dir();
                        let target = if dest_is_dir || existing_dir {
                            format!("{}/{base}", dest.trim_end_matches('/'))
                        } else {
                            dest.clone()
                        };
                        let parent = target.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
                        mkdir_in_root(merged, parent, None)?;
                        let t = resolve_in_root(merged, &target, false)?;
                        copy_entry(host, &t, opts)?;
                    }
                }
                Ok(())
            })
        });
        drop(source._mount.take());
        if let Some(d) = heredoc_dir {
            let _ = imaged_build::snapshot::remove_all(&d);
        }
        result
    }
}
