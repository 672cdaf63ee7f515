//! Containers: create, exec (output streamed), commit, list, remove.

use crate::{Client, ClientError, pb};

/// Output of a command run with [`Client::exec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output<'a> {
    Stdout(&'a [u8]),
    Stderr(&'a [u8]),
}

impl Client {
    /// Creates a working container from an image; returns (id, name).
    pub async fn create_container(&self, image: &str, name: &str) -> Result<(String, String), ClientError> {
        self.create_container_platform(image, name, "").await
    }

    /// As [`Client::create_container`], asking for a platform ("" = the image's platform in use).
    pub async fn create_container_platform(
        &self,
        image: &str,
        name: &str,
        platform: &str,
    ) -> Result<(String, String), ClientError> {
        let req = pb::CreateContainerRequest { image: image.into(), name: name.into(), platform: platform.into() };
        let r = self.containers().create(self.req(req)).await?.into_inner();
        Ok((r.id, r.name))
    }

    /// Runs `args` in a container; `on_output` sees stdout and stderr as they come. Returns the exit code.
    pub async fn exec(
        &self,
        container: &str,
        args: Vec<String>,
        env: Vec<String>,
        working_dir: &str,
        user: &str,
        mut on_output: impl FnMut(Output<'_>),
    ) -> Result<i32, ClientError> {
        let req = pb::ExecRequest {
            container: container.into(),
            args,
            env,
            working_dir: working_dir.into(),
            user: user.into(),
        };
        let mut stream = self.containers().exec(self.req(req)).await?.into_inner();
        while let Some(msg) = stream.message().await? {
            match msg.event {
                Some(pb::exec_response::Event::Stdout(d)) => on_output(Output::Stdout(&d)),
                Some(pb::exec_response::Event::Stderr(d)) => on_output(Output::Stderr(&d)),
                Some(pb::exec_response::Event::ExitCode(c)) => return Ok(c),
                None => {}
            }
        }
        Err(ClientError::Protocol("the exec stream ended without an exit code".into()))
    }

    /// Commits a container's changes as a new image; returns the image id.
    pub async fn commit(&self, req: pb::CommitRequest) -> Result<String, ClientError> {
        Ok(self.containers().commit(self.req(req)).await?.into_inner().image_id)
    }

    pub async fn list_containers(&self) -> Result<Vec<pb::ContainerSummary>, ClientError> {
        Ok(self.containers().list(self.req(pb::ListContainersRequest {})).await?.into_inner().containers)
    }

    /// Removes a container; returns its id.
    pub async fn remove_container(&self, container: &str, force: bool) -> Result<String, ClientError> {
        let req = pb::RemoveContainerRequest { container: container.into(), force };
        Ok(self.containers().remove(self.req(req)).await?.into_inner().id)
    }
}
