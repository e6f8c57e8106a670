//! The local branches HEAD has not merged, and the promises their own commits name: what the
//! pre-commit hook lists when a staged change to a promise makes the work on them suspect.

use super::Repo;
use crate::scan::trailers::{self, Options};
use git2::Oid;
use std::collections::{HashMap, HashSet};

/// A local branch with commits HEAD does not reach.
#[derive(Debug, PartialEq, Eq)]
pub struct Unmerged {
    /// Its name under `refs/heads/` (untrusted text: escape it to print it).
    pub name: String,
    /// Each of its commits read that names a promise, with the ids its `Promise:` trailers
    /// name (as written): with scopes, a short id two teams define means the one whose folder
    /// the commit changes, so the commit goes with them.
    pub commits: Vec<(Oid, Vec<String>)>,
}

impl Repo {
    /// The local branches (`refs/heads/*`) not merged into HEAD, by name, each with its commits
    /// that HEAD does not reach and the promise ids their `Promise:` trailers name. One walk from
    /// every such branch to where HEAD's history begins, reading at most `limit` commits
    /// (newest first): a branch whose commits lie past the limit names what was read of it.
    /// Without HEAD, or without such a branch: none.
    pub fn unmerged_branches(&self, limit: usize) -> Vec<Unmerged> {
        let Some(head) = self.head_commit() else { return Vec::new() };
        let Ok(refs) = self.repo.references_glob("refs/heads/*") else { return Vec::new() };
        let mut tips: Vec<(String, Oid)> = refs
            .flatten()
            .filter_map(|r| {
                let name = String::from_utf8_lossy(r.name_bytes().strip_prefix(b"refs/heads/")?).into_owned();
                let tip = r.resolve().ok()?.peel_to_commit().ok()?.id();
                (tip != head).then_some((name, tip))
            })
            .collect();
        tips.sort();
        if tips.is_empty() {
            return Vec::new();
        }
        let Ok(mut walk) = self.repo.revwalk() else { return Vec::new() };
        if walk.hide(head).is_err() || tips.iter().any(|(_, tip)| walk.push(*tip).is_err()) {
            return Vec::new();
        }
        let comment = crate::scan::message::log_comment_string(
            self.config().and_then(|c| c.get_string("core.commentChar").ok()).as_deref(),
        );
        let options = Options { comment, ..Options::log() };
        // Each commit read: its parents, and the promises it names.
        let mut read: HashMap<Oid, (Vec<Oid>, Vec<String>)> = HashMap::new();
        for oid in walk.flatten().take(limit) {
            let Ok(commit) = self.repo.find_commit(oid) else { continue };
            let message = super::to_utf8(commit.message_raw_bytes(), commit.message_encoding());
            let block = trailers::parse(trailers::skip_leading_blank_lines(&message), &options);
            let promises = block
                .trailers
                .iter()
                .filter(|t| t.key_is("promise"))
                .flat_map(|t| {
                    let value = String::from_utf8_lossy(&t.value).into_owned();
                    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect::<Vec<_>>()
                })
                .collect();
            read.insert(oid, (commit.parent_ids().collect(), promises));
        }
        let mut out = Vec::new();
        for (name, tip) in tips {
            // The commits of this branch that were read: from its tip, through the commits read.
            let (mut seen, mut stack, mut commits) = (HashSet::new(), vec![tip], Vec::new());
            while let Some(oid) = stack.pop() {
                let Some((parents, named)) = read.get(&oid).filter(|_| seen.insert(oid)) else { continue };
                if !named.is_empty() {
                    commits.push((oid, named.clone()));
                }
                stack.extend(parents.iter().copied());
            }
            if seen.is_empty() {
                continue;
            }
            out.push(Unmerged { name, commits });
        }
        out
    }
}
