//! Writing image archives: the Docker 25+ hybrid (OCI layout + `manifest.json` + `repositories`) or a plain
//! OCI layout. Blobs are copied as stored (no recompression), each once, straight into the output stream.
use std::{
    collections::{BTreeMap, HashSet},
    io::{self, Read, Write},
};

use imaged_core::{Descriptor, Digest, Reference, media_types};
use serde_json::{Value, json};

/// Where blob bytes come from.
pub trait BlobSource {
    /// Opens a blob and tells its size.
    fn open(&self, digest: &Digest) -> io::Result<(Box<dyn Read + '_>, u64)>;
}

/// One image to write.
#[derive(Debug, Clone)]
pub struct SaveImage {
    /// Normalised names (`docker.io/library/busybox:latest`); may be empty.
    pub names: Vec<Reference>,
    /// What `index.json` points at: the image's index when it came as one, else its manifest.
    pub top: Descriptor,
    /// The other blobs under `top` (the index's manifests and their configs and layers).
    pub blobs: Vec<Digest>,
    /// For `manifest.json`: the config and layers (base first) of the platform in use.
    pub config: Digest,
    pub layers: Vec<Digest>,
}

/// Archive layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveFormat {
    /// OCI layout plus Docker's `manifest.json` and `repositories` (what Docker 25+ writes).
    Docker,
    /// A plain OCI image layout.
    Oci,
}

fn blob_path(d: &Digest) -> String {
    format!("blobs/{}/{}", d.algorithm().as_str(), d.hex())
}

fn append<W: Write>(b: &mut tar::Builder<W>, path: &str, size: u64, data: impl Read) -> io::Result<()> {
    let mut h = tar::Header::new_ustar();
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, path, data)
}

fn append_dir<W: Write>(b: &mut tar::Builder<W>, path: &str) -> io::Result<()> {
    let mut h = tar::Header::new_ustar();
    h.set_size(0);
    h.set_mode(0o755);
    h.set_mtime(0);
    h.set_entry_type(tar::EntryType::Directory);
    b.append_data(&mut h, path, io::empty())
}

fn append_json<W: Write>(b: &mut tar::Builder<W>, path: &str, v: &Value) -> io::Result<()> {
    let bytes = serde_json::to_vec(v).expect("json");
    append(b, path, bytes.len() as u64, &bytes[..])
}

/// Writes the archive to `out` and returns it (the caller flushes or finishes it).
pub fn write_archive<W: Write>(
    out: W,
    images: &[SaveImage],
    blobs: &dyn BlobSource,
    format: SaveFormat,
) -> io::Result<W> {
    let mut b = tar::Builder::new(out);
    b.mode(tar::HeaderMode::Deterministic);
    append_dir(&mut b, "blobs/")?;
    append_dir(&mut b, "blobs/sha256/")?;
    let mut written = HashSet::new();
    for img in images {
        let all =
            std::iter::once(&img.top.digest).chain(&img.blobs).chain(std::iter::once(&img.config)).chain(&img.layers);
        for d in all {
            if written.insert(d.clone()) {
                let (reader, size) = blobs.open(d)?;
                append(&mut b, &blob_path(d), size, reader)?;
            }
        }
    }
    append_json(&mut b, "oci-layout", &json!({"imageLayoutVersion": "1.0.0"}))?;
    let mut manifests = Vec::new();
    for img in images {
        let desc = |annotations: Option<Value>| {
            let mut v =
                json!({"mediaType": img.top.media_type, "digest": img.top.digest.to_string(), "size": img.top.size});
            if let Some(a) = annotations {
                v["annotations"] = a;
            }
            v
        };
        if img.names.is_empty() {
            manifests.push(desc(None));
        }
        for n in &img.names {
            let ref_name = match format {
                SaveFormat::Docker => n.tag().unwrap_or("latest").to_owned(),
                SaveFormat::Oci => n.to_string(),
            };
            manifests.push(desc(Some(json!({
                "io.containerd.image.name": n.to_string(),
                "org.opencontainers.image.ref.name": ref_name,
            }))));
        }
    }
    append_json(
        &mut b,
        "index.json",
        &json!({"schemaVersion": 2, "mediaType": media_types::OCI_INDEX, "manifests": manifests}),
    )?;
    if format == SaveFormat::Docker {
        let mut entries = Vec::new();
        let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for img in images {
            let tags: Vec<String> = img.names.iter().map(Reference::familiar).collect();
            for n in &img.names {
                if let Some(t) = n.tag() {
                    repositories
                        .entry(n.familiar_name())
                        .or_default()
                        .insert(t.to_owned(), img.config.hex().to_owned());
                }
            }
            entries.push(json!({
                "Config": blob_path(&img.config),
                "RepoTags": if tags.is_empty() { Value::Null } else { json!(tags) },
                "Layers": img.layers.iter().map(blob_path).collect::<Vec<_>>(),
            }));
        }
        append_json(&mut b, "manifest.json", &Value::Array(entries))?;
        if !repositories.is_empty() {
            append_json(&mut b, "repositories", &json!(repositories))?;
        }
    }
    b.into_inner()
}
