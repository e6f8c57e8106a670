//! Commits in a repository with scoped registries: a commit belongs to the scopes of the paths
//! it changes. A short id two scopes define resolves to the one the commit's scopes define when
//! exactly one of them does; an untraced commit is untraced in every scope it touches; work on a
//! promise belongs to that promise's scope (and shows in the scopes the commit touches too).

use super::commits::class;
use super::walk::{count_commit, scan_commit, Count, Walked};
use super::Gather;
use crate::code::Code;
use crate::error::{Error, Result};
use crate::facts::CommitFacts;
use crate::files::{Files, SharedListing};
use crate::finding::Finding;
use crate::git::{Oid, Repo};
use crate::registry::{self, Registry, Scopes};
use crate::rules::{self, Sink};
use crate::tally::Tally;
use std::collections::HashMap;
use std::sync::Arc;

/// The scopes each commit changes, as last told: `check --all` judges every commit once per
/// scope, and a commit's scopes are the same in each run. Bounded: cleared when full, or when
/// asked with other members.
static CHANGED: std::sync::Mutex<Option<Changed>> = std::sync::Mutex::new(None);

/// The members asked with, and each commit's scopes.
type Changed = (Vec<String>, HashMap<Oid, Vec<String>>);

/// At most this many commits' scopes are kept in [`CHANGED`].
const CHANGED_KEPT: usize = 1_000_000;

/// Why the scopes of `what` (a commit, the staged change) are unknown: a tree that must be
/// compared cannot be read. Judging it as touching no scope would let an untraced commit
/// through every team's scope.
pub(crate) fn untold(what: &str) -> Error {
    Error::new(format!("cannot tell which scopes {what} touches: a tree it changes cannot be read")).with_help(
        "the repository lacks objects: a partial clone's trees (`--filter=tree:0`; on GitHub Actions, \
             actions/checkout's `filter`) cannot be fetched on demand by plan-lint's libgit2; clone without \
             the filter, or see what is missing with `git fsck`",
    )
}

/// The scopes a commit changes ([`Repo::scopes_changed`]), kept for the next run; `None` when
/// they cannot be told.
fn changed_scopes(repo: &Repo, oid: Oid, members: &[String]) -> Option<Vec<String>> {
    let kept =
        |c: &mut Option<Changed>| c.as_ref().filter(|(m, _)| m == members).and_then(|(_, map)| map.get(&oid).cloned());
    if let Some(found) = CHANGED.lock().ok().and_then(|mut c| kept(&mut c)) {
        return Some(found);
    }
    let found = repo.scopes_changed(oid, members)?;
    if let Ok(mut c) = CHANGED.lock() {
        if c.as_ref().is_none_or(|(m, map)| m != members || map.len() >= CHANGED_KEPT) {
            *c = Some((members.to_vec(), HashMap::new()));
        }
        if let Some((_, map)) = c.as_mut() {
            map.insert(oid, found.clone());
        }
    }
    Some(found)
}

/// Every scope's run of `check --all` (and `ci` in a repository with scopes), in `scopes`'
/// order: the first judges the commits (each in its own scopes), the others only their plans,
/// so the first runs on its own thread beside them (the commit walk overlaps the plans' reading;
/// the registries' histories are read once, by whichever run asks first). With a window, every
/// run walks the window's commits for its own facts, one run after another.
pub(crate) fn run_all(inputs: &super::Inputs, scopes: &[String]) -> Result<Vec<super::Run>> {
    let prepared = Prepared::new(inputs, scopes)?;
    let scoped = |i: usize, scope: &String| {
        let mut inputs = super::Inputs { scope: scope.clone(), prepared: prepared.clone(), ..inputs.clone() };
        if i > 0 && inputs.window.is_some() {
            inputs.commit_findings = super::CommitFindings::Elsewhere;
            inputs.suggestions = super::Suggestions::Off;
        } else if i > 0 {
            inputs.commits = super::CommitSelection::None;
        }
        inputs
    };
    let run = |inputs: &super::Inputs| super::run(inputs)?.ok_or_else(|| Error::new("no promise registry"));
    let Some((first, rest)) = scopes.split_first() else { return Ok(Vec::new()) };
    let first = scoped(0, first);
    if inputs.window.is_some() || rest.is_empty() {
        let mut runs = vec![run(&first)?];
        for (i, scope) in rest.iter().enumerate() {
            runs.push(run(&scoped(i + 1, scope))?);
        }
        return Ok(runs);
    }
    let first = &first;
    std::thread::scope(|s| {
        let walking = s.spawn(move || run(first));
        let rest: Result<Vec<_>> = rest.iter().enumerate().map(|(i, scope)| run(&scoped(i + 1, scope))).collect();
        let first = walking.join().map_err(|_| Error::new("the commit walk stopped unexpectedly"))??;
        Ok(std::iter::once(first).chain(rest?).collect())
    })
}

