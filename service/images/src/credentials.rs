//! Stored registry credentials, per namespace, in Docker's `config.json` format:
//! `ROOT/credentials/<namespace>.json`, mode 0600, written by temp file + fsync + rename. As in Docker,
//! `credsStore` (all registries) and `credHelpers` (per registry) in that file hand the secrets to a
//! `docker-credential-<name>` helper program instead (`get`/`store`/`erase`/`list` over stdin/stdout).
use std::{
    collections::BTreeMap,
    io::Write,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::PathBuf,
};

use imaged_core::Namespace;
use imaged_registry::Credentials;
use serde::{Deserialize, Serialize};

use crate::{EngineError, Transfers};

#[derive(Debug, Default, Serialize, Deserialize)]
struct AuthFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(rename = "credsStore", default, skip_serializing_if = "Option::is_none")]
    creds_store: Option<String>,
    #[serde(rename = "credHelpers", default, skip_serializing_if = "BTreeMap::is_empty")]
    cred_helpers: BTreeMap<String, String>,
    /// Anything else of a Docker config.json, kept as it is.
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

impl AuthFile {
    fn helper_for(&self, host: &str) -> Option<String> {
        self.cred_helpers.get(host).cloned().or_else(|| self.creds_store.clone()).filter(|h| !h.is_empty())
    }
}

/// Runs `docker-credential-<helper> <action>` with `input` on stdin; returns stdout.
fn run_helper(helper: &str, action: &str, input: &[u8]) -> Result<Result<Vec<u8>, String>, EngineError> {
    use std::process::{Command, Stdio};
    let program = format!("docker-credential-{helper}");
    let io = |source| EngineError::Io { path: PathBuf::from(&program), source };
    let mut child = Command::new(&program)
        .arg(action)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io)?;
    child.stdin.take().expect("stdin").write_all(input).map_err(io)?;
    let out = child.wait_with_output().map_err(io)?;
    if out.status.success() {
        Ok(Ok(out.stdout))
    } else {
        let msg =
            String::from_utf8_lossy(if out.stdout.is_empty() { &out.stderr } else { &out.stdout }).trim().to_owned();
        Ok(Err(msg))
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperCreds {
    #[serde(rename = "ServerURL")]
    server_url: String,
    username: String,
    secret: String,
}

fn helper_failed(helper: &str, action: &str, msg: String) -> EngineError {
    EngineError::Io {
        path: PathBuf::from(format!("docker-credential-{helper}")),
        source: std::io::Error::other(format!("{action} failed: {msg}")),
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: String,
}

impl Transfers {
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
        let file = self.read_auths(ns)?;
        if let Some(helper) = file.helper_for(host) {
            return match run_helper(&helper, "get", host.as_bytes())? {
                Ok(out) => {
                    let c: HelperCreds =
                        serde_json::from_slice(&out).map_err(|e| helper_failed(&helper, "get", e.to_string()))?;
                    Ok(Some(Credentials { username: c.username, password: c.secret, identity_token: String::new() }))
                }
                // "credentials not found in native keychain": nothing stored.
                Err(_) => Ok(None),
            };
        }
        Ok(file.auths.get(host).and_then(|e| Credentials::decode(&e.auth)))
    }

    /// Checks the credentials against the registry, then stores them. Nothing is stored on failure.
    pub async fn login(&self, ns: &Namespace, host: &str, creds: Credentials) -> Result<(), EngineError> {
        self.registry().login(host, &creds).await?;
        let (this, ns, host) = (self.clone(), ns.clone(), host.to_owned());
        crate::blocking(move || {
            let mut file = this.read_auths(&ns)?;
            if let Some(helper) = file.helper_for(&host) {
                let input = serde_json::to_vec(&HelperCreds {
                    server_url: host.clone(),
                    username: creds.username.clone(),
                    secret: creds.password.clone(),
                })
                .expect("json");
                return run_helper(&helper, "store", &input)?
                    .map(|_| ())
                    .map_err(|m| helper_failed(&helper, "store", m));
            }
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
            if let Some(helper) = file.helper_for(&host) {
                return Ok(run_helper(&helper, "erase", host.as_bytes())?.is_ok());
            }
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
            let file = this.read_auths(&ns)?;
            let mut out: BTreeMap<String, String> = file
                .auths
                .iter()
                .map(|(h, e)| (h.clone(), Credentials::decode(&e.auth).map(|c| c.username).unwrap_or_default()))
                .collect();
            let mut helpers: Vec<String> = file.cred_helpers.values().cloned().collect();
            helpers.extend(file.creds_store.clone());
            helpers.sort();
            helpers.dedup();
            for helper in helpers {
                if let Ok(Ok(list)) = run_helper(&helper, "list", b"")
                    && let Ok(map) = serde_json::from_slice::<BTreeMap<String, String>>(&list)
                {
                    for (server, user) in map {
                        if file.helper_for(&server).as_deref() == Some(helper.as_str()) {
                            out.insert(server, user);
                        }
                    }
                }
            }
            Ok(out.into_iter().collect())
        })
        .await
    }
}
