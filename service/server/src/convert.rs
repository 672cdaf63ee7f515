//! Engine values to proto messages.
use imaged_core::Namespace;
use imaged_images::{
    ContainerConfigDoc, DeleteItem, EngineError, HistoryRow, ImageDetails, ImageSummary, RemoveOutcome,
};
use imaged_proto::v1 as pb;
use tonic::{Request, Status};

use crate::to_status;

pub fn timestamp(nanos: i64) -> Option<prost_types::Timestamp> {
    (nanos != 0).then(|| prost_types::Timestamp {
        seconds: nanos.div_euclid(1_000_000_000),
        nanos: nanos.rem_euclid(1_000_000_000) as i32,
    })
}

/// A stored (normalised) name in familiar form, as Docker shows it.
pub fn familiar(stored: &str) -> String {
    imaged_core::familiar_of_stored(stored)
}

fn familiar_all(names: &[String]) -> Vec<String> {
    names.iter().map(|n| familiar(n)).collect()
}

/// The namespace of a call, from the `imaged-namespace` header.
pub fn namespace<T>(req: &Request<T>) -> Result<Namespace, Status> {
    match req.metadata().get(imaged_proto::NAMESPACE_HEADER) {
        None => Ok(Namespace::default()),
        Some(v) => {
            let s = v
                .to_str()
                .map_err(|_| to_status(EngineError::Namespace(imaged_core::NamespaceError("<not ASCII>".into()))))?;
            Namespace::parse(s).map_err(|e| to_status(EngineError::Namespace(e)))
        }
    }
}

/// The caller's deadline (`grpc-timeout`: digits and a unit of H, M, S, m, u or n), logged when there is
/// one. Unary calls are held to it by tonic; streaming calls check it themselves.
pub fn deadline<T>(req: &Request<T>, call: &str) -> Option<tokio::time::Instant> {
    let v = req.metadata().get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = v.split_at(v.len().checked_sub(1)?);
    let n: u64 = digits.parse().ok()?;
    let d = match unit {
        "H" => std::time::Duration::from_secs(n * 3600),
        "M" => std::time::Duration::from_secs(n * 60),
        "S" => std::time::Duration::from_secs(n),
        "m" => std::time::Duration::from_millis(n),
        "u" => std::time::Duration::from_micros(n),
        "n" => std::time::Duration::from_nanos(n),
        _ => return None,
    };
    tracing::info!(call, deadline_ms = d.as_millis() as u64, "the caller set a deadline");
    Some(tokio::time::Instant::now() + d)
}

