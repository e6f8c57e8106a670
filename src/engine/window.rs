//! What changed in a time window: when each promise's plan documents last changed, which
//! changed in the last `idle-days`, and when promises left play.

use super::Gather;
use crate::facts::{ClosedItem, Plans, Window, WindowFacts};
use crate::files;
use crate::git::{Oid, Repo, WATCHED_LOOKUP};
use crate::registry::Status;
use crate::scan::markdown;
use std::collections::{HashMap, HashSet};

/// A commit of the window, as its header gave it: what the window facts need.
#[derive(Clone, Debug)]
pub(super) struct Recent {
    pub oid: Oid,
    pub time: i64,
    pub tree: Option<Oid>,
    pub parent: Option<Oid>,
    /// On the first-parent line from a tip of the window (as far as the walk could tell).
    pub mainline: bool,
}

/// The paths whose changes the window facts read: every plan document with items, and the
/// registry judging (`promises.toml`, or a member's `teams/search/promises.toml`), sorted: the
/// order [`Repo::watched`] gives entries in.
pub(super) fn watched_paths(plans: &Plans, registry_file: &str) -> Vec<String> {
    let mut watched: Vec<String> = plans.list.iter().map(|i| i.path.clone()).collect();
    watched.push(registry_file.to_string());
    watched.sort_unstable();
    watched.dedup();
    watched
}

impl Gather<'_> {
    /// Which promises' plan documents changed in the last `idle-days` of the window, and when
    /// promises left play: each recent commit's changes against its first parent, matched to
    /// the documents' items.
    pub(super) fn window_facts(
        &self,
        repo: &Repo,
        window: Window,
        watched: &[String],
        recent: &[Recent],
        looked_up: HashMap<Oid, Vec<Oid>>,
        history_follows: bool,
    ) -> (WindowFacts, Departures) {
        let idle_since = window.until - i64::from(self.ctx.registry.idle_days) * crate::when::DAY;
        let mut facts = WindowFacts { window, covers_idle: window.since <= idle_since, ..WindowFacts::default() };
        let registry_file = self.ctx.registry.file_path();
        let mut activity = Activity {
            repo,
            registry_file: &registry_file,
            by_path: HashMap::new(),
            idle_since,
            facts: &mut facts,
            read: Vec::new(),
            at_start: HashMap::new(),
            versions: HashMap::new(),
            later: history_follows.then(Vec::new),
        };
        for item in &self.read.plans.list {
            activity.by_path.entry(item.path.as_str()).or_default().extend(item.promises.iter().map(String::as_str));
        }
        // Only the registry and the plan documents matter: with few, their entries in each tree
        // (looked up while the walk ran; a parent outside the window here); with many, a diff
        // limited to them.
        let tree_of: HashMap<Oid, Option<Oid>> = recent.iter().map(|r| (r.oid, r.tree)).collect();
        let mut entries = looked_up;
        let lookup = repo.watched(watched);
        let mut entries_of = |tree_id: Option<Oid>| -> Vec<Oid> {
            let Some(id) = tree_id else { return vec![Oid::zero(); watched.len()] };
            entries.entry(id).or_insert_with(|| lookup.entries(Some(id))).clone()
        };
        let mainline = mainline(recent, &tree_of);
        for r in recent.iter().filter(|r| mainline.contains(&r.oid)) {
            // (path, blob before, blob after) for each watched path this commit changed.
            let changed: Vec<(String, Oid, Oid)> = if watched.len() <= WATCHED_LOOKUP {
                let after = entries_of(r.tree);
                let parent_tree = r.parent.map(|p| match tree_of.get(&p) {
                    Some(tree) => *tree,
                    None => repo.tree_of(p),
                });
                let before = entries_of(parent_tree.flatten());
                watched
                    .iter()
                    .zip(before.into_iter().zip(after))
                    .map(|(p, (before, after))| (p.to_string(), before, after))
                    .filter(|(_, before, after)| before != after && !after.is_zero())
                    .collect()
            } else {
                let Some(changes) = repo.changes_in(r.oid, watched) else { continue };
                changes
            };
            activity.record(r.oid, r.time, changed);
        }
        let at_start = std::mem::take(&mut activity.at_start);
        let versions = std::mem::take(&mut activity.versions);
        let later = Departures(activity.later.take().unwrap_or_default());
        facts.closed = self.closed_items(repo, at_start, versions);
        (facts, later)
    }

    /// The plan items open in a document's version at the window's start and done now, each
    /// with the time of the change that last checked its box (the document's versions in the
    /// window, read only for documents with items closed).
    fn closed_items(
        &self,
        repo: &Repo,
        at_start: HashMap<String, (i64, Oid)>,
        mut versions: HashMap<String, Vec<(i64, Oid)>>,
    ) -> Vec<ClosedItem> {
        let mut closed = Vec::new();
        let mut paths: Vec<(String, Oid)> = at_start.into_iter().map(|(path, (_, blob))| (path, blob)).collect();
        paths.sort();
        for (path, blob) in paths {
            let done: Vec<&crate::facts::PlanItem> =
                self.read.plans.list.iter().filter(|i| i.path == path && i.done && i.exception.is_none()).collect();
            if done.is_empty() || blob.is_zero() {
                continue;
            }
            let Ok(Some(bytes)) = repo.blob(blob, files::MAX_PLAN_BYTES) else { continue };
            let text = markdown::normalize_line_ends(String::from_utf8_lossy(&bytes).into_owned());
            let open: HashSet<String> =
                markdown::scan(&text).items.into_iter().filter(|i| !i.done).map(|i| i.text).collect();
            let done: Vec<&crate::facts::PlanItem> = done.into_iter().filter(|i| open.contains(&i.text)).collect();
            let closed_at = close_times(repo, versions.remove(&path).unwrap_or_default(), open);
            closed.extend(done.into_iter().map(|i| ClosedItem {
                path: i.path.clone(),
                text: i.text.clone(),
                promises: i.promises.clone(),
                time: closed_at.get(&i.text).copied(),
            }));
        }
        closed
    }
}

