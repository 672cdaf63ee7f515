use std::collections::HashSet;

use crate::ArchiveError;

/// Checks tar entries of a root filesystem one by one, in archive order, and refuses any that could write
/// outside the root when unpacked:
/// - a path that is absolute or climbs above the root with `..`;
/// - a hard link whose target is absolute or climbs above the root;
/// - a relative symlink whose target climbs above the root (absolute symlink targets are fine: inside a
///   container they resolve within its root, and real root filesystems are full of them);
/// - an entry whose path passes through a symlink made earlier in the same archive (`evil -> /etc`, then
///   `evil/passwd`), the classic escape when a layer is unpacked on the host.
#[derive(Default)]
pub struct EntryGuard {
    symlinks: HashSet<String>,
}

fn unsafe_entry(entry: &str, reason: &'static str) -> ArchiveError {
    ArchiveError::UnsafeEntry { entry: entry.to_owned(), reason }
}

/// Lexically normalises a relative path; `None` when it climbs above its start.
pub(crate) fn normalise(path: &str) -> Option<Vec<&str>> {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts)
}

impl EntryGuard {
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks one entry; `link` is the link target of hard links and symlinks.
    pub fn check(&mut self, path: &str, kind: tar::EntryType, link: Option<&str>) -> Result<String, ArchiveError> {
        if path.starts_with('/') {
            return Err(unsafe_entry(path, "absolute paths are not allowed"));
        }
        let parts = normalise(path).ok_or_else(|| unsafe_entry(path, "path climbs above the root with '..'"))?;
        let clean = parts.join("/");
        let mut prefix = String::new();
        for (i, p) in parts.iter().enumerate() {
            if i + 1 == parts.len() {
                break;
            }
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(p);
            if self.symlinks.contains(&prefix) {
                return Err(unsafe_entry(path, "path passes through a symlink of the same archive"));
            }
        }
        match kind {
            tar::EntryType::Link => {
                let target = link.unwrap_or("");
                if target.starts_with('/') || normalise(target).is_none_or(|t| t.is_empty()) {
                    return Err(unsafe_entry(path, "hard link target is outside the root"));
                }
            }
            tar::EntryType::Symlink => {
                let target = link.unwrap_or("");
                if !target.starts_with('/') {
                    let parent = parts[..parts.len().saturating_sub(1)].join("/");
                    if normalise(&format!("{parent}/{target}")).is_none() {
                        return Err(unsafe_entry(path, "symlink target climbs above the root"));
                    }
                }
                self.symlinks.insert(clean.clone());
            }
            _ => {
                self.symlinks.remove(&clean);
            }
        }
        Ok(clean)
    }
}

#[cfg(test)]
mod tests {
    use tar::EntryType::{Directory, Link, Regular, Symlink};

    use super::*;

    #[test]
    fn accepts_normal_rootfs_entries() {
        let mut g = EntryGuard::new();
        assert_eq!(g.check("./", Directory, None).unwrap(), "");
        assert_eq!(g.check("./bin/", Directory, None).unwrap(), "bin");
        g.check("./bin/busybox", Regular, None).unwrap();
        g.check("./bin/sh", Symlink, Some("/bin/busybox")).unwrap();
        g.check("./bin/ls", Symlink, Some("busybox")).unwrap();
        g.check("usr/lib/x", Symlink, Some("../../bin/busybox")).unwrap();
        g.check("./bin/cat", Link, Some("./bin/busybox")).unwrap();
        g.check("a/../b", Regular, None).unwrap();
    }

    #[test]
    fn refuses_escapes() {
        let mut g = EntryGuard::new();
        assert!(g.check("../etc/passwd", Regular, None).is_err());
        assert!(g.check("a/../../x", Regular, None).is_err());
        assert!(g.check("/etc/passwd", Regular, None).is_err());
        assert!(g.check("x", Link, Some("/etc/passwd")).is_err());
        assert!(g.check("x", Link, Some("../../etc/passwd")).is_err());
        assert!(g.check("a/x", Symlink, Some("../../../etc")).is_err());
        g.check("evil", Symlink, Some("/etc")).unwrap();
        let err = g.check("evil/passwd", Regular, None).unwrap_err();
        assert!(err.to_string().contains("evil/passwd"), "{err}");
        g.check("evil", Directory, None).unwrap();
        g.check("evil/passwd", Regular, None).unwrap();
    }
}
