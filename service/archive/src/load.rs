//! Reading image archives in one streaming pass: `docker save` (legacy and 25+ hybrid), OCI layouts,
//! skopeo's docker-archive, any of them gzip or zstd compressed. Every data file goes straight into a
//! [`BlobSink`] as it is read; only small metadata stays in memory. [`plan`] then turns what was read into
//! images, checking that every blob a manifest names is present and matches.
use std::{
    collections::{BTreeMap, HashMap},
    io::{self, BufRead, BufReader, Read},
};

use imaged_core::{Descriptor, Digest, Node, Platform, Reference, Sha256Hasher, media_types};
use serde_json::Value;

use crate::{ArchiveError, Compression, sniff};

/// Files up to this size are also kept in memory (configs, manifests, small layers).
const SMALL: u64 = 4 << 20;
/// Archive metadata files larger than this are refused.
const META_MAX: u64 = 16 << 20;
/// Bytes tolerated after the end-of-archive marker.
const TRAILING_MAX: u64 = 1 << 20;

/// Receives the archive's data files.
pub trait BlobSink {
    /// Stores exactly the bytes `data` yields as a blob and returns their sha256 digest.
    fn store(&mut self, data: &mut dyn Read) -> io::Result<Digest>;
}

/// A data file of the archive, as stored.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub digest: Digest,
    pub size: u64,
    /// The first bytes, to tell compression.
    pub head: Vec<u8>,
    /// The whole content when it is small.
    pub small: Option<Vec<u8>>,
}

/// Everything one pass over an archive found.
#[derive(Debug, Default)]
pub struct ArchiveContents {
    /// Data files by path.
    pub files: BTreeMap<String, StoredFile>,
    /// Metadata files (`manifest.json`, `index.json`, `repositories`, `*/json`) by path.
    pub meta: BTreeMap<String, Vec<u8>>,
    /// Links: path → target path (both normalised).
    pub links: BTreeMap<String, String>,
}

fn invalid(entry: Option<&str>, reason: impl Into<String>) -> ArchiveError {
    ArchiveError::InvalidArchive { entry: entry.map(str::to_owned), reason: reason.into() }
}

fn unsafe_entry(entry: &str, reason: &'static str) -> ArchiveError {
    ArchiveError::UnsafeEntry { entry: entry.to_owned(), reason }
}

/// Normalises an archive path; `None` when it climbs above the root.
fn clean(path: &str) -> Option<String> {
    crate::guard::normalise(path).map(|parts| parts.join("/"))
}

fn is_meta(path: &str) -> bool {
    matches!(path, "manifest.json" | "index.json" | "oci-layout" | "repositories")
        || path.ends_with("/json")
        || path.ends_with("/VERSION")
}

/// Counts bytes, to bound decompression.
struct Counter<R> {
    inner: R,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Refuses to expand far beyond what was read: a gzip bomb.
struct BombGuard<R> {
    inner: R,
    compressed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    out: u64,
}

impl<R: Read> Read for BombGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let read = self.compressed.load(std::sync::atomic::Ordering::Relaxed);
        if self.out > (1u64 << 30).max(read.saturating_mul(1000)) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "decompression bomb: the archive expands more than 1000 times",
            ));
        }
        Ok(n)
    }
}

/// Reads an entry, hashing nothing itself; keeps a copy when small and remembers read errors.
struct Capture<'a, R> {
    inner: &'a mut R,
    head: Vec<u8>,
    small: Option<Vec<u8>>,
    read_error: Option<io::Error>,
    hasher: Sha256Hasher,
    count: u64,
}

