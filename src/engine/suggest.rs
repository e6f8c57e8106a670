//! For untraced commits, the promise they most likely serve, from the strongest evidence a run
//! has: the branch when it names a promise, a pull request body naming one, the other commits
//! of the range naming one, and only then the latest traced commits that touched the same
//! files. These are found for all of a run's suggestions in one bounded walk back that reads
//! messages only; the commits' own paths and the traced commits' changes are diffed only when
//! that walk met a traced commit, so a history nobody traced costs a read of each message. A
//! file every kind of work touches (a manifest, a lockfile, one touched for several promises)
//! says nothing, and a commit that looks like upkeep is offered the exception instead of a
//! guess (from its paths too, when they are read).

use super::walk::scan_commit;
use super::{BodyKind, CommitSelection, Gather};
use crate::facts::CommitFacts;
use crate::finding::Finding;
use crate::git::{Oid, RangeSpec, Repo};
use crate::registry::{self, Registry, Status};
use crate::rules::{self, Ctx, Levels, Sink};
use crate::scan::{body, commit};
use crate::tally::Tally;
use std::collections::HashMap;

/// Untraced commits in one run that get a suggestion.
pub(super) const MAX_SUGGESTIONS: usize = 8;
/// How far back, in commits, one run looks for the latest traced commits touching the same
/// paths (one walk for all of its suggestions).
const SUGGESTION_LOOKBACK: usize = 200;
/// Paths of a change looked at for a suggestion.
pub(super) const SUGGESTION_PATHS: usize = 64;

/// Files every kind of work touches: who touched them last says nothing about what a commit
/// serves.
const SHARED_FILES: &[&str] = &[
    registry::FILE_NAME,
    "package.json",
    "Cargo.toml",
    "go.mod",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "Gemfile",
    "composer.json",
    "pom.xml",
    "build.gradle",
    "Makefile",
    "CHANGELOG.md",
    "README.md",
];

/// Lockfiles: a commit that changes only these and configuration is upkeep.
const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "bun.lock",
    "Cargo.lock",
    "go.sum",
    "Gemfile.lock",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "composer.lock",
];

/// Configuration files outside dot-directories and dot-files.
const CONFIG_FILES: &[&str] = &["renovate.json", "dependabot.yml", ".gitlab-ci.yml", "lefthook.yml"];

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn in_play(registry: &Registry, id: &str) -> bool {
    registry.promise(id).is_some_and(|p| p.status == Status::InPlay)
}

