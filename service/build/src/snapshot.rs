//! Layer snapshots: each layer unpacked once into `snapshots/<diff id hex>/` in overlayfs form, so that a
//! root filesystem is an overlay mount of its layers' directories. Keyed by diff id (the layer's content,
//! not its position), so images sharing a layer share its directory.
//!
//! A snapshot appears atomically: it is unpacked into `snapshots/tmp-…` and renamed into place only after
//! the diff id of what was unpacked matched; a half-made directory never has a final name.

use std::{
    collections::HashSet,
    fs,
    io::{self, BufRead, BufReader, Read},
    path::{Path, PathBuf},
};

use imaged_archive::{EntryGuard, sniff};
use imaged_core::{Digest, Sha256Hasher};
use rustix::fs::{CWD, FileType, Mode, mknodat};

use crate::{BuildError, error::io_at};

/// The overlayfs xattr marking a directory opaque (hides everything below it).
pub const OPAQUE_XATTR: &str = "trusted.overlay.opaque";

/// Mount points the runtime needs; kept in a shared lower directory so they never show up in a diff.
const INIT_DIRS: &[&str] = &["proc", "sys", "dev", "dev/pts", "dev/shm", "dev/mqueue"];

/// The snapshot directory of a root.
#[derive(Debug, Clone)]
pub struct Snapshots {
    dir: PathBuf,
}

/// Hashes everything read through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256Hasher,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

impl Snapshots {
    /// Opens (creating) `dir`, removing half-made snapshots of an earlier run.
    pub fn open(dir: &Path) -> Result<Self, BuildError> {
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        for entry in fs::read_dir(dir).map_err(io_at(dir))? {
            let entry = entry.map_err(io_at(dir))?;
            if entry.file_name().to_string_lossy().starts_with("tmp-") {
                // A workspace of a killed daemon may still be mounted: unmount before removing.
                let _ = rustix::mount::unmount(entry.path().join("merged"), rustix::mount::UnmountFlags::DETACH);
                remove_all(&entry.path())?;
            }
        }
        let this = Self { dir: dir.to_owned() };
        let empty = this.empty();
        fs::create_dir_all(&empty).map_err(io_at(&empty))?;
        let init = this.init();
        for d in INIT_DIRS {
            let p = init.join(d);
            fs::create_dir_all(&p).map_err(io_at(&p))?;
        }
        Ok(this)
    }

    /// The directory of a layer's snapshot (which may not exist yet).
    pub fn path(&self, diff_id: &Digest) -> PathBuf {
        self.dir.join(diff_id.hex())
    }

    pub fn exists(&self, diff_id: &Digest) -> bool {
        self.path(diff_id).is_dir()
    }

    /// An empty directory: the lower layer of a root made `FROM scratch`.
    pub fn empty(&self) -> PathBuf {
        self.dir.join("empty")
    }

    /// The directory of runtime mount points (`/proc`, `/sys`, `/dev`, …), the top lower of a container.
    pub fn init(&self) -> PathBuf {
        self.dir.join("init")
    }

    /// A fresh private directory on the snapshot file system (for upper and work directories).
    pub fn temp_dir(&self) -> Result<PathBuf, BuildError> {
        let p = self.dir.join(format!("tmp-{:016x}", rand::random::<u64>()));
        fs::create_dir(&p).map_err(io_at(&p))?;
        Ok(p)
    }

    /// Unpacks a layer blob (plain, gzip or zstd tar) into the snapshot of `diff_id`, verifying the diff id.
    /// Does nothing when the snapshot exists.
    pub fn unpack(&self, diff_id: &Digest, blob: impl Read) -> Result<PathBuf, BuildError> {
        let target = self.path(diff_id);
        if target.is_dir() {
            return Ok(target);
        }
        let tmp = self.temp_dir()?;
        let result = (|| {
            let mut input = BufReader::with_capacity(1 << 20, blob);
            let head = input.fill_buf().map_err(io_at(&tmp))?.to_vec();
            let decoded = imaged_archive::decoder(input, sniff(&head))?;
            let mut hashing = Hashing { inner: decoded, hasher: Sha256Hasher::new() };
            unpack_overlay(&mut hashing, &tmp)?;
            io::copy(&mut hashing, &mut io::sink()).map_err(io_at(&tmp))?;
            let actual = hashing.hasher.finish();
            if &actual != diff_id {
                return Err(BuildError::DiffIdMismatch { layer: diff_id.to_string(), actual: actual.to_string() });
            }
            Ok(())
        })();
        if let Err(e) = result {
            let _ = remove_all(&tmp);
            return Err(e);
        }
        self.adopt(diff_id, &tmp)
    }

    /// Moves a finished directory (an unpacked layer, or the upper directory of a build step) into place
    /// as the snapshot of `diff_id`. When another snapshot won the race, `dir` is removed.
    pub fn adopt(&self, diff_id: &Digest, dir: &Path) -> Result<PathBuf, BuildError> {
        let target = self.path(diff_id);
        match fs::rename(dir, &target) {
            Ok(()) => Ok(target),
            Err(_) if target.is_dir() => {
                remove_all(dir)?;
                Ok(target)
            }
            Err(e) => Err(BuildError::Io { path: target, source: e }),
        }
    }

