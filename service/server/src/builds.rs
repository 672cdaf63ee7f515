//! The Builds service: options, then the context tar, in; log lines, steps and the result out.

use std::{
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use imaged_core::{Platform, Reference};
use imaged_images::{BuildEvent, BuildOptions, ChunkReader, EngineError, ImportSource};
use imaged_proto::v1::{self as pb, build_request::Part, build_response::Event, builds_server::Builds};
use tokio::sync::mpsc;
use tokio_stream::{Stream, wrappers::ReceiverStream};
use tonic::{Request, Response, Status, Streaming};

use crate::{
    to_status,
    upload::{feed, invalid_stream},
};

pub struct BuildsService {
    pub builds: imaged_images::Builds,
}

type Stream2<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

fn options(o: pb::BuildOptions) -> Result<BuildOptions, EngineError> {
    let mut tags = Vec::new();
    for t in &o.tags {
        let r = Reference::parse_docker(t).map_err(|e| EngineError::reference(t, e))?;
        if r.digest().is_some() {
            return Err(EngineError::TagWithDigest(t.clone()));
        }
        tags.push(r);
    }
    Ok(BuildOptions {
        tags,
        dockerfile: o.dockerfile,
        dockerfile_content: (!o.dockerfile_content.is_empty()).then_some(o.dockerfile_content),
        build_args: o.build_args.into_iter().collect(),
        target: (!o.target.is_empty()).then_some(o.target),
        labels: o.labels.into_iter().collect(),
        no_cache: o.no_cache,
        platform: (!o.platform.is_empty()).then(|| Platform::parse(&o.platform)).transpose()?,
        pull: o.pull,
    })
}

#[tonic::async_trait]
impl Builds for BuildsService {
    type BuildStream = Stream2<pb::BuildResponse>;

    async fn build(&self, req: Request<Streaming<pb::BuildRequest>>) -> Result<Response<Self::BuildStream>, Status> {
        let ns = crate::convert::namespace(&req)?;
        let mut stream = req.into_inner();
        let first =
            stream.message().await?.ok_or_else(|| invalid_stream("empty build stream: send BuildOptions first"))?;
        let Some(Part::Options(o)) = first.part else {
            return Err(invalid_stream("the first build message must carry BuildOptions"));
        };
        let opts = options(o).map_err(to_status)?;
        let (data_tx, reader) = ChunkReader::channel(16);
        tokio::spawn(feed(stream, data_tx, |m: pb::BuildRequest| match m.part {
            Some(Part::Context(d)) => Some(d),
            _ => None,
        }));
        let (ev_tx, mut ev_rx) = mpsc::channel::<BuildEvent>(256);
        let (out_tx, out_rx) = mpsc::channel::<Result<pb::BuildResponse, Status>>(256);
        let cancel = Arc::new(AtomicBool::new(false));
        let builds = self.builds.clone();
        let job = {
            let cancel = cancel.clone();
            tokio::spawn(async move { builds.build(&ns, opts, ImportSource::Stream(reader), ev_tx, cancel).await })
        };
        tokio::spawn(async move {
            while let Some(ev) = ev_rx.recv().await {
                let event = match ev {
                    BuildEvent::Log(l) => Event::Log(l),
                    BuildEvent::Step { number, total, instruction, cached } => {
                        Event::Step(pb::BuildStep { number: number as i32, total: total as i32, instruction, cached })
                    }
                };
                if out_tx.send(Ok(pb::BuildResponse { event: Some(event) })).await.is_err() {
                    cancel.store(true, Ordering::SeqCst);
                }
            }
            let last = match job.await {
                Ok(Ok(o)) => Ok(pb::BuildResponse {
                    event: Some(Event::Result(pb::BuildResult { image_id: o.image_id.to_string(), tags: o.tags })),
                }),
                Ok(Err(e)) => Err(to_status(e)),
                Err(e) => Err(Status::internal(e.to_string())),
            };
            let _ = out_tx.send(last).await;
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(out_rx))))
    }
}
