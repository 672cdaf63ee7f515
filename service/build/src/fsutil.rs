//! File system helpers that stay inside a container root: path resolution that follows symlinks the way
//! the container would see them, user lookup in the root's `/etc/passwd`, and copying with metadata.

use std::{
    fs,
    os::unix::fs::{MetadataExt, PermissionsExt},
    path::{Path, PathBuf},
};

use crate::{BuildError, error::io_at};

/// Resolves `path` (absolute inside the container) to a host path under `root`, following symlinks as
/// the container would (an absolute link target restarts at `root`, `..` never climbs above it). With
/// `follow_last` false the final component is not followed (for creating or replacing it).
pub fn resolve_in_root(root: &Path, path: &str, follow_last: bool) -> Result<PathBuf, BuildError> {
    let mut pending: Vec<String> = path.split('/').filter(|c| !c.is_empty() && *c != ".").map(str::to_owned).collect();
    pending.reverse();
    let mut resolved: Vec<String> = Vec::new();
    let mut links = 0;
    while let Some(c) = pending.pop() {
        if c == ".." {
            resolved.pop();
            continue;
        }
        resolved.push(c);
        let is_last = pending.is_empty();
        if is_last && !follow_last {
            break;
        }
        let host = root.join(resolved.join("/"));
        let Ok(meta) = fs::symlink_metadata(&host) else { continue };
        if !meta.file_type().is_symlink() {
            continue;
        }
        links += 1;
        if links > 255 {
            return Err(BuildError::Invalid(format!("too many levels of symbolic links in {path}")));
        }
        let target = fs::read_link(&host).map_err(io_at(&host))?;
        let target = target.to_string_lossy();
        resolved.pop();
        if target.starts_with('/') {
            resolved.clear();
        }
        for part in target.split('/').filter(|c| !c.is_empty() && *c != ".").rev() {
            pending.push(part.to_owned());
        }
    }
    Ok(root.join(resolved.join("/")))
}

/// uid, gid and supplementary groups of a user as the container sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserIds {
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
}

fn read_db(root: &Path, file: &str) -> Vec<Vec<String>> {
    let Ok(path) = resolve_in_root(root, file, true) else { return Vec::new() };
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split(':').map(str::to_owned).collect())
        .collect()
}

/// Resolves `user[:group]` (names or numbers) against the root's `/etc/passwd` and `/etc/group`.
pub fn lookup_user(root: &Path, spec: &str) -> Result<UserIds, BuildError> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Ok(UserIds::default());
    }
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let passwd = read_db(root, "/etc/passwd");
    let entry = passwd.iter().find(|e| e.len() >= 4 && (e[0] == user || e[2] == user));
    let (uid, mut gid, name) = match (user.parse::<u32>(), entry) {
        (_, Some(e)) => (e[2].parse().unwrap_or(0), e[3].parse().unwrap_or(0), Some(e[0].clone())),
        (Ok(n), None) => (n, 0, None),
        (Err(_), None) => {
            return Err(BuildError::Invalid(format!("unable to find user {user}: no matching entries in passwd file")));
        }
    };
    let groups = read_db(root, "/etc/group");
    if let Some(g) = group {
        gid = match (g.parse::<u32>(), groups.iter().find(|e| e.len() >= 3 && e[0] == g)) {
            (_, Some(e)) => e[2].parse().unwrap_or(0),
            (Ok(n), None) => n,
            (Err(_), None) => {
                return Err(BuildError::Invalid(format!(
                    "unable to find group {g}: no matching entries in group file"
                )));
            }
        };
    }
    let mut additional_gids = Vec::new();
    if group.is_none()
        && let Some(name) = name
    {
        for e in &groups {
            if e.len() >= 4
                && e[3].split(',').any(|m| m == name)
                && let Ok(g) = e[2].parse::<u32>()
                && g != gid
                && !additional_gids.contains(&g)
            {
                additional_gids.push(g);
            }
        }
    }
    Ok(UserIds { uid, gid, additional_gids })
}

/// How copied files are owned and moded.
#[derive(Debug, Clone, Copy, Default)]
pub struct CopyOptions {
    /// Owner for every copied entry; `None` keeps the source's.
    pub chown: Option<(u32, u32)>,
    /// Mode for every copied entry (directories and files alike, as BuildKit does); `None` keeps it.
    pub chmod: Option<u32>,
}

