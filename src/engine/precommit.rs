//! The pre-commit hook's scope: what a staged change can affect.

use super::plans::{Paths, Scope};
use crate::facts::Plans;
use crate::files::{self, Files};
use crate::git::{Oid, Repo};
use crate::registry::{self, Parts, Registry};
use crate::rules;
use std::collections::{HashMap, HashSet};

impl Scope {
    /// Record, per document judged, the promises its open items serve.
    pub(super) fn save_cache(self, plans: &Plans) {
        let Some((mut cache, documents)) = self.cache else { return };
        let judged = self.only.unwrap_or_default();
        let mut open: HashMap<&str, Vec<String>> = judged.iter().map(|p| (p.as_str(), Vec::new())).collect();
        for item in plans.list.iter().filter(|i| !i.done) {
            open.entry(item.path.as_str()).or_default().extend(item.promises.iter().cloned());
        }
        for (path, oid) in &documents {
            if let Some(ids) = open.remove(path.as_str()) {
                cache.insert(*oid, ids);
            }
        }
        cache.save(&documents.iter().map(|(_, oid)| *oid).collect());
    }
}

/// What the pre-commit hook must judge: `None` when nothing staged can change a finding (no
/// registry anywhere, or neither the registry nor a plan document differs from HEAD).
///
/// A staged plan document is judged in full. Other documents are judged again only when the
/// registry changed in a part the plan rules read ([`rules::plan_reads`]): every document, or,
/// when only statuses changed, the documents whose open items serve those promises (the
/// content-addressed cache knows which), reporting only what the change causes: problems
/// already committed are CI's to report, not a reason to block unrelated work.
pub(super) fn staged_scope(repo: &Repo, files: &Files, registry: &Registry) -> Option<Scope> {
    // A few trees and blobs, never history: the object cache cannot grow, and it saves
    // re-reading HEAD's trees for every path compared.
    crate::git::cache_objects();
    let index = files.index()?;
    let head_tree = repo.head_tree();
    let head_blob = |path: &str| head_tree.as_ref().and_then(|t| t.entry(path));
    let staged_registry = index.get_path(registry::FILE_NAME);
    let head_registry = head_blob(registry::FILE_NAME);

    let changed = |path: &str, id: Oid| head_blob(path) != Some(id);
    let registry_changed = staged_registry.as_ref().is_none_or(|e| changed(registry::FILE_NAME, e.id));
    // Every plan and issue document in the index, with its content's id.
    // Sorted by path: each directory is asked once whether a pattern can match under it.

    let mut last_dir: (&[u8], bool) = (b"\0", false);
    let documents: Vec<(String, Oid)> = index
        .iter()
        .filter_map(|e| {
            let dir = e.path.iter().rposition(|&b| b == b'/').map_or(&e.path[..0], |i| &e.path[..i]);
            if dir != last_dir.0 {
                last_dir = (dir, std::str::from_utf8(dir).is_ok_and(|d| registry.may_hold_documents(d)));
            }
            if !last_dir.1 || e.stage != 0 {
                return None;
            }
            let p = std::str::from_utf8(e.path).ok()?;
            registry.is_document(p).then(|| (p.to_string(), e.id))
        })
        .collect();
    let staged_plans: HashSet<String> =
        documents.iter().filter(|(p, id)| changed(p, *id)).map(|(p, _)| p.clone()).collect();
    if !registry_changed && staged_plans.is_empty() {
        return None;
    }
    if !registry_changed {
        return Some(Scope { only: Some(staged_plans), ..Scope::all() });
    }
    let before = head_registry.and_then(|oid| files::registry_in_blob(repo, oid));
    let changes = match &before {
        Some(before) => registry.changes(before),
        None => return Some(Scope::all()),
    };
    let reads = rules::plan_reads();
    if !changes.parts.intersects(reads) {
        return Some(Scope { only: Some(staged_plans), ..Scope::all() });
    }
    if !changes.parts.and(reads).within(Parts::STATUS) {
        return Some(Scope::all());
    }
    let known = crate::cache::OpenItems::load(repo.common_dir());
    let mut only = staged_plans.clone();
    for (path, oid) in &documents {
        if known.get(*oid).is_none_or(|ids| ids.iter().any(|id| changes.statuses.contains(id))) {
            only.insert(path.clone());
        }
    }
    Some(Scope {
        only: Some(only),
        paths: Paths::Listed,
        focus: Some((changes.statuses, staged_plans)),
        cache: Some((known, documents)),
    })
}
