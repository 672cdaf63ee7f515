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
    tx: mpsc::Sender<Vec<u8>>,
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
                .blocking_send(chunk)
                .map_err(|_| std::io::Error::other("the daemon stopped reading the context"))?;
        }
        Ok(())
    }
}

/// Files of `dir` that `.dockerignore` keeps, as relative paths (directories before their contents).
pub fn context_files(dir: &Path) -> std::io::Result<Vec<String>> {
    let rules = IgnoreRules::parse(&std::fs::read_to_string(dir.join(".dockerignore")).unwrap_or_default());
    let mut out = Vec::new();
    fn walk(root: &Path, rel: &str, rules: &IgnoreRules, out: &mut Vec<String>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(rel))?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let is_dir = e.file_type()?.is_dir();
            let excluded = rules.excludes(&path) && path != ".dockerignore" && path != "Dockerfile";
            if !excluded {
                out.push(path.clone());
            }
            if is_dir && (!excluded || rules.may_reinclude_below(&path)) {
                walk(root, &path, rules, out)?;
            }
        }
        Ok(())
    }
    walk(dir, "", &rules, &mut out)?;
    Ok(out)
}

fn write_context(dir: PathBuf, w: ChannelWriter) -> std::io::Result<()> {
    let files = context_files(&dir)?;
    let mut b = tar::Builder::new(w);
    b.follow_symlinks(false);
    b.mode(tar::HeaderMode::Complete);
    for f in files {
        b.append_path_with_name(dir.join(&f), &f)?;
    }
    let mut w = b.into_inner()?;
    w.flush()
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
        let (tx, mut rx) = mpsc::channel::<Vec<u8>>(4);
        let dir = context.to_owned();
        let producer = tokio::task::spawn_blocking(move || write_context(dir, ChannelWriter { tx, buf: Vec::new() }));
        let (req_tx, req_rx) = mpsc::channel::<pb::BuildRequest>(4);
        let forward = tokio::spawn(async move {
            let first = pb::BuildRequest { part: Some(pb::build_request::Part::Options(options)) };
            if req_tx.send(first).await.is_err() {
                return;
            }
            while let Some(chunk) = rx.recv().await {
                let msg = pb::BuildRequest { part: Some(pb::build_request::Part::Context(chunk)) };
                if req_tx.send(msg).await.is_err() {
                    return;
                }
            }
        });
        let response = self.builds().build(self.req(tokio_stream::wrappers::ReceiverStream::new(req_rx))).await;
        let mut stream = match response {
            Ok(r) => r.into_inner(),
            Err(e) => {
                forward.abort();
                return Err(e.into());
            }
        };
        let mut result = None;
        while let Some(msg) = stream.message().await? {
            match msg.event {
                Some(pb::build_response::Event::Log(l)) => on_event(BuildEvent::Log(l)),
                Some(pb::build_response::Event::Step(s)) => on_event(BuildEvent::Step(s)),
                Some(pb::build_response::Event::Result(r)) => result = Some(r),
                Some(pb::build_response::Event::Progress(_)) | None => {}
            }
        }
        match producer.await {
            Ok(Err(e)) if result.is_none() => return Err(ClientError::Io(e)),
            _ => {}
        }
        result.ok_or_else(|| ClientError::Protocol("the build stream ended without a result".into()))
    }
}