/// Copies `src` (a host path: file, symlink or directory tree) to `dst` (a host path inside a root, already
/// resolved), keeping mode, times and — unless overridden — owner.
pub fn copy_entry(src: &Path, dst: &Path, opts: CopyOptions) -> Result<u64, BuildError> {
    let meta = fs::symlink_metadata(src).map_err(io_at(src))?;
    let mut copied = 0u64;
    if meta.is_dir() {
        if !fs::symlink_metadata(dst).is_ok_and(|m| m.is_dir()) {
            crate::snapshot::remove_any(dst)?;
            fs::create_dir(dst).map_err(io_at(dst))?;
        }
        let mut entries: Vec<_> =
            fs::read_dir(src).map_err(io_at(src))?.collect::<Result<_, _>>().map_err(io_at(src))?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            copied += copy_entry(&e.path(), &dst.join(e.file_name()), opts)?;
        }
    } else if meta.file_type().is_symlink() {
        crate::snapshot::remove_any(dst)?;
        let target = fs::read_link(src).map_err(io_at(src))?;
        std::os::unix::fs::symlink(&target, dst).map_err(io_at(dst))?;
    } else {
        crate::snapshot::remove_any(dst)?;
        copied += fs::copy(src, dst).map_err(io_at(dst))?;
    }
    apply_metadata(dst, &meta, opts)?;
    Ok(copied)
}

/// Sets owner, mode and times of `dst` from `meta` and the options.
pub fn apply_metadata(dst: &Path, meta: &fs::Metadata, opts: CopyOptions) -> Result<(), BuildError> {
    let (uid, gid) = opts.chown.unwrap_or((meta.uid(), meta.gid()));
    std::os::unix::fs::lchown(dst, Some(uid), Some(gid)).map_err(io_at(dst))?;
    if !meta.file_type().is_symlink() {
        let mode = opts.chmod.unwrap_or(meta.mode() & 0o7777);
        fs::set_permissions(dst, fs::Permissions::from_mode(mode)).map_err(io_at(dst))?;
    }
    let mtime = filetime::FileTime::from_last_modification_time(meta);
    filetime::set_symlink_file_times(dst, mtime, mtime).map_err(io_at(dst))?;
    Ok(())
}

/// Creates `dir` (a path inside the container) and its parents under `root`, owned by `owner`.
pub fn mkdir_in_root(root: &Path, dir: &str, owner: Option<(u32, u32)>) -> Result<PathBuf, BuildError> {
    let mut current = String::new();
    let mut host = root.to_owned();
    for part in dir.split('/').filter(|c| !c.is_empty()) {
        current.push('/');
        current.push_str(part);
        host = resolve_in_root(root, &current, true)?;
        if !host.is_dir() {
            if fs::symlink_metadata(&host).is_ok() {
                return Err(BuildError::Invalid(format!("{current} exists and is not a directory")));
            }
            fs::create_dir(&host).map_err(io_at(&host))?;
            fs::set_permissions(&host, fs::Permissions::from_mode(0o755)).map_err(io_at(&host))?;
            if let Some((u, g)) = owner {
                std::os::unix::fs::lchown(&host, Some(u), Some(g)).map_err(io_at(&host))?;
            }
        }
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlinks_resolve_inside_the_root() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        fs::create_dir_all(root.join("usr/lib")).unwrap();
        std::os::unix::fs::symlink("/usr/lib", root.join("lib")).unwrap();
        std::os::unix::fs::symlink("../../../../etc", root.join("usr/evil")).unwrap();
        assert_eq!(resolve_in_root(root, "/lib/x", true).unwrap(), root.join("usr/lib/x"));
        assert_eq!(resolve_in_root(root, "/usr/evil/passwd", true).unwrap(), root.join("etc/passwd"));
        assert_eq!(resolve_in_root(root, "/lib", false).unwrap(), root.join("lib"));
        assert_eq!(resolve_in_root(root, "/../../x", true).unwrap(), root.join("x"));
    }

    #[test]
    fn users_from_passwd() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc")).unwrap();
        fs::write(d.path().join("etc/passwd"), "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n")
            .unwrap();
        fs::write(d.path().join("etc/group"), "root:x:0:\napp:x:1001:\nextra:x:2000:app\n").unwrap();
        assert_eq!(
            lookup_user(d.path(), "app").unwrap(),
            UserIds { uid: 1000, gid: 1001, additional_gids: vec![2000] }
        );
        assert_eq!(lookup_user(d.path(), "app:extra").unwrap().gid, 2000);
        assert_eq!(lookup_user(d.path(), "42:43").unwrap(), UserIds { uid: 42, gid: 43, additional_gids: vec![] });
        assert!(lookup_user(d.path(), "nobody").unwrap_err().to_string().contains("unable to find user nobody"));
    }
}