/// When each item open at the window's start was last checked: the document's versions in the
/// window (time, blob) read in time order, an item's time the version's where its box went from
/// open to done.
fn close_times(repo: &Repo, mut versions: Vec<(i64, Oid)>, open_at_start: HashSet<String>) -> HashMap<String, i64> {
    versions.sort_unstable_by_key(|v| v.0);
    let mut open = open_at_start;
    let mut closed_at = HashMap::new();
    for (time, blob) in versions {
        let Ok(Some(bytes)) = repo.blob(blob, files::MAX_PLAN_BYTES) else { continue };
        let text = markdown::normalize_line_ends(String::from_utf8_lossy(&bytes).into_owned());
        let items = markdown::scan(&text).items;
        let done: HashSet<&str> = items.iter().filter(|i| i.done).map(|i| i.text.as_str()).collect();
        for t in open.iter().filter(|t| done.contains(t.as_str())) {
            closed_at.insert(t.clone(), time);
        }
        open = items.iter().filter(|i| !i.done).map(|i| i.text.clone()).collect();
    }
    closed_at
}

/// Only the mainline: the first-parent line from each tip of the window. A merge's change
/// against its first parent is what its side branch brought; the facts are latest times, and
/// the merge is newer than the commits it brings, so reading the side branches would change
/// nothing but an edit a side branch made and undid before it was merged. The walk marked the
/// mainline as it went; with skewed dates a first parent can come before its child, so the line
/// is followed again here.
fn mainline(recent: &[Recent], tree_of: &HashMap<Oid, Option<Oid>>) -> HashSet<Oid> {
    let mut mainline: HashSet<Oid> = recent.iter().filter(|r| r.mainline).map(|r| r.oid).collect();
    let first_parent: HashMap<Oid, Oid> = recent.iter().filter_map(|r| Some((r.oid, r.parent?))).collect();
    let mut follow: Vec<Oid> = mainline.iter().copied().collect();
    while let Some(oid) = follow.pop() {
        if let Some(&p) = first_parent.get(&oid) {
            if tree_of.contains_key(&p) && mainline.insert(p) {
                follow.push(p);
            }
        }
    }
    mainline
}

/// The window facts as the mainline's changes fill them in.
struct Activity<'a> {
    repo: &'a Repo,
    /// The registry judging, as a path from the root.
    registry_file: &'a str,
    /// Each plan document's promises.
    by_path: HashMap<&'a str, HashSet<&'a str>>,
    idle_since: i64,
    facts: &'a mut WindowFacts,
    /// The registry versions the last change compared, by blob: a mainline commit's version
    /// before is the next older commit's version after, so each version is parsed once.
    read: Vec<(Oid, Statuses)>,
    /// Each plan document's version when the window began: the blob before its oldest change
    /// in the window, with that change's time.
    at_start: HashMap<String, (i64, Oid)>,
    /// Each plan document's versions the window's changes made: (time, blob after).
    versions: HashMap<String, Vec<(i64, Oid)>>,
    /// With the registry's history to follow (the board's): the registry's changes, told from
    /// it afterwards ([`Departures::apply`]) rather than parsed here.
    later: Option<Vec<RegistryChangeAt>>,
}