impl Gather<'_> {
    /// Untraced commits (`candidates`, at most [`MAX_SUGGESTIONS`]) read again in full and
    /// judged with what says which promise they serve; `tally` is the walked `range`'s.
    pub(super) fn suggestions(
        &self,
        repo: &Repo,
        range: &RangeSpec,
        candidates: &[Oid],
        tally: &Tally,
        comment: &[u8],
    ) -> HashMap<Oid, (CommitFacts, Vec<Finding>)> {
        let (ctx, levels) = (self.ctx, self.levels);
        let siblings = || self.piece_of_work(repo, range).then(|| siblings(ctx.registry, tally)).flatten();
        let run_wide = self.branch(repo).or_else(|| self.pull_request()).or_else(siblings);
        let mut read = Vec::with_capacity(candidates.len());
        let mut open = Vec::new();
        for &oid in candidates {
            let Ok(raw) = repo.raw_commit(oid) else { continue };
            let mut facts = scan_commit(&raw, ctx, comment);
            facts.likely_promise = run_wide.clone();
            if facts.likely_promise.is_none() {
                facts.maintenance = upkeep(&facts.subject, &[]);
                if facts.maintenance.is_none() {
                    open.push(Lookup { index: read.len(), parent: raw.header.first_parent, time: raw.header.time });
                }
            }
            read.push((oid, facts));
        }
        // The paths they touched, only when a traced commit in reach can say something of them.
        let traced = if self.none_in_reach(repo, range, tally) {
            Vec::new()
        } else {
            traced_back(repo, ctx.registry, &open, comment)
        };
        if !traced.is_empty() {
            let mut asked = Vec::new();
            for l in &open {
                let paths = repo.change_of(read[l.index].0, SUGGESTION_PATHS).map(|c| c.paths).unwrap_or_default();
                let facts = &mut read[l.index].1;
                facts.maintenance = upkeep(&facts.subject, &paths);
                if facts.maintenance.is_none() {
                    asked.push((l, telling(paths)));
                }
            }
            for (index, likely) in from_paths(repo, &traced, &asked) {
                read[index].1.likely_promise = Some(likely);
            }
        }
        read.into_iter()
            .map(|(oid, facts)| {
                let found = judge(ctx, levels, &facts);
                (oid, (facts, found))
            })
            .collect()
    }

    /// Whether the commits judged are one piece of work, whose commits speak for each other: a
    /// range with a base (a pull request, a push, a branch against its upstream, `a..b`), not
    /// a window or a whole history (`[commits] since` is no base).
    fn piece_of_work(&self, repo: &Repo, range: &RangeSpec) -> bool {
        self.inputs.window.is_none() && has_base(repo, self.ctx.registry, range)
    }

    /// Whether the walk itself showed that no commit the look-back would read is traced: a
    /// window (or a whole history) with no base, no traced commit, and more commits than the
    /// look-back reads, so the look-back, which starts among its newest, stays inside it.
    fn none_in_reach(&self, repo: &Repo, range: &RangeSpec, tally: &Tally) -> bool {
        let traced = tally.promises.values().any(|w| w.commits > 0);
        !traced && !has_base(repo, self.ctx.registry, range) && tally.commits > SUGGESTION_LOOKBACK + MAX_SUGGESTIONS
    }

    /// The promise the branch names, when the commits judged are the branch's own.
    fn branch(&self, repo: &Repo) -> Option<commit::Likely> {
        if !matches!(self.inputs.commits, CommitSelection::Branch) || self.inputs.window.is_some() {
            return None;
        }
        let id = self.ctx.registry.promise_of_branch(&repo.branch_name()?)?.id.clone();
        Some(commit::Likely { id, why: "the branch names it".to_string() })
    }

    /// The one promise in play the pull request bodies name.
    fn pull_request(&self) -> Option<commit::Likely> {
        let registry = self.ctx.registry;
        let mut named: Option<(String, &str)> = None;
        for b in self.inputs.bodies.iter().filter(|b| b.kind == BodyKind::PullRequest) {
            for r in body::references(&body::normalize(&b.text)) {
                match &named {
                    _ if !in_play(registry, &r.id) => {}
                    None => named = Some((r.id, &b.what)),
                    Some((id, _)) if *id == r.id => {}
                    Some(_) => return None,
                }
            }
        }
        let (id, what) = named?;
        Some(commit::Likely { id, why: format!("{what} names it") })
    }
}

/// Whether a range excludes commits other than those before `[commits] since`.
fn has_base(repo: &Repo, registry: &Registry, range: &RangeSpec) -> bool {
    let since = registry.since.as_ref().and_then(|rev| repo.commit_id(rev.get_ref()).ok());
    range.tips.iter().any(|&(oid, excluded)| excluded && Some(oid) != since)
}

/// Judge a commit's facts.
fn judge(ctx: &Ctx, levels: &Levels, facts: &CommitFacts) -> Vec<Finding> {
    let mut sink = Sink::new(levels);
    rules::judge_commit(ctx, facts, &mut sink);
    sink.take()
}

/// The one promise in play the traced commits of a piece of work name.
fn siblings(registry: &Registry, tally: &Tally) -> Option<commit::Likely> {
    let mut named = tally.promises.iter().filter(|(id, work)| work.commits > 0 && in_play(registry, id));
    let (id, work) = named.next()?;
    if named.next().is_some() {
        return None;
    }
    let why = match work.commits {
        1 => "another commit in this range names it".to_string(),
        n => format!("{} other commits in this range name it", crate::number::count(n)),
    };
    Some(commit::Likely { id: id.clone(), why })
}

