//! The native client: every RPC, each unary one twice (blocking, and `*_async` returning an awaitable).
//! Arguments are positional and explicit; the Python package gives them names and defaults.

use std::{collections::HashMap, path::PathBuf, time::Duration};

use imaged_client::{BuildEvent, ClientError, Output, pb};
use pyo3::prelude::*;
use tokio::io::AsyncWriteExt;

use crate::{
    awaitable,
    convert::Encoded,
    streams::{Ev, EvTx, EventStream, Reply, Upload},
    to_py, wait, within,
};

/// A connection to one imaged in one namespace.
#[pyclass(frozen, module = "imaged._imaged")]
pub struct Client {
    inner: imaged_client::Client,
    timeout: Option<Duration>,
}

/// Per-call registry credentials: user name, password, identity token.
type Credentials = Option<(String, String, String)>;

fn auth(a: Credentials) -> Option<pb::AuthConfig> {
    a.map(|(username, password, identity_token)| pb::AuthConfig { username, password, identity_token })
}

fn format_of(f: &str) -> Result<pb::ArchiveFormat, ClientError> {
    match f {
        "docker" | "" => Ok(pb::ArchiveFormat::Docker),
        "oci" => Ok(pb::ArchiveFormat::Oci),
        other => Err(ClientError::InvalidInput(format!("unknown archive format {other:?}: use \"docker\" or \"oci\""))),
    }
}

async fn send(tx: &EvTx, ev: Ev) {
    let _ = tx.send(Ok(ev)).await;
}

/// The client's callbacks are synchronous: they put items on an unbounded channel, and a task turns each
/// into an event of the stream. Drop the sender, then await the task, so every item is sent before the
/// result.
fn forwarder<T: Send + 'static>(
    tx: &EvTx,
    to_event: fn(T) -> Ev,
) -> (tokio::sync::mpsc::UnboundedSender<T>, tokio::task::JoinHandle<()>) {
    let (itx, mut irx) = tokio::sync::mpsc::unbounded_channel::<T>();
    let tx = tx.clone();
    let task = tokio::spawn(async move {
        while let Some(item) = irx.recv().await {
            send(&tx, to_event(item)).await;
        }
    });
    (itx, task)
}

fn progress_event(p: pb::Progress) -> Ev {
    Ev::Msg("progress", Reply::msg("Progress", &p))
}

/// Writes save chunks into the event stream.
struct ChunkSink {
    /// `PollSender` keeps the reservation (and its waiter) across polls: a `reserve()` future made inside
    /// `poll_write` and dropped on `Pending` takes its waiter with it, and nothing would wake the writer.
    tx: tokio_util::sync::PollSender<Result<Ev, ClientError>>,
}