impl<R: Read> Read for Capture<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) => {
                let msg = e.to_string();
                self.read_error = Some(e);
                return Err(io::Error::other(msg));
            }
        };
        if self.head.len() < 8 {
            let take = (8 - self.head.len()).min(n);
            self.head.extend_from_slice(&buf[..take]);
        }
        if let Some(s) = &mut self.small {
            s.extend_from_slice(&buf[..n]);
        }
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// Reads the whole archive, storing data files in `sink`.
pub fn read_archive<R: Read>(input: R, sink: &mut dyn BlobSink) -> Result<ArchiveContents, ArchiveError> {
    let compressed = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut input = BufReader::with_capacity(1 << 20, Counter { inner: input, count: compressed.clone() });
    let head = input.fill_buf().map_err(ArchiveError::NotTar)?;
    if head.is_empty() {
        return Err(ArchiveError::Empty);
    }
    let compression = sniff(head);
    let decoder = crate::compression::decoder(input, compression)?;
    let reader: Box<dyn Read> = match compression {
        Compression::None => decoder,
        _ => Box::new(BombGuard { inner: decoder, compressed, out: 0 }),
    };
    let bad = |e: io::Error| {
        if compression == Compression::None { ArchiveError::NotTar(e) } else { ArchiveError::Corrupt(e) }
    };
    let mut contents = ArchiveContents::default();
    let mut archive = tar::Archive::new(reader);
    let mut seen = std::collections::HashSet::new();
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if raw.starts_with('/') {
            return Err(unsafe_entry(&raw, "absolute paths are not allowed"));
        }
        let path = clean(&raw).ok_or_else(|| unsafe_entry(&raw, "path climbs above the archive root with '..'"))?;
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if !seen.insert(path.clone()) {
            return Err(unsafe_entry(&raw, "duplicate entry"));
        }
        match kind {
            tar::EntryType::Symlink | tar::EntryType::Link => {
                let target =
                    entry.link_name_bytes().map(|l| String::from_utf8_lossy(&l).into_owned()).unwrap_or_default();
                if target.starts_with('/') {
                    return Err(unsafe_entry(&raw, "link target is absolute"));
                }
                let base = if kind == tar::EntryType::Symlink {
                    path.rsplit_once('/').map_or("", |(d, _)| d).to_owned()
                } else {
                    String::new()
                };
                let resolved = clean(&format!("{base}/{target}"))
                    .ok_or_else(|| unsafe_entry(&raw, "link target escapes the archive"))?;
                contents.links.insert(path, resolved);
            }
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                let size = entry.header().entry_size().map_err(bad)?;
                if is_meta(&path) {
                    if size > META_MAX {
                        return Err(invalid(Some(&raw), "metadata file is too large"));
                    }
                    let mut buf = Vec::with_capacity(size as usize);
                    entry.read_to_end(&mut buf).map_err(bad)?;
                    contents.meta.insert(path, buf);
                    continue;
                }
                let mut cap = Capture {
                    inner: &mut entry,
                    head: Vec::new(),
                    small: (size <= SMALL).then(Vec::new),
                    read_error: None,
                    hasher: Sha256Hasher::new(),
                    count: 0,
                };
                let stored = sink.store(&mut cap);
                if let Some(e) = cap.read_error.take() {
                    return Err(bad(e));
                }
                let digest = stored.map_err(ArchiveError::Write)?;
                if cap.count != size {
                    return Err(invalid(Some(&raw), format!("entry is truncated: {} of {size} bytes", cap.count)));
                }
                if digest != cap.hasher.clone().finish() {
                    return Err(ArchiveError::Write(io::Error::other("the store hashed other bytes than were read")));
                }
                if let Some(hex) = path.strip_prefix("blobs/sha256/")
                    && digest.hex() != hex
                {
                    return Err(invalid(Some(&raw), format!("content does not match its digest (it is {digest})")));
                }
                contents.files.insert(path, StoredFile { digest, size, head: cap.head, small: cap.small });
            }
            _ => {
                return Err(unsafe_entry(
                    &raw,
                    "only regular files, directories and links may appear in an image archive",
                ));
            }
        }
    }
    // After the end-of-archive blocks only padding may follow (tar pads to 10 KiB records); a stream that
    // goes on and on is a decompression bomb, not an archive.
    let rest = archive.into_inner();
    let trailing = io::copy(&mut rest.take(TRAILING_MAX + 1), &mut io::sink()).map_err(bad)?;
    if trailing > TRAILING_MAX {
        return Err(invalid(
            None,
            "data goes on far beyond the archive's declared entries after its end (decompression bomb?)",
        ));
    }
    if contents.files.is_empty() && contents.meta.is_empty() {
        return Err(invalid(None, "no image in it: expected docker save, OCI layout or skopeo archive files"));
    }
    Ok(contents)
}

