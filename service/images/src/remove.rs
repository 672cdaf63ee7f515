use std::collections::HashSet;

use imaged_core::{Digest, ImageRef, Namespace, Reference};
use imaged_index::ImageRecord;

use crate::{EngineError, Images, blocking, filters::Filters, resolve::Resolved};

/// Options of Remove (`docker rmi`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RemoveOptions {
    pub force: bool,
    pub no_prune: bool,
}

/// One line of Docker's rmi/prune report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteItem {
    /// A name removed, normalised.
    Untagged(String),
    /// An image removed.
    Deleted(Digest),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoveOutcome {
    pub items: Vec<DeleteItem>,
    /// Bytes of blobs deleted from disk.
    pub space_reclaimed: u64,
}

fn repo_of(name: &str) -> String {
    Reference::parse_normalized(name).map(|r| r.name()).unwrap_or_else(|_| name.to_owned())
}

impl Images {
    /// Removes an image or one of its names with Docker's rules.
    pub async fn remove(
        &self,
        ns: &Namespace,
        image: &ImageRef,
        opts: RemoveOptions,
    ) -> Result<RemoveOutcome, EngineError> {
        let (this, ns, image) = (self.clone(), ns.clone(), image.clone());
        blocking(move || this.remove_blocking(&ns, &image, opts)).await
    }

    fn remove_blocking(
        &self,
        ns: &Namespace,
        image: &ImageRef,
        opts: RemoveOptions,
    ) -> Result<RemoveOutcome, EngineError> {
        let Resolved { record, by_name } = self.resolve_blocking(ns, image)?;
        let mut out = RemoveOutcome::default();
        let id = record.id.clone();
        match by_name {
            Some(name) => {
                let name = name.to_string();
                let mut removed = vec![name.clone()];
                let remaining: Vec<&String> =
                    record.repo_tags.iter().chain(&record.repo_digests).filter(|n| **n != name).collect();
                // Docker: when the last tag of a repository goes, that repository's digest names go too.
                if !name.contains('@') {
                    let repo = repo_of(&name);
                    let tag_left = remaining.iter().any(|n| !n.contains('@') && repo_of(n) == repo);
                    if !tag_left {
                        removed.extend(
                            remaining.iter().filter(|n| n.contains('@') && repo_of(n) == repo).map(|n| (*n).clone()),
                        );
                    }
                }
                let becomes_dangling = removed.len() == record.repo_tags.len() + record.repo_digests.len();
                if becomes_dangling
                    && !opts.force
                    && let Some(c) = self.index().list_containers(ns)?.into_iter().find(|c| c.image_id == id)
                {
                    return Err(EngineError::ReferenceUsedByContainer {
                        reference: image.input.clone(),
                        container: c.id[..12.min(c.id.len())].to_owned(),
                        id: id.short().to_owned(),
                    });
                }
                let after = self.index().untag(ns, &id, &removed)?;
                out.items.extend(removed.into_iter().map(DeleteItem::Untagged));
                if after.is_dangling() {
                    self.delete_helper(ns, &id, opts, true, &mut out)?;
                }
            }
            None => {
                let names: Vec<String> = record.repo_tags.iter().chain(&record.repo_digests).cloned().collect();
                if !names.is_empty() {
                    let repos: HashSet<String> = names.iter().map(|n| repo_of(n)).collect();
                    if repos.len() > 1 && !opts.force {
                        return Err(EngineError::MultipleRepositories { id: id.short().to_owned() });
                    }
                    self.check_conflicts(ns, &record, opts.force)?;
                    self.index().untag(ns, &id, &names)?;
                    out.items.extend(names.into_iter().map(DeleteItem::Untagged));
                }
                self.delete_helper(ns, &id, opts, false, &mut out)?;
            }
        }
        Ok(out)
    }

    fn children(&self, ns: &Namespace, id: &Digest) -> Result<Vec<ImageRecord>, EngineError> {
        Ok(self.index().list_images(ns)?.into_iter().filter(|r| r.parent.as_ref() == Some(id)).collect())
    }

