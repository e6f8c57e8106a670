//! For an untraced commit, the promise the paths it touched suggest: whoever last worked on
//! these files said which promise it served.

use super::walk::scan_commit;
use crate::facts::CommitFacts;
use crate::finding::Finding;
use crate::git::{Oid, Repo};
use crate::registry::{self, Registry, Status};
use crate::rules::{self, Ctx, Levels, Sink};
use crate::scan::commit;

/// An untraced commit read again in full and judged with what the paths it touched suggest and
/// whether it predates promises.toml; `None` when it cannot be read.
pub(super) fn suggest(
    repo: &Repo,
    oid: Oid,
    ctx: &Ctx,
    levels: &Levels,
    comment: &[u8],
) -> Option<(CommitFacts, Vec<Finding>)> {
    let raw = repo.raw_commit(oid).ok()?;
    let mut facts = scan_commit(&raw, ctx, comment);
    let change = repo.change_of(oid, SUGGESTION_PATHS)?;
    facts.before_adoption = repo.commit_tree(oid).is_some_and(|t| t.entry(registry::FILE_NAME).is_none());
    facts.likely_promise = promise_from_paths(repo, ctx.registry, change.parent, &change.paths, comment);
    let mut sink = Sink::new(levels);
    rules::judge_commit(ctx, &facts, &mut sink);
    let found = sink.take();
    Some((facts, found))
}

/// Untraced commits in one run that get a suggestion from the paths they touch.
pub(super) const MAX_SUGGESTIONS: usize = 8;
/// How far back the latest commit touching the same paths is looked for.
const SUGGESTION_LOOKBACK: usize = 100;
/// Paths of a change looked at for a suggestion.
pub(super) const SUGGESTION_PATHS: usize = 64;

/// The promise in play named by the latest traced commit, from `from` back at most
/// [`SUGGESTION_LOOKBACK`] commits, that touched one of `paths`: whoever last worked on these
/// files said which promise it served.
pub(super) fn promise_from_paths(
    repo: &Repo,
    registry: &Registry,
    from: Option<Oid>,
    paths: &[String],
    comment: &[u8],
) -> Option<commit::Likely> {
    let from = from?;
    if paths.is_empty() || registry.in_play().next().is_none() {
        return None;
    }
    let traced = |parents: usize, message: &[u8]| {
        let facts = commit::read(None, parents, message, &[], comment);
        let in_play = |id: &&String| registry.promise(id).is_some_and(|p| p.status == Status::InPlay);
        facts.promises.iter().map(|(id, _)| id).find(in_play).cloned()
    };
    let (id, oid, path) = repo.latest_touching(from, paths, SUGGESTION_LOOKBACK, traced)?;
    let short = &oid.to_string()[..7];
    Some(commit::Likely { id, why: format!("the latest commit touching {path}, {short}, names it") })
}
