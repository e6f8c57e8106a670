//! Everything that touches git: finding the repository, turning ranges into commits, reading
//! messages and ignore rules. Through libgit2 (git2), in-process: no `git` subprocess on the hot
//! path, so a hook costs one process start, not several.
//!
//! This module is the wall around git2: no other module names it (tests/it/architecture.rs fails
//! if one does). [`Repo`]'s handle is private; what the rest of the crate asks of history is a
//! method in the domain's words (`history`), object ids cross as [`Oid`], and the demo's
//! repository is written by `build`.

mod branches;
pub mod build;
pub mod commit;
mod graph;
mod history;
pub mod index;
pub mod pack;
pub mod reword;
mod scopes;
pub mod walk;

#[cfg(test)]
mod tests {
    #[test]
    fn config_parameters_as_git_writes_them() {
        let p = super::parse_config_parameters(
            "'core.commentChar'=';' 'commit.cleanup'='scissors' 'user.name=A B' 'x.y'='it'\\''s'",
        );
        assert_eq!(
            p,
            [
                ("core.commentChar".to_string(), ";".to_string()),
                ("commit.cleanup".to_string(), "scissors".to_string()),
                ("user.name".to_string(), "A B".to_string()),
                ("x.y".to_string(), "it's".to_string()),
            ]
        );
    }
}

use crate::error::{Error, Result};
use crate::scan::trailers::{self, Block, Options};
use git2::Repository;
use std::path::{Path, PathBuf};

/// How to get the history a shallow clone lacks, on the command line and on each forge: the
/// one wording every "fetch more history" help uses.
pub const FETCH_HISTORY: &str = "fetch the full history: `git fetch --unshallow`; on GitHub Actions, \
     actions/checkout with `fetch-depth: 0`; on GitLab CI, the variable `GIT_DEPTH: 0`";

/// An object id (a commit, a tree, a blob): libgit2's, re-exported so that no module outside
/// `git/` names git2 (the architecture test holds that).
pub use git2::Oid;
pub use history::{cache_objects, Known, Peeled, Revision, Revisions, Tree, WATCHED_LOOKUP};

impl From<git2::Error> for Error {
    fn from(err: git2::Error) -> Error {
        Error::new(format!("git: {}", err.message())).caused_by(err)
    }
}

/// A repository opened with libgit2.
pub struct Repo {
    /// The libgit2 handle: private, the rest of the crate asks through the methods here and in
    /// `history`.
    repo: Repository,
    /// The configuration, opened once: libgit2 reads and parses every configuration file each
    /// time it is opened, and a hook asks for several values.
    config: std::cell::OnceCell<Option<git2::Config>>,
    /// The packs trees and commits are read from outside the walks ([`Repo::object`]: a
    /// commit's scopes, a commit read again), opened on first use, for this handle's life (a
    /// pack written since, or a pre-receive quarantine's, is read through libgit2).
    packs: std::cell::RefCell<Option<pack::Packs>>,
    /// Opened as git's environment describes it (a pre-receive hook's quarantine): a second
    /// handle must be opened the same way, or objects only the quarantine holds would not read.
    from_env: bool,
}

/// A repository's git directory and work tree ([`Repo::location`]).
#[derive(Debug, Clone)]
pub struct Location {
    git_dir: PathBuf,
    work_tree: Option<PathBuf>,
    from_env: bool,
}

impl Location {
    /// The repository opened again; `None` when it no longer opens.
    pub fn open(&self) -> Option<Repo> {
        if self.from_env {
            // The process's environment is every thread's: this is the same repository, with
            // the same object directories (`GIT_OBJECT_DIRECTORY`, alternates).
            return Repo::open_from_env().ok();
        }
        let repo = Repository::open(&self.git_dir).ok()?;
        if let Some(work_tree) = &self.work_tree {
            repo.set_workdir(work_tree, false).ok()?;
        }
        Some(Repo::new(repo))
    }
}

/// The commits to check, newest first, and how to describe them to the user.
#[derive(Debug)]
pub struct CommitRange {
    pub oids: Vec<Oid>,
    pub describe: String,
}

/// What to walk: tips, each to start from or to exclude with its ancestry, in command-line order
/// (as git adds them), and how to say it.
#[derive(Debug, Default, Clone)]
pub struct RangeSpec {
    pub tips: Vec<(Oid, bool)>,
    pub describe: String,
}

