//! Which commits the inputs select (the branch, a range, pushed refs, a message), and how a
//! commit counts in the tally.

use super::{CommitSelection, Gather};
use crate::error::{Error, Result};
use crate::facts::{CommitFacts, Commits};
use crate::git::{Oid, RangeSpec, Repo};
use crate::registry::{Registry, Status};
use crate::rules::{self, Ctx, Sink};
use crate::source::{Label, Source};
use crate::tally::{Class, Tally};

/// Whether a run keeps the findings about the commits it walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CommitFindings {
    Kept,
    /// Another run judges the commits: this one walks them for its window's drift rules.
    Elsewhere,
}

impl Gather<'_> {
    /// Read and judge the commits the inputs select (none without a repository).
    pub(super) fn commits(&mut self) -> Result<()> {
        let Some(repo) = self.repo else { return Ok(()) };
        self.read.commits = match &self.inputs.commits {
            CommitSelection::None => None,
            CommitSelection::Message { bytes, shown, flags } => {
                let (commits, text) = self.message(repo, bytes, shown, flags)?;
                self.read.message = Some(text);
                Some(commits)
            }
            CommitSelection::Pushed { updates, remote } => Some(self.pushed(repo, updates, remote.as_deref())?),
            selection => Some(self.history(repo, selection)?),
        };
        Ok(())
    }

    /// What a push sends: each updated ref's new commits.
    fn pushed(&mut self, repo: &Repo, updates: &[(String, String)], remote: Option<&str>) -> Result<Commits> {
        let since = resolve_since(repo, self.ctx.registry, self.read.sources.get(self.ctx.registry_source))?;
        let mut tally = Tally::default();
        for (local, remote_sha) in updates {
            let named = remote.unwrap_or("the remote");
            let Some(range) = pushed_range(repo, local, remote_sha, named, since)? else { continue };
            tally.merge(self.walk(repo, &range, None, &[])?.tally);
        }
        let count = tally.commits;
        let describe = remote.map_or_else(|| "being pushed".to_string(), |r| format!("being pushed to {r}"));
        Ok(Commits { describe, count, tally })
    }

    /// A range of history (the branch, a range, a resolved range), and with a window what
    /// changed in it.
    fn history(&mut self, repo: &Repo, selection: &CommitSelection) -> Result<Commits> {
        let registry = self.ctx.registry;
        let since = resolve_since(repo, registry, self.read.sources.get(self.ctx.registry_source))?;
        let range = match selection {
            CommitSelection::Spec(r) => {
                let mut r = r.clone();
                r.tips.extend(since.map(|s| (s, true)));
                r
            }
            CommitSelection::Range(spec) => repo.resolve(Some(spec), since)?,
            _ => repo.resolve(None, since)?,
        };
        let window = self.inputs.window;
        let watched = match window {
            Some(_) => super::window::watched_paths(&self.read.plans, &registry.file_path()),
            None => Vec::new(),
        };
        let mut walked = self.walk(repo, &range, window, &watched)?;
        if window.is_some() && !registry.scopes.path.is_empty() {
            self.scope_tally(repo, &mut walked);
        }
        self.read.walked = window.is_none().then(|| range.clone());
        if let Some(w) = window {
            let tip = range
                .tips
                .iter()
                .find(|(_, excluded)| !excluded)
                .filter(|_| self.inputs.history == super::RegistryHistory::Whole)
                .map(|&(tip, _)| tip);
            let (mut facts, departures) =
                self.window_facts(repo, w, &watched, &walked.recent, walked.trees, tip.is_some());
            // Read from HEAD beside the walk, or here from the range's tip when it is another.
            if let Some(tip) = tip {
                facts.history = match self.read.history().take() {
                    Some(h) if repo.head_commit() == Some(tip) => h,
                    _ => super::history::registry_history(repo, tip, super::history::LIMIT, registry),
                };
                // A history the clone lacks objects of would draw promises as new where they
                // changed: the board is not drawn, as `check` is not judged.
                if let Some(missing) = &facts.history.unreadable {
                    return Err(super::history::unreadable(missing));
                }
            }
            departures.apply(repo, &mut facts);
            facts.delivered = delivered(&self.read.plans.list);
            let mut sink = Sink::new(self.levels);
            rules::judge_window(self.ctx, &facts, &walked.tally, &mut sink);
            self.read.findings.extend(sink.take());
            self.read.window = Some(facts);
        }
        let describe = match &registry.since {
            Some(rev) => format!("{}, after {}", range.describe, rev.get_ref()),
            None => range.describe,
        };
        Ok(Commits { describe, count: walked.tally.commits, tally: walked.tally })
    }
}

/// The promises every plan item traced to is done (at least one item).
fn delivered(items: &[crate::facts::PlanItem]) -> std::collections::HashSet<String> {
    let mut open: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for item in items {
        for id in &item.promises {
            *open.entry(id.as_str()).or_default() |= !item.done;
        }
    }
    open.into_iter().filter(|(_, open)| !open).map(|(id, _)| id.to_string()).collect()
}

