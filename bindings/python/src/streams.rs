//! Streams between Python and a running RPC: [`EventStream`] yields what the daemon sends (progress, log
//! lines, output, archive bytes, then the result); [`Upload`] takes bytes from Python for import and load.

use std::{future::Future, sync::Arc, time::Duration};

use imaged_client::ClientError;
use pyo3::{
    exceptions::PyRuntimeError,
    prelude::*,
    types::{PyBytes, PyList, PyModule, PyTuple},
};
use tokio::{
    io::AsyncWriteExt,
    sync::{Mutex, mpsc},
    task::JoinHandle,
};

use crate::{
    awaitable,
    convert::{Encoded, encoded, message_py},
    runtime, to_py, wait, within,
};

/// A result on its way to Python: built as Python objects only once the GIL is held.
#[derive(Debug)]
pub(crate) enum Reply {
    /// One message, as its generated class.
    Msg(Encoded),
    /// A list of messages.
    List(Vec<Encoded>),
    /// One field of a message (`images` of a `ListImagesResponse`).
    Field(Encoded, &'static str),
    Text(String),
    Int(i64),
}

impl Reply {
    /// The API's message `imaged.v1.{name}`.
    pub(crate) fn msg<M: prost::Message>(name: &str, m: &M) -> Self {
        Self::Msg(encoded(name, m))
    }

    pub(crate) fn list<M: prost::Message>(name: &str, ms: &[M]) -> Self {
        Self::List(ms.iter().map(|m| encoded(name, m)).collect())
    }

    pub(crate) fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        // Thousands of fresh objects that hold no cycles: the cycle collector would only walk them.
        let _paused = matches!(self, Self::List(_) | Self::Field(..)).then(|| GcPause::new(py)).transpose()?;
        Ok(match self {
            Self::Msg(m) => message_py(py, &m)?.unbind(),
            Self::List(ms) => {
                let list = PyList::empty(py);
                for m in &ms {
                    list.append(message_py(py, m)?)?;
                }
                list.into_any().unbind()
            }
            Self::Field(m, name) => message_py(py, &m)?.getattr(name)?.unbind(),
            Self::Text(s) => s.into_pyobject(py)?.into_any().unbind(),
            Self::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        })
    }
}

/// The cycle collector off while a reply is built, back on when dropped (if it was on). Building a List
/// answer of 10,000 rows (~60,000 objects) otherwise runs dozens of collections over them: ~5 % of the call.
struct GcPause<'py>(Option<Bound<'py, PyModule>>);

impl<'py> GcPause<'py> {
    fn new(py: Python<'py>) -> PyResult<Self> {
        let gc = py.import("gc")?;
        if gc.call_method0("isenabled")?.is_truthy()? {
            gc.call_method0("disable")?;
            Ok(Self(Some(gc)))
        } else {
            Ok(Self(None))
        }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.0 {
            let _ = gc.call_method0("enable");
        }
    }
}

