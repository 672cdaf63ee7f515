//! Builds: the context directory is sent as a tar stream (honouring `.dockerignore`), build events come
//! back.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use imaged_core::pattern::IgnoreRules;
use tokio::sync::mpsc;

use crate::{CHUNK, Client, ClientError, pb};

/// A build event: a log line or a finished step.
#[derive(Debug, Clone)]
pub enum BuildEvent {
    Log(String),
    Step(pb::BuildStep),
}

/// Sends tar bytes in chunks over a channel from a blocking thread.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Vec<u8>, ClientError>>,
    buf: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = std::mem::take(&mut self.buf);
            self.tx
                .blocking_send(Ok(chunk))
                .map_err(|_| std::io::Error::other("the daemon stopped reading the context"))?;
        }
        Ok(())
    }
}

/// Files of `dir` that `.dockerignore` keeps, as relative paths (directories before their contents).
/// Sockets, FIFOs and device files are left out, as Docker leaves them out, and so is `skip_dir` (the
/// directory of the daemon's socket: its root when run from a checkout).
pub fn context_files(dir: &Path, skip_dir: Option<&Path>) -> std::io::Result<Vec<String>> {
    let rules = IgnoreRules::parse(&std::fs::read_to_string(dir.join(".dockerignore")).unwrap_or_default());
    let mut out = Vec::new();
    let skip = skip_dir.and_then(|d| d.canonicalize().ok()).filter(|d| dir.canonicalize().ok().as_ref() != Some(d));
    let rules = &(rules, skip);
    fn walk(
        root: &Path,
        rel: &str,
        ctx: &(IgnoreRules, Option<PathBuf>),
        out: &mut Vec<String>,
    ) -> std::io::Result<()> {
        let (rules, skip) = ctx;
        let here = root.join(rel);
        let mut entries: Vec<_> =
            std::fs::read_dir(&here).and_then(|d| d.collect::<Result<_, _>>()).map_err(|e| at(&here, e))?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let kind = e.file_type().map_err(|err| at(&e.path(), err))?;
            if !(kind.is_dir() || kind.is_file() || kind.is_symlink()) {
                continue;
            }
            if kind.is_dir() && skip.is_some() && e.path().canonicalize().ok() == *skip {
                continue;
            }
            let excluded = rules.excludes(&path) && path != ".dockerignore" && path != "Dockerfile";
            if !excluded {
                out.push(path.clone());
            }
            if kind.is_dir() && (!excluded || rules.may_reinclude_below(&path)) {
                walk(root, &path, ctx, out)?;
            }
        }
        Ok(())
    }
    walk(dir, "", rules, &mut out)?;
    Ok(out)
}

/// An I/O error that names the file it happened on.
fn at(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

fn write_context(dir: &Path, skip_dir: Option<&Path>, w: ChannelWriter) -> std::io::Result<()> {
    let files = context_files(dir, skip_dir)?;
    let mut b = tar::Builder::new(w);
    b.follow_symlinks(false);
    b.mode(tar::HeaderMode::Complete);
    for f in files {
        let path = dir.join(&f);
        b.append_path_with_name(&path, &f).map_err(|e| at(&path, e))?;
    }
    let mut w = b.into_inner()?;
    w.flush()
}

/// Tars the context into `tx`; a failure is sent as the stream's last item, so that the request is
/// cancelled instead of ending as if the context were complete.
fn send_context(dir: PathBuf, skip_dir: Option<PathBuf>, tx: mpsc::Sender<Result<Vec<u8>, ClientError>>) {
    let w = ChannelWriter { tx: tx.clone(), buf: Vec::new() };
    if let Err(e) = write_context(&dir, skip_dir.as_deref(), w) {
        let _ = tx.blocking_send(Err(ClientError::InvalidInput(format!("unable to prepare context: {e}"))));
    }
}

/// Aborts the task when the call it feeds is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Client {
    /// Builds from a context directory; `on_event` sees log lines and steps. Returns the result.
    pub async fn build(
        &self,
        options: pb::BuildOptions,
        context: &Path,
        mut on_event: impl FnMut(BuildEvent),
    ) -> Result<pb::BuildResult, ClientError> {
        if !context.is_dir() {
            return Err(ClientError::InvalidInput(format!(
                "unable to prepare context: path {:?} not found or not a directory",
                context.display()
            )));
        }
        if options.dockerfile_content.is_empty() {
            let name = if options.dockerfile.is_empty() { "Dockerfile" } else { &options.dockerfile };
            let path = context.join(name);
            if let Err(e) = std::fs::metadata(&path) {
                return Err(ClientError::InvalidInput(format!(
                    "unable to prepare context: cannot read the Dockerfile {}: {e}",
                    path.display()
                )));
            }
        }
        let (tx, mut rx) = mpsc::channel::<Result<Vec<u8>, ClientError>>(4);
        let dir = context.to_owned();
        let daemon_dir = self.socket.as_ref().and_then(|s| s.parent()).map(Path::to_owned);
        tokio::task::spawn_blocking(move || send_context(dir, daemon_dir, tx));
        let (req_tx, req_rx) = mpsc::channel::<pb::BuildRequest>(4);
        let (failed_tx, mut failed) = mpsc::channel::<ClientError>(1);
        let forward = tokio::spawn(async move {
            let first = pb::BuildRequest { part: Some(pb::build_request::Part::Options(options)) };
            if req_tx.send(first).await.is_err() {
                return;
            }
            while let Some(item) = rx.recv().await {
                let chunk = match item {
                    Ok(chunk) => chunk,
                    Err(e) => {
                        // Hold the request open until the call is dropped: ending it would tell the daemon
                        // that the (truncated) context is complete.
                        let _ = failed_tx.send(e).await;
                        std::future::pending::<()>().await;
                        return;
                    }
                };
                let msg = pb::BuildRequest { part: Some(pb::build_request::Part::Context(chunk)) };
                if req_tx.send(msg).await.is_err() {
                    return;
                }
            }
        });
        let _abort = AbortOnDrop(forward);
        let mut builds = self.builds();
        let call = builds.build(self.req(tokio_stream::wrappers::ReceiverStream::new(req_rx)));
        let mut stream = tokio::select! {
            response = call => response?.into_inner(),
            Some(e) = failed.recv() => return Err(e),
        };
        let mut result = None;
        loop {
            let msg = tokio::select! {
                msg = stream.message() => msg?,
                Some(e) = failed.recv() => return Err(e),
            };
            let Some(msg) = msg else { break };
            match msg.event {
                Some(pb::build_response::Event::Log(l)) => on_event(BuildEvent::Log(l)),
                Some(pb::build_response::Event::Step(s)) => on_event(BuildEvent::Step(s)),
                Some(pb::build_response::Event::Result(r)) => result = Some(r),
                Some(pb::build_response::Event::Progress(_)) | None => {}
            }
        }
        result.ok_or_else(|| ClientError::Protocol("the build stream ended without a result".into()))
    }
}