/// A mainline commit of the window that changed the registry: (commit, time, blob before,
/// blob after).
type RegistryChangeAt = (Oid, i64, Oid, Oid);

/// The window's registry changes whose departures from play are told once the registry's
/// history is read: each from the history's revision at its commit, which compared the same
/// two registries (parsed already, on the history's own thread), else parsed here.
#[derive(Default)]
pub(super) struct Departures(Vec<RegistryChangeAt>);

impl Departures {
    /// Fill in `facts.left_play` from `facts.history`.
    pub(super) fn apply(self, repo: &Repo, facts: &mut WindowFacts) {
        let revisions: HashMap<&str, &crate::facts::RegistryRevision> =
            facts.history.revisions.iter().map(|r| (r.commit.as_str(), r)).collect();
        let mut left = Vec::new();
        for (commit, time, before, after) in self.0 {
            match revisions.get(commit.to_string().as_str()) {
                Some(r) => left.extend(r.changes.iter().filter_map(|c| match c {
                    crate::facts::RegistryChange::Status { promise, from: Status::InPlay, to }
                        if *to != Status::InPlay =>
                    {
                        Some((promise.clone(), time))
                    }
                    _ => None,
                })),
                None => left.extend(departed(&statuses(repo, before), &statuses(repo, after), time)),
            }
        }
        for (id, time) in left {
            let at = facts.left_play.entry(id).or_insert(time);
            *at = (*at).max(time);
        }
    }
}

/// Each promise's status in the registry version `blob` (none when it does not read).
fn statuses(repo: &Repo, blob: Oid) -> Statuses {
    files::registry_in_blob(repo, blob)
        .map(|r| r.promises.into_iter().map(|p| (p.id, p.status)).collect())
        .unwrap_or_default()
}

/// The promises in play `before` and in `after` in another status, with the change's time.
fn departed(before: &Statuses, after: &Statuses, time: i64) -> Vec<(String, i64)> {
    after
        .iter()
        .filter(|(id, status)| before.get(*id) == Some(&Status::InPlay) && **status != Status::InPlay)
        .map(|(id, _)| (id.clone(), time))
        .collect()
}

/// Each promise's status in one version of the registry.
type Statuses = HashMap<String, Status>;