impl RangeSpec {
    fn include(&mut self, oid: Oid) {
        self.tips.push((oid, false));
    }
    fn exclude(&mut self, oid: Oid) {
        self.tips.push((oid, true));
    }
}

pub(crate) fn read_error(oid: Oid, e: &git2::Error) -> Error {
    let mut err = Error::new(format!("could not read commit {oid}: {}", e.message()));
    if e.code() == git2::ErrorCode::NotFound {
        err = err.with_help("the object is missing: in a shallow or partial clone, fetch the full history");
    }
    err
}

impl Repo {
    /// The repository git would use from `dir`: `GIT_DIR` (and `GIT_WORK_TREE`) when set, as
    /// `git --git-dir=… --work-tree=…` sets them for its hooks, else the repository containing
    /// `dir`.
    pub fn discover(dir: &Path) -> Option<Repo> {
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let Some(git_dir) = env("GIT_DIR") else {
            return Repository::discover(dir).ok().map(Repo::new);
        };
        let git_dir = if git_dir.is_absolute() { git_dir } else { dir.join(git_dir) };
        let repo = Repository::open(&git_dir).ok()?;
        if let Some(work_tree) = env("GIT_WORK_TREE") {
            let work_tree = if work_tree.is_absolute() { work_tree } else { dir.join(work_tree) };
            repo.set_workdir(&work_tree, false).ok()?;
        }
        Some(Repo::new(repo))
    }

    /// Where this repository is, to open it again on another thread (a handle is not shared
    /// between threads).
    pub fn location(&self) -> Location {
        Location {
            git_dir: self.repo.path().to_path_buf(),
            work_tree: self.repo.workdir().map(Path::to_path_buf),
            from_env: self.from_env,
        }
    }

    fn new(repo: Repository) -> Repo {
        Repo { repo, config: std::cell::OnceCell::new(), packs: std::cell::RefCell::new(None), from_env: false }
    }
}

impl Repo {
    fn config(&self) -> Option<&git2::Config> {
        self.config.get_or_init(|| self.repo.config().ok()).as_ref()
    }

    /// The work tree root (the directory holding `.git`); `None` for a bare repository.
    pub fn root(&self) -> Option<PathBuf> {
        self.repo.workdir().map(Path::to_path_buf)
    }

    /// Whether git ignores `rel` (relative to the root). Ignored files are never read.
    pub fn is_ignored(&self, rel: &Path) -> bool {
        self.repo.status_should_ignore(rel).unwrap_or(false)
    }

    /// Resolve a revision to a commit.
    pub fn commit_id(&self, rev: &str) -> std::result::Result<Oid, String> {
        let obj = self.repo.revparse_single(rev).map_err(|e| e.message().to_string())?;
        obj.peel_to_commit().map(|c| c.id()).map_err(|e| e.message().to_string())
    }

    /// The commits of `spec` (what `git rev-list` takes: `A..B`, `A...B`, `REV`, `^A B`), or by
    /// default those of the current branch not on its upstream or the default branch; never
    /// reachable from `since`. Resolved to tips to walk from and tips to exclude.
    pub fn resolve(&self, spec: Option<&str>, since: Option<Oid>) -> Result<RangeSpec> {
        let mut r = RangeSpec::default();
        match spec {
            Some(spec) if spec.contains("..") => {
                let rs = self.repo.revparse(spec).map_err(|e| self.shallow_hint(bad_range(spec, &e)))?;
                let (from, to) = match (rs.from(), rs.to()) {
                    (Some(f), Some(t)) => (f.peel_to_commit()?.id(), t.peel_to_commit()?.id()),
                    _ => return Err(Error::new(format!("`{spec}` is not a range of commits"))),
                };
                if rs.mode().contains(git2::RevparseMode::MERGE_BASE) {
                    r.include(from);
                    r.include(to);
                    // As git: everything reachable from any merge base is common to both.
                    if let Ok(bases) = self.repo.merge_bases(from, to) {
                        bases.iter().for_each(|b| r.exclude(*b));
                    }
                } else {
                    r.exclude(from);
                    r.include(to);
                }
                r.describe = spec.to_string();
            }
            Some(spec) => {
                for word in spec.split_whitespace() {
                    if let Some(rev) = word.strip_prefix('^') {
                        r.exclude(self.commit_id(rev).map_err(|e| self.shallow_hint(bad_rev(rev, &e)))?);
                    } else {
                        r.include(self.commit_id(word).map_err(|e| self.shallow_hint(bad_rev(word, &e)))?);
                    }
                }
                if r.tips.iter().all(|&(_, excluded)| excluded) {
                    return Err(Error::new(format!("`{spec}` names no commit to start from")));
                }
                r.describe = spec.to_string();
            }
            None => {
                let head = match self.repo.head() {
                    Ok(h) => h,
                    // An unborn branch: nothing has been committed yet, so nothing to check.
                    Err(e) if e.code() == git2::ErrorCode::UnbornBranch || e.code() == git2::ErrorCode::NotFound => {
                        return Ok(RangeSpec { describe: "no commits yet".into(), ..RangeSpec::default() })
                    }
                    Err(e) => return Err(e.into()),
                };
                r.include(head.peel_to_commit()?.id());
                let bases = self.default_bases(&head);
                bases.iter().for_each(|(oid, _)| r.exclude(*oid));
                let names: Vec<&str> = bases.iter().map(|(_, n)| n.as_str()).collect();
                r.describe = if names.is_empty() { "HEAD".to_string() } else { format!("{}..HEAD", names.join(",")) };
            }
        }
        // The adoption point and everything before it are never checked.
        since.into_iter().for_each(|s| r.exclude(s));
        Ok(r)
    }

