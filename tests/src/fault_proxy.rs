//! A fault-injecting HTTP proxy on loopback, between imaged and the real registry: it forwards every
//! request (one per connection) and, for GETs of one blob, breaks the transfer the way networks and
//! overloaded registries do. It counts what it served of that blob.
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// What to do to GETs of the target blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Close the connection once the blob's byte `at` has been sent (once).
    Cut {
        at: u64,
    },
    /// Reset the connection (RST) at byte `at` (once).
    Reset {
        at: u64,
    },
    /// Stop sending at byte `at` for `secs`, then close (once).
    Stall {
        at: u64,
        secs: u64,
    },
    /// Answer `status` to the first `times` requests, with `Retry-After` when given.
    Status {
        status: u16,
        times: usize,
        retry_after: Option<u64>,
    },
    /// Cut at `at` once, then forward Range requests without their Range (the registry answers 200).
    CutThenIgnoreRange {
        at: u64,
    },
    /// Cut at `at` once, then answer Range requests with a Content-Range that starts at 0.
    CutThenWrongRange {
        at: u64,
    },
    /// Cut the upload (PUT) of the blob after `at` bytes of its body (once).
    CutUpload {
        at: u64,
    },
}

/// What the proxy saw of the target blob.
#[derive(Debug, Default, Clone)]
pub struct Served {
    /// Body bytes of the blob sent, over all requests.
    pub bytes: u64,
    /// Each GET: the Range start it asked for (None without a Range header).
    pub ranges: Vec<Option<u64>>,
}

struct State {
    fault: Fault,
    target: String,
    fired: usize,
    served: Served,
}

pub struct FaultProxy {
    pub addr: String,
    state: Arc<Mutex<State>>,
}

impl FaultProxy {
    /// A proxy in front of `upstream` (`127.0.0.1:PORT`); `target` is the blob digest to break.
    pub async fn start(upstream: &str, target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let state = Arc::new(Mutex::new(State {
            fault: Fault::None,
            target: target.to_owned(),
            fired: 0,
            served: Served::default(),
        }));
        let (st, up) = (state.clone(), upstream.to_owned());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(handle(sock, up.clone(), st.clone()));
            }
        });
        Self { addr, state }
    }

    /// Sets the fault for what follows and forgets what was served.
    pub fn set(&self, fault: Fault) {
        let mut s = self.state.lock().expect("state");
        s.fault = fault;
        s.fired = 0;
        s.served = Served::default();
    }

    pub fn served(&self) -> Served {
        self.state.lock().expect("state").served.clone()
    }
}

/// Reads an HTTP head (up to the blank line) byte by byte; `None` when the peer closes first.
pub async fn read_head(sock: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match sock.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(head)
}

async fn handle(mut client: TcpStream, upstream: String, state: Arc<Mutex<State>>) {
    let Some(head) = read_head(&mut client).await else { return };
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or("").to_owned();
    let is_target = {
        let s = state.lock().expect("state");
        request_line.starts_with("GET ") && request_line.contains(&format!("/blobs/{}", s.target))
    };
    let range = lines
        .clone()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("range: bytes=").map(str::to_owned))
        .and_then(|r| r.trim_end_matches('-').parse::<u64>().ok());
    let (fault, fired) = {
        let mut s = state.lock().expect("state");
        if is_target {
            s.served.ranges.push(range);
        }
        (s.fault, s.fired)
    };
    if is_target
        && let Fault::Status { status, times, retry_after } = fault
        && fired < times
    {
        state.lock().expect("state").fired += 1;
        let extra = retry_after.map(|s| format!("Retry-After: {s}\r\n")).unwrap_or_default();
        let reply = format!("HTTP/1.1 {status} Fault\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n");
        let _ = client.write_all(reply.as_bytes()).await;
        return;
    }
    let drop_range = is_target && matches!(fault, Fault::CutThenIgnoreRange { .. }) && fired > 0;
    let mut forwarded = format!("{request_line}\r\n");
    for l in lines.filter(|l| !l.is_empty()) {
        let lower = l.to_ascii_lowercase();
        if lower.starts_with("connection:") || (drop_range && lower.starts_with("range:")) {
            continue;
        }
        forwarded.push_str(l);
        forwarded.push_str("\r\n");
    }
    forwarded.push_str("Connection: close\r\n\r\n");
    let Ok(mut up) = TcpStream::connect(&upstream).await else { return };
    if up.write_all(forwarded.as_bytes()).await.is_err() {
        return;
    }
    // The request body (uploads), as long as Content-Length says.
    let length = text
        .split("\r\n")
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let cut_upload = match fault {
        Fault::CutUpload { at }
            if fired == 0 && request_line.starts_with("PUT ") && {
                let s = state.lock().expect("state");
                request_line.contains(&s.target)
            } =>
        {
            Some(at)
        }
        _ => None,
    };
    let mut left = length;
    let mut sent = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    while left > 0 {
        let want = buf.len().min(left as usize);
        let n = match client.read(&mut buf[..want]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if let Some(at) = cut_upload
            && sent + n as u64 >= at
        {
            let _ = up.write_all(&buf[..(at - sent) as usize]).await;
            state.lock().expect("state").fired += 1;
            return;
        }
        if up.write_all(&buf[..n]).await.is_err() {
            return;
        }
        sent += n as u64;
        left -= n as u64;
    }
    let Some(resp_head) = read_head(&mut up).await else { return };
    let mut resp = String::from_utf8_lossy(&resp_head).into_owned();
    if is_target && matches!(fault, Fault::CutThenWrongRange { .. }) && fired > 0 && resp.contains(" 206 ") {
        resp = resp
            .split("\r\n")
            .map(|l| {
                if l.to_ascii_lowercase().starts_with("content-range:") {
                    "Content-Range: bytes 0-1/2".to_owned()
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\r\n");
    }
    if client.write_all(resp.as_bytes()).await.is_err() {
        return;
    }
    let mut position = if drop_range { 0 } else { range.unwrap_or(0) };
    loop {
        let n = match up.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let mut chunk = &buf[..n];
        if is_target && fired == 0 {
            let at = match fault {
                Fault::Cut { at }
                | Fault::Reset { at }
                | Fault::Stall { at, .. }
                | Fault::CutThenIgnoreRange { at }
                | Fault::CutThenWrongRange { at } => Some(at),
                _ => None,
            };
            if let Some(at) = at
                && position + chunk.len() as u64 >= at
            {
                let keep = at.saturating_sub(position) as usize;
                chunk = &chunk[..keep];
                let _ = client.write_all(chunk).await;
                let _ = client.flush().await;
                {
                    let mut s = state.lock().expect("state");
                    s.served.bytes += chunk.len() as u64;
                    s.fired += 1;
                }
                match fault {
                    Fault::Reset { .. } => {
                        // Let the bytes sent arrive first (an RST discards what the receiver has not read
                        // yet, which on loopback can be megabytes), then reset. A zero linger makes the close
                        // an RST; it cannot block (the deprecation's worry).
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        #[allow(deprecated)]
                        let _ = client.set_linger(Some(Duration::ZERO));
                    }
                    Fault::Stall { secs, .. } => tokio::time::sleep(Duration::from_secs(secs)).await,
                    _ => {}
                }
                return;
            }
        }
        if client.write_all(chunk).await.is_err() {
            return;
        }
        position += chunk.len() as u64;
        if is_target {
            state.lock().expect("state").served.bytes += chunk.len() as u64;
        }
    }
}