/// One item of an event stream.
#[derive(Debug)]
pub(crate) enum Ev {
    /// A message (progress, step, result).
    Msg(&'static str, Reply),
    /// A log line.
    Text(&'static str, String),
    Bytes(&'static str, Vec<u8>),
    Int(&'static str, i64),
}

pub(crate) type EvTx = mpsc::Sender<Result<Ev, ClientError>>;

/// An iterator over the events of a running RPC; also an async iterator (`__anext__`). Dropping it (or
/// `cancel()`) cancels the RPC.
#[pyclass(frozen, module = "imaged._imaged")]
pub struct EventStream {
    rx: Arc<Mutex<mpsc::Receiver<Result<Ev, ClientError>>>>,
    task: JoinHandle<()>,
    timeout: Option<Duration>,
}

impl EventStream {
    /// Starts `job` with a sender for its events; the job's error (if any) becomes the last item.
    pub(crate) fn start<F, Fut>(timeout: Option<Duration>, job: F) -> Self
    where
        F: FnOnce(EvTx) -> Fut,
        Fut: Future<Output = Result<(), ClientError>> + Send + 'static,
    {
        // Room for 8 events: a save's events are 1 MiB chunks, so this bounds what waits for a slow reader.
        let (tx, rx) = mpsc::channel(8);
        let fut = job(tx.clone());
        let task = runtime().spawn(async move {
            if let Err(e) = fut.await {
                let _ = tx.send(Err(e)).await;
            }
        });
        Self { rx: Arc::new(Mutex::new(rx)), task, timeout }
    }
}

fn to_tuple(py: Python<'_>, ev: Ev) -> PyResult<Py<PyTuple>> {
    Ok(match ev {
        Ev::Msg(k, r) => PyTuple::new(py, [k.into_pyobject(py)?.into_any(), r.into_py(py)?.into_bound(py)])?,
        Ev::Text(k, s) => PyTuple::new(py, [k.into_pyobject(py)?.into_any(), s.into_pyobject(py)?.into_any()])?,
        Ev::Bytes(k, b) => PyTuple::new(py, [k.into_pyobject(py)?.into_any(), PyBytes::new(py, &b).into_any()])?,
        Ev::Int(k, i) => PyTuple::new(py, [k.into_pyobject(py)?.into_any(), i.into_pyobject(py)?.into_any()])?,
    }
    .unbind())
}

async fn next_item(rx: Arc<Mutex<mpsc::Receiver<Result<Ev, ClientError>>>>) -> Result<Option<Ev>, PyErr> {
    match rx.lock().await.recv().await {
        Some(Ok(ev)) => Ok(Some(ev)),
        Some(Err(e)) => Err(to_py(e)),
        None => Ok(None),
    }
}

#[pymethods]
impl EventStream {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// The next `(kind, payload)` event; the iteration ends after the result.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyTuple>>> {
        let item = wait(py, next_item(self.rx.clone()), self.timeout)?;
        item.map(|ev| to_tuple(py, ev)).transpose()
    }

    /// Awaitable of the next event, or `None` at the end.
    fn next_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (rx, timeout) = (self.rx.clone(), self.timeout);
        awaitable(py, async move {
            let item = within(timeout, next_item(rx)).await?;
            Python::attach(|py| item.map(|ev| to_tuple(py, ev)).transpose())
        })
    }

    /// Cancels the RPC.
    fn cancel(&self) {
        self.task.abort();
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The running upload task and its result.
type UploadTask = Arc<Mutex<Option<JoinHandle<Result<Reply, ClientError>>>>>;

/// Bytes from Python into a running upload RPC (import, load). `write()` chunks, then `finish()` for the
/// result; dropping it unfinished cancels the RPC.
#[pyclass(frozen, module = "imaged._imaged")]
pub struct Upload {
    writer: Arc<Mutex<Option<tokio::io::DuplexStream>>>,
    result: UploadTask,
    timeout: Option<Duration>,
}

impl Upload {
    /// Starts `job` reading from the returned stream's other end.
    pub(crate) fn start<F, Fut>(timeout: Option<Duration>, job: F) -> Self
    where
        F: FnOnce(tokio::io::DuplexStream) -> Fut,
        Fut: Future<Output = Result<Reply, ClientError>> + Send + 'static,
    {
        let (w, r) = tokio::io::duplex(1 << 20);
        let fut = job(r);
        let handle = runtime().spawn(fut);
        Self { writer: Arc::new(Mutex::new(Some(w))), result: Arc::new(Mutex::new(Some(handle))), timeout }
    }
}

async fn write_chunk(writer: Arc<Mutex<Option<tokio::io::DuplexStream>>>, data: Vec<u8>) -> Result<(), PyErr> {
    let mut guard = writer.lock().await;
    let w = guard.as_mut().ok_or_else(|| PyRuntimeError::new_err("the upload is finished"))?;
    // A failed write means the daemon stopped reading: finish() reports why.
    let _ = w.write_all(&data).await;
    Ok(())
}

async fn finish_upload(
    writer: Arc<Mutex<Option<tokio::io::DuplexStream>>>,
    result: UploadTask,
) -> Result<Reply, PyErr> {
    if let Some(mut w) = writer.lock().await.take() {
        let _ = w.shutdown().await;
    }
    let handle = result.lock().await.take().ok_or_else(|| PyRuntimeError::new_err("the upload is finished"))?;
    match handle.await {
        Ok(r) => r.map_err(to_py),
        Err(e) => Err(PyRuntimeError::new_err(e.to_string())),
    }
}

#[pymethods]
impl Upload {
    /// Sends a chunk (waits while the daemon is behind: memory stays bounded).
    fn write(&self, py: Python<'_>, data: Vec<u8>) -> PyResult<()> {
        wait(py, write_chunk(self.writer.clone(), data), self.timeout)
    }

    /// Ends the input and returns the result.
    fn finish(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        wait(py, finish_upload(self.writer.clone(), self.result.clone()), self.timeout)?.into_py(py)
    }

    fn write_async<'py>(&self, py: Python<'py>, data: Vec<u8>) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, write_chunk(self.writer.clone(), data))
    }

    fn finish_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (writer, result) = (self.writer.clone(), self.result.clone());
        awaitable(py, async move {
            let reply = finish_upload(writer, result).await?;
            Python::attach(|py| reply.into_py(py))
        })
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Ok(mut r) = self.result.try_lock()
            && let Some(h) = r.take()
        {
            h.abort();
        }
    }
}