    /// In a shallow clone, a revision that does not resolve is most likely cut off: say so.
    pub fn shallow_hint(&self, e: Error) -> Error {
        if self.repo.is_shallow() {
            e.with_help(format!("this is a shallow clone and the commit may be outside it: {FETCH_HISTORY}"))
        } else {
            e
        }
    }

    /// Every commit of a range, newest first (for small ranges; history checks stream instead).
    pub fn range(&self, spec: Option<&str>, since: Option<Oid>) -> Result<CommitRange> {
        self.range_since(spec, since, None)
    }

    /// [`Repo::range`] limited to commits dated at or after `max_age` (Unix seconds), as
    /// `git rev-list --since` walks.
    pub fn range_since(&self, spec: Option<&str>, since: Option<Oid>, max_age: Option<i64>) -> Result<CommitRange> {
        let r = self.resolve(spec, since)?;
        let mut walker = self.walk(&r.tips, max_age)?;
        let mut oids = Vec::new();
        while let Some(raw) = walker.next_commit()? {
            oids.push(raw.oid);
        }
        oids.retain(|o| !walker.is_uninteresting(*o));
        Ok(CommitRange { oids, describe: r.describe })
    }

    /// The commits reachable from the included `tips` and from none of the excluded ones, each
    /// with its parents, in one walk (git rev-list's, commits taken back as it does); and how many
    /// commit objects the walk read.
    pub fn reachable(&self, tips: &[(Oid, bool)]) -> Result<(std::collections::HashMap<Oid, Vec<Oid>>, usize)> {
        let mut walker = walk::Walker::with_parents(self.repo.odb()?, self.repo.commondir(), tips)?;
        let mut found = std::collections::HashMap::new();
        while let Some(raw) = walker.next_commit()? {
            found.insert(raw.oid, raw.header.parents);
        }
        found.retain(|oid, _| !walker.is_uninteresting(*oid));
        Ok((found, walker.reads()))
    }