impl tokio::io::AsyncWrite for ChunkSink {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let gone = || std::io::Error::other("the reader went away");
        match self.tx.poll_reserve(cx) {
            std::task::Poll::Ready(Ok(())) => {
                self.tx.send_item(Ok(Ev::Bytes("data", buf.to_vec()))).map_err(|_| gone())?;
                std::task::Poll::Ready(Ok(buf.len()))
            }
            std::task::Poll::Ready(Err(_)) => std::task::Poll::Ready(Err(gone())),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

const LIST_RESPONSE: &str = "imaged.v1.ListImagesResponse";

macro_rules! unary {
    ($( $(#[$doc:meta])* fn $name:ident / $aname:ident ( $($arg:ident : $ty:ty),* ) => |$c:ident| $body:expr ;)*
     extra { $($extra:tt)* }) => {
        #[pymethods]
        #[allow(clippy::too_many_arguments)]
        impl Client {
            $(
                $(#[$doc])*
                fn $name(&self, py: Python<'_>, $($arg: $ty),*) -> PyResult<Py<PyAny>> {
                    let $c = self.inner.clone();
                    let reply: Reply = wait(py, async move { $body.await.map_err(to_py) }, self.timeout)?;
                    reply.into_py(py)
                }

                fn $aname<'py>(&self, py: Python<'py>, $($arg: $ty),*) -> PyResult<Bound<'py, PyAny>> {
                    let $c = self.inner.clone();
                    let timeout = self.timeout;
                    awaitable(py, async move {
                        let reply: Reply = within(timeout, async move { $body.await.map_err(to_py) }).await?;
                        Python::attach(|py| reply.into_py(py))
                    })
                }
            )*
            $($extra)*
        }
    };
}

unary! {
    fn inspect / inspect_async(image: String, platform: String) => |c| async move {
        Ok::<_, ClientError>(Reply::msg("ImageDetails", &c.inspect_platform(&image, vec![], &platform).await?))
    };
    /// The image as `docker image inspect` prints it (JSON text).
    fn inspect_docker / inspect_docker_async(image: String, platform: String) => |c| async move {
        let d = c.inspect_platform(&image, vec![], &platform).await?;
        Ok::<_, ClientError>(Reply::Text(imaged_client::docker::image_json(&d).to_string()))
    };
    fn history / history_async(image: String) => |c| async move {
        Ok::<_, ClientError>(Reply::list("HistoryEntry", &c.history(&image).await?))
    };
    fn tag / tag_async(source: String, target: String) => |c| async move {
        Ok::<_, ClientError>(Reply::msg("TagResponse", &c.tag(&source, &target).await?))
    };
    fn remove / remove_async(image: String, force: bool, no_prune: bool) => |c| async move {
        Ok::<_, ClientError>(Reply::msg("RemoveImageResponse", &c.remove(&image, force, no_prune).await?))
    };
    fn prune / prune_async(all: bool, filters: Vec<(String, String)>) => |c| async move {
        Ok::<_, ClientError>(Reply::msg("PruneImagesResponse", &c.prune(all, filters).await?))
    };
    fn disk_usage / disk_usage_async() => |c| async move {
        Ok::<_, ClientError>(Reply::msg("DiskUsageResponse", &c.disk_usage().await?))
    };
    fn search / search_async(term: String, limit: i32, filters: Vec<(String, String)>) => |c| async move {
        Ok::<_, ClientError>(Reply::msg("SearchResponse", &c.search(&term, limit, filters).await?))
    };
    fn login / login_async(server: String, username: String, password: String) => |c| async move {
        c.login(&server, &username, &password).await.map(Reply::Text)
    };
    fn logout / logout_async(server: String) => |c| async move {
        c.logout(&server).await.map(Reply::Text)
    };
    fn logins / logins_async() => |c| async move {
        Ok::<_, ClientError>(Reply::list("RegistryLogin", &c.logins().await?))
    };
    fn create_container / create_container_async(image: String, name: String) => |c| async move {
        let (id, name) = c.create_container(&image, &name).await?;
        Ok::<_, ClientError>(Reply::msg("CreateContainerResponse", &pb::CreateContainerResponse { id, name }))
    };
    fn containers / containers_async() => |c| async move {
        Ok::<_, ClientError>(Reply::list("ContainerSummary", &c.list_containers().await?))
    };
    fn remove_container / remove_container_async(container: String, force: bool) => |c| async move {
        c.remove_container(&container, force).await.map(Reply::Text)
    };
    fn commit / commit_async(container: String, reference: String, author: String, message: String, changes: Vec<String>, pause: bool) => |c| async move {
        let req = pb::CommitRequest { container, reference, author, message, changes, pause };
        c.commit(req).await.map(Reply::Text)
    };
    fn import_path / import_path_async(path: PathBuf, reference: String, message: String, changes: Vec<String>, platform: String) => |c| async move {
        let options = pb::ImportOptions { reference, message, changes, platform, path: String::new() };
        let f = tokio::fs::File::open(&path).await.map_err(ClientError::Io)?;
        Ok::<_, ClientError>(Reply::msg("ImportResult", &c.import(options, f).await?))
    };
    fn save_path / save_path_async(images: Vec<String>, format: String, path: PathBuf) => |c| async move {
        let mut f = tokio::fs::File::create(&path).await.map_err(ClientError::Io)?;
        let n = c.save(images, format_of(&format)?, None, &mut f).await?;
        f.sync_all().await.map_err(ClientError::Io)?;
        Ok::<_, ClientError>(Reply::Int(n as i64))
    };
    fn load_path / load_path_async(path: PathBuf) => |c| async move {
        let f = tokio::fs::File::open(&path).await.map_err(ClientError::Io)?;
        Ok::<_, ClientError>(Reply::list("LoadedImage", &c.load(f).await?))
    };

    extra {
        /// Images, as `ImageSummary` objects: List's answer is read straight from its wire bytes (the hot
        /// path: no prost round trip).
        fn images(&self, py: Python<'_>, all: bool, filters: Vec<(String, String)>) -> PyResult<Py<PyAny>> {
            let c = self.inner.clone();
            let bytes = wait(py, async move { c.list_encoded(all, filters).await.map_err(to_py) }, self.timeout)?;
            Reply::Field(Encoded::raw(LIST_RESPONSE, bytes), "images").into_py(py)
        }

        fn images_async<'py>(&self, py: Python<'py>, all: bool, filters: Vec<(String, String)>) -> PyResult<Bound<'py, PyAny>> {
            let c = self.inner.clone();
            let timeout = self.timeout;
            awaitable(py, async move {
                let bytes = within(timeout, async move { c.list_encoded(all, filters).await.map_err(to_py) }).await?;
                Python::attach(|py| Reply::Field(Encoded::raw(LIST_RESPONSE, bytes), "images").into_py(py))
            })
        }

        /// Connects to `unix:///path`, a socket path, `http://host:port`, or `https://host:port` (trusting
        /// `tls_ca`, presenting `tls_cert`/`tls_key` when the daemon asks for a client certificate).
        #[new]
        #[pyo3(signature = (host, namespace = None, timeout = None, tls_ca = None, tls_cert = None, tls_key = None))]
        fn new(
            py: Python<'_>,
            host: String,
            namespace: Option<String>,
            timeout: Option<f64>,
            tls_ca: Option<PathBuf>,
            tls_cert: Option<PathBuf>,
            tls_key: Option<PathBuf>,
        ) -> PyResult<Self> {
            let timeout = timeout.map(Duration::from_secs_f64);
            let inner = wait(
                py,
                async move {
                    let c = if tls_ca.is_some() || tls_cert.is_some() || tls_key.is_some() {
                        let files = imaged_client::TlsFiles { ca: tls_ca, cert: tls_cert, key: tls_key };
                        imaged_client::Client::connect_tls(&host, &files).await
                    } else {
                        imaged_client::Client::connect(&host).await
                    };
                    // The timeout goes with every call as its gRPC deadline: the daemon stops the work too.
                    let c = c.map_err(to_py)?.with_deadline(timeout);
                    match namespace {
                        Some(ns) => c.with_namespace(&ns).map_err(to_py),
                        None => Ok(c),
                    }
                },
                timeout,
            )?;
            Ok(Self { inner, timeout })
        }

        /// The same connection with another timeout (`None`: none) for the calls made through it.
        #[pyo3(signature = (timeout))]
        fn with_timeout(&self, timeout: Option<f64>) -> Self {
            let timeout = timeout.map(Duration::from_secs_f64);
            Self { inner: self.inner.with_deadline(timeout), timeout }
        }

        /// Pull events: `("progress", Progress)`…, then `("result", PullResult)` per pulled tag.
        fn pull(&self, reference: String, all_tags: bool, platform: Option<String>, all_platforms: bool, credentials: Credentials) -> EventStream {
            let c = self.inner.clone();
            EventStream::start(self.timeout, move |tx| async move {
                let (ptx, forward) = forwarder(&tx, progress_event);
                let req = pb::PullRequest {
                    reference, all_tags, platform: platform.unwrap_or_default(), all_platforms, auth: auth(credentials),
                };
                let results = c.pull_with(req, |p| {
                    let _ = ptx.send(p.clone());
                }).await;
                drop(ptx);
                let _ = forward.await;
                for r in results? {
                    send(&tx, Ev::Msg("result", Reply::msg("PullResult", &r))).await;
                }
                Ok(())
            })
        }

        /// Push events: `("progress", Progress)`…, then `("result", PushResult)` per pushed tag.
        fn push(&self, reference: String, all_tags: bool, platform: Option<String>, credentials: Credentials) -> EventStream {
            let c = self.inner.clone();
            EventStream::start(self.timeout, move |tx| async move {
                let (ptx, forward) = forwarder(&tx, progress_event);
                let req = pb::PushRequest { reference, all_tags, auth: auth(credentials), platform: platform.unwrap_or_default() };
                let results = c.push_with(req, |p| {
                    let _ = ptx.send(p.clone());
                }).await;
                drop(ptx);
                let _ = forward.await;
                for r in results? {
                    send(&tx, Ev::Msg("result", Reply::msg("PushResult", &r))).await;
                }
                Ok(())
            })
        }

        /// Build events: `("log", line)`, `("step", BuildStep)`…, then `("result", BuildResult)`.
        #[allow(clippy::too_many_arguments)]
        fn build(
            &self,
            context: PathBuf,
            tags: Vec<String>,
            dockerfile: String,
            build_args: HashMap<String, String>,
            target: String,
            labels: HashMap<String, String>,
            no_cache: bool,
            pull: bool,
            platform: String,
        ) -> EventStream {
            let c = self.inner.clone();
            EventStream::start(self.timeout, move |tx| async move {
                let dockerfile_content = if dockerfile.is_empty() {
                    String::new()
                } else {
                    tokio::fs::read_to_string(&dockerfile).await.map_err(ClientError::Io)?
                };
                let options = pb::BuildOptions {
                    tags, dockerfile: String::new(), build_args, target, labels, no_cache, platform, pull, dockerfile_content,
                };
                let (etx, forward) = forwarder(&tx, |ev| match ev {
                    BuildEvent::Log(l) => Ev::Text("log", l),
                    BuildEvent::Step(s) => Ev::Msg("step", Reply::msg("BuildStep", &s)),
                });
                let result = c.build(options, &context, |ev| {
                    let _ = etx.send(ev);
                }).await;
                drop(etx);
                let _ = forward.await;
                send(&tx, Ev::Msg("result", Reply::msg("BuildResult", &result?))).await;
                Ok(())
            })
        }

        /// Exec events: `("stdout", bytes)`, `("stderr", bytes)`…, then `("exit", code)`.
        fn exec(&self, container: String, args: Vec<String>, env: Vec<String>, workdir: String, user: String) -> EventStream {
            let c = self.inner.clone();
            EventStream::start(self.timeout, move |tx| async move {
                let (otx, forward) = forwarder(&tx, |ev: Ev| ev);
                let code = c.exec(&container, args, env, &workdir, &user, |o| {
                    let _ = otx.send(match o {
                        Output::Stdout(d) => Ev::Bytes("stdout", d.to_vec()),
                        Output::Stderr(d) => Ev::Bytes("stderr", d.to_vec()),
                    });
                }).await;
                drop(otx);
                let _ = forward.await;
                send(&tx, Ev::Int("exit", code? as i64)).await;
                Ok(())
            })
        }

        /// Save events: `("data", bytes)` chunks of the archive, then `("result", total bytes)`.
        fn save(&self, images: Vec<String>, format: String) -> EventStream {
            let c = self.inner.clone();
            EventStream::start(self.timeout, move |tx| async move {
                let mut sink = ChunkSink { tx: tokio_util::sync::PollSender::new(tx.clone()) };
                let n = c.save(images, format_of(&format)?, None, &mut sink).await?;
                sink.flush().await.map_err(ClientError::Io)?;
                send(&tx, Ev::Int("result", n as i64)).await;
                Ok(())
            })
        }

        /// An import fed by `Upload.write`; `finish()` gives the `ImportResult`.
        fn import_stream(&self, reference: String, message: String, changes: Vec<String>, platform: String) -> Upload {
            let c = self.inner.clone();
            Upload::start(self.timeout, move |r| async move {
                let options = pb::ImportOptions { reference, message, changes, platform, path: String::new() };
                Ok(Reply::msg("ImportResult", &c.import(options, r).await?))
            })
        }

        /// A load fed by `Upload.write`; `finish()` gives the `LoadedImage` list.
        fn load_stream(&self) -> Upload {
            let c = self.inner.clone();
            Upload::start(self.timeout, move |r| async move { Ok(Reply::list("LoadedImage", &c.load(r).await?)) })
        }
    }
}