/// A layer of an image to load.
#[derive(Debug, Clone)]
pub struct PlannedLayer {
    pub digest: Digest,
    pub size: u64,
    pub media_type: String,
}

/// An image found in an archive, every blob checked present.
#[derive(Debug, Clone)]
pub struct PlannedImage {
    pub names: Vec<Reference>,
    /// The archive's own manifest blob (OCI layouts); `None` when the loader must write one.
    pub manifest: Option<Descriptor>,
    pub config: Digest,
    pub config_size: u64,
    pub config_bytes: Vec<u8>,
    pub layers: Vec<PlannedLayer>,
    /// The index the image came under, with every manifest of it the archive holds in full.
    pub index: Option<PlannedIndex>,
}

/// An index found in an archive: its blob, and the manifests of it whose blobs are all there.
#[derive(Debug, Clone)]
pub struct PlannedIndex {
    pub descriptor: Descriptor,
    pub children: Vec<PlannedChild>,
    /// Every manifest the index names, in the archive or not.
    pub entries: Vec<Descriptor>,
}

/// One manifest of an index, present in full: its descriptor from the index and its config and layers.
#[derive(Debug, Clone)]
pub struct PlannedChild {
    pub descriptor: Descriptor,
    pub manifest_media_type: String,
    pub blobs: Vec<Descriptor>,
}

impl ArchiveContents {
    fn resolve(&self, path: &str) -> Option<&StoredFile> {
        let mut p = clean(path)?;
        for _ in 0..16 {
            if let Some(f) = self.files.get(&p) {
                return Some(f);
            }
            p = self.links.get(&p)?.clone();
        }
        None
    }

    fn by_digest(&self, d: &Digest) -> Option<&StoredFile> {
        self.files.get(&format!("blobs/sha256/{}", d.hex())).or_else(|| self.files.values().find(|f| &f.digest == d))
    }
}

fn layer_media_type(head: &[u8]) -> &'static str {
    match sniff(head) {
        Compression::Gzip => media_types::OCI_LAYER_GZIP,
        Compression::Zstd => media_types::OCI_LAYER_ZSTD,
        _ => media_types::OCI_LAYER_TAR,
    }
}

fn names_of(v: &Value) -> Vec<Reference> {
    v.as_array()
        .map(|a| a.iter().filter_map(|t| t.as_str()).filter_map(|t| Reference::parse_docker(t).ok()).collect())
        .unwrap_or_default()
}

fn json(bytes: &[u8], what: &str) -> Result<Value, ArchiveError> {
    serde_json::from_slice(bytes).map_err(|e| invalid(Some(what), format!("not valid JSON: {e}")))
}

fn small_bytes<'a>(f: &'a StoredFile, what: &str) -> Result<&'a [u8], ArchiveError> {
    f.small.as_deref().ok_or_else(|| invalid(Some(what), "is too large for a manifest or config"))
}