    /// What the current branch is compared against: its upstream, and the default branch
    /// (`origin/HEAD`, else `origin/main`, `origin/master`, else a local `main` or `master` that
    /// is not the current branch).
    fn default_bases(&self, head: &git2::Reference<'_>) -> Vec<(Oid, String)> {
        let mut out = Vec::new();
        let head_name = head.name().unwrap_or("");
        let mut add = |r: git2::Reference<'_>| {
            if let (Ok(c), Some(name)) = (r.peel_to_commit(), r.shorthand()) {
                if !out.iter().any(|(o, _)| *o == c.id()) {
                    out.push((c.id(), name.to_string()));
                }
            }
        };
        if head.is_branch() {
            if let Ok(up) = self.repo.branch_upstream_name(head_name) {
                if let Some(r) = up.as_str().and_then(|n| self.repo.find_reference(n).ok()) {
                    add(r);
                }
            }
        }
        let candidates = ["refs/remotes/origin/HEAD", "refs/remotes/origin/main", "refs/remotes/origin/master"];
        if let Some(r) = candidates.iter().find_map(|n| self.repo.find_reference(n).ok()) {
            let resolved = r.resolve().unwrap_or(r);
            add(resolved);
        } else if let Some(r) = ["refs/heads/main", "refs/heads/master"]
            .iter()
            .filter(|n| **n != head_name)
            .find_map(|n| self.repo.find_reference(n).ok())
        {
            add(r);
        }
        out
    }

    /// The index git is committing from: `$GIT_INDEX_FILE` (git points it at a temporary index
    /// for `git commit -a` and `git commit <paths>`), else the repository's own.
    pub fn index_path(&self, cwd: &Path) -> PathBuf {
        match std::env::var_os("GIT_INDEX_FILE") {
            Some(p) if !p.is_empty() => {
                let p = PathBuf::from(p);
                if p.is_absolute() {
                    p
                } else {
                    cwd.join(p)
                }
            }
            _ => self.repo.path().join("index"),
        }
    }

    /// A configuration value as a string: `git -c key=value` overrides first (git passes them
    /// to hooks in the environment, which libgit2 does not read), then the repository, global and
    /// system configuration.
    pub fn config_string(&self, key: &str) -> Option<String> {
        if let Some(value) = config_override(key) {
            return Some(value);
        }
        self.config()?.get_string(key).ok()
    }

    /// A configuration value as the repository, global and system configuration hold it,
    /// without this command's `git -c` overrides: what later readers of history (`git log`)
    /// will use.
    pub fn config_string_stored(&self, key: &str) -> Option<String> {
        self.config()?.get_string(key).ok()
    }

    /// A boolean configuration value, as git reads it (overrides first, as for
    /// [`Repo::config_string`]).
    pub fn config_bool(&self, key: &str) -> Option<bool> {
        if let Some(value) = config_override(key) {
            return match value.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" | "" => Some(true),
                "false" | "no" | "off" | "0" => Some(false),
                _ => None,
            };
        }
        self.config()?.get_bool(key).ok()
    }

    /// The directory git runs hooks from: `core.hooksPath` (relative to the work tree root), else
    /// `hooks/` in the common git directory (shared by linked worktrees).
    pub fn hooks_dir(&self) -> PathBuf {
        match self.config().and_then(|c| c.get_path("core.hooksPath").ok()) {
            Some(p) if p.is_absolute() => p,
            Some(p) => self.root().unwrap_or_else(|| self.repo.path().to_path_buf()).join(p),
            None => self.repo.commondir().join("hooks"),
        }
    }

    /// A merge is being concluded (`MERGE_HEAD` exists for this worktree).
    pub fn is_merging(&self) -> bool {
        self.repo.path().join("MERGE_HEAD").exists()
    }

    /// The current branch's short name; `None` when HEAD is detached.
    pub fn branch_name(&self) -> Option<String> {
        match self.repo.head() {
            Ok(h) if h.is_branch() => h.shorthand().map(str::to_string),
            Ok(_) => None,
            // An unborn branch still has a name.
            Err(_) => {
                let head = self.repo.find_reference("HEAD").ok()?;
                head.symbolic_target()?.strip_prefix("refs/heads/").map(str::to_string)
            }
        }
    }

    /// What a push of `tip` brings to `remote` when the remote's tip is unknown (a new branch, or a
    /// force push over a tip this clone lacks): commits no ref under `refs/remotes/<remote>/`
    /// reaches.
    pub fn new_to_remote(&self, tip: Oid, remote: &str, since: Option<Oid>) -> Result<RangeSpec> {
        let mut r = RangeSpec { describe: format!("new to {remote}"), ..RangeSpec::default() };
        r.include(tip);
        self.remote_tracking_tips().into_iter().for_each(|c| r.exclude(c));
        since.into_iter().for_each(|s| r.exclude(s));
        Ok(r)
    }

    /// The commits every remote-tracking ref (`refs/remotes/*/*`) points at: work some remote
    /// already has is not the pusher's own (an upstream merged in, a fork pushed to first).
    pub fn remote_tracking_tips(&self) -> Vec<Oid> {
        let Ok(refs) = self.repo.references_glob("refs/remotes/*") else { return Vec::new() };
        refs.flatten().filter_map(|r| r.peel_to_commit().ok().map(|c| c.id())).collect()
    }

    /// Which of the commit ids `wanted` the walk of `range` reaches, or, in a full clone, no
    /// longer exist (history rewritten): one walk of the range, stopped once every commit is
    /// found (ids that do not parse are neither).
    pub fn reached_or_gone(&self, range: &RangeSpec, wanted: &[&str]) -> std::collections::HashSet<String> {
        use std::collections::HashSet;
        let wanted: Vec<Oid> = wanted.iter().filter_map(|s| Oid::from_str(s).ok()).collect();
        let shallow = self.repo.is_shallow();
        let (mut left, mut found): (HashSet<Oid>, HashSet<Oid>) =
            wanted.into_iter().partition(|oid| shallow || self.repo.find_commit(*oid).is_ok());
        if !left.is_empty() {
            if let Ok(mut walk) = self.repo.revwalk() {
                for &(oid, hidden) in &range.tips {
                    let _ = if hidden { walk.hide(oid) } else { walk.push(oid) };
                }
                for oid in walk.flatten() {
                    if left.is_empty() {
                        break;
                    }
                    if left.remove(&oid) {
                        found.insert(oid);
                    }
                }
            }
        }
        found.into_iter().map(|oid| oid.to_string()).collect()
    }

    /// Which of `commits` were made before `path` existed: their tree has no such entry
    /// (commits that cannot be read are left out). One tree read each: the tree given with a
    /// commit (the walk read it from the commit's header), else the commit's, read again.
    pub fn made_without(&self, commits: &[(Oid, Option<Oid>)], path: &str) -> std::collections::HashSet<Oid> {
        commits
            .iter()
            .filter(|&&(oid, tree)| {
                let tree = tree.or_else(|| commit::Header::parse(&self.object(oid, git2::ObjectType::Commit)?).tree);
                // A tree that does not read says nothing: the commit is left out. The look-up
                // reads it again from the trees the packs keep.
                let Some(tree) = tree.filter(|&t| self.object(t, git2::ObjectType::Tree).is_some()) else {
                    return false;
                };
                self.entry_in_tree(tree, path).is_none()
            })
            .map(|&(oid, _)| oid)
            .collect()
    }

    /// A commit's or a tree's bytes: from the packs this handle keeps open (the reader the walks
    /// use, the trees read lately kept as delta bases), else through libgit2 (a loose object).
    /// `None` when it does not read as that kind. Reading through libgit2 would map the pack's
    /// index a second time: a few hundred look-ups make all of it resident.
    pub(crate) fn object(&self, oid: Oid, kind: git2::ObjectType) -> Option<Vec<u8>> {
        let packed = self.packs.try_borrow_mut().ok().and_then(|mut packs| {
            let packs = packs.get_or_insert_with(|| pack::Packs::open(self.repo.commondir()));
            match kind {
                git2::ObjectType::Commit => packs.read_commit(oid),
                git2::ObjectType::Tree => packs.read_tree(oid),
                _ => None,
            }
        });
        packed.or_else(|| {
            let odb = self.repo.odb().ok()?;
            let object = odb.read(oid).ok()?;
            (object.kind() == kind).then(|| object.data().to_vec())
        })
    }

    /// The commit that first added `path` on HEAD's first-parent line: the oldest commit there
    /// whose tree has it and whose first parent's does not (a registry deleted and put back
    /// later does not move it), looking at most `limit` commits back. `None` when HEAD's tree
    /// has no such entry (it is not committed yet) or the line is longer than `limit`.
    pub fn added_by(&self, path: &str, limit: usize) -> Option<Oid> {
        let has = |c: &git2::Commit<'_>| c.tree().is_ok_and(|t| t.get_path(Path::new(path)).is_ok());
        let mut commit = self.repo.head().ok()?.peel_to_commit().ok()?;
        let mut had = has(&commit);
        if !had {
            return None;
        }
        let mut added = None;
        for _ in 0..limit {
            let Ok(parent) = commit.parent(0) else {
                return Some(if had { commit.id() } else { added? });
            };
            let parent_has = has(&parent);
            if had && !parent_has {
                added = Some(commit.id());
            }
            (commit, had) = (parent, parent_has);
        }
        None
    }

    /// Which of `without` (commits whose tree has no `path`) came before `path` was added: the
    /// ancestors of the first parent of the commit that added it on HEAD's first-parent line
    /// ([`Repo::added_by`]), found in one walk that stops once all are. A commit that only
    /// deleted or lacks the file later, on a branch or after it was added, is not one of them.
    /// When HEAD's tree has no `path` (not committed yet) all of them are; when the commit that
    /// added it is not found within `limit`, none. The commit that added it, too.
    pub fn before_added(
        &self,
        path: &str,
        without: std::collections::HashSet<Oid>,
        limit: usize,
    ) -> (std::collections::HashSet<Oid>, Option<Oid>) {
        let head_has = self.head_tree().is_some_and(|t| t.entry(path).is_some());
        if !head_has {
            return (without, None);
        }
        let Some(added) = self.added_by(path, limit) else { return (std::collections::HashSet::new(), None) };
        let parent = self.repo.find_commit(added).ok().and_then(|c| c.parent_id(0).ok());
        let (Some(parent), Ok(mut walk)) = (parent, self.repo.revwalk()) else {
            return (std::collections::HashSet::new(), Some(added));
        };
        let mut left = without;
        let mut found = std::collections::HashSet::new();
        if walk.push(parent).is_ok() {
            for oid in walk.flatten() {
                if left.is_empty() {
                    break;
                }
                if left.remove(&oid) {
                    found.insert(oid);
                }
            }
        }
        (found, Some(added))
    }

    /// The commit HEAD's first-parent line had at `time` (Unix seconds): the newest one
    /// committed at or before it, looking at most `limit` commits back; `None` past the root or
    /// the limit.
    pub fn first_parent_at(&self, time: i64, limit: usize) -> Option<Oid> {
        let mut commit = self.repo.head().ok()?.peel_to_commit().ok()?;
        for _ in 0..limit {
            if commit.time().seconds() <= time {
                return Some(commit.id());
            }
            commit = commit.parent(0).ok()?;
        }
        None
    }

    /// Whether the object database has this commit.
    pub fn has_commit(&self, oid: Oid) -> bool {
        self.repo.find_commit(oid).is_ok()
    }
}

