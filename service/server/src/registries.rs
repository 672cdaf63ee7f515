use imaged_images::{Credentials, EngineError};
use imaged_proto::v1::{self as pb, registries_server::Registries};
use tonic::{Request, Response, Status};

use crate::{convert, to_status};

pub struct RegistriesService {
    pub transfers: imaged_images::Transfers,
}

fn server_name(s: &str) -> String {
    let s = s.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
    let s = s.strip_suffix("/v1").or_else(|| s.strip_suffix("/v2")).unwrap_or(s);
    match s {
        "" | "index.docker.io" | "registry-1.docker.io" => imaged_core::DEFAULT_DOMAIN.to_owned(),
        other => other.to_owned(),
    }
}

#[tonic::async_trait]
impl Registries for RegistriesService {
    async fn login(&self, req: Request<pb::LoginRequest>) -> Result<Response<pb::LoginResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let host = server_name(&r.server);
        if r.username.is_empty() {
            return Err(to_status(EngineError::InvalidFilter("username".into(), "a user name is required".into())));
        }
        self.transfers
            .login(
                &ns,
                &host,
                Credentials { username: r.username, password: r.password, identity_token: String::new() },
            )
            .await
            .map_err(to_status)?;
        Ok(Response::new(pb::LoginResponse { status: "Login Succeeded".into() }))
    }

    async fn logout(&self, req: Request<pb::LogoutRequest>) -> Result<Response<pb::LogoutResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let host = server_name(&req.into_inner().server);
        let had = self.transfers.logout(&ns, &host).await.map_err(to_status)?;
        let status =
            if had { format!("Removing login credentials for {host}") } else { format!("Not logged in to {host}") };
        Ok(Response::new(pb::LogoutResponse { status }))
    }

    async fn list(
        &self,
        req: Request<pb::ListRegistriesRequest>,
    ) -> Result<Response<pb::ListRegistriesResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let logins = self.transfers.logins(&ns).await.map_err(to_status)?;
        Ok(Response::new(pb::ListRegistriesResponse {
            registries: logins.into_iter().map(|(server, username)| pb::RegistryLogin { server, username }).collect(),
        }))
    }
}
