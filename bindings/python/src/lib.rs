//! `imaged._imaged`: the native half of the Python bindings. It wraps `imaged-client` on one shared tokio
//! runtime; results cross into Python as instances of the classes generated from the descriptor set
//! (`imaged/_messages.py`, see `convert`). Every wait releases the
//! GIL and checks for signals, so Ctrl-C cancels the RPC.

mod client;
mod convert;
mod streams;

use std::{
    future::Future,
    sync::{
        OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use imaged_client::ClientError;
use pyo3::{create_exception, exceptions::PyException, prelude::*, types::PyDict};

create_exception!(_imaged, ImagedError, PyException, "Base of every error imaged reports.");
create_exception!(_imaged, NotFound, ImagedError, "NOT_FOUND: no such image, container or credentials.");
create_exception!(_imaged, ImageNotFound, NotFound, "NOT_FOUND with reason IMAGE_NOT_FOUND: no such image here.");
create_exception!(_imaged, AlreadyExists, ImagedError, "ALREADY_EXISTS.");
create_exception!(
    _imaged,
    InvalidArgument,
    ImagedError,
    "INVALID_ARGUMENT: bad reference, archive, Dockerfile, filter."
);
create_exception!(
    _imaged,
    FailedPrecondition,
    ImagedError,
    "FAILED_PRECONDITION: a conflict (image in use, digest mismatch)."
);
create_exception!(
    _imaged,
    Conflict,
    FailedPrecondition,
    "A conflict with the state: an image in use by a container, named in several repositories, with children; a busy container."
);
create_exception!(_imaged, Unauthenticated, ImagedError, "UNAUTHENTICATED: the registry refused the credentials.");
create_exception!(_imaged, PermissionDenied, ImagedError, "PERMISSION_DENIED.");
create_exception!(_imaged, Unavailable, ImagedError, "UNAVAILABLE: the daemon or a registry cannot be reached.");
create_exception!(_imaged, Cancelled, ImagedError, "CANCELLED.");
create_exception!(_imaged, ResourceExhausted, ImagedError, "RESOURCE_EXHAUSTED: disk full or rate limited.");
create_exception!(_imaged, Unimplemented, ImagedError, "UNIMPLEMENTED.");
create_exception!(
    _imaged,
    Timeout,
    ImagedError,
    "DEADLINE_EXCEEDED: the call's timeout passed (sent as its gRPC deadline)."
);

/// The one runtime every client shares.
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("imaged-py")
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// A client error as the matching Python exception, carrying `code`, `reason` and `metadata`.
pub(crate) fn to_py(e: ClientError) -> PyErr {
    use imaged_client::Code;
    let message = e.to_string();
    let code = e.code();
    let err = match code {
        Code::NotFound if e.reason() == Some("IMAGE_NOT_FOUND") => ImageNotFound::new_err(message),
        Code::NotFound => NotFound::new_err(message),
        Code::AlreadyExists => AlreadyExists::new_err(message),
        Code::InvalidArgument | Code::OutOfRange => InvalidArgument::new_err(message),
        Code::FailedPrecondition
            if matches!(
                e.reason(),
                Some(
                    "IMAGE_IN_USE"
                        | "IMAGE_REFERENCED_BY_MULTIPLE_REPOSITORIES"
                        | "IMAGE_HAS_CHILDREN"
                        | "CONTAINER_BUSY"
                        | "PLATFORM_IN_USE"
                )
            ) =>
        {
            Conflict::new_err(message)
        }
        Code::FailedPrecondition | Code::Aborted => FailedPrecondition::new_err(message),
        Code::Unauthenticated => Unauthenticated::new_err(message),
        Code::PermissionDenied => PermissionDenied::new_err(message),
        Code::Unavailable => Unavailable::new_err(message),
        Code::DeadlineExceeded => Timeout::new_err(message),
        Code::Cancelled => Cancelled::new_err(message),
        Code::ResourceExhausted => ResourceExhausted::new_err(message),
        Code::Unimplemented => Unimplemented::new_err(message),
        _ => ImagedError::new_err(message),
    };
    Python::attach(|py| {
        let value = err.value(py);
        let _ = value.setattr("code", format!("{code:?}"));
        let _ = value.setattr("reason", e.reason().unwrap_or_default());
        let meta = PyDict::new(py);
        if let ClientError::Status { metadata, .. } = &e {
            for (k, v) in metadata {
                let _ = meta.set_item(k, v);
            }
        }
        let _ = value.setattr("metadata", meta);
    });
    err
}

/// When the last awaitable of this module finished, in ms since the module loaded.
static LAST_AWAITED: AtomicU64 = AtomicU64::new(0);

fn loaded_at() -> Instant {
    static AT: OnceLock<Instant> = OnceLock::new();
    *AT.get_or_init(Instant::now)
}

/// `fut` as a Python awaitable (pyo3-async-runtimes), noting when it finishes for [`settle`].
pub(crate) fn awaitable<'py, T>(
    py: Python<'py>,
    fut: impl Future<Output = PyResult<T>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    loaded_at();
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let result = fut.await;
        LAST_AWAITED.store(loaded_at().elapsed().as_millis() as u64, Ordering::Relaxed);
        result
    })
}