/// The value `git -c` (or `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>`)
/// gives `key` in this process's environment, as git passes it to hooks; the last one wins.
/// Section and variable names compare case-insensitively, as git's do.
pub fn config_override(key: &str) -> Option<String> {
    let same = |k: &str| {
        let (a, b) = (k.rsplit_once('.'), key.rsplit_once('.'));
        match (a, b) {
            (Some((sa, na)), Some((sb, nb))) => {
                let (sec_a, sub_a) = sa.split_once('.').map_or((sa, None), |(s, r)| (s, Some(r)));
                let (sec_b, sub_b) = sb.split_once('.').map_or((sb, None), |(s, r)| (s, Some(r)));
                sec_a.eq_ignore_ascii_case(sec_b) && sub_a == sub_b && na.eq_ignore_ascii_case(nb)
            }
            _ => false,
        }
    };
    let mut found = None;
    if let Ok(params) = std::env::var("GIT_CONFIG_PARAMETERS") {
        for (k, v) in parse_config_parameters(&params) {
            if same(&k) {
                found = Some(v);
            }
        }
    }
    let count: usize = std::env::var("GIT_CONFIG_COUNT").ok().and_then(|c| c.parse().ok()).unwrap_or(0);
    for i in 0..count.min(1000) {
        if let (Ok(k), Ok(v)) =
            (std::env::var(format!("GIT_CONFIG_KEY_{i}")), std::env::var(format!("GIT_CONFIG_VALUE_{i}")))
        {
            if same(&k) {
                found = Some(v);
            }
        }
    }
    found
}