/// Turns an archive's contents into images: from `index.json` (OCI and Docker 25+) when present, else from
/// `manifest.json` (legacy `docker save`, skopeo). Names come from `manifest.json` RepoTags and the index's
/// `io.containerd.image.name` / `org.opencontainers.image.ref.name` annotations.
pub fn plan(c: &ArchiveContents, platform: &Platform) -> Result<Vec<PlannedImage>, ArchiveError> {
    let mut by_config: Vec<PlannedImage> = Vec::new();
    let docker_names: HashMap<String, Vec<Reference>> = match c.meta.get("manifest.json") {
        Some(m) => json(m, "manifest.json")?
            .as_array()
            .ok_or_else(|| invalid(Some("manifest.json"), "expected a list"))?
            .iter()
            .filter_map(|e| Some((clean(e["Config"].as_str()?)?, names_of(&e["RepoTags"]))))
            .collect(),
        None => HashMap::new(),
    };
    if let Some(index) = c.meta.get("index.json") {
        let index = json(index, "index.json")?;
        let mut todo: Vec<(Value, Vec<Reference>)> = Vec::new();
        for m in index["manifests"].as_array().ok_or_else(|| invalid(Some("index.json"), "has no manifests"))? {
            let mut names = Vec::new();
            if let Some(n) =
                m["annotations"]["io.containerd.image.name"].as_str().and_then(|n| Reference::parse_docker(n).ok())
            {
                names.push(n);
            } else if let Some(n) = m["annotations"]["org.opencontainers.image.ref.name"]
                .as_str()
                .filter(|n| n.contains(['/', ':']))
                .and_then(|n| Reference::parse_docker(n).ok())
            {
                names.push(n);
            }
            todo.push((m.clone(), names));
        }
        todo.reverse();
        while let Some((desc, names)) = todo.pop() {
            let digest = desc["digest"]
                .as_str()
                .and_then(|d| Digest::parse(d).ok())
                .ok_or_else(|| invalid(Some("index.json"), "a manifest descriptor has no valid digest"))?;
            let file = c
                .by_digest(&digest)
                .ok_or_else(|| invalid(Some("index.json"), format!("manifest {digest} is missing from the archive")))?;
            let bytes = small_bytes(file, &digest.to_string())?;
            let doc = json(bytes, &digest.to_string())?;
            let media = doc["mediaType"].as_str().or(desc["mediaType"].as_str()).unwrap_or("").to_owned();
            if doc.get("manifests").is_some() {
                let mut planned = plan_index(c, bytes, &digest, &media, platform)?;
                if let Some(extra) = docker_names.get(&format!("blobs/sha256/{}", planned.config.hex())) {
                    planned.names.extend(extra.iter().cloned());
                }
                let mut all = names;
                all.append(&mut planned.names);
                merge(&mut by_config, planned, all);
                continue;
            }
            let planned = plan_manifest(c, &doc, &digest, &media, file.size)?;
            let mut names = names;
            if let Some(extra) = docker_names.get(&format!("blobs/sha256/{}", planned.config.hex())) {
                names.extend(extra.iter().cloned());
            }
            merge(&mut by_config, planned, names);
        }
        return Ok(by_config);
    }
    let Some(manifest) = c.meta.get("manifest.json") else {
        return Err(invalid(None, "neither index.json nor manifest.json found: not an image archive"));
    };
    for e in
        json(manifest, "manifest.json")?.as_array().ok_or_else(|| invalid(Some("manifest.json"), "expected a list"))?
    {
        let cfg_path = e["Config"].as_str().ok_or_else(|| invalid(Some("manifest.json"), "an entry has no Config"))?;
        let cfg =
            c.resolve(cfg_path).ok_or_else(|| invalid(Some(cfg_path), "config named in manifest.json is missing"))?;
        let mut layers = Vec::new();
        for l in e["Layers"].as_array().cloned().unwrap_or_default() {
            let p = l.as_str().unwrap_or("");
            let f = c.resolve(p).ok_or_else(|| invalid(Some(p), "layer named in manifest.json is missing"))?;
            layers.push(PlannedLayer {
                digest: f.digest.clone(),
                size: f.size,
                media_type: layer_media_type(&f.head).to_owned(),
            });
        }
        let planned = PlannedImage {
            index: None,
            names: vec![],
            manifest: None,
            config: cfg.digest.clone(),
            config_size: cfg.size,
            config_bytes: small_bytes(cfg, cfg_path)?.to_vec(),
            layers,
        };
        merge(&mut by_config, planned, names_of(&e["RepoTags"]));
    }
    Ok(by_config)
}

fn merge(images: &mut Vec<PlannedImage>, mut planned: PlannedImage, names: Vec<Reference>) {
    let target = match images.iter_mut().find(|i| i.config == planned.config) {
        Some(i) => {
            if i.index.is_none() {
                i.index = planned.index.take();
            }
            i
        }
        None => {
            planned.names.clear();
            images.push(planned);
            images.last_mut().expect("just pushed")
        }
    };
    for n in names {
        if !target.names.contains(&n) {
            target.names.push(n);
        }
    }
}

