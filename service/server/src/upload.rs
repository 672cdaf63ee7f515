//! Client streams of data (import, load, build context): the first message carries options, the rest
//! bytes fed to the engine's blocking reader.

use bytes::Bytes;
use imaged_images::{Chunk, StreamBroken};
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
/// data or a broken stream sends an `Err`, which fails the reader; only the stream's clean end ends the
/// input.
pub async fn feed<M>(mut stream: Streaming<M>, tx: mpsc::Sender<Chunk>, data: fn(M) -> Option<Vec<u8>>) {
    loop {
        let item = match stream.message().await {
            Ok(Some(m)) => {
                data(m).map(Bytes::from).ok_or_else(|| StreamBroken("a message without data in the stream".into()))
            }
            Ok(None) => return,
            Err(status) => {
                tracing::debug!(%status, "upload stream broke off");
                Err(StreamBroken(format!("the client's stream broke off: {}", status.message())))
            }
        };
        let stop = item.is_err();
        if tx.send(item).await.is_err() || stop {
            return;
        }
    }
}
