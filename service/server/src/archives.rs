use std::pin::Pin;

use bytes::Bytes;
use imaged_core::{Platform, Reference};
use imaged_images::{ChunkReader, ChunkWriter, EngineError, ImportOptions, ImportSource, SaveFormat, parse_change};
use imaged_proto::v1::{self as pb, archives_server::Archives, import_request::Part, load_request};
use tokio::sync::mpsc;
use tokio_stream::{Stream, wrappers::ReceiverStream};
use tonic::{Request, Response, Status, Streaming};

use crate::{
    convert, to_status,
    upload::{feed, invalid_stream},
};

/// Largest data chunk in a stream message.
const CHUNK: usize = 1 << 20;

/// Writes the archive to `path` on the daemon's side (temp file, fsync, rename); returns its size.
async fn save_to_path(
    room: &imaged_images::Images,
    ns: &imaged_core::Namespace,
    images: Vec<imaged_core::ImageRef>,
    format: SaveFormat,
    platform: Option<Platform>,
    path: &std::path::Path,
) -> Result<u64, EngineError> {
    let io = |source| EngineError::Io { path: path.to_owned(), source };
    let tmp = path.with_extension(format!("imaged-tmp-{}", std::process::id()));
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let result = room.save(ns, images, format, platform, std::io::BufWriter::with_capacity(CHUNK, file)).await;
    let done = result.and_then(|w| {
        let f = w.into_inner().map_err(|e| io(e.into_error()))?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(f.metadata().map_err(io)?.len())
    });
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

pub struct ArchivesService {
    pub images: imaged_images::Images,
}

type Stream2<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

fn import_options(o: pb::ImportOptions) -> Result<ImportOptions, EngineError> {
    let reference = (!o.reference.is_empty())
        .then(|| Reference::parse_docker(&o.reference).map_err(|e| EngineError::reference(&o.reference, e)))
        .transpose()?;
    if let Some(r) = &reference
        && r.digest().is_some()
    {
        return Err(EngineError::TagWithDigest(o.reference));
    }
    Ok(ImportOptions {
        reference,
        message: (!o.message.is_empty()).then_some(o.message),
        changes: o.changes.iter().map(|c| parse_change(c)).collect::<Result<_, _>>()?,
        platform: (!o.platform.is_empty()).then(|| Platform::parse(&o.platform)).transpose()?,
    })
}

#[tonic::async_trait]
impl Archives for ArchivesService {
    type SaveStream = Stream2<pb::SaveResponse>;
    type LoadStream = Stream2<pb::LoadResponse>;
    type ImportStream = Stream2<pb::ImportResponse>;

    async fn save(&self, req: Request<pb::SaveRequest>) -> Result<Response<Self::SaveStream>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        if r.images.is_empty() {
            return Err(invalid_stream("name at least one image to save"));
        }
        let format = match r.format() {
            pb::ArchiveFormat::Docker => SaveFormat::Docker,
            pb::ArchiveFormat::Oci => SaveFormat::Oci,
        };
        let platform = crate::convert::platform(&r.platform)?;
        let wanted = r.images.iter().map(|i| crate::convert::image_ref(i)).collect::<Result<Vec<_>, _>>()?;
        let (out_tx, out_rx) = mpsc::channel(4);
        let images = self.images.clone();
        if !r.path.is_empty() {
            let path = std::path::PathBuf::from(&r.path);
            tokio::spawn(async move {
                let msg = save_to_path(&images, &ns, wanted, format, platform, &path)
                    .await
                    .map(|total| pb::SaveResponse { data: vec![], offset: 0, total_size: total as i64 });
                let _ = out_tx.send(msg.map_err(to_status)).await;
            });
            return Ok(Response::new(Box::pin(ReceiverStream::new(out_rx))));
        }
        let (tx, mut rx) = mpsc::channel::<Bytes>(4);
        let job = tokio::spawn(async move {
            images.save(&ns, wanted, format, platform, ChunkWriter::new(tx, CHUNK)).await.map(|_| ())
        });
        tokio::spawn(async move {
            let mut offset = 0i64;
            while let Some(data) = rx.recv().await {
                let len = data.len() as i64;
                let msg = pb::SaveResponse { data: data.to_vec(), offset, total_size: 0 };
                if out_tx.send(Ok(msg)).await.is_err() {
                    return;
                }
                offset += len;
            }
            let last = match job.await {
                Ok(Ok(())) => Ok(pb::SaveResponse { data: vec![], offset, total_size: offset }),
                Ok(Err(e)) => Err(to_status(e)),
                Err(e) => Err(Status::internal(e.to_string())),
            };
            let _ = out_tx.send(last).await;
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(out_rx))))
    }

    async fn load(&self, req: Request<Streaming<pb::LoadRequest>>) -> Result<Response<Self::LoadStream>, Status> {
        let ns = convert::namespace(&req)?;
        let mut stream = req.into_inner();
        let first = stream
            .message()
            .await?
            .ok_or_else(|| invalid_stream("empty load stream: send LoadOptions first, then the archive bytes"))?;
        let Some(load_request::Part::Options(o)) = first.part else {
            return Err(invalid_stream("the first load message must carry LoadOptions"));
        };
        let source = if o.path.is_empty() {
            let (tx, reader) = ChunkReader::channel(16);
            tokio::spawn(feed(stream, tx, |m: pb::LoadRequest| match m.part {
                Some(load_request::Part::Data(d)) => Some(d),
                _ => None,
            }));
            ImportSource::Stream(reader)
        } else {
            let file = std::fs::File::open(&o.path)
                .map_err(|source| to_status(EngineError::Io { path: o.path.clone().into(), source }))?;
            ImportSource::File(file)
        };
        let (tx, rx) = mpsc::channel(16);
        let images = self.images.clone();
        tokio::spawn(async move {
            let loaded = match images.load(&ns, source).await {
                Ok(loaded) => loaded,
                Err(e) => {
                    let _ = tx.send(Err(to_status(e))).await;
                    return;
                }
            };
            for img in loaded {
                let id = img.id.to_string();
                let items: Vec<pb::LoadedImage> = if img.names.is_empty() {
                    let status = format!("Loaded image ID: {id}");
                    vec![pb::LoadedImage { reference: String::new(), image_id: id.clone(), status }]
                } else {
                    img.names
                        .iter()
                        .map(|n| pb::LoadedImage {
                            reference: n.familiar(),
                            image_id: id.clone(),
                            status: format!("Loaded image: {}", n.familiar()),
                        })
                        .collect()
                };
                for item in items {
                    let event = Some(pb::load_response::Event::Loaded(item));
                    let _ = tx.send(Ok(pb::LoadResponse { event })).await;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn import(&self, req: Request<Streaming<pb::ImportRequest>>) -> Result<Response<Self::ImportStream>, Status> {
        let ns = convert::namespace(&req)?;
        let mut stream = req.into_inner();
        let first = stream
            .message()
            .await?
            .ok_or_else(|| invalid_stream("empty import stream: send ImportOptions first, then the tar bytes"))?;
        let Some(Part::Options(o)) = first.part else {
            return Err(invalid_stream("the first import message must carry ImportOptions"));
        };
        let path = o.path.clone();
        let opts = import_options(o).map_err(to_status)?;
        let source = if path.is_empty() {
            let (tx, reader) = ChunkReader::channel(16);
            tokio::spawn(feed(stream, tx, |m: pb::ImportRequest| match m.part {
                Some(Part::Data(d)) => Some(d),
                _ => None,
            }));
            ImportSource::Stream(reader)
        } else {
            let file = std::fs::File::open(&path)
                .map_err(|source| to_status(EngineError::Io { path: path.clone().into(), source }))?;
            ImportSource::File(file)
        };
        let (tx, rx) = mpsc::channel(4);
        let images = self.images.clone();
        tokio::spawn(async move {
            let msg = match images.import(&ns, opts, source).await {
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
