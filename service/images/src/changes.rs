//! Dockerfile instructions applied to an image config by `import -c` and `commit -c`: CMD, ENTRYPOINT, ENV,
//! EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR, STOPSIGNAL (what `docker commit --change` accepts).
use std::collections::BTreeMap;

use serde_json::Value;

use crate::{ContainerConfigDoc, EngineError};

/// One parsed change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Cmd(Vec<String>),
    Entrypoint(Vec<String>),
    Env(Vec<(String, String)>),
    Expose(Vec<String>),
    Label(Vec<(String, String)>),
    OnBuild(String),
    User(String),
    Volume(Vec<String>),
    Workdir(String),
    StopSignal(String),
}

fn invalid(change: &str, reason: impl Into<String>) -> EngineError {
    EngineError::InvalidChange { change: change.to_owned(), reason: reason.into() }
}

/// Splits on whitespace, honouring double and single quotes and backslash escapes (quotes removed).
fn words(s: &str) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => cur.push(c),
            (_, '\\') => {
                cur.push(chars.next().ok_or("a trailing backslash")?);
                in_word = true;
            }
            (_, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("an unterminated quote");
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

/// Exec form (`["a","b"]`) or shell form (`/bin/sh -c "…"`).
fn command(args: &str) -> Vec<String> {
    let t = args.trim();
    if t.starts_with('[')
        && let Ok(v) = serde_json::from_str::<Vec<String>>(t)
    {
        return v;
    }
    vec!["/bin/sh".into(), "-c".into(), t.to_owned()]
}

fn key_values(change: &str, args: &str, legacy: bool) -> Result<Vec<(String, String)>, EngineError> {
    let ws = words(args).map_err(|r| invalid(change, format!("has {r}")))?;
    if ws.is_empty() {
        return Err(invalid(change, "needs at least one key=value"));
    }
    if !ws[0].contains('=') {
        if !legacy {
            return Err(invalid(change, "expects key=value pairs"));
        }
        let (k, v) = args.trim().split_once(char::is_whitespace).ok_or_else(|| invalid(change, "needs a value"))?;
        return Ok(vec![(k.to_owned(), v.trim().to_owned())]);
    }
    ws.into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
            _ => Err(invalid(change, format!("{w:?} is not key=value"))),
        })
        .collect()
}

pub(crate) fn port(change: &str, p: &str) -> Result<Vec<String>, EngineError> {
    let (num, proto) = p.split_once('/').unwrap_or((p, "tcp"));
    let proto = proto.to_lowercase();
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(invalid(change, format!("unknown protocol {proto:?}")));
    }
    let parse = |s: &str| s.parse::<u16>().map_err(|_| invalid(change, format!("invalid port {p:?}")));
    let (lo, hi) = match num.split_once('-') {
        Some((a, b)) => (parse(a)?, parse(b)?),
        None => (parse(num)?, parse(num)?),
    };
    if lo > hi {
        return Err(invalid(change, format!("invalid port range {p:?}")));
    }
    Ok((lo..=hi).map(|n| format!("{n}/{proto}")).collect())
}

/// Parses one change line, e.g. `CMD ["sh"]`, `ENV A=b`, `EXPOSE 80/tcp`.
pub fn parse_change(line: &str) -> Result<Change, EngineError> {
    let line = line.trim();
    let (instr, args) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let args = args.trim();
    if args.is_empty() {
        return Err(invalid(line, format!("{} needs an argument", instr.to_uppercase())));
    }
    Ok(match instr.to_uppercase().as_str() {
        "CMD" => Change::Cmd(command(args)),
        "ENTRYPOINT" => Change::Entrypoint(command(args)),
        "ENV" => Change::Env(key_values(line, args, true)?),
        "LABEL" => Change::Label(key_values(line, args, false)?),
        "EXPOSE" => {
            let mut ports = Vec::new();
            for w in words(args).map_err(|r| invalid(line, format!("has {r}")))? {
                ports.extend(port(line, &w)?);
            }
            Change::Expose(ports)
        }
        "ONBUILD" => {
            let first = args.split_whitespace().next().unwrap_or("").to_uppercase();
            if matches!(first.as_str(), "ONBUILD" | "FROM" | "MAINTAINER") {
                return Err(invalid(line, format!("{first} isn't allowed as an ONBUILD trigger")));
            }
            Change::OnBuild(args.to_owned())
        }
        "USER" => Change::User(args.to_owned()),
        "VOLUME" => {
            let vols = if args.starts_with('[') {
                serde_json::from_str::<Vec<String>>(args).map_err(|e| invalid(line, e.to_string()))?
            } else {
                words(args).map_err(|r| invalid(line, format!("has {r}")))?
            };
            Change::Volume(vols)
        }
        "WORKDIR" => Change::Workdir(args.to_owned()),
        "STOPSIGNAL" => Change::StopSignal(args.to_owned()),
        other => {
            return Err(invalid(
                line,
                format!(
                    "{other} is not a supported change: use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR or STOPSIGNAL"
                ),
            ));
        }
    })
}

