//! The copying fallback for kernels without overlayfs: a root is materialised by copying the layer
//! snapshots (overlay form, bottom first) into a plain directory, applying their whiteouts; the change
//! made in it is found by comparing it with a fresh copy of the same layers (metadata and size, as Docker's
//! naive differ does) and written into an upper directory in overlay form, which `diff::diff_upper` turns
//! into a layer like an overlay upper.

use std::{
    fs,
    os::unix::fs::{FileTypeExt, MetadataExt},
    path::Path,
};

use crate::{
    BuildError,
    error::io_at,
    fsutil::{CopyOptions, apply_metadata, copy_entry},
    snapshot::{OPAQUE_XATTR, make_whiteout, remove_any},
};

fn is_whiteout(m: &fs::Metadata) -> bool {
    m.file_type().is_char_device() && m.rdev() == 0
}

fn sorted_entries(dir: &Path) -> Result<Vec<fs::DirEntry>, BuildError> {
    let mut v: Vec<_> = fs::read_dir(dir).map_err(io_at(dir))?.collect::<Result<_, _>>().map_err(io_at(dir))?;
    v.sort_by_key(|e| e.file_name());
    Ok(v)
}

/// Applies one snapshot directory onto `dst`.
fn apply_layer(src: &Path, dst: &Path) -> Result<(), BuildError> {
    for e in sorted_entries(src)? {
        let (s, d) = (e.path(), dst.join(e.file_name()));
        let meta = fs::symlink_metadata(&s).map_err(io_at(&s))?;
        if is_whiteout(&meta) {
            remove_any(&d)?;
        } else if meta.is_dir() {
            let opaque = xattr::get(&s, OPAQUE_XATTR).ok().flatten().as_deref() == Some(b"y");
            let is_dir = fs::symlink_metadata(&d).is_ok_and(|m| m.is_dir());
            if opaque || !is_dir {
                remove_any(&d)?;
                fs::create_dir(&d).map_err(io_at(&d))?;
            }
            apply_layer(&s, &d)?;
            apply_metadata(&d, &meta, CopyOptions::default())?;
        } else if meta.is_file() || meta.file_type().is_symlink() {
            copy_entry(&s, &d, CopyOptions::default())?;
        }
        // Devices, fifos and sockets of a layer are not recreated by the copying fallback.
    }
    Ok(())
}

/// Copies `lowers` (snapshot directories, topmost first, as an overlay's `lowerdir` lists them) into
/// `target` as a plain tree.
pub fn materialize(lowers: &[std::path::PathBuf], target: &Path) -> Result<(), BuildError> {
    fs::create_dir_all(target).map_err(io_at(target))?;
    for l in lowers.iter().rev() {
        apply_layer(l, target)?;
    }
    Ok(())
}

fn differs(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.file_type() != b.file_type()
        || a.mode() != b.mode()
        || a.uid() != b.uid()
        || a.gid() != b.gid()
        || (!a.is_dir() && (a.len() != b.len() || a.mtime() != b.mtime() || a.mtime_nsec() != b.mtime_nsec()))
}

/// Makes `upper/rel`'s parent directories, with the metadata the changed tree has for them.
fn ensure_parents(changed: &Path, upper: &Path, rel: &Path) -> Result<(), BuildError> {
    let mut cur = std::path::PathBuf::new();
    let parent = rel.parent().map(Path::to_path_buf).unwrap_or_default();
    for c in parent.components() {
        cur.push(c);
        let u = upper.join(&cur);
        if !u.exists() {
            fs::create_dir(&u).map_err(io_at(&u))?;
            let m = fs::symlink_metadata(changed.join(&cur)).map_err(io_at(changed.join(&cur)))?;
            apply_metadata(&u, &m, CopyOptions::default())?;
        }
    }
    Ok(())
}

fn compare(base: &Path, changed: &Path, upper: &Path, rel: &Path) -> Result<(), BuildError> {
    let cdir = changed.join(rel);
    for e in sorted_entries(&cdir)? {
        let r = rel.join(e.file_name());
        let (c, b) = (changed.join(&r), base.join(&r));
        let cm = fs::symlink_metadata(&c).map_err(io_at(&c))?;
        match fs::symlink_metadata(&b) {
            Ok(bm) if bm.is_dir() && cm.is_dir() => {
                if differs(&cm, &bm) {
                    ensure_parents(changed, upper, &r)?;
                    let u = upper.join(&r);
                    if !u.exists() {
                        fs::create_dir(&u).map_err(io_at(&u))?;
                    }
                    apply_metadata(&u, &cm, CopyOptions::default())?;
                }
                compare(base, changed, upper, &r)?;
            }
            Ok(bm)
                if !differs(&cm, &bm)
                    && (!cm.file_type().is_symlink()
                        || fs::read_link(&c).map_err(io_at(&c))? == fs::read_link(&b).map_err(io_at(&b))?) => {}
            other => {
                ensure_parents(changed, upper, &r)?;
                let u = upper.join(&r);
                if cm.is_dir() && other.is_ok() {
                    // A directory replacing something else hides all below it.
                    copy_entry(&c, &u, CopyOptions::default())?;
                    xattr::set(&u, OPAQUE_XATTR, b"y").map_err(io_at(&u))?;
                } else if cm.is_dir() || cm.is_file() || cm.file_type().is_symlink() {
                    copy_entry(&c, &u, CopyOptions::default())?;
                }
            }
        }
    }
    // What the base had and the changed tree lacks became whiteouts.
    let bdir = base.join(rel);
    if bdir.is_dir() {
        for e in sorted_entries(&bdir)? {
            let r = rel.join(e.file_name());
            if fs::symlink_metadata(changed.join(&r)).is_err() {
                ensure_parents(changed, upper, &r)?;
                make_whiteout(&upper.join(&r))?;
            }
        }
    }
    Ok(())
}

/// Writes what differs between `base` and `changed` (two plain trees) into `upper` in overlay form.
pub fn naive_diff(base: &Path, changed: &Path, upper: &Path) -> Result<(), BuildError> {
    fs::create_dir_all(upper).map_err(io_at(upper))?;
    compare(base, changed, upper, Path::new(""))
}
