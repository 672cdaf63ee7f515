use std::pin::Pin;

use bytes::Bytes;
use imaged_core::{Platform, Reference};
use imaged_images::{ChunkReader, Engine, EngineError, ImportOptions, ImportSource, parse_change};
use imaged_proto::v1::{self as pb, archives_server::Archives, import_request::Part};
use tokio::sync::mpsc;
use tokio_stream::{Stream, wrappers::ReceiverStream};
use tonic::{Request, Response, Status, Streaming};

use crate::{convert, to_status, unimplemented::missing};

pub struct ArchivesService {
    pub engine: Engine,
}

type Stream2<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

fn import_options(o: pb::ImportOptions) -> Result<ImportOptions, EngineError> {
    let reference = (!o.reference.is_empty())
        .then(|| {
            Reference::parse_docker(&o.reference)
                .map_err(|e| EngineError::reference(&o.reference, e))
        })
        .transpose()?;
    if let Some(r) = &reference
        && r.digest().is_some()
    {
        return Err(EngineError::TagWithDigest(o.reference));
    }
    Ok(ImportOptions {
        reference,
        message: (!o.message.is_empty()).then_some(o.message),
        changes: o
            .changes
            .iter()
            .map(|c| parse_change(c))
            .collect::<Result<_, _>>()?,
        platform: (!o.platform.is_empty())
            .then(|| Platform::parse(&o.platform))
            .transpose()?,
    })
}

fn invalid_stream(msg: &str) -> Status {
    crate::status::status_with_info(
        imaged_core::ErrorKind::InvalidArgument,
        msg.to_owned(),
        "INVALID_STREAM",
        Default::default(),
    )
}

/// Feeds the client's data messages to the import's reader; a client error cancels it.
async fn feed(mut stream: Streaming<pb::ImportRequest>, tx: mpsc::Sender<Option<Bytes>>) {
    loop {
        let item = match stream.message().await {
            Ok(Some(pb::ImportRequest {
                part: Some(Part::Data(d)),
            })) => Some(Bytes::from(d)),
            Ok(Some(_)) => None,
            Ok(None) => return,
            Err(status) => {
                tracing::debug!(%status, "import stream broke off");
                None
            }
        };
        let stop = item.is_none();
        if tx.send(item).await.is_err() || stop {
            return;
        }
    }
}

#[tonic::async_trait]
impl Archives for ArchivesService {
    type SaveStream = Stream2<pb::SaveResponse>;
    type LoadStream = Stream2<pb::LoadResponse>;
    type ImportStream = Stream2<pb::ImportResponse>;

    async fn save(
        &self,
        _: Request<pb::SaveRequest>,
    ) -> Result<Response<Self::SaveStream>, Status> {
        Err(missing("Save", "archives"))
    }

    async fn load(
        &self,
        _: Request<Streaming<pb::LoadRequest>>,
    ) -> Result<Response<Self::LoadStream>, Status> {
        Err(missing("Load", "archives"))
    }

    async fn import(
        &self,
        req: Request<Streaming<pb::ImportRequest>>,
    ) -> Result<Response<Self::ImportStream>, Status> {
        let ns = convert::namespace(&req)?;
        let mut stream = req.into_inner();
        let first = stream.message().await?.ok_or_else(|| {
            invalid_stream("empty import stream: send ImportOptions first, then the tar bytes")
        })?;
        let Some(Part::Options(o)) = first.part else {
            return Err(invalid_stream(
                "the first import message must carry ImportOptions",
            ));
        };
        let path = o.path.clone();
        let opts = import_options(o).map_err(to_status)?;
        let source = if path.is_empty() {
            let (tx, reader) = ChunkReader::channel(16);
            tokio::spawn(feed(stream, tx));
            ImportSource::Stream(reader)
        } else {
            let file = std::fs::File::open(&path).map_err(|source| {
                to_status(EngineError::Io {
                    path: path.clone().into(),
                    source,
                })
            })?;
            ImportSource::File(file)
        };
        let (tx, rx) = mpsc::channel(4);
        let engine = self.engine.clone();
        tokio::spawn(async move {
            let msg = match engine.import(&ns, opts, source).await {
                Ok(o) => Ok(pb::ImportResponse {
                    event: Some(pb::import_response::Event::Result(pb::ImportResult {
                        image_id: o.image_id.to_string(),
                        reference: o.reference.map(|r| r.to_string()).unwrap_or_default(),
                        layer: Some(pb::Descriptor {
                            media_type: o.layer.media_type.clone(),
                            digest: o.layer.digest.to_string(),
                            size: o.layer.size as i64,
                            ..Default::default()
                        }),
                        diff_id: o.layer.diff_id.to_string(),
                        tar_size: o.tar_size as i64,
                    })),
                }),
                Err(e) => Err(to_status(e)),
            };
            let _ = tx.send(msg).await;
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