/// What every scope's run of `check --all` shares, read once before them: the registries (the
/// root's and every member's read and parsed once, not once per run) and one listing of the
/// work tree.
#[derive(Debug)]
pub(crate) struct Prepared {
    scoped: crate::files::Scoped,
    listing: SharedListing,
}

impl Prepared {
    /// For several scopes' runs over the inputs' files; `None` for one, or with no registry.
    fn new(inputs: &super::Inputs, scopes: &[String]) -> Result<Option<Arc<Prepared>>> {
        if scopes.len() < 2 {
            return Ok(None);
        }
        let repo = Repo::discover(&inputs.dir);
        let root = super::root_of(repo.as_ref(), inputs)?;
        let files = Files::open(&inputs.files, &root, repo.as_ref())?.with_unsaved(Arc::clone(&inputs.unsaved));
        let Some((registry, text)) = crate::files::read_registry(&files, inputs.config.as_deref(), inputs.no_registry)?
        else {
            return Ok(None);
        };
        let scoped = crate::files::Scoped::read(&files, registry, text)?;
        let listing = scoped.listing();
        Ok(Some(Arc::new(Prepared { scoped, listing })))
    }

    /// The listing the runs share.
    pub(super) fn listing(prepared: Option<&Arc<Prepared>>) -> Option<SharedListing> {
        prepared.map(|p| p.listing.clone())
    }
}

/// The pre-commit hook: only the unlisted registries the commit stages (added or changed), the
/// others being committed already and not the change's doing.
pub(super) fn staged_only(repo: Option<&Repo>, inputs: &super::Inputs, files: &Files, unlisted: &mut Vec<String>) {
    if let (Some(repo), super::PlanScope::Staged) = (repo, &inputs.plans) {
        unlisted.retain(|dir| super::precommit::staged_any(repo, files, &[&format!("{dir}/{}", registry::FILE_NAME)]));
    }
}

/// The findings of a pre-commit run with no staged plan or registry of its scope to judge that
/// still block it: the staged registries no scope lists.
pub(super) fn unlisted_only(findings: Vec<Finding>) -> Vec<Finding> {
    findings.into_iter().filter(|f| f.code == Code::UnlistedScope).collect()
}

/// The scope a qualified promise id belongs to: the deepest member its id starts with.
fn scope_of_id<'a>(registry: &'a Registry, id: &str) -> &'a str {
    let id = registry.promise(id).map_or(id, |p| p.id.as_str());
    let own = registry.index_has(id);
    if own {
        return &registry.scopes.path;
    }
    Scopes::governing(&registry.scopes.members, id)
}

/// With scopes: each id a commit names as the scope judging it knows the promise (its own by
/// short id, another scope's qualified), so a commit counts for the promise however it was
/// named (`teams/search/find-and-buy` on search's board is `find-and-buy`).
pub(super) fn canonical(registry: &Registry, facts: &mut CommitFacts) {
    if !registry.scopes.any() {
        return;
    }
    for (id, _) in &mut facts.promises {
        if let Some(p) = registry.promise(id).filter(|p| p.id != *id) {
            *id = p.id.clone();
        }
    }
}

