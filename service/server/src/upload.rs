//! Client streams of data (import, load, build context): the first message carries options, the rest
//! bytes fed to the engine's blocking reader.

use bytes::Bytes;
use tokio::sync::mpsc;
use tonic::{Status, Streaming};

/// INVALID_ARGUMENT for a client stream that does not follow options-then-data.
pub fn invalid_stream(msg: &str) -> Status {
    crate::status::status_with_info(
        imaged_core::ErrorKind::InvalidArgument,
        msg.to_owned(),
        "INVALID_STREAM",
        Default::default(),
    )
}

/// Feeds the data of the client's messages (`data` picks it out) to a `ChunkReader`. A message without
/// data or a broken stream sends `None`, which cancels the reader; the end of the stream ends the input.
pub async fn feed<M>(mut stream: Streaming<M>, tx: mpsc::Sender<Option<Bytes>>, data: fn(M) -> Option<Vec<u8>>) {
    loop {
        let item = match stream.message().await {
            Ok(Some(m)) => data(m).map(Bytes::from),
            Ok(None) => return,
            Err(status) => {
                tracing::debug!(%status, "upload stream broke off");
                None
            }
        };
        let stop = item.is_none();
        if tx.send(item).await.is_err() || stop {
            return;
        }
    }
}