/// Runs a streaming call's `work` while it is wanted: `None` when its client went away first (the work
/// is dropped: a transfer stops and keeps its partial data) or the caller's deadline passed first
/// (DEADLINE_EXCEEDED is sent to the client).
pub async fn while_wanted<T, R>(
    tx: &tokio::sync::mpsc::Sender<Result<T, Status>>,
    deadline: Option<tokio::time::Instant>,
    call: &str,
    work: impl std::future::Future<Output = R>,
) -> Option<R> {
    let passed = async {
        match deadline {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        result = work => Some(result),
        () = tx.closed() => {
            tracing::info!(call, "the client went away; the call stopped (partial data kept)");
            None
        }
        () = passed => {
            tracing::info!(call, "the caller's deadline passed; the call stopped");
            let status = crate::status::status_with_info(
                imaged_core::ErrorKind::DeadlineExceeded,
                format!("{call}: the caller's deadline passed"),
                "DEADLINE_EXCEEDED",
                Default::default(),
            );
            let _ = tx.send(Err(status)).await;
            None
        }
    }
}

pub fn filters(fs: Vec<pb::Filter>) -> Vec<(String, String)> {
    fs.into_iter().map(|f| (f.key, f.value)).collect()
}

pub fn summary(s: ImageSummary) -> pb::ImageSummary {
    let r = s.record;
    pb::ImageSummary {
        id: r.id.to_string(),
        parent_id: r.parent.as_ref().map(|p| p.to_string()).unwrap_or_default(),
        repo_tags: familiar_all(&s.repo_tags),
        repo_digests: familiar_all(&r.repo_digests),
        created: timestamp(r.created),
        size: s.size as i64,
        shared_size: s.shared_size as i64,
        labels: r.labels.clone().into_iter().collect(),
        containers: s.containers as i64,
        manifest_digest: r.manifest.digest.to_string(),
        content_size: r.size() as i64,
        index_digest: r.index.as_ref().map(|i| i.descriptor.digest.to_string()).unwrap_or_default(),
        platforms: s.platforms.into_iter().map(platform_image).collect(),
    }
}

fn platform_image(p: imaged_images::PlatformImage) -> pb::PlatformImage {
    pb::PlatformImage {
        platform: p.platform,
        manifest_digest: p.manifest.to_string(),
        size: p.size as i64,
        content_size: p.content_size as i64,
        attests: p.attests.map(|d| d.to_string()).unwrap_or_default(),
        present: p.present,
        in_use: p.in_use,
    }
}

fn descriptor(media_type: &str, digest: &imaged_core::Digest, size: u64) -> pb::Descriptor {
    pb::Descriptor {
        media_type: media_type.to_owned(),
        digest: digest.to_string(),
        size: size as i64,
        ..Default::default()
    }
}

fn container_config(c: ContainerConfigDoc) -> pb::ContainerConfig {
    pb::ContainerConfig {
        user: c.user.unwrap_or_default(),
        env: c.env.unwrap_or_default(),
        cmd_set: c.cmd.is_some(),
        cmd: c.cmd.unwrap_or_default(),
        entrypoint_set: c.entrypoint.is_some(),
        entrypoint: c.entrypoint.unwrap_or_default(),
        working_dir: c.working_dir.unwrap_or_default(),
        labels: c.labels.unwrap_or_default().into_iter().collect(),
        exposed_ports: c.exposed_ports.unwrap_or_default().into_keys().collect(),
        volumes: c.volumes.unwrap_or_default().into_keys().collect(),
        stop_signal: c.stop_signal.unwrap_or_default(),
        on_build: c.on_build.unwrap_or_default(),
        healthcheck: c.healthcheck.map(|h| pb::Healthcheck {
            test: h.test.unwrap_or_default(),
            interval_ns: h.interval.unwrap_or(0),
            timeout_ns: h.timeout.unwrap_or(0),
            start_period_ns: h.start_period.unwrap_or(0),
            retries: h.retries.unwrap_or(0),
        }),
        shell: c.shell.unwrap_or_default(),
    }
}

pub fn history_entry(h: HistoryRow) -> pb::HistoryEntry {
    pb::HistoryEntry {
        id: h.id.map(|d| d.to_string()).unwrap_or_else(|| "<missing>".into()),
        created: timestamp(h.created),
        created_by: h.created_by,
        size: h.size as i64,
        comment: h.comment,
        empty_layer: h.empty_layer,
        tags: familiar_all(&h.tags),
        author: h.author,
    }
}

/// Inspect output; `fields` limits the heavy parts (`config`, `history`, `rootfs`, `manifest`).
pub fn details(d: ImageDetails, fields: &[String]) -> pb::ImageDetails {
    let want = |f: &str| fields.is_empty() || fields.iter().any(|x| x.eq_ignore_ascii_case(f));
    let r = d.record;
    let c = d.config;
    let comment = c.history.last().and_then(|h| h.comment.clone()).unwrap_or_default();
    let docker_version = c.extra.get("docker_version").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    pb::ImageDetails {
        id: r.id.to_string(),
        repo_tags: familiar_all(&r.repo_tags),
        repo_digests: familiar_all(&r.repo_digests),
        parent: r.parent.as_ref().map(|p| p.to_string()).unwrap_or_default(),
        comment,
        created: timestamp(r.created),
        author: c.author.clone().unwrap_or_default(),
        config: if want("config") { Some(container_config(c.config.clone().unwrap_or_default())) } else { None },
        architecture: c.architecture.clone(),
        variant: c.variant.clone().unwrap_or_default(),
        os: c.os.clone(),
        size: d.size as i64,
        content_size: r.size() as i64,
        index_digest: r.index.as_ref().map(|i| i.descriptor.digest.to_string()).unwrap_or_default(),
        platforms: d.platforms.into_iter().map(platform_image).collect(),
        diff_ids: if want("rootfs") { c.rootfs.diff_ids.clone() } else { vec![] },
        manifest: want("manifest").then(|| descriptor(&r.manifest.media_type, &r.manifest.digest, r.manifest.size)),
        config_descriptor: want("manifest").then(|| descriptor(&r.config.media_type, &r.config.digest, r.config.size)),
        layers: if want("manifest") {
            r.layers.iter().map(|l| descriptor(&l.media_type, &l.digest, l.size)).collect()
        } else {
            vec![]
        },
        last_tag_time: timestamp(r.last_tag_time),
        docker_version,
        history: if want("history") {
            c.history
                .iter()
                .map(|h| pb::HistoryEntry {
                    id: String::new(),
                    created: h.created.as_deref().and_then(|t| timestamp(parse_rfc3339(t))),
                    created_by: h.created_by.clone().unwrap_or_default(),
                    size: 0,
                    comment: h.comment.clone().unwrap_or_default(),
                    empty_layer: h.empty_layer,
                    tags: vec![],
                    author: h.author.clone().unwrap_or_default(),
                })
                .collect()
        } else {
            vec![]
        },
    }
}

fn parse_rfc3339(s: &str) -> i64 {
    s.parse::<prost_types::Timestamp>().map(|t| t.seconds * 1_000_000_000 + t.nanos as i64).unwrap_or(0)
}

pub fn delete_items(out: &RemoveOutcome) -> Vec<pb::DeleteItem> {
    out.items
        .iter()
        .map(|i| match i {
            DeleteItem::Untagged(n) => pb::DeleteItem { untagged: familiar(n), deleted: String::new() },
            DeleteItem::Deleted(d) => pb::DeleteItem { untagged: String::new(), deleted: d.to_string() },
        })
        .collect()
}

pub fn credentials(a: Option<pb::AuthConfig>) -> Option<imaged_images::Credentials> {
    a.filter(|a| !a.username.is_empty() || !a.password.is_empty() || !a.identity_token.is_empty()).map(|a| {
        imaged_images::Credentials { username: a.username, password: a.password, identity_token: a.identity_token }
    })
}

pub fn progress(p: imaged_images::ProgressEvent) -> pb::Progress {
    pb::Progress { id: p.id, status: p.status, current: p.current as i64, total: p.total as i64 }
}

/// What a request names a local image by (reference, id or id prefix); a bad one is INVALID_ARGUMENT.
pub fn image_ref(s: &str) -> Result<imaged_core::ImageRef, tonic::Status> {
    imaged_core::ImageRef::parse(s).map_err(|e| crate::to_status(imaged_images::EngineError::reference(s, e)))
}

/// A reference to store or push (`REPO[:TAG]`), normalised as Docker's; a bad one is INVALID_ARGUMENT.
pub fn reference(s: &str) -> Result<imaged_core::Reference, tonic::Status> {
    imaged_core::Reference::parse_docker(s).map_err(|e| crate::to_status(imaged_images::EngineError::reference(s, e)))
}

/// An optional `os/arch[/variant]` from a request ("" = none); a bad one is INVALID_ARGUMENT.
pub fn platform(s: &str) -> Result<Option<imaged_core::Platform>, tonic::Status> {
    (!s.is_empty())
        .then(|| imaged_core::Platform::parse(s))
        .transpose()
        .map_err(|e| crate::to_status(imaged_images::EngineError::Platform(e)))
}