/// git's `GIT_CONFIG_PARAMETERS`: shell-quoted entries, `'key'='value'` (git 2.31 and later) or
/// `'key=value'`, separated by spaces; `'\''` is a quote inside a quoted word.
fn parse_config_parameters(params: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = params.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        // One entry: quoted words and `=` until white space.
        let mut words: Vec<String> = vec![String::new()];
        let mut saw_eq_outside = false;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            match c {
                '\'' => {
                    for q in chars.by_ref() {
                        if q == '\'' {
                            break;
                        }
                        if let Some(w) = words.last_mut() {
                            w.push(q);
                        }
                    }
                }
                '\\' => {
                    if let Some(n) = chars.next() {
                        if let Some(w) = words.last_mut() {
                            w.push(n);
                        }
                    }
                }
                '=' if !saw_eq_outside => {
                    saw_eq_outside = true;
                    words.push(String::new());
                }
                c => {
                    if let Some(w) = words.last_mut() {
                        w.push(c);
                    }
                }
            }
        }
        let entry = match words.as_slice() {
            [k, v] => Some((k.clone(), v.clone())),
            [kv] => {
                kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).or(Some((kv.clone(), String::new())))
            }
            _ => None,
        };
        out.extend(entry);
    }
    out
}

/// libgit2 settings for a process that reads history and never writes objects.
///
/// - Like git, do not re-hash every object read (libgit2 verifies by default).
/// - No object cache: the walk ([`walk`]) reads each commit exactly once.
/// - Map packs in small windows with a low ceiling, so memory stays flat however large the
///   pack: resident memory would otherwise include every page of it.
pub fn tune_for_reading() {
    git2::opts::strict_hash_verification(false);
    git2::opts::enable_caching(false);
    // SAFETY: process-wide libgit2 options, set once at start-up before any repository is opened
    // or any thread is started.
    unsafe {
        let _ = git2::opts::set_mwindow_size(8 << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(32 << 20);
    }
}

/// The trailers of a commit exactly as `git log --format=%(trailers:only,unfold)` reads them:
/// with the repository's comment character, and the message re-encoded to UTF-8 from the
/// commit's `encoding` header, as git's log output encoding does.
pub fn commit_trailers(repo: &Repository, oid: Oid) -> Result<Block> {
    let commit = repo.find_commit(oid)?;
    let comment_char = repo.config().ok().and_then(|c| c.get_string("core.commentChar").ok());
    let comment = crate::scan::message::log_comment_string(comment_char.as_deref());
    let message = to_utf8(commit.message_raw_bytes(), commit.message_encoding());
    Ok(trailers::parse(trailers::skip_leading_blank_lines(&message), &Options { comment, ..Options::log() }))
}

/// A message in `encoding` (a commit's `encoding` header) as UTF-8. ISO-8859-1 maps each byte
/// to the code point of the same value, as iconv does; UTF-8 and unknown encodings are kept as
/// they are (git, unable to convert, shows the bytes too).
fn to_utf8<'a>(message: &'a [u8], encoding: Option<&str>) -> std::borrow::Cow<'a, [u8]> {
    let latin1 = ["iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1", "cp819", "ibm819"];
    match encoding {
        Some(e) if latin1.iter().any(|l| l.eq_ignore_ascii_case(e.trim())) => {
            std::borrow::Cow::Owned(message.iter().map(|&b| b as char).collect::<String>().into_bytes())
        }
        _ => std::borrow::Cow::Borrowed(message),
    }
}