/// An index: the image in use is its manifest for `platform` (else its first runnable one present); every
/// manifest whose blobs are all in the archive is kept as a child, attestations included.
fn plan_index(
    c: &ArchiveContents,
    bytes: &[u8],
    digest: &Digest,
    media: &str,
    platform: &Platform,
) -> Result<PlannedImage, ArchiveError> {
    let what = digest.to_string();
    let Node::Index(index) = Node::parse(media, bytes).map_err(|e| invalid(Some(&what), e.to_string()))? else {
        return Err(invalid(Some(&what), "expected an index"));
    };
    let mut children = Vec::new();
    let mut planned_children = Vec::new();
    for d in &index.manifests {
        let Some(file) = c.by_digest(&d.digest) else { continue };
        let mbytes = small_bytes(file, &d.digest.to_string())?;
        let child_doc = json(mbytes, &d.digest.to_string())?;
        if child_doc.get("config").is_none() {
            continue;
        }
        let child_media = child_doc["mediaType"].as_str().map(str::to_owned).unwrap_or_else(|| d.media_type.clone());
        let Ok(planned) = plan_manifest(c, &child_doc, &d.digest, &child_media, file.size) else { continue };
        let mut blobs = vec![Descriptor::new(
            child_doc["config"]["mediaType"].as_str().unwrap_or(media_types::OCI_CONFIG),
            planned.config.clone(),
            planned.config_size,
        )];
        blobs.extend(planned.layers.iter().map(|l| Descriptor::new(l.media_type.clone(), l.digest.clone(), l.size)));
        children.push(PlannedChild { descriptor: d.clone(), manifest_media_type: child_media, blobs });
        planned_children.push((d, planned));
    }
    let runnable = |d: &&Descriptor| d.is_runnable_image();
    let pick = planned_children
        .iter()
        .position(|(d, _)| runnable(d) && d.platform.as_ref().is_some_and(|p| p.matches(platform)))
        .or_else(|| planned_children.iter().position(|(d, _)| runnable(d)))
        .ok_or_else(|| invalid(Some(&what), "no runnable manifest of the index is in the archive"))?;
    let (_, mut image) = planned_children.swap_remove(pick);
    let size = bytes.len() as u64;
    image.index = Some(PlannedIndex {
        descriptor: Descriptor::new(index.media_type.clone(), digest.clone(), size),
        children,
        entries: index.manifests.clone(),
    });
    Ok(image)
}

fn plan_manifest(
    c: &ArchiveContents,
    doc: &Value,
    digest: &Digest,
    media: &str,
    size: u64,
) -> Result<PlannedImage, ArchiveError> {
    let what = digest.to_string();
    let blob = |d: &Value| -> Result<(&StoredFile, Digest), ArchiveError> {
        let dg = d["digest"]
            .as_str()
            .and_then(|s| Digest::parse(s).ok())
            .ok_or_else(|| invalid(Some(&what), "a descriptor has no valid digest"))?;
        let f = c.by_digest(&dg).ok_or_else(|| {
            invalid(Some(&what), format!("manifest points at blob {dg}, which is missing from the archive"))
        })?;
        if let Some(s) = d["size"].as_u64()
            && s != f.size
        {
            return Err(invalid(Some(&what), format!("blob {dg} is {} bytes, the manifest says {s}", f.size)));
        }
        Ok((f, dg))
    };
    let (cfg, cfg_digest) = blob(&doc["config"])?;
    let mut layers = Vec::new();
    for l in doc["layers"].as_array().cloned().unwrap_or_default() {
        let (f, d) = blob(&l)?;
        let media_type =
            l["mediaType"].as_str().map(str::to_owned).unwrap_or_else(|| layer_media_type(&f.head).to_owned());
        layers.push(PlannedLayer { digest: d, size: f.size, media_type });
    }
    let media = if media.is_empty() { media_types::OCI_MANIFEST.to_owned() } else { media.to_owned() };
    Ok(PlannedImage {
        index: None,
        names: vec![],
        manifest: Some(Descriptor::new(media, digest.clone(), size)),
        config: cfg_digest,
        config_size: cfg.size,
        config_bytes: small_bytes(cfg, "config")?.to_vec(),
        layers,
    })
}
