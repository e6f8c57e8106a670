//! Everything that touches git: finding the repository, turning ranges into commits, reading
//! messages and ignore rules. Through libgit2 (git2), in-process: no `git` subprocess on the hot
//! path, so a hook costs one process start, not several.

use crate::error::{Error, Result};
use crate::scan::trailers::{self, Block, Options};
use git2::{Oid, Repository, Sort};
use std::path::{Path, PathBuf};

pub struct Repo {
    pub repo: Repository,
}

/// The commits to check, newest first, and how to describe them to the user.
#[derive(Debug)]
pub struct CommitRange {
    pub oids: Vec<Oid>,
    pub describe: String,
}

/// One commit as the rules need it.
pub struct Commit {
    pub sha: String,
    pub parents: usize,
    /// The raw message, as stored.
    pub message: Vec<u8>,
}

impl Repo {
    /// The repository containing `dir`, if any.
    pub fn discover(dir: &Path) -> Option<Repo> {
        Repository::discover(dir).ok().map(|repo| Repo { repo })
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
    /// reachable from `since`.
    pub fn range(&self, spec: Option<&str>, since: Option<Oid>) -> Result<CommitRange> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TIME)?;
        let describe;
        match spec {
            Some(spec) if spec.contains("..") => {
                let rs = self.repo.revparse(spec).map_err(|e| bad_range(spec, &e))?;
                let (from, to) = match (rs.from(), rs.to()) {
                    (Some(f), Some(t)) => (f.peel_to_commit()?.id(), t.peel_to_commit()?.id()),
                    _ => return Err(Error::new(format!("`{spec}` is not a range of commits"))),
                };
                walk.push(to)?;
                if rs.mode().contains(git2::RevparseMode::MERGE_BASE) {
                    walk.push(from)?;
                    if let Ok(base) = self.repo.merge_base(from, to) {
                        walk.hide(base)?;
                    }
                } else {
                    walk.hide(from)?;
                }
                describe = spec.to_string();
            }
            Some(spec) => {
                let mut any = false;
                for word in spec.split_whitespace() {
                    if let Some(rev) = word.strip_prefix('^') {
                        walk.hide(self.commit_id(rev).map_err(|e| bad_rev(rev, &e))?)?;
                    } else {
                        walk.push(self.commit_id(word).map_err(|e| bad_rev(word, &e))?)?;
                        any = true;
                    }
                }
                if !any {
                    return Err(Error::new(format!("`{spec}` names no commit to start from")));
                }
                describe = spec.to_string();
            }
            None => {
                let head = match self.repo.head() {
                    Ok(h) => h,
                    // An unborn branch: nothing has been committed yet, so nothing to check.
                    Err(e) if e.code() == git2::ErrorCode::UnbornBranch || e.code() == git2::ErrorCode::NotFound => {
                        return Ok(CommitRange { oids: Vec::new(), describe: "no commits yet".into() })
                    }
                    Err(e) => return Err(e.into()),
                };
                walk.push(head.peel_to_commit()?.id())?;
                let bases = self.default_bases(&head);
                for (oid, _) in &bases {
                    walk.hide(*oid)?;
                }
                let names: Vec<&str> = bases.iter().map(|(_, n)| n.as_str()).collect();
                describe = if names.is_empty() { "HEAD".to_string() } else { format!("{}..HEAD", names.join(",")) };
            }
        }
        if let Some(since) = since {
            // The adoption point and everything before it are never checked.
            walk.hide(since)?;
        }
        let mut oids = Vec::new();
        for oid in walk {
            oids.push(oid.map_err(|e| walk_error(&e))?);
        }
        Ok(CommitRange { oids, describe })
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

    /// A configuration value as a string (repository, global and system configuration).
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.repo.config().ok()?.get_string(key).ok()
    }

    /// The directory git runs hooks from: `core.hooksPath` (relative to the work tree root), else
    /// `hooks/` in the common git directory (shared by linked worktrees).
    pub fn hooks_dir(&self) -> PathBuf {
        match self.repo.config().ok().and_then(|c| c.get_path("core.hooksPath").ok()) {
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

    /// The blob id of `path` in HEAD's tree, if any.
    pub fn head_blob(&self, path: &str) -> Option<Oid> {
        let tree = self.repo.head().ok()?.peel_to_tree().ok()?;
        tree.get_path(Path::new(path)).ok().map(|e| e.id())
    }

    /// Commits reachable from `tip` that no ref under `refs/remotes/<remote>/` reaches: what a
    /// push of a new branch (or over an unknown remote tip) brings to the remote.
    pub fn new_to_remote(&self, tip: Oid, remote: &str, since: Option<Oid>) -> Result<Vec<Oid>> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TIME)?;
        walk.push(tip)?;
        let glob = format!("refs/remotes/{remote}/*");
        if self.repo.references_glob(&glob).map(|mut r| r.next().is_some()).unwrap_or(false) {
            walk.hide_glob(&glob)?;
        }
        if let Some(s) = since {
            walk.hide(s)?;
        }
        walk.map(|o| o.map_err(|e| walk_error(&e))).collect()
    }

    pub fn has_commit(&self, oid: Oid) -> bool {
        self.repo.find_commit(oid).is_ok()
    }

    pub fn commit(&self, oid: Oid) -> Result<Commit> {
        let c = self.repo.find_commit(oid).map_err(|e| walk_error(&e))?;
        Ok(Commit { sha: oid.to_string(), parents: c.parent_count(), message: c.message_raw_bytes().to_vec() })
    }
}

/// The trailers of a commit exactly as `git log --format=%(trailers:only,unfold)` reads them.
pub fn commit_trailers(repo: &Repository, oid: Oid) -> Result<Block> {
    let commit = repo.find_commit(oid)?;
    Ok(trailers::parse(trailers::skip_leading_blank_lines(commit.message_raw_bytes()), &Options::log()))
}

fn bad_range(spec: &str, e: &git2::Error) -> Error {
    Error::new(format!("bad range `{spec}`: {}", e.message()))
        .with_help("give a range as git rev-list takes it, e.g. `origin/main..HEAD`")
}

fn bad_rev(rev: &str, e: &str) -> Error {
    Error::new(format!("bad revision `{rev}`: {e}")).with_help("give a commit, branch or tag this repository has")
}

fn walk_error(e: &git2::Error) -> Error {
    let mut err = Error::new(format!("could not read history: {}", e.message()));
    if e.code() == git2::ErrorCode::NotFound {
        err = err.with_help(
            "a commit in the range is missing: in a shallow clone, fetch the full history \
             (`git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout)",
        );
    }
    err
}
