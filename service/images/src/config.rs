//! The image config document. Our own serde types rather than oci-spec's `ImageConfiguration`, because
//! Docker's config carries fields OCI does not define (`OnBuild`, `Healthcheck`, `Shell`, `ArgsEscaped`,
//! `container`, `docker_version`) that must survive a round trip byte-for-meaning; unknown fields are kept
//! in `extra`.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageConfigDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ContainerConfigDoc>,
    #[serde(default)]
    pub rootfs: RootFsDoc,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryDoc>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RootFsDoc {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

impl Default for RootFsDoc {
    fn default() -> Self {
        Self { kind: "layers".into(), diff_ids: Vec::new() }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfigDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<BTreeMap<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<BTreeMap<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    #[serde(default, rename = "OnBuild", skip_serializing_if = "Option::is_none")]
    pub on_build: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<HealthcheckDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthcheckDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_period: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
}

impl ImageConfigDoc {
    pub fn parse(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// `created` as unix nanos, 0 when absent or unparsable.
    pub fn created_nanos(&self) -> i64 {
        self.created.as_deref().map(parse_time).unwrap_or(0)
    }

    pub fn labels(&self) -> BTreeMap<String, String> {
        self.config.as_ref().and_then(|c| c.labels.clone()).unwrap_or_default()
    }

    /// The layer records of an image with this config (`config_digest`): its layer blobs, base first,
    /// paired with the config's diff ids (a layer without a media type is taken as OCI gzip). A count or
    /// diff id that does not fit is `BadConfig`.
    pub(crate) fn layer_records(
        &self,
        config_digest: &imaged_core::Digest,
        layers: &[imaged_index::DescriptorRecord],
    ) -> Result<Vec<imaged_index::LayerRecord>, crate::EngineError> {
        let bad = |reason: String| crate::EngineError::BadConfig { digest: config_digest.to_string(), reason };
        let diff_ids = &self.rootfs.diff_ids;
        if diff_ids.len() != layers.len() {
            return Err(bad(format!("{} diff ids for {} layers", diff_ids.len(), layers.len())));
        }
        layers
            .iter()
            .zip(diff_ids)
            .map(|(l, diff)| {
                let diff_id = imaged_core::Digest::parse(diff).map_err(|e| bad(e.to_string()))?;
                let media_type = if l.media_type.is_empty() {
                    imaged_core::media_types::OCI_LAYER_GZIP.to_owned()
                } else {
                    l.media_type.clone()
                };
                Ok(imaged_index::LayerRecord { media_type, digest: l.digest.clone(), size: l.size, diff_id })
            })
            .collect()
    }

    /// The index record of a new, unnamed image with this config: id, created, labels and platform come
    /// from the config; `now` (unix nanos) is when it was stored.
    pub(crate) fn record(
        &self,
        manifest: imaged_index::DescriptorRecord,
        config: imaged_index::DescriptorRecord,
        layers: Vec<imaged_index::LayerRecord>,
        now: i64,
    ) -> imaged_index::ImageRecord {
        imaged_index::ImageRecord {
            id: config.digest.clone(),
            manifest,
            config,
            layers,
            created: self.created_nanos(),
            repo_tags: vec![],
            repo_digests: vec![],
            parent: None,
            labels: self.labels(),
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
            added: now,
            last_tag_time: now,
            index: None,
        }
    }
}

/// RFC 3339 to unix nanos, 0 when unparsable.
pub(crate) fn parse_time(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).ok().and_then(|t| t.timestamp_nanos_opt()).unwrap_or(0)
}

/// Unix nanos to RFC 3339 as Go's `RFC3339Nano` writes it (Docker's `created`): trailing zeros of the
/// fraction dropped. Tools written in Go (skopeo) re-encode configs that way, so anything else changes
/// the config digest when they copy an image.
pub(crate) fn format_time(nanos: i64) -> String {
    let full = chrono::DateTime::from_timestamp_nanos(nanos).to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    match full.split_once('.') {
        Some((secs, frac)) => {
            let digits = frac.trim_end_matches('Z').trim_end_matches('0');
            if digits.is_empty() { format!("{secs}Z") } else { format!("{secs}.{digits}Z") }
        }
        None => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_go_writes_them() {
        assert_eq!(format_time(1_764_000_000_094_451_800), "2025-11-24T16:00:00.0944518Z");
        assert_eq!(format_time(1_764_000_000_000_000_000), "2025-11-24T16:00:00Z");
        assert_eq!(format_time(1_764_000_000_123_456_789), "2025-11-24T16:00:00.123456789Z");
    }

    #[test]
    fn keeps_unknown_fields_and_docker_extensions() {
        let json = br#"{"architecture":"amd64","os":"linux","created":"2024-01-02T03:04:05.123456789Z",
            "docker_version":"20.10","config":{"Cmd":["sh"],"OnBuild":["RUN x"],"ArgsEscaped":true,
            "Healthcheck":{"Test":["CMD","true"],"Interval":1000}},"rootfs":{"type":"layers","diff_ids":[]},
            "history":[{"created_by":"x","empty_layer":true}]}"#;
        let doc = ImageConfigDoc::parse(json).unwrap();
        assert_eq!(doc.created_nanos(), 1704164645123456789);
        let back: Value = serde_json::to_value(&doc).unwrap();
        assert_eq!(back["docker_version"], "20.10");
        assert_eq!(back["config"]["ArgsEscaped"], true);
        assert_eq!(back["config"]["OnBuild"][0], "RUN x");
        assert_eq!(back["config"]["Healthcheck"]["Interval"], 1000);
        assert_eq!(back["history"][0]["empty_layer"], true);
        assert_eq!(format_time(1704164645123456789), "2024-01-02T03:04:05.123456789Z");
    }
}