/// Why a commit looks like upkeep (completing "it looks like upkeep (…)"): a conventional
/// `chore`, `build`, `ci` or `deps` subject, a dependency bot's subject, or only lockfiles and
/// configuration changed.
pub(super) fn upkeep(subject: &str, paths: &[String]) -> Option<String> {
    let lower = subject.to_ascii_lowercase();
    for kind in ["chore", "build", "ci", "deps"] {
        let Some(rest) = lower.strip_prefix(kind) else { continue };
        let rest = match rest.strip_prefix('(') {
            Some(scoped) => scoped.split_once(')').map_or("", |(_, after)| after),
            None => rest,
        };
        let rest = rest.strip_prefix('!').unwrap_or(rest);
        if rest.starts_with(':') {
            let prefix = &subject[..subject.len() - rest.len() + 1];
            let prefix = if prefix.len() <= 40 { prefix } else { kind };
            return Some(format!("its subject starts with `{prefix}`"));
        }
    }
    if (lower.starts_with("bump ") && lower.contains(" from ") && lower.contains(" to "))
        || lower.starts_with("update dependency ")
        || lower.starts_with("update dependencies")
    {
        return Some("its subject is a dependency update".to_string());
    }
    let config = |p: &str| p.split('/').any(|part| part.starts_with('.')) || CONFIG_FILES.contains(&file_name(p));
    let lock = |p: &str| LOCKFILES.contains(&file_name(p));
    if !paths.is_empty() && paths.iter().all(|p| lock(p) || config(p)) {
        return Some("it changes only lockfiles and configuration".to_string());
    }
    None
}

/// The paths that can say which promise a commit serves: not lockfiles, manifests and the
/// other files every kind of work touches.
fn telling(mut paths: Vec<String>) -> Vec<String> {
    paths.retain(|p| {
        let name = file_name(p);
        !SHARED_FILES.contains(&name) && !LOCKFILES.contains(&name)
    });
    paths
}

/// An untraced commit whose paths may be looked up: its place in the caller's list, its first
/// parent and committer date.
struct Lookup {
    index: usize,
    parent: Option<Oid>,
    time: i64,
}

/// A traced commit in reach: the promises in play it names, its id and committer date.
type Traced = (Vec<String>, Oid, i64);

/// The traced commits naming a promise in play, newest first, in one walk back at most
/// [`SUGGESTION_LOOKBACK`] commits from the lookups' parents (messages only: nothing is diffed).
fn traced_back(repo: &Repo, registry: &Registry, lookups: &[Lookup], comment: &[u8]) -> Vec<Traced> {
    if lookups.is_empty() || registry.in_play().next().is_none() {
        return Vec::new();
    }
    let mut from: Vec<Oid> = lookups.iter().filter_map(|l| l.parent).collect();
    from.sort();
    from.dedup();
    repo.recognised_back(&from, SUGGESTION_LOOKBACK, |parents, message| {
        // Most messages of a history nobody traced are passed over without being parsed.
        if !names_promise(message) {
            return None;
        }
        let facts = commit::read(None, parents, message, &[], comment);
        let mut ids: Vec<String> =
            facts.promises.into_iter().map(|(id, _)| id).filter(|id| in_play(registry, id)).collect();
        ids.dedup();
        (!ids.is_empty()).then_some(ids)
    })
}

/// Whether a message can hold a `Promise` trailer (the key is matched without regard to case).
fn names_promise(message: &[u8]) -> bool {
    memchr::memchr2_iter(b'p', b'P', message)
        .any(|i| message.get(i + 1..i + 7).is_some_and(|rest| rest.eq_ignore_ascii_case(b"romise")))
}

/// Traced commits diffed for one run's suggestions, at most (newest first).
const SUGGESTION_DIFFS: usize = 64;

