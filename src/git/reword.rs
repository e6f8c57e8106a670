//! How to give trailers to commits a push was blocked for, without losing anything: the
//! pre-push hook's advice. A plain `git rebase -i` flattens the merges of the range it rewrites
//! (a `--no-ff` merge disappears, its commits replayed in a line); `--rebase-merges` keeps them.
//! When only the tip needs a trailer, `git commit --amend --only` rewords it and nothing else
//! (`--only` with no paths leaves whatever is staged out of the amend).

use super::Repo;
use git2::Oid;

/// How to reword the blocked commits of one pushed ref.
#[derive(Debug, PartialEq, Eq)]
pub enum Reword {
    /// Only the checked-out tip: `git commit --amend --only` (with `--allow-empty` when the
    /// tip changes nothing, or git refuses to amend it).
    Amend { empty: bool },
    /// The push brings some, but no command can be said with certainty (a ref that is not a
    /// branch and is not checked out, a commit that cannot be read).
    Unknown,
    /// `git rebase -i [--rebase-merges] <base> [<branch>]` (`--root` without a base).
    Rebase {
        /// The commit the rebase starts from (abbreviated as git would); `None`: the root.
        base: Option<String>,
        /// Whether the rewritten range holds merges (then `--rebase-merges`).
        merges: bool,
        /// The branch to rebase when it is not the one checked out (`git rebase` switches to it).
        branch: Option<String>,
    },
}

impl Repo {
    /// How to reword the commits of `bad` (full ids) that the push of `tip` (from `local_ref`, as
    /// git's pre-push input names it) brings; `None` when it brings none.
    pub fn reword(&self, local_ref: &str, tip: &str, bad: &[&str]) -> Option<Reword> {
        let repo = &self.repo;
        let tip = Oid::from_str(tip).ok()?;
        let here: Vec<Oid> = bad
            .iter()
            .filter_map(|b| Oid::from_str(b).ok())
            .filter(|&b| b == tip || repo.graph_descendant_of(tip, b).unwrap_or(false))
            .collect();
        if here.is_empty() {
            return None;
        }
        Some(self.reword_these(local_ref, tip, &here).unwrap_or(Reword::Unknown))
    }

    fn reword_these(&self, local_ref: &str, tip: Oid, here: &[Oid]) -> Option<Reword> {
        let repo = &self.repo;
        let head = repo.head().ok();
        let head_tip = head.as_ref().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id());
        let head_ref = head.as_ref().filter(|h| h.is_branch()).and_then(|h| h.name().map(str::to_string));
        let checked_out = match local_ref.strip_prefix("refs/heads/") {
            Some(_) => head_ref.as_deref() == Some(local_ref),
            None => head_tip == Some(tip),
        };
        let branch = match (checked_out, local_ref.strip_prefix("refs/heads/")) {
            (true, _) => None,
            (false, Some(name)) => Some(name.to_string()),
            (false, None) => return Some(Reword::Unknown),
        };
        let tip_commit = repo.find_commit(tip).ok()?;
        if checked_out && here == [tip] && tip_commit.parent_count() <= 1 && head_tip == Some(tip) {
            let parent_tree = tip_commit.parent(0).ok().map(|p| p.tree_id());
            return Some(Reword::Amend { empty: parent_tree == Some(tip_commit.tree_id()) });
        }
        let mut parents = Vec::new();
        for &b in here {
            let commit = repo.find_commit(b).ok()?;
            if commit.parent_count() == 0 {
                parents.clear();
                break;
            }
            parents.extend(commit.parent_ids());
        }
        let base = match parents.len() {
            0 => None,
            1 => Some(parents[0]),
            _ => Some(repo.merge_base_octopus(&parents).ok()?),
        };
        let mut walk = repo.revwalk().ok()?;
        walk.push(tip).ok()?;
        if let Some(base) = base {
            walk.hide(base).ok()?;
        }
        let mut merges = false;
        for oid in walk {
            if repo.find_commit(oid.ok()?).ok()?.parent_count() > 1 {
                merges = true;
                break;
            }
        }
        let base = match base {
            Some(b) => Some(repo.find_object(b, None).ok()?.short_id().ok()?.as_str()?.to_string()),
            None => None,
        };
        Some(Reword::Rebase { base, merges, branch })
    }
}
