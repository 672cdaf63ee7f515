//! The Containers service: thin adapters over the engine's containers.

use std::{
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use imaged_build::runtime::{OutputSink, Stream as OutStream};
use imaged_core::Reference;
use imaged_images::{CommitOptions, EngineError, ExecOptions, parse_change};
use imaged_proto::v1::{self as pb, containers_server::Containers, exec_response::Event};
use tokio::sync::mpsc;
use tokio_stream::{Stream, wrappers::ReceiverStream};
use tonic::{Request, Response, Status};

use crate::{convert, to_status};

pub struct ContainersService {
    pub containers: imaged_images::Containers,
}

type Stream2<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

fn summary(c: imaged_images::ContainerInfo) -> pb::ContainerSummary {
    pb::ContainerSummary {
        id: c.id,
        name: c.name,
        image: c.image,
        image_id: c.image_id.to_string(),
        created: convert::timestamp(c.created),
    }
}

fn commit_options(r: &pb::CommitRequest) -> Result<CommitOptions, EngineError> {
    let reference = (!r.reference.is_empty())
        .then(|| Reference::parse_docker(&r.reference).map_err(|e| EngineError::reference(&r.reference, e)))
        .transpose()?;
    if let Some(x) = &reference
        && x.digest().is_some()
    {
        return Err(EngineError::TagWithDigest(r.reference.clone()));
    }
    Ok(CommitOptions {
        reference,
        author: r.author.clone(),
        message: r.message.clone(),
        changes: r.changes.iter().map(|c| parse_change(c)).collect::<Result<_, _>>()?,
    })
}

#[tonic::async_trait]
impl Containers for ContainersService {
    type ExecStream = Stream2<pb::ExecResponse>;

    async fn create(
        &self,
        req: Request<pb::CreateContainerRequest>,
    ) -> Result<Response<pb::CreateContainerResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let platform = convert::platform(&r.platform)?;
        let c = self
            .containers
            .create_container(&ns, &convert::image_ref(&r.image)?, Some(r.name), platform.as_ref())
            .await
            .map_err(to_status)?;
        Ok(Response::new(pb::CreateContainerResponse { id: c.id, name: c.name }))
    }

    async fn exec(&self, req: Request<pb::ExecRequest>) -> Result<Response<Self::ExecStream>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let (tx, rx) = mpsc::channel::<Result<pb::ExecResponse, Status>>(64);
        let cancel = Arc::new(AtomicBool::new(false));
        let sink: OutputSink = {
            let (tx, cancel) = (tx.clone(), cancel.clone());
            Arc::new(move |stream: OutStream, data: &[u8]| {
                let event = match stream {
                    OutStream::Stdout => Event::Stdout(data.to_vec()),
                    OutStream::Stderr => Event::Stderr(data.to_vec()),
                };
                if tx.blocking_send(Ok(pb::ExecResponse { event: Some(event) })).is_err() {
                    cancel.store(true, Ordering::SeqCst);
                }
            })
        };
        let opts = ExecOptions { args: r.args, env: r.env, working_dir: r.working_dir, user: r.user };
        let containers = self.containers.clone();
        // The stream ends after the exit code: nothing but this task holds a sender once exec returns.
        tokio::spawn(async move {
            let run = containers.exec(&ns, &r.container, opts, sink, cancel.clone());
            tokio::pin!(run);
            let result = tokio::select! {
                result = &mut run => result,
                () = tx.closed() => {
                    cancel.store(true, Ordering::SeqCst);
                    run.await
                }
            };
            let msg = match result {
                Ok(code) => Ok(pb::ExecResponse { event: Some(Event::ExitCode(code)) }),
                Err(e) => Err(to_status(e)),
            };
            let _ = tx.send(msg).await;
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn commit(&self, req: Request<pb::CommitRequest>) -> Result<Response<pb::CommitResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let opts = commit_options(&r).map_err(to_status)?;
        let id = self.containers.commit(&ns, &r.container, opts).await.map_err(to_status)?;
        Ok(Response::new(pb::CommitResponse { image_id: id.to_string() }))
    }

    async fn list(
        &self,
        req: Request<pb::ListContainersRequest>,
    ) -> Result<Response<pb::ListContainersResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let all = self.containers.list_containers(&ns).await.map_err(to_status)?;
        Ok(Response::new(pb::ListContainersResponse { containers: all.into_iter().map(summary).collect() }))
    }

    async fn remove(
        &self,
        req: Request<pb::RemoveContainerRequest>,
    ) -> Result<Response<pb::RemoveContainerResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let id = self.containers.remove_container(&ns, &r.container, r.force).await.map_err(to_status)?;
        Ok(Response::new(pb::RemoveContainerResponse { id }))
    }
}
