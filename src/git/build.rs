//! A repository written commit by commit at fixed dates (`plan-lint demo`), so its commit ids are
//! the same on every machine.

use super::Oid;
use crate::error::Result;
use git2::{Repository, Signature, Time};
use std::path::Path;

/// A new repository, its work tree committed whole at each step.
pub struct Builder {
    repo: Repository,
}

impl Builder {
    /// `git init` in `dir`, on branch `main`.
    pub fn init(dir: &Path) -> Result<Builder> {
        let repo = Repository::init(dir)?;
        repo.set_head("refs/heads/main")?;
        Ok(Builder { repo })
    }

    /// Stage everything in the work tree and commit it with these parents, by `author`
    /// (name, email) at `time` (Unix seconds, UTC), as author and committer; no ref moves.
    pub fn commit_all(&self, message: &str, author: (&str, &str), time: i64, parents: &[Oid]) -> Result<Oid> {
        let mut index = self.repo.index()?;
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
        index.write()?;
        let tree = self.repo.find_tree(index.write_tree()?)?;
        let signature = Signature::new(author.0, author.1, &Time::new(time, 0))?;
        let parents: Vec<git2::Commit> =
            parents.iter().map(|p| self.repo.find_commit(*p)).collect::<std::result::Result<_, _>>()?;
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        Ok(self.repo.commit(None, &signature, &signature, message, &tree, &refs)?)
    }

    /// A lightweight tag.
    pub fn tag(&self, name: &str, commit: Oid) -> Result<()> {
        self.repo.tag_lightweight(name, &self.repo.find_object(commit, None)?, false)?;
        Ok(())
    }

    /// Point `refname` at `commit` (forced), with `log` as the reflog message.
    pub fn set_ref(&self, refname: &str, commit: Oid, log: &str) -> Result<()> {
        self.repo.reference(refname, commit, true, log)?;
        Ok(())
    }
}