/// Rewrite each short id that several scopes define to the one definition among `touched`, when
/// exactly one scope the commit touches defines it. Whether any id was rewritten.
pub(super) fn resolve(registry: &Registry, facts: &mut CommitFacts, touched: &[String]) -> bool {
    let mut changed = false;
    for (id, _) in &mut facts.promises {
        let defined = registry.definitions(id);
        let mut here =
            defined.iter().filter(|d| touched.iter().any(|t| Scopes::governing(&registry.scopes.members, d) == t));
        if let (Some(one), None) = (here.next(), here.next()) {
            *id = one.to_string();
            changed = true;
        }
    }
    changed
}

/// Each finding about a commit in the scope it belongs to: an untraced commit once per scope it
/// touches, work on a promise in that promise's scope, the rest in the first scope it touches.
pub(super) fn attribute(registry: &Registry, found: Vec<Finding>, touched: &[String]) -> Vec<Finding> {
    let scope = |s: &str| (!s.is_empty()).then(|| Arc::<str>::from(s));
    let mut out = Vec::with_capacity(found.len());
    for f in found {
        if f.code == Code::UntracedCommit {
            for t in touched {
                out.push(Finding { scope: scope(t), ..f.clone() });
            }
            if touched.is_empty() {
                out.push(f);
            }
            continue;
        }
        let of_promise =
            f.promises.first().filter(|id| registry.promise(id).is_some()).map(|id| scope_of_id(registry, id));
        let s = of_promise.or(touched.first().map(String::as_str)).unwrap_or(&registry.scopes.path);
        out.push(Finding { scope: scope(s), ..f });
    }
    out
}

impl Gather<'_> {
    /// The pre-commit hook sets aside the findings older than the staged change, but for a
    /// staged registry no scope lists ([`staged_only`]: its finding points into the root's
    /// registry, which the change may leave as it was).
    pub(super) fn set_aside_older_but_unlisted(&mut self) {
        let (unlisted, rest): (Vec<Finding>, Vec<Finding>) =
            std::mem::take(&mut self.read.findings).into_iter().partition(|f| f.code == Code::UnlistedScope);
        self.read.findings = rest;
        self.set_aside_older();
        self.read.findings.extend(unlisted);
    }

    /// A member's tally over a window: the work on its promises wherever it was done (as
    /// walked: what `idle-promise` and `shadow-work` read), and the counts of the commits that
    /// change its folder (what `over-budget` and the board's untraced work read), each commit's
    /// folder compared with its first parent's. Only those commits are read again.
    pub(super) fn scope_tally(&self, repo: &Repo, walked: &mut Walked) {
        let ctx = self.ctx;
        let folder = [ctx.registry.scopes.path.clone()];
        let lookup = repo.watched(&folder);
        let tree_of: HashMap<Oid, Option<Oid>> = walked.recent.iter().map(|r| (r.oid, r.tree)).collect();
        let comment = crate::scan::message::log_comment_string(repo.config_string("core.commentChar").as_deref());
        let mut counted = Tally::default();
        for r in &walked.recent {
            let parent_tree = r.parent.and_then(|p| tree_of.get(&p).copied().unwrap_or_else(|| repo.tree_of(p)));
            if lookup.entries(r.tree) == lookup.entries(parent_tree) {
                continue;
            }
            let Ok(raw) = repo.raw_commit(r.oid) else { continue };
            let facts = scan_commit(&raw, ctx, &comment);
            count_commit(&mut counted, &raw, &facts, &class(&facts, ctx), Count::Add);
        }
        counted.merge(Tally::default());
        let (promises, likely) = (std::mem::take(&mut walked.tally.promises), std::mem::take(&mut walked.tally.likely));
        walked.tally = Tally { promises, likely, ..counted };
    }

    /// A walked commit's findings in a repository with scopes: its ids resolved among the scopes
    /// it touches (judged again when that resolves one), each finding in its scope; in a run of
    /// one member's scope, only the findings that belong to it or to a commit touching it.
    /// An error when the commit's scopes cannot be told.
    pub(super) fn in_scopes(&self, repo: &Repo, oid: Oid, found: Vec<Finding>, comment: &[u8]) -> Result<Vec<Finding>> {
        let registry = self.ctx.registry;
        let touched = changed_scopes(repo, oid, &registry.scopes.members)
            .ok_or_else(|| untold(&format!("commit {}", &oid.to_string()[..12])))?;
        let mut found = found;
        let ambiguous = |f: &Finding| {
            f.code == Code::UnknownPromise && f.promises.iter().any(|id| !registry.definitions(id).is_empty())
        };
        // An untraced commit is judged again knowing its scopes: the promises to suggest are
        // theirs.
        let untraced = |f: &Finding| f.code == Code::UntracedCommit;
        if found.iter().any(|f| ambiguous(f) || untraced(f)) {
            if let Ok(raw) = repo.raw_commit(oid) {
                let mut facts = scan_commit(&raw, self.ctx, comment);
                facts.scopes.clone_from(&touched);
                if resolve(registry, &mut facts, &touched) || found.iter().any(untraced) {
                    let mut sink = Sink::new(self.levels);
                    rules::judge_commit(self.ctx, &facts, &mut sink);
                    found = sink.take();
                }
            }
        }
        let found = attribute(registry, found, &touched);
        let own = &registry.scopes.path;
        if own.is_empty() {
            return Ok(found);
        }
        Ok(found
            .into_iter()
            .filter(|f| {
                // An untraced commit's finding for another scope it touches is that scope's.
                let touches = f.code != Code::UntracedCommit && touched.iter().any(|t| t == own);
                f.scope.as_deref() == Some(own.as_str()) || touches
            })
            .collect())
    }
}