impl Activity<'_> {
    /// The statuses in the registry version `blob`: kept from the last change, else parsed.
    fn statuses(&mut self, blob: Oid) -> Statuses {
        if let Some(at) = self.read.iter().position(|(id, _)| *id == blob) {
            return self.read.swap_remove(at).1;
        }
        statuses(self.repo, blob)
    }

    /// `commit`, at `time`, changed these watched paths (path, blob before, blob after).
    fn record(&mut self, commit: Oid, time: i64, changed: Vec<(String, Oid, Oid)>) {
        for (path, before_blob, after_blob) in changed {
            let path = path.as_str();
            if let (true, Some(later)) = (path == self.registry_file, self.later.as_mut()) {
                later.push((commit, time, before_blob, after_blob));
            } else if path == self.registry_file {
                let after = self.statuses(after_blob);
                let before = self.statuses(before_blob);
                for (id, time) in departed(&before, &after, time) {
                    let left = self.facts.left_play.entry(id).or_insert(time);
                    *left = (*left).max(time);
                }
                self.read = vec![(before_blob, before), (after_blob, after)];
            }
            if path != self.registry_file {
                self.versions.entry(path.to_string()).or_default().push((time, after_blob));
                let start = self.at_start.entry(path.to_string()).or_insert((time, before_blob));
                if time < start.0 {
                    *start = (time, before_blob);
                }
            }
            for id in self.by_path.get(path).into_iter().flatten() {
                let last = self.facts.last_activity.entry(id.to_string()).or_insert(time);
                *last = (*last).max(time);
                if time >= self.idle_since {
                    self.facts.plan_activity.insert(id.to_string());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;
    use std::process::Command;

    /// A registry version written to the object store: its blob id.
    fn blob(dir: &std::path::Path, statuses: &[(&str, &str)]) -> Oid {
        let text: String = statuses
            .iter()
            .map(|(id, status)| {
                format!("[promises.{id}]\nstatement = \"A shopper can do {id}.\"\nstatus = \"{status}\"\n\n")
            })
            .collect();
        std::fs::write(dir.join("version.toml"), text).unwrap();
        let out = Command::new("git").args(["hash-object", "-w", "version.toml"]).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        Oid::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap()
    }

    /// Consecutive registry changes, newest first as the walk gives them: each version is read
    /// once (the older change's version after is the newer one's before) and every promise that
    /// left play is dated by its latest departure.
    #[test]
    fn each_registry_version_is_parsed_once_and_departures_are_dated() {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("git").args(["init", "-q"]).current_dir(dir.path()).output().unwrap();
        assert!(out.status.success());
        let v0 = blob(dir.path(), &[("x", "in-play"), ("y", "in-play"), ("z", "in-play")]);
        let v1 = blob(dir.path(), &[("x", "done"), ("y", "in-play"), ("z", "in-play")]);
        let v2 = blob(dir.path(), &[("x", "in-play"), ("y", "done"), ("z", "done")]);
        let v3 = blob(dir.path(), &[("x", "done"), ("y", "done"), ("z", "in-play")]);
        let repo = Repo::open(&dir.path().join(".git")).unwrap();
        let mut facts = WindowFacts::default();
        let mut activity = Activity {
            repo: &repo,
            registry_file: registry::FILE_NAME,
            by_path: HashMap::new(),
            idle_since: 0,
            facts: &mut facts,
            read: Vec::new(),
            at_start: HashMap::new(),
            versions: HashMap::new(),
            later: None,
        };
        let registry = || registry::FILE_NAME.to_string();
        let mut parsed = 0;
        for (time, before, after) in [(30, v2, v3), (20, v1, v2), (10, v0, v1)] {
            parsed += [before, after].iter().filter(|b| !activity.read.iter().any(|(id, _)| id == *b)).count();
            activity.record(Oid::zero(), time, vec![(registry(), before, after)]);
        }
        assert_eq!(parsed, 4, "four versions, each parsed once");
        let left: Vec<(&str, i64)> = {
            let mut l: Vec<_> = facts.left_play.iter().map(|(id, t)| (id.as_str(), *t)).collect();
            l.sort();
            l
        };
        assert_eq!(left, [("x", 30), ("y", 20), ("z", 20)]);
    }

    /// The board tells departures from the registry's history (its revisions compared the same
    /// registries), and parses a change's registries only when the history has no revision at
    /// its commit.
    #[test]
    fn departures_are_told_by_the_history_else_parsed() {
        use crate::facts::{RegistryChange, RegistryHistory, RegistryRevision};
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("git").args(["init", "-q"]).current_dir(dir.path()).output().unwrap();
        assert!(out.status.success());
        let v0 = blob(dir.path(), &[("x", "in-play"), ("y", "in-play"), ("z", "in-play")]);
        let v1 = blob(dir.path(), &[("x", "done"), ("y", "in-play"), ("z", "in-play")]);
        let v2 = blob(dir.path(), &[("x", "in-play"), ("y", "done"), ("z", "done")]);
        let v3 = blob(dir.path(), &[("x", "done"), ("y", "done"), ("z", "in-play")]);
        let repo = Repo::open(&dir.path().join(".git")).unwrap();
        let commit = |n: u8| Oid::from_bytes(&[n; 20]).unwrap();
        let changes = [(commit(3), 30, v2, v3), (commit(2), 20, v1, v2), (commit(1), 10, v0, v1)];
        let left = |history: RegistryHistory| {
            let mut facts = WindowFacts { history, ..WindowFacts::default() };
            Departures(changes.to_vec()).apply(&repo, &mut facts);
            let mut l: Vec<(String, i64)> = facts.left_play.into_iter().collect();
            l.sort();
            l
        };
        let s = |x: &str| x.to_string();
        let parsed = vec![(s("x"), 30), (s("y"), 20), (s("z"), 20)];
        assert_eq!(left(RegistryHistory::default()), parsed, "no history: every change parsed");
        // A history whose revision at commit 3 says `w` left play (the registries say nothing of
        // `w`): it is believed there, and commits 1 and 2, which it lacks, are parsed.
        let revision = RegistryRevision {
            commit: commit(3).to_string(),
            time: 30,
            in_play: Vec::new(),
            limit: 3,
            changes: vec![RegistryChange::Status { promise: s("w"), from: Status::InPlay, to: Status::Done }],
        };
        let history = RegistryHistory { revisions: vec![revision], ..RegistryHistory::default() };
        assert_eq!(left(history), [(s("w"), 30), (s("x"), 10), (s("y"), 20), (s("z"), 20)]);
    }
}