fn bad_range(spec: &str, e: &git2::Error) -> Error {
    Error::new(format!("bad range `{spec}`: {}", e.message()))
        .with_help("give a range as git rev-list takes it, e.g. `origin/main..HEAD`")
}

fn bad_rev(rev: &str, e: &str) -> Error {
    Error::new(format!("bad revision `{rev}`: {e}")).with_help("give a commit, branch or tag this repository has")
}

/// The id of the entry `name` in a raw tree object (`<mode> <name>\0<20-byte id>`, repeated),
/// or `None`. Entries are sorted, but a directory sorts as if its name ended in `/`, so the scan
/// stops only past every name the entry could be.
pub fn tree_entry(data: &[u8], name: &[u8]) -> Option<git2::Oid> {
    tree_entry_and_mode(data, name).map(|(id, _)| id)
}

/// [`tree_entry`], with the entry's mode as the tree writes it (`40000` for a tree).
pub(crate) fn tree_entry_and_mode<'d>(data: &'d [u8], name: &[u8]) -> Option<(git2::Oid, &'d [u8])> {
    let mut pos = 0;
    while pos < data.len() {
        let space = pos + memchr::memchr(b' ', &data[pos..])?;
        let nul = space + 1 + memchr::memchr(0, &data[space + 1..])?;
        let id = data.get(nul + 1..nul + 21)?;
        let entry = &data[space + 1..nul];
        if entry == name {
            return git2::Oid::from_bytes(id).ok().map(|id| (id, &data[pos..space]));
        }
        // Sorted by name (a directory as if followed by `/`): once an entry sorts after
        // `name/`, nothing later can be `name`.
        if entry > name && (entry.len() <= name.len() || entry[..name.len()] != *name || entry[name.len()] > b'/') {
            return None;
        }
        pos = nul + 21;
    }
    None
}

/// xorshift64 for the generated histories of this module's tests: the same seed, the same cases.
#[cfg(test)]
pub(crate) struct Rng(pub u64);

