//! Results in the JSON shapes Docker's API gives, for clients that speak Docker's language (`imagectl
//! inspect`, the Python bindings' `Image.attrs`).

use serde_json::{Map, Value, json};

use crate::pb;

fn list_or_null(set: bool, v: &[String]) -> Value {
    if set || !v.is_empty() { json!(v) } else { Value::Null }
}

fn set_of(keys: &[String]) -> Value {
    if keys.is_empty() { Value::Null } else { Value::Object(keys.iter().map(|k| (k.clone(), json!({}))).collect()) }
}

/// The image as `docker image inspect` prints it.
pub fn image_json(d: &pb::ImageDetails) -> Value {
    let c = d.config.clone().unwrap_or_default();
    let mut config = Map::new();
    config.insert("Hostname".into(), json!(""));
    config.insert("Domainname".into(), json!(""));
    config.insert("User".into(), json!(c.user));
    config.insert("AttachStdin".into(), json!(false));
    config.insert("AttachStdout".into(), json!(false));
    config.insert("AttachStderr".into(), json!(false));
    if !c.exposed_ports.is_empty() {
        config.insert("ExposedPorts".into(), set_of(&c.exposed_ports));
    }
    config.insert("Tty".into(), json!(false));
    config.insert("OpenStdin".into(), json!(false));
    config.insert("StdinOnce".into(), json!(false));
    config.insert("Env".into(), list_or_null(false, &c.env));
    config.insert("Cmd".into(), list_or_null(c.cmd_set, &c.cmd));
    if let Some(h) = &c.healthcheck {
        config.insert("Healthcheck".into(), json!({"Test": h.test, "Interval": h.interval_ns, "Timeout": h.timeout_ns, "StartPeriod": h.start_period_ns, "Retries": h.retries}));
    }
    config.insert("Image".into(), json!(""));
    config.insert("Volumes".into(), set_of(&c.volumes));
    config.insert("WorkingDir".into(), json!(c.working_dir));
    config.insert("Entrypoint".into(), list_or_null(c.entrypoint_set, &c.entrypoint));
    config.insert("OnBuild".into(), list_or_null(false, &c.on_build));
    config.insert("Labels".into(), if c.labels.is_empty() { Value::Null } else { json!(c.labels) });
    if !c.stop_signal.is_empty() {
        config.insert("StopSignal".into(), json!(c.stop_signal));
    }
    if !c.shell.is_empty() {
        config.insert("Shell".into(), json!(c.shell));
    }
    let mut out = Map::new();
    out.insert("Id".into(), json!(d.id));
    out.insert("RepoTags".into(), json!(d.repo_tags));
    out.insert("RepoDigests".into(), json!(d.repo_digests));
    out.insert("Parent".into(), json!(d.parent));
    out.insert("Comment".into(), json!(d.comment));
    out.insert("Created".into(), json!(created(d.created.as_ref())));
    out.insert("DockerVersion".into(), json!(d.docker_version));
    out.insert("Author".into(), json!(d.author));
    out.insert("Config".into(), Value::Object(config));
    out.insert("Architecture".into(), json!(d.architecture));
    if !d.variant.is_empty() {
        out.insert("Variant".into(), json!(d.variant));
    }
    out.insert("Os".into(), json!(d.os));
    out.insert("Size".into(), json!(d.size));
    out.insert("RootFS".into(), json!({"Type": "layers", "Layers": d.diff_ids}));
    out.insert("Metadata".into(), json!({"LastTagTime": created(d.last_tag_time.as_ref())}));
    if let Some(m) = &d.manifest {
        out.insert("Descriptor".into(), json!({"mediaType": m.media_type, "digest": m.digest, "size": m.size}));
    }
    if !d.index_digest.is_empty() {
        // imaged's addition: the image's index and every manifest in it.
        let platforms: Vec<Value> = d
            .platforms
            .iter()
            .map(|p| {
                json!({"Platform": p.platform, "Digest": p.manifest_digest, "Size": p.size,
                    "ContentSize": p.content_size, "Attests": (!p.attests.is_empty()).then_some(&p.attests),
                    "Present": p.present, "InUse": p.in_use})
            })
            .collect();
        out.insert("Index".into(), json!({"Digest": d.index_digest, "Manifests": platforms}));
    }
    Value::Object(out)
}

/// A timestamp as Docker prints it (RFC 3339, `0001-01-01T00:00:00Z` when unset).
pub fn created(ts: Option<&prost_types::Timestamp>) -> String {
    ts.and_then(|t| chrono::DateTime::from_timestamp(t.seconds, t.nanos as u32))
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_else(|| "0001-01-01T00:00:00Z".into())
}