/// Registered with `atexit` by `imaged`: pyo3-async-runtimes hands an awaited result to the event loop from
/// a worker thread that, having woken the loop, still needs the GIL once more to let go of its references.
/// A script that exits right after its last `await` could start finalizing Python in that moment, and the
/// worker then crashes the process. This waits (GIL released) until 100 ms have passed since the last
/// awaitable finished: nothing when the program ends long after it.
#[pyfunction]
fn settle(py: Python<'_>) {
    py.detach(|| {
        let last = LAST_AWAITED.load(Ordering::Relaxed);
        if last == 0 {
            return;
        }
        let since = (loaded_at().elapsed().as_millis() as u64).saturating_sub(last);
        if since < 100 {
            std::thread::sleep(Duration::from_millis(100 - since));
        }
    });
}

fn no_answer(t: Duration) -> PyErr {
    Timeout::new_err(format!("no answer from imaged within {t:?}"))
}

/// `fut` bounded by `timeout` (the awaitable twin of [`wait`]'s bound): the daemon enforces the deadline it
/// was sent, this covers a daemon that does not answer at all.
pub(crate) async fn within<T>(timeout: Option<Duration>, fut: impl Future<Output = PyResult<T>>) -> PyResult<T> {
    match timeout {
        Some(t) => match tokio::time::timeout(t, fut).await {
            Ok(r) => r,
            Err(_) => Err(no_answer(t)),
        },
        None => fut.await,
    }
}

/// Runs `fut` to completion on the calling thread (driven by the shared runtime's reactor, no hand-off to
/// a worker) with the GIL released, coming back every 50 ms to check for signals: a pending
/// KeyboardInterrupt drops the future, which cancels the RPC. `timeout` bounds the whole wait.
pub(crate) fn wait<T, F>(py: Python<'_>, fut: F, timeout: Option<Duration>) -> PyResult<T>
where
    T: Send + 'static,
    F: Future<Output = Result<T, PyErr>> + Send + 'static,
{
    let mut fut = Box::pin(fut);
    let start = Instant::now();
    loop {
        let step =
            py.detach(|| runtime().block_on(async { tokio::time::timeout(Duration::from_millis(50), &mut fut).await }));
        match step {
            Ok(result) => return result,
            Err(_) => {
                py.check_signals()?;
                if let Some(t) = timeout
                    && start.elapsed() > t
                {
                    return Err(no_answer(t));
                }
            }
        }
    }
}

#[pymodule]
fn _imaged(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let _ = pyo3_async_runtimes::tokio::init_with_runtime(runtime());
    m.add_class::<client::Client>()?;
    m.add_function(wrap_pyfunction!(convert::register, m)?)?;
    m.add_function(wrap_pyfunction!(settle, m)?)?;
    m.add_class::<streams::EventStream>()?;
    m.add_class::<streams::Upload>()?;
    for (name, ty) in [
        ("ImagedError", py.get_type::<ImagedError>()),
        ("NotFound", py.get_type::<NotFound>()),
        ("ImageNotFound", py.get_type::<ImageNotFound>()),
        ("AlreadyExists", py.get_type::<AlreadyExists>()),
        ("InvalidArgument", py.get_type::<InvalidArgument>()),
        ("FailedPrecondition", py.get_type::<FailedPrecondition>()),
        ("Unauthenticated", py.get_type::<Unauthenticated>()),
        ("PermissionDenied", py.get_type::<PermissionDenied>()),
        ("Unavailable", py.get_type::<Unavailable>()),
        ("Timeout", py.get_type::<Timeout>()),
        ("Conflict", py.get_type::<Conflict>()),
        ("Cancelled", py.get_type::<Cancelled>()),
        ("ResourceExhausted", py.get_type::<ResourceExhausted>()),
        ("Unimplemented", py.get_type::<Unimplemented>()),
    ] {
        m.add(name, ty)?;
    }
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