impl Change {
    /// Applies the change to a container config as Docker's builder would.
    pub fn apply(&self, c: &mut ContainerConfigDoc) {
        match self {
            Self::Cmd(v) => c.cmd = Some(v.clone()),
            Self::Entrypoint(v) => {
                c.entrypoint = Some(v.clone());
                c.cmd = None;
            }
            Self::Env(kvs) => {
                let env = c.env.get_or_insert_with(Vec::new);
                for (k, v) in kvs {
                    let entry = format!("{k}={v}");
                    match env.iter_mut().find(|e| e.split_once('=').map_or(e.as_str(), |(ek, _)| ek) == k) {
                        Some(e) => *e = entry,
                        None => env.push(entry),
                    }
                }
            }
            Self::Label(kvs) => {
                let labels = c.labels.get_or_insert_with(BTreeMap::new);
                for (k, v) in kvs {
                    labels.insert(k.clone(), v.clone());
                }
            }
            Self::Expose(ports) => {
                let map = c.exposed_ports.get_or_insert_with(BTreeMap::new);
                for p in ports {
                    map.insert(p.clone(), Value::Object(Default::default()));
                }
            }
            Self::OnBuild(t) => c.on_build.get_or_insert_with(Vec::new).push(t.clone()),
            Self::User(u) => c.user = Some(u.clone()),
            Self::Volume(vs) => {
                let map = c.volumes.get_or_insert_with(BTreeMap::new);
                for v in vs {
                    map.insert(v.clone(), Value::Object(Default::default()));
                }
            }
            Self::Workdir(w) => {
                let base = c.working_dir.clone().unwrap_or_else(|| "/".into());
                c.working_dir =
                    Some(if w.starts_with('/') { w.clone() } else { format!("{}/{w}", base.trim_end_matches('/')) });
            }
            Self::StopSignal(s) => c.stop_signal = Some(s.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(changes: &[&str]) -> ContainerConfigDoc {
        let mut c = ContainerConfigDoc::default();
        for ch in changes {
            parse_change(ch).unwrap().apply(&mut c);
        }
        c
    }

    #[test]
    fn docker_forms() {
        let c = applied(&[
            r#"CMD ["sh", "-c", "echo hi"]"#,
            "ENV A=b C=\"d e\"",
            "ENV LEGACY some value",
            "ENV A=z",
            r#"LABEL maintainer="me <m@x>" version=1"#,
            "EXPOSE 80 53/udp 8000-8001",
            "WORKDIR /srv",
            "WORKDIR app",
            "USER nobody:nogroup",
            "VOLUME /data /cache",
            "ONBUILD RUN make",
            "STOPSIGNAL SIGTERM",
        ]);
        assert_eq!(c.cmd.unwrap(), ["sh", "-c", "echo hi"]);
        assert_eq!(c.env.unwrap(), ["A=z", "C=d e", "LEGACY=some value"]);
        assert_eq!(c.labels.unwrap()["maintainer"], "me <m@x>");
        let ports: Vec<_> = c.exposed_ports.unwrap().into_keys().collect();
        assert_eq!(ports, ["53/udp", "80/tcp", "8000/tcp", "8001/tcp"]);
        assert_eq!(c.working_dir.unwrap(), "/srv/app");
        assert_eq!(c.user.unwrap(), "nobody:nogroup");
        assert_eq!(c.volumes.unwrap().len(), 2);
        assert_eq!(c.on_build.unwrap(), ["RUN make"]);
        let c = applied(&["CMD echo hi"]);
        assert_eq!(c.cmd.unwrap(), ["/bin/sh", "-c", "echo hi"]);
    }

    #[test]
    fn refuses_bad_changes() {
        for bad in
            ["RUN echo", "CMD", "EXPOSE 99999", "EXPOSE 80/xyz", "LABEL novalue", "ENV A=\"open", "ONBUILD FROM x"]
        {
            assert!(parse_change(bad).is_err(), "{bad}");
        }
    }
}