#[cfg(test)]
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[cfg(test)]
mod made_without_tests {
    /// Whether commits predate a path is read from the tree given with each (as the walk read
    /// it from the header), or from the commit when none is given; unreadable ones are left out.
    #[test]
    fn made_without_reads_the_given_tree_or_the_commits() {
        let dir = tempfile::tempdir().unwrap();
        let git = git2::Repository::init(dir.path()).unwrap();
        let sig = git2::Signature::new("A", "a@example.com", &git2::Time::new(1_700_000_000, 0)).unwrap();
        let tree = |names: &[&str]| {
            let mut b = git.treebuilder(None).unwrap();
            for n in names {
                b.insert(n, git.blob(b"x").unwrap(), 0o100644).unwrap();
            }
            b.write().unwrap()
        };
        let (bare, with) = (tree(&["README.md"]), tree(&["README.md", "promises.toml"]));
        let before = git.commit(None, &sig, &sig, "Before\n", &git.find_tree(bare).unwrap(), &[]).unwrap();
        let after = git.commit(None, &sig, &sig, "After\n", &git.find_tree(with).unwrap(), &[]).unwrap();
        let repo = super::Repo::open(dir.path()).unwrap();
        let missing = git2::Oid::from_bytes(&[7; 20]).unwrap();
        let without = |commits: &[(git2::Oid, Option<git2::Oid>)]| {
            let mut found: Vec<_> = repo.made_without(commits, "promises.toml").into_iter().collect();
            found.sort();
            found
        };
        assert_eq!(without(&[(before, Some(bare)), (after, Some(with))]), [before]);
        assert_eq!(without(&[(before, None), (after, None)]), [before]);
        // The given tree is what is read: the commit's own is not looked at again.
        assert_eq!(without(&[(after, Some(bare))]), [after]);
        assert!(without(&[(before, Some(missing)), (missing, None)]).is_empty());
        // Packed: the trees and commits are read from the packs (kept as delta bases there),
        // and say the same.
        git.reference("refs/heads/before", before, true, "test").unwrap();
        git.reference("refs/heads/after", after, true, "test").unwrap();
        for args in [&["repack", "-adq"][..], &["prune-packed"]] {
            let status = std::process::Command::new("git").args(args).current_dir(dir.path()).status().unwrap();
            assert!(status.success(), "git {args:?}");
        }
        let repo = super::Repo::open(dir.path()).unwrap();
        let mut found: Vec<_> =
            repo.made_without(&[(before, None), (after, None)], "promises.toml").into_iter().collect();
        found.sort();
        assert_eq!(found, [before]);
        let kept = repo.packs.borrow().as_ref().map_or(0, super::pack::Packs::trees_kept);
        assert_eq!(kept, 2, "both trees read from the packs");
    }
}

#[cfg(test)]
mod tree_entry_tests {
    /// `tree_entry` on raw trees agrees with libgit2's look-up, for names that sort around
    /// directories (`a` the directory sorts as `a/`, after `a-b` and `a.b`).
    #[test]
    fn raw_lookup_agrees_with_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let blob = repo.blob(b"x").unwrap();
        let mut sub = repo.treebuilder(None).unwrap();
        sub.insert("inner", blob, 0o100644).unwrap();
        let sub = sub.write().unwrap();
        let names = ["a-b", "a.b", "a0", "promises", "promises.toml", "promises.toml.bak", "promisesx", "z"];
        let dirs = ["a", "promises.tom", "b"];
        let mut root = repo.treebuilder(None).unwrap();
        for (i, n) in names.iter().enumerate() {
            let id = repo.blob(format!("{i}").as_bytes()).unwrap();
            root.insert(n, id, 0o100644).unwrap();
        }
        for d in dirs {
            root.insert(d, sub, 0o040000).unwrap();
        }
        let root = root.write().unwrap();
        let tree = repo.find_tree(root).unwrap();
        let odb = repo.odb().unwrap();
        let raw = odb.read(root).unwrap();
        let probes = [
            "a",
            "a-b",
            "a.b",
            "a0",
            "b",
            "promises",
            "promises.tom",
            "promises.toml",
            "promises.toml.bak",
            "promisesx",
            "z",
            "missing",
            "",
            "a/",
            "zz",
        ];
        for name in probes {
            let expected = tree.get_name(name).map(|e| e.id());
            assert_eq!(super::tree_entry(raw.data(), name.as_bytes()), expected, "{name}");
        }
    }
}