    fn check_conflicts(&self, ns: &Namespace, record: &ImageRecord, force: bool) -> Result<(), EngineError> {
        if !self.children(ns, &record.id)?.is_empty() {
            return Err(EngineError::HasChildren { id: record.id.short().to_owned() });
        }
        if !force && let Some(c) = self.index().list_containers(ns)?.into_iter().find(|c| c.image_id == record.id) {
            return Err(EngineError::UsedByContainer {
                id: record.id.short().to_owned(),
                container: c.id[..12.min(c.id.len())].to_owned(),
            });
        }
        Ok(())
    }

    /// Deletes an untagged image and, unless `no_prune`, its untagged parents. `quiet`: a conflict leaves
    /// the image in place instead of failing (the name was removed already).
    fn delete_helper(
        &self,
        ns: &Namespace,
        id: &Digest,
        opts: RemoveOptions,
        quiet: bool,
        out: &mut RemoveOutcome,
    ) -> Result<(), EngineError> {
        let mut next = Some((id.clone(), quiet));
        while let Some((id, quiet)) = next.take() {
            let Some(record) = self.index().get_image(ns, &id)? else {
                break;
            };
            match self.check_conflicts(ns, &record, opts.force) {
                Ok(()) => {}
                Err(_) if quiet => break,
                Err(e) => return Err(e),
            }
            let freed = self.index().delete_image(ns, &id)?;
            out.items.push(DeleteItem::Deleted(id.clone()));
            out.space_reclaimed += self.collect(&freed)?;
            if opts.no_prune {
                break;
            }
            if let Some(parent) = record.parent
                && let Some(p) = self.index().get_image(ns, &parent)?
                && p.is_dangling()
            {
                next = Some((parent, true));
            }
        }
        Ok(())
    }

    /// Removes dangling images (or, with `all`, every image no container uses), as `docker image prune`.
    pub async fn prune(
        &self,
        ns: &Namespace,
        all: bool,
        filters: Vec<(String, String)>,
    ) -> Result<RemoveOutcome, EngineError> {
        let (this, ns) = (self.clone(), ns.clone());
        blocking(move || this.prune_blocking(&ns, all, &filters)).await
    }

    fn prune_blocking(
        &self,
        ns: &Namespace,
        all: bool,
        filters: &[(String, String)],
    ) -> Result<RemoveOutcome, EngineError> {
        let filters = Filters::parse(filters, &["until", "label", "label!", "dangling"])?;
        let all = all || filters.dangling == Some(false);
        let mut out = RemoveOutcome::default();
        loop {
            let records = self.index().list_images(ns)?;
            let used: HashSet<Digest> = self.index().list_containers(ns)?.into_iter().map(|c| c.image_id).collect();
            let parents: HashSet<Digest> = records.iter().filter_map(|r| r.parent.clone()).collect();
            let candidates: Vec<&ImageRecord> = records
                .iter()
                .filter(|r| !used.contains(&r.id) && !parents.contains(&r.id))
                .filter(|r| all || r.is_dangling())
                .filter(|r| filters.until.is_none_or(|u| r.created < u))
                .filter(|r| filters.labels.iter().all(|l| l.matches(&r.labels)))
                .collect();
            if candidates.is_empty() {
                break;
            }
            for r in candidates {
                let names: Vec<String> = r.repo_tags.iter().chain(&r.repo_digests).cloned().collect();
                if !names.is_empty() {
                    self.index().untag(ns, &r.id, &names)?;
                    out.items.extend(names.into_iter().map(DeleteItem::Untagged));
                }
                let freed = self.index().delete_image(ns, &r.id)?;
                out.items.push(DeleteItem::Deleted(r.id.clone()));
                out.space_reclaimed += self.collect(&freed)?;
            }
        }
        out.space_reclaimed += self.sweep_orphans()?;
        let removed = self.sweep_snapshots()?;
        if removed > 0 {
            tracing::info!(snapshots = removed, "removed unused layer snapshots");
        }
        Ok(out)
    }
}
