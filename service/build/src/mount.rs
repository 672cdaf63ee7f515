//! Overlay mounts of layer snapshots.

use std::{
    ffi::CString,
    path::{Path, PathBuf},
};

use rustix::mount::{MountFlags, UnmountFlags, mount, unmount};

use crate::BuildError;

/// The kernel takes at most one page of mount options.
const MAX_OPTIONS: usize = 4000;

/// A mounted overlay; unmounted (lazily) when dropped if [`OverlayMount::unmount`] was not called.
#[derive(Debug)]
pub struct OverlayMount {
    target: PathBuf,
    mounted: bool,
}

/// Mounts `lowers` (topmost first) at `target`, with `upper`/`work` when writable.
pub fn mount_overlay(
    lowers: &[PathBuf],
    upper: Option<(&Path, &Path)>,
    target: &Path,
) -> Result<OverlayMount, BuildError> {
    if lowers.is_empty() {
        return Err(BuildError::Invalid("an overlay needs at least one lower directory".into()));
    }
    let mut lowers: Vec<PathBuf> = lowers.to_vec();
    if upper.is_none() && lowers.len() == 1 {
        // A read-only overlay needs two lowers on older kernels; an empty one changes nothing.
        let empty = target.with_extension("empty");
        std::fs::create_dir_all(&empty).map_err(|e| BuildError::Io { path: empty.clone(), source: e })?;
        lowers.push(empty);
    }
    let lower = lowers.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>().join(":");
    let mut options = format!("lowerdir={lower}");
    if let Some((u, w)) = upper {
        options.push_str(&format!(",upperdir={},workdir={}", u.display(), w.display()));
    }
    if options.len() > MAX_OPTIONS {
        return Err(BuildError::Invalid(format!(
            "too many layers to mount ({}): the overlay options exceed one page",
            lowers.len()
        )));
    }
    std::fs::create_dir_all(target).map_err(|e| BuildError::Io { path: target.to_owned(), source: e })?;
    let data = CString::new(options).map_err(|_| BuildError::Invalid("NUL in a snapshot path".into()))?;
    let flags = if upper.is_none() { MountFlags::RDONLY } else { MountFlags::empty() };
    mount("overlay", target, "overlay", flags, data.as_c_str())
        .map_err(|e| BuildError::NoOverlay(format!("mount at {}: {e}", target.display())))?;
    Ok(OverlayMount { target: target.to_owned(), mounted: true })
}

impl OverlayMount {
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// Unmounts now, reporting failure.
    pub fn unmount(mut self) -> Result<(), BuildError> {
        self.mounted = false;
        unmount(&self.target, UnmountFlags::empty())
            .or_else(|_| unmount(&self.target, UnmountFlags::DETACH))
            .map_err(|e| BuildError::Io { path: self.target.clone(), source: e.into() })
    }
}

impl Drop for OverlayMount {
    fn drop(&mut self) {
        if self.mounted {
            let _ = unmount(&self.target, UnmountFlags::DETACH);
        }
    }
}

/// Detaches whatever is mounted at `path` (a leftover of a killed daemon); errors when nothing is.
pub fn unmount_detach(path: &Path) -> std::io::Result<()> {
    unmount(path, UnmountFlags::DETACH).map_err(Into::into)
}

/// Whether an overlay can be mounted here (a throwaway mount in a directory under `scratch`).
pub fn overlay_supported(scratch: &Path) -> bool {
    let dir = scratch.join(format!("probe-{:016x}", rand::random::<u64>()));
    let ok = (|| {
        for d in ["lower", "upper", "work"] {
            std::fs::create_dir_all(dir.join(d)).ok()?;
        }
        let m = mount_overlay(&[dir.join("lower")], Some((&dir.join("upper"), &dir.join("work"))), &dir.join("merged"))
            .ok()?;
        m.unmount().ok()
    })()
    .is_some();
    let _ = std::fs::remove_dir_all(&dir);
    ok
}