/// The registry that judges the inputs' scope: prepared for it by [`run_all`], else read
/// (`files::scoped`). `None` when there is none and that means not using plan-lint.
pub(super) fn registry(
    repo: Option<&Repo>,
    inputs: &super::Inputs,
    files: &Files,
) -> Result<Option<(Registry, crate::source::Source)>> {
    let (registry, text) = match &inputs.prepared {
        Some(prepared) => prepared.scoped.registry(&inputs.scope)?,
        None => {
            let Some((root, text)) = crate::files::read_registry(files, inputs.config.as_deref(), inputs.no_registry)?
            else {
                return Ok(None);
            };
            crate::files::scoped(files, root, text, &inputs.scope)?
        }
    };
    Ok(Some(with_unlisted(repo, inputs, files, registry, text)))
}

/// For the root's run that judges the registry, the registry with the registries the index
/// holds that it neither lists nor ignores (with or without `[scopes]`: a nested registry is
/// never silently ignored).
fn with_unlisted(
    repo: Option<&Repo>,
    inputs: &super::Inputs,
    files: &Files,
    mut registry: Registry,
    text: crate::source::Source,
) -> (Registry, crate::source::Source) {
    if inputs.scope.is_empty() && inputs.registry_rules == super::RegistryRules::Judged {
        let opened;
        let index = match (files.index(), repo) {
            (Some(index), _) => Some(index),
            (None, Some(repo)) if !matches!(inputs.files, crate::files::FileSource::Tree(_)) => {
                opened = crate::git::index::Index::open(&repo.index_path(&inputs.dir)).ok();
                opened.as_ref()
            }
            _ => None,
        };
        if let Some(index) = index {
            let in_use = inputs.config.clone().unwrap_or_else(|| files.root().join(crate::registry::FILE_NAME));
            registry.scopes.unlisted = crate::files::unlisted_scopes(index, &registry.scopes, files.root(), &in_use);
            staged_only(repo, inputs, files, &mut registry.scopes.unlisted);
        }
    }
    (registry, text)
}
