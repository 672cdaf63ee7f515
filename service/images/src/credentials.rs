//! Stored registry credentials, per namespace, in Docker's `config.json` `auths` format:
//! `ROOT/credentials/<namespace>.json`, mode 0600, written by temp file + fsync + rename.
use std::{
    collections::BTreeMap,
    io::Write,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::PathBuf,
};

use imaged_core::Namespace;
use imaged_registry::Credentials;
use serde::{Deserialize, Serialize};

use crate::{Engine, EngineError};

#[derive(Debug, Default, Serialize, Deserialize)]
struct AuthFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: String,
}

impl Engine {
    fn creds_path(&self, ns: &Namespace) -> PathBuf {
        self.root().join("credentials").join(format!("{ns}.json"))
    }

    fn read_auths(&self, ns: &Namespace) -> Result<AuthFile, EngineError> {
        let path = self.creds_path(ns);
        match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| EngineError::Io { path, source: std::io::Error::other(e) }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AuthFile::default()),
            Err(source) => Err(EngineError::Io { path, source }),
        }
    }

    fn write_auths(&self, ns: &Namespace, file: &AuthFile) -> Result<(), EngineError> {
        let path = self.creds_path(ns);
        let io = |source| EngineError::Io { path: path.clone(), source };
        let dir = path.parent().expect("credentials dir");
        std::fs::create_dir_all(dir).map_err(io)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
        let tmp = path.with_extension("json.tmp");
        let mut f =
            std::fs::OpenOptions::new().create(true).truncate(true).write(true).mode(0o600).open(&tmp).map_err(io)?;
        f.write_all(&serde_json::to_vec_pretty(file).expect("json")).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(())
    }

    /// Stored credentials for a registry host.
    pub(crate) fn stored_credentials(&self, ns: &Namespace, host: &str) -> Result<Option<Credentials>, EngineError> {
        Ok(self.read_auths(ns)?.auths.get(host).and_then(|e| Credentials::decode(&e.auth)))
    }

    /// Checks the credentials against the registry, then stores them. Nothing is stored on failure.
    pub async fn login(&self, ns: &Namespace, host: &str, creds: Credentials) -> Result<(), EngineError> {
        self.registry().login(host, &creds).await?;
        let (this, ns, host) = (self.clone(), ns.clone(), host.to_owned());
        crate::blocking(move || {
            let mut file = this.read_auths(&ns)?;
            file.auths.insert(host, AuthEntry { auth: creds.encode() });
            this.write_auths(&ns, &file)
        })
        .await
    }

    /// Forgets a registry's credentials; returns whether there were any.
    pub async fn logout(&self, ns: &Namespace, host: &str) -> Result<bool, EngineError> {
        let (this, ns, host) = (self.clone(), ns.clone(), host.to_owned());
        crate::blocking(move || {
            let mut file = this.read_auths(&ns)?;
            let had = file.auths.remove(&host).is_some();
            if had {
                this.write_auths(&ns, &file)?;
            }
            Ok(had)
        })
        .await
    }

    /// Registries with stored credentials and their user names (never the secret).
    pub async fn logins(&self, ns: &Namespace) -> Result<Vec<(String, String)>, EngineError> {
        let (this, ns) = (self.clone(), ns.clone());
        crate::blocking(move || {
            Ok(this
                .read_auths(&ns)?
                .auths
                .into_iter()
                .map(|(h, e)| (h, Credentials::decode(&e.auth).map(|c| c.username).unwrap_or_default()))
                .collect())
        })
        .await
    }
}