    /// Removes every snapshot whose diff id is not in `keep` and that did not change within `grace`;
    /// returns how many were removed.
    pub fn retain(&self, keep: &HashSet<String>, grace: std::time::Duration) -> Result<usize, BuildError> {
        use std::os::unix::fs::MetadataExt;
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
        let mut removed = 0;
        for entry in fs::read_dir(&self.dir).map_err(io_at(&self.dir))? {
            let entry = entry.map_err(io_at(&self.dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let recent = entry.metadata().is_ok_and(|m| now - m.mtime().max(m.ctime()) < grace.as_secs() as i64);
            if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) && !keep.contains(&name) && !recent {
                remove_all(&entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Removes a directory tree, clearing the immutable surprises first (read-only dirs are fine as root).
pub fn remove_all(path: &Path) -> Result<(), BuildError> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(BuildError::Io { path: path.to_owned(), source: e }),
    }
}

/// Makes an overlayfs whiteout (a 0/0 character device) at `path`.
pub fn make_whiteout(path: &Path) -> Result<(), BuildError> {
    remove_any(path)?;
    mknodat(CWD, path, FileType::CharacterDevice, Mode::empty(), 0).map_err(|e| io_at(path)(e.into()))
}

/// Removes whatever is at `path` (file, link or directory tree).
pub fn remove_any(path: &Path) -> Result<(), BuildError> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => remove_all(path),
        Ok(_) => fs::remove_file(path).map_err(io_at(path)),
        Err(_) => Ok(()),
    }
}

/// Unpacks an uncompressed layer tar into `dir` in overlayfs form. Entries are checked with [`EntryGuard`]
/// (no absolute paths, no `..`, no writes through a symlink, no escaping hard links).
pub fn unpack_overlay(input: impl Read, dir: &Path) -> Result<(), BuildError> {
    unpack_tar(input, dir, true, &|_| false)
}

/// Unpacks a tar as it is (no whiteout handling) into `dir`, skipping entries for which `skip` (given the
/// clean relative path) is true: a build context, or an archive `ADD` extracts. Entries are checked as
/// in [`unpack_overlay`].
pub fn unpack_plain(input: impl Read, dir: &Path, skip: &dyn Fn(&str) -> bool) -> Result<(), BuildError> {
    unpack_tar(input, dir, false, skip)
}

fn unpack_tar(input: impl Read, dir: &Path, whiteouts: bool, skip: &dyn Fn(&str) -> bool) -> Result<(), BuildError> {
    let mut archive = tar::Archive::new(input);
    archive.set_preserve_permissions(true);
    // Ownership is set below, tolerating the empty numeric fields some tar writers leave (0, as Docker).
    archive.set_preserve_ownerships(false);
    archive.set_preserve_mtime(true);
    archive.set_unpack_xattrs(true);
    archive.set_ignore_zeros(false);
    let mut guard = EntryGuard::new();
    let mut dir_times = Vec::new();
    let entries = archive.entries().map_err(imaged_archive::ArchiveError::NotTar)?;
    for entry in entries {
        let mut entry = entry.map_err(imaged_archive::ArchiveError::NotTar)?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let link = entry.link_name_bytes().map(|l| String::from_utf8_lossy(&l).into_owned());
        let kind = entry.header().entry_type();
        let clean = guard.check(&raw, kind, link.as_deref())?;
        if clean.is_empty() || skip(&clean) {
            continue;
        }
        let path = dir.join(&clean);
        let (parent, name) = match clean.rsplit_once('/') {
            Some((p, n)) => (dir.join(p), n),
            None => (dir.to_owned(), clean.as_str()),
        };
        fs::create_dir_all(&parent).map_err(io_at(&parent))?;
        if whiteouts && name == ".wh..wh..opq" {
            xattr::set(&parent, OPAQUE_XATTR, b"y").map_err(io_at(&parent))?;
            continue;
        }
        if whiteouts && let Some(hidden) = name.strip_prefix(".wh.") {
            make_whiteout(&parent.join(hidden))?;
            continue;
        }
        let existing = fs::symlink_metadata(&path).ok();
        if existing.is_some_and(|m| !(m.is_dir() && kind.is_dir())) {
            remove_any(&path)?;
        }
        if kind.is_hard_link() {
            let target = dir.join(link.unwrap_or_default().trim_start_matches("./"));
            fs::hard_link(&target, &path).map_err(io_at(&path))?;
            continue;
        }
        if kind.is_dir() {
            dir_times.push((path.clone(), entry.header().mtime().unwrap_or(0)));
        }
        let (uid, gid) = (entry.header().uid().unwrap_or(0), entry.header().gid().unwrap_or(0));
        let mode = entry.header().mode().ok();
        entry.unpack(&path).map_err(io_at(&path))?;
        std::os::unix::fs::lchown(&path, Some(uid as u32), Some(gid as u32)).map_err(io_at(&path))?;
        // chown clears set-id bits: put the mode back.
        if let Some(mode) = mode
            && !kind.is_symlink()
            && mode & 0o6000 != 0
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(mode & 0o7777)).map_err(io_at(&path))?;
        }
    }
    // Directory times last: writing their children changed them.
    for (path, mtime) in dir_times.into_iter().rev() {
        let t = filetime::FileTime::from_unix_time(mtime as i64, 0);
        filetime::set_symlink_file_times(&path, t, t).map_err(io_at(&path))?;
    }
    Ok(())
}