/// For each lookup that gets one: the promise in play named by the latest of `traced` (no newer
/// than it) that touched one of its paths. A path that `traced` touched for two promises or
/// more says nothing.
fn from_paths(repo: &Repo, traced: &[Traced], asked: &[(&Lookup, Vec<String>)]) -> Vec<(usize, commit::Likely)> {
    let mut paths: Vec<String> = asked.iter().flat_map(|(_, p)| p.iter().cloned()).collect();
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        return Vec::new();
    }
    let newest = asked.iter().map(|(l, _)| l.time).max().unwrap_or(i64::MAX);
    let touched: Vec<(&Traced, Vec<String>)> = traced
        .iter()
        .filter(|(_, _, time)| *time <= newest)
        .take(SUGGESTION_DIFFS)
        .filter_map(|t| {
            let changed = repo.changes_in(t.1, &paths)?;
            (!changed.is_empty()).then(|| (t, changed.into_iter().map(|(path, _, _)| path).collect()))
        })
        .collect();
    asked.iter().filter_map(|(l, paths)| Some((l.index, likely_for(l.time, paths, &touched)?))).collect()
}

/// The promise of the newest of `touched` (newest first) no newer than `time` that touched one
/// of `paths` whose traced commits all name that one promise.
fn likely_for(time: i64, paths: &[String], touched: &[(&Traced, Vec<String>)]) -> Option<commit::Likely> {
    let before: Vec<&(&Traced, Vec<String>)> = touched.iter().filter(|(t, _)| t.2 <= time).collect();
    // The one promise the traced commits touching `path` name, if they name one.
    let one = |path: &String| {
        let mut ids = before.iter().filter(|(_, p)| p.contains(path)).flat_map(|(t, _)| t.0.iter());
        let first = ids.next()?;
        ids.all(|id| id == first).then_some(first)
    };
    for (t, touched_paths) in &before {
        for path in touched_paths.iter().filter(|p| paths.contains(p)) {
            if let Some(id) = one(path) {
                let short = &t.1.to_string()[..7];
                let why = format!("the latest commit touching {path}, {short}, names it");
                return Some(commit::Likely { id: id.clone(), why });
            }
        }
    }
    None
}

/// For the commit being made (the commit-msg hook): the promise the latest traced commit from
/// `head` back that touched one of the staged `paths` names, as [`from_paths`] finds it.
pub(super) fn promise_from_paths(
    repo: &Repo,
    registry: &Registry,
    head: Option<Oid>,
    paths: &[String],
    comment: &[u8],
) -> Option<commit::Likely> {
    let lookup = Lookup { index: 0, parent: head, time: i64::MAX };
    let traced = traced_back(repo, registry, std::slice::from_ref(&lookup), comment);
    if traced.is_empty() {
        return None;
    }
    from_paths(repo, &traced, &[(&lookup, telling(paths.to_vec()))]).pop().map(|(_, likely)| likely)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upkeep_is_told_by_the_subject_or_by_lockfiles_and_configuration_alone() {
        let none: &[String] = &[];
        let paths = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(upkeep("chore: bump eslint", none).unwrap(), "its subject starts with `chore:`");
        assert_eq!(upkeep("Build(deps)!: drop node 16", none).unwrap(), "its subject starts with `Build(deps)!:`");
        assert_eq!(upkeep("ci: cache npm", none).unwrap(), "its subject starts with `ci:`");
        assert!(upkeep("Bump lodash from 4.17.20 to 4.17.21", none).is_some());
        assert!(upkeep("Update yarn.lock", &paths(&["yarn.lock", ".github/workflows/ci.yml"])).is_some());
        assert!(upkeep("Add search", &paths(&["src/search.ts", "yarn.lock"])).is_none());
        assert!(upkeep("chores are fun", none).is_none());
        assert!(upkeep("Add search", none).is_none());
        assert!(upkeep("cibuild: x", none).is_none());
    }

    #[test]
    fn only_a_message_naming_a_promise_is_parsed() {
        assert!(names_promise(b"Work\n\nPromise: a\n"));
        assert!(names_promise(b"Work\n\nPROMISE: a\n"));
        assert!(!names_promise(b"Work on the prom\n"));
        assert!(!names_promise(b"p"));
    }

    #[test]
    fn manifests_and_lockfiles_never_tell() {
        let kept = telling(vec!["package.json".into(), "web/yarn.lock".into(), "src/a.ts".into()]);
        assert_eq!(kept, ["src/a.ts"]);
    }
}
