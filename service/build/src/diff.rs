//! An overlayfs upper directory turned into an OCI layer: whiteout devices become `.wh.NAME` entries, opaque
//! directories get a `.wh..wh..opq` entry, hard links within the layer stay hard links, xattrs (except
//! overlayfs' own `trusted.overlay.*`) go into PAX records. The tar is hashed (diff id) and gzip-compressed
//! in one pass.

use std::{
    collections::HashMap,
    fs,
    io::{self, Write},
    os::unix::fs::{FileTypeExt, MetadataExt},
    path::Path,
};

use flate2::{Compression, write::GzEncoder};
use imaged_core::{Digest, Sha256Hasher};

use crate::{BuildError, error::io_at, snapshot::OPAQUE_XATTR};

/// What a diff wrote.
#[derive(Debug, Clone)]
pub struct DiffStats {
    /// sha256 of the uncompressed tar.
    pub diff_id: Digest,
    /// Uncompressed tar bytes.
    pub tar_size: u64,
    /// Tar entries written (a layer with no change has none).
    pub entries: u64,
}

/// Hashes and counts the tar, compresses it into `out`.
struct LayerWriter<W: Write> {
    hasher: Sha256Hasher,
    count: u64,
    gz: GzEncoder<W>,
}

impl<W: Write> Write for LayerWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.gz.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.gz.flush()
    }
}

/// Writes the changes in `upper` as a gzip layer into `out`.
pub fn diff_upper<W: Write>(upper: &Path, out: W) -> Result<(DiffStats, W), BuildError> {
    let writer = LayerWriter { hasher: Sha256Hasher::new(), count: 0, gz: GzEncoder::new(out, Compression::fast()) };
    let mut builder = tar::Builder::new(writer);
    builder.follow_symlinks(false);
    let mut state = Walk { links: HashMap::new(), entries: 0 };
    walk(&mut builder, upper, "", &mut state)?;
    let writer = builder.into_inner().map_err(io_at(upper))?;
    let LayerWriter { hasher, count, gz } = writer;
    let out = gz.finish().map_err(io_at(upper))?;
    Ok((DiffStats { diff_id: hasher.finish(), tar_size: count, entries: state.entries }, out))
}

struct Walk {
    /// (dev, inode) of files with several links → the first path written.
    links: HashMap<(u64, u64), String>,
    entries: u64,
}

fn header_for(meta: &fs::Metadata, kind: tar::EntryType) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(kind);
    h.set_mode(meta.mode() & 0o7777);
    h.set_uid(meta.uid() as u64);
    h.set_gid(meta.gid() as u64);
    h.set_mtime(meta.mtime().max(0) as u64);
    h.set_size(0);
    h
}

fn xattrs(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(names) = xattr::list(path) {
        for name in names {
            let name = name.to_string_lossy().into_owned();
            if name.starts_with("trusted.overlay.") {
                continue;
            }
            if let Ok(Some(v)) = xattr::get(path, &name) {
                out.push((name, v));
            }
        }
    }
    out
}

fn walk<W: Write>(builder: &mut tar::Builder<W>, dir: &Path, prefix: &str, st: &mut Walk) -> Result<(), BuildError> {
    let mut names: Vec<_> =
        fs::read_dir(dir).map_err(io_at(dir))?.collect::<Result<Vec<_>, _>>().map_err(io_at(dir))?;
    names.sort_by_key(|e| e.file_name());
    for entry in names {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        let meta = fs::symlink_metadata(&path).map_err(io_at(&path))?;
        let ft = meta.file_type();
        let pax = xattrs(&path);
        if !pax.is_empty() {
            let records: Vec<(String, Vec<u8>)> =
                pax.into_iter().map(|(n, v)| (format!("SCHILY.xattr.{n}"), v)).collect();
            builder
                .append_pax_extensions(records.iter().map(|(k, v)| (k.as_str(), v.as_slice())))
                .map_err(io_at(&path))?;
        }
        st.entries += 1;
        if ft.is_char_device() && meta.rdev() == 0 {
            let mut h = header_for(&meta, tar::EntryType::Regular);
            h.set_mode(0);
            let wh = format!("{prefix}.wh.{name}");
            builder.append_data(&mut h, &wh, io::empty()).map_err(io_at(&path))?;
        } else if ft.is_dir() {
            let mut h = header_for(&meta, tar::EntryType::Directory);
            builder.append_data(&mut h, format!("{rel}/"), io::empty()).map_err(io_at(&path))?;
            if xattr::get(&path, OPAQUE_XATTR).ok().flatten().as_deref() == Some(b"y") {
                let mut h = header_for(&meta, tar::EntryType::Regular);
                h.set_mode(0);
                builder.append_data(&mut h, format!("{rel}/.wh..wh..opq"), io::empty()).map_err(io_at(&path))?;
                st.entries += 1;
            }
            walk(builder, &path, &format!("{rel}/"), st)?;
        } else if ft.is_symlink() {
            let target = fs::read_link(&path).map_err(io_at(&path))?;
            let mut h = header_for(&meta, tar::EntryType::Symlink);
            builder.append_link(&mut h, &rel, &target).map_err(io_at(&path))?;
        } else if ft.is_file() {
            if meta.nlink() > 1 {
                let key = (meta.dev(), meta.ino());
                if let Some(first) = st.links.get(&key) {
                    let mut h = header_for(&meta, tar::EntryType::Link);
                    builder.append_link(&mut h, &rel, first).map_err(io_at(&path))?;
                    continue;
                }
                st.links.insert(key, rel.clone());
            }
            let mut h = header_for(&meta, tar::EntryType::Regular);
            h.set_size(meta.len());
            let f = fs::File::open(&path).map_err(io_at(&path))?;
            builder.append_data(&mut h, &rel, f).map_err(io_at(&path))?;
        } else {
            let kind = if ft.is_fifo() {
                tar::EntryType::Fifo
            } else if ft.is_block_device() {
                tar::EntryType::Block
            } else if ft.is_char_device() {
                tar::EntryType::Char
            } else {
                // Sockets have no tar form; Docker skips them too.
                st.entries -= 1;
                continue;
            };
            let mut h = header_for(&meta, kind);
            let rdev = meta.rdev();
            h.set_device_major(((rdev >> 8) & 0xfff) as u32).map_err(io_at(&path))?;
            h.set_device_minor(((rdev & 0xff) | ((rdev >> 12) & 0xfff00)) as u32).map_err(io_at(&path))?;
            builder.append_data(&mut h, &rel, io::empty()).map_err(io_at(&path))?;
        }
    }
    Ok(())
}
