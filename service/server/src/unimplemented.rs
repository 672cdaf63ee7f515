//! RPCs whose capability is not built yet answer UNIMPLEMENTED, naming what is missing.
use std::{collections::HashMap, pin::Pin};

use imaged_core::ErrorKind;
use imaged_proto::v1::{self as pb, builds_server::Builds, containers_server::Containers};
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use crate::status::status_with_info;

/// UNIMPLEMENTED for `rpc`, which comes with the `capability` capability.
pub fn missing(rpc: &str, capability: &str) -> Status {
    status_with_info(
        ErrorKind::Unimplemented,
        format!("{rpc} is not available yet: it comes with the {capability} capability of imaged"),
        "NOT_IMPLEMENTED",
        HashMap::from([("rpc".to_owned(), rpc.to_owned()), ("capability".to_owned(), capability.to_owned())]),
    )
}

type Stream2<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

pub struct BuildsService;

#[tonic::async_trait]
impl Builds for BuildsService {
    type BuildStream = Stream2<pb::BuildResponse>;
    async fn build(&self, _: Request<Streaming<pb::BuildRequest>>) -> Result<Response<Self::BuildStream>, Status> {
        Err(missing("Build", "builds"))
    }
}

pub struct ContainersService;

#[tonic::async_trait]
impl Containers for ContainersService {
    type ExecStream = Stream2<pb::ExecResponse>;
    async fn create(
        &self,
        _: Request<pb::CreateContainerRequest>,
    ) -> Result<Response<pb::CreateContainerResponse>, Status> {
        Err(missing("Containers.Create", "containers"))
    }
    async fn exec(&self, _: Request<pb::ExecRequest>) -> Result<Response<Self::ExecStream>, Status> {
        Err(missing("Containers.Exec", "containers"))
    }
    async fn commit(&self, _: Request<pb::CommitRequest>) -> Result<Response<pb::CommitResponse>, Status> {
        Err(missing("Containers.Commit", "containers"))
    }
    async fn list(
        &self,
        _: Request<pb::ListContainersRequest>,
    ) -> Result<Response<pb::ListContainersResponse>, Status> {
        Err(missing("Containers.List", "containers"))
    }
    async fn remove(
        &self,
        _: Request<pb::RemoveContainerRequest>,
    ) -> Result<Response<pb::RemoveContainerResponse>, Status> {
        Err(missing("Containers.Remove", "containers"))
    }
}