/// Whether a commit names a promise that exists but is not in play now: only then does the
/// registry as the commit saw it matter.
pub(super) fn needs_then(registry: &Registry, c: &CommitFacts) -> bool {
    c.exempt.is_none()
        && c.promises.iter().any(|(id, _)| registry.promise(id).is_some_and(|p| p.status != Status::InPlay))
}

/// What a commit counts as in the [`Tally`]. A traced commit counts once for each promise of
/// the registry it names: the tally is read only for the registry's promises, and a message
/// naming 2,000,000 unknown ids held an entry for each, gigabytes (issue 23).
pub(super) fn class<'a>(c: &'a CommitFacts, ctx: &'a Ctx) -> Class<'a> {
    if c.exempt.is_some() {
        Class::Exempt
    } else if !c.promises.is_empty() {
        let mut ids: Vec<&str> =
            c.promises.iter().map(|(id, _)| id.as_str()).filter(|id| ctx.registry.promise(id).is_some()).collect();
        ids.sort_unstable();
        ids.dedup();
        Class::Traced(ids)
    } else if c.exception.as_ref().is_some_and(|(reason, _)| !reason.is_empty()) {
        Class::Exception
    } else if !ctx.traced_by_body.is_empty() {
        Class::Traced(ctx.traced_by_body.iter().map(String::as_str).collect())
    } else {
        Class::Untraced
    }
}

const ZERO: &str = "0000000000000000000000000000000000000000";

/// The commits one pushed ref update brings: `None` for a deletion.
fn pushed_range(
    repo: &Repo,
    local: &str,
    remote_sha: &str,
    remote: &str,
    since: Option<Oid>,
) -> Result<Option<RangeSpec>> {
    if local.chars().all(|c| c == '0') {
        return Ok(None); // a deletion pushes no commits
    }
    // A tag may point at a blob or a tree (`git push origin <tag>`, `--tags`): no commits.
    let bad = |why: String| Error::new(format!("bad pushed object {local}: {why}"));
    let oid = Oid::from_str(local).map_err(|e| bad(e.message().to_string()))?;
    let crate::git::Peeled::Commit(tip) = repo.peel(oid).map_err(bad)? else { return Ok(None) };
    let known_remote = (remote_sha != ZERO && !remote_sha.is_empty())
        .then(|| repo.commit_id(remote_sha).ok())
        .flatten()
        .filter(|o| repo.has_commit(*o));
    Ok(Some(match known_remote {
        // An update: what is new since the remote's tip, less what any remote already has.
        Some(base) => {
            let mut range = repo.resolve(Some(&format!("{base}..{tip}")), since)?;
            range.tips.extend(repo.remote_tracking_tips().into_iter().map(|c| (c, true)));
            range
        }
        // A new branch, or a force push over a tip we do not have: what the remote lacks.
        None => repo.new_to_remote(tip, remote, since)?,
    }))
}

/// The `[commits] since` commit, with an error pointing at the setting when it does not resolve.
fn resolve_since(repo: &Repo, registry: &Registry, source: &Source) -> Result<Option<Oid>> {
    let Some(rev) = &registry.since else { return Ok(None) };
    repo.commit_id(rev.get_ref()).map(Some).map_err(|why| {
        Error::new(format!("`[commits] since = \"{}\"` is not a commit in this repository: {why}", rev.get_ref()))
            .at(source, Label::new(rev.span(), "not found"))
            .with_help(if repo.is_shallow() {
                format!(
                    "this is a shallow clone and the adoption point may be outside it: {}",
                    crate::git::FETCH_HISTORY
                )
            } else {
                "name a commit, tag or branch this repository has (the commit that added promises.toml, say)"
                    .to_string()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::commit;

    /// The tally counts a commit once per promise of the registry it names: not twice for an id
    /// named twice, and not at all for unknown ids (a message of 2,000,000 of them held an
    /// entry for each).
    #[test]
    fn a_commit_counts_once_for_each_declared_promise_it_names() {
        let source = Source::file("promises.toml", "[promises.live]\nstatement = \"s\"\nstatus = \"in-play\"\n");
        let registry = Registry::parse(&source).unwrap();
        let ctx = Ctx::new(&registry, crate::source::SourceId(0), &[]);
        let facts = commit::read(None, 1, b"Work\n\nPromise: live, nope1\nPromise: nope2, live\n", &[], b"#");
        assert_eq!(class(&facts, &ctx), Class::Traced(vec!["live"]));
        let facts = commit::read(None, 1, b"Work\n\nPromise: nope1\n", &[], b"#");
        assert_eq!(class(&facts, &ctx), Class::Traced(vec![]), "traced, by no promise of the registry");
        let mut tally = Tally::default();
        tally.add(&class(&facts, &ctx), 0, "", 1);
        assert!(tally.promises.is_empty());
    }
}
