//! `plan-lint hook …`: the git hooks. They run on every commit, so each does the least work that
//! answers its question, reads only what git is about to record, and never touches the user's
//! message except `prepare-commit-msg`, which writes it atomically.
//!
//! - `pre-commit`: the registry and plan documents *as staged* (the index git commits from,
//!   `$GIT_INDEX_FILE` included); exits 0 at once when none of them is staged.
//! - `commit-msg FILE`: the message as `git commit` will store it (cleanup, comment character,
//!   scissors), checked for a Promise trailer that names a known promise in play.
//! - `prepare-commit-msg FILE [SOURCE [SHA]]`: adds `Promise: <id>` when the branch name names
//!   exactly one promise in play and the message has none.
//! - `pre-push REMOTE URL`: the commits being pushed, from git's ref lines on standard input.
//!
//! Output goes to standard error, where git shows it. A repository without a registry is not
//! using plan-lint: every hook passes quietly there.

use super::Ctx;
use crate::code::Severity;
use crate::engine::{
    self, Absent, CommandLine, CommitFlags, CommitSelection, Inputs, PlanScope, RegistryRules, Suggestions,
};
use crate::error::{Error, Result};
use crate::escape;
use crate::files::FileSource;
use crate::git::reword::Reword;
use crate::git::{Oid, Peeled, Repo};
use crate::report::{self, Summary};
use crate::scan::message::{self, Cleanup, CleanupMode};
use crate::scan::trailers::{self, Options};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod retry;

#[derive(clap::Subcommand, Debug)]
pub enum Hook {
    /// Check the staged registry and plan documents.
    PreCommit,
    /// Check the commit message in FILE (never modified).
    CommitMsg {
        /// The message file git passes (.git/COMMIT_EDITMSG).
        file: PathBuf,
    },
    /// Add `Promise: <id>` from the branch name when the message has none.
    PrepareCommitMsg {
        file: PathBuf,
        /// message, template, merge, squash or commit, as git passes it.
        source: Option<String>,
        sha: Option<String>,
    },
    /// Check the commits being pushed (git's ref lines on standard input).
    PrePush { remote: Option<String>, url: Option<String> },
    /// On the server: check the commits a push brings (git's `<old> <new> <ref>` lines on
    /// standard input), each branch with the registry its pushed tip carries.
    PreReceive,
}

pub fn run(ctx: &Ctx, hook: Hook) -> Result<ExitCode> {
    if let Hook::PreReceive = hook {
        return pre_receive(ctx);
    }
    let Some(repo) = Repo::discover(&ctx.dir) else {
        return Err(Error::new(format!("not a git repository: {}", ctx.dir.display())));
    };
    if repo.root().is_none() {
        // A bare repository (a mirror pushing on, or one a global `core.hooksPath` reaches):
        // with no registry in HEAD it does not use plan-lint, and is left alone.
        if repo.head_tree().and_then(|t| t.entry(crate::registry::FILE_NAME)).is_none() {
            return Ok(ExitCode::SUCCESS);
        }
        return Err(Error::new("this is a bare repository: hooks need a work tree").with_help(
            "run the hooks in a clone with a work tree; a server-side check of pushes is not a client hook",
        ));
    }
    match hook {
        Hook::PreCommit => pre_commit(ctx, &repo),
        Hook::CommitMsg { file } => commit_msg(ctx, &repo, &ctx.dir.join(&file), &file),
        Hook::PrepareCommitMsg { file, source, .. } => {
            // The pre-commit framework passes the source in the environment.
            let source = source.or_else(|| std::env::var("PRE_COMMIT_COMMIT_MSG_SOURCE").ok());
            prepare_commit_msg(&repo, &ctx.dir, &ctx.dir.join(file), source.as_deref().and_then(MessageSource::parse))
        }
        Hook::PrePush { remote, .. } => {
            let remote = remote.or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok());
            pre_push(ctx, &repo, remote)
        }
        Hook::PreReceive => unreachable!("handled above"),
    }
}

/// The server side of a push: git runs it in the receiving repository (bare or not) with the
/// incoming objects in a quarantine directory (`GIT_OBJECT_DIRECTORY`, with the repository's own
/// objects as `GIT_ALTERNATE_OBJECT_DIRECTORIES`), before any ref moves. A push is accepted or
/// rejected whole.
///
/// What is judged is the work new *to the ref being updated*:
/// - an update of an existing ref: its `old..new`, whatever other branches already hold (an
///   untraced commit parked on a scratch branch is judged again when it comes to `main`);
/// - a new ref: the commits no existing branch (`refs/heads/`, nested names included) reaches.
///
/// Each with the `promises.toml` of the pushed tip, so a push that edits the registry is judged
/// by the registry it brings. A pushed tip without one: a new ref passes (it does not use
/// plan-lint, and its commits are judged again on their way to any existing branch); an update
/// of a ref whose old tip had one is judged with the old tip's registry, so removing the registry
/// takes a traced push like any other change, and a registry-less tip cannot carry untraced work
/// onto a branch. Deletions and tags pass.
///
/// One walk finds what the new refs bring (every existing branch excluded at once), one per
/// update finds its `old..new`; each registry then judges its commits in one engine run, so the
/// cost follows the push's size, not its refs times the repository's branches. Anything the
/// hook cannot read (a pushed tip, an old tip, a tree, a line of git's input) rejects the push:
/// it fails closed. Findings go to standard error, which the pusher sees as `remote:` lines, at
/// most [`MAX_SHOWN`] of them, then how many more and the command that lists them all.
fn pre_receive(ctx: &Ctx) -> Result<ExitCode> {
    let mut input = Vec::new();
    std::io::stdin().lock().read_to_end(&mut input).map_err(|e| Error::io("could not read the pushed refs", &e))?;
    let repo =
        Repo::open_from_env().map_err(|why| Error::new(format!("could not open the receiving repository: {why}")))?;
    let updates = parse_updates(&input)?;
    let plan = plan_push(&repo, &updates)?;

    let mut budget = MAX_SHOWN;
    // Findings left out: in a report that says so itself, and in reports not written at all.
    let (mut hidden, mut unreported) = (0, 0);
    let mut rejected = vec![false; updates.len()];
    for group in &plan.groups {
        if group.commits.is_empty() && group.alone.is_none() {
            continue;
        }
        let inputs = Inputs {
            commits: CommitSelection::Spec(group.range(&updates)),
            registry_rules: RegistryRules::Skipped,
            // A server shows findings, but has no time to dig through history for hints.
            suggestions: Suggestions::Off,
            ..Inputs { files: FileSource::Tree(group.registry_from), ..Inputs::new(&ctx.dir) }
        };
        // A registry that does not read (or names a `since` the server lacks) rejects the push.
        let run = match engine::run_in(Some(&repo), &inputs) {
            Ok(run) => run,
            // A ref that brings nothing new is not judged, whatever its registry says.
            Err(_) if group.alone.is_some() && brings_nothing(&repo, group, &updates)? => continue,
            Err(mut e) => {
                e.message = format!("push to {} rejected: {}", group.names(&updates), e.message);
                return Err(e);
            }
        };
        let Some(run) = run else { continue };
        if run.findings.is_empty() || run.facts.commits.as_ref().is_some_and(|c| c.count == 0) {
            continue;
        }
        let shown = budget.min(run.findings.len());
        if shown > 0 {
            let summary = Summary::new(&run.facts, &run.findings);
            let mut err = std::io::stderr().lock();
            let _ = report::human::write(&mut err, &run.facts, &run.findings, &summary, ctx.style, Some(shown));
        }
        budget -= shown;
        hidden += run.findings.len() - shown;
        if shown == 0 {
            unreported += run.findings.len();
        }
        let errors = run.findings.iter().filter(|f| f.severity == Severity::Error);
        let mut bad = HashSet::new();
        let mut all = false;
        for f in errors {
            match f.commit.as_deref().and_then(|c| Oid::from_str(c).ok()) {
                Some(oid) => {
                    bad.insert(oid);
                }
                None => all = true,
            }
        }
        for i in plan.rejected(group, &bad, all) {
            rejected[i] = true;
        }
    }

    // A push that brings a branch's registries into breach (a promise over a limit put in play).
    let mut breached = HashSet::new();
    for (i, u) in updates.iter().enumerate() {
        if rejected[i] {
            continue;
        }
        if let Some(run) = registry_breaches(ctx, &repo, u)? {
            report_findings(ctx, &run);
            eprintln!(
                "plan-lint: push to {} rejected: the registry it brings breaks the rules above, which the registry it replaces kept.",
                u.branch()
            );
            (rejected[i], _) = (true, breached.insert(i));
        }
    }
    let failed: Vec<usize> = (0..updates.len()).filter(|&i| rejected[i]).collect();
    if unreported > 0 {
        eprintln!("plan-lint: … and {unreported} more findings, for other refs, not shown.");
    }
    for &i in failed.iter().take(MAX_NAMED) {
        let u = &updates[i];
        let branch = u.branch();
        if breached.contains(&i) {
            continue;
        }
        eprintln!("plan-lint: push to {branch} rejected: every new commit needs a `Promise:` trailer naming a promise in play.");
        if plan.removed.contains(&i) {
            eprintln!(
                "plan-lint: {branch}: the pushed tip has no promises.toml, so its new commits were judged with the registry of the tip it replaces (the commit removing it included)."
            );
        }
        if hidden > 0 {
            match u.old {
                Some(old) => eprintln!(
                    "plan-lint: every finding for {branch}, in your clone: plan-lint check --max-findings 0 --commits {old}..{}",
                    u.new
                ),
                None => eprintln!(
                    "plan-lint: every finding for {branch}, in your clone: plan-lint check --max-findings 0 --commits <base>..{} (<base>: the branch it starts from)",
                    u.new
                ),
            }
        }
    }
    if failed.len() > MAX_NAMED {
        eprintln!("plan-lint: … and {} more refs rejected.", failed.len() - MAX_NAMED);
    }
    if failed.iter().any(|i| !breached.contains(i)) {
        eprintln!(
            "plan-lint: reword the commits above (`git rebase -i` with `reword`) and push again; this check runs on the server and cannot be skipped."
        );
    }
    Ok(ExitCode::from(u8::from(!failed.is_empty())))
}

/// Whether a group of one ref brings no commit (its range is empty), read only when its run
/// failed: such a ref was never judged.
fn brings_nothing(repo: &Repo, group: &Group, updates: &[Update]) -> Result<bool> {
    Ok(repo.reachable(&group.range(updates).tips)?.0.is_empty())
}

/// Findings shown to a pusher, for the whole push: a push of 400,000 untraced commits must not
/// write 400,000 diagnostics to someone's terminal. The rest are counted, and the command that
/// lists them all is named.
const MAX_SHOWN: usize = 100;
/// Rejected refs named one by one; the rest are counted.
const MAX_NAMED: usize = 20;

/// A ref the push updates, from git's `<old> <new> <ref>` line.
#[derive(Debug)]
struct Update {
    /// The ref's commit before the push; `None` for a new ref (or one not holding a commit).
    old: Option<Oid>,
    new: Oid,
    /// The full ref name, as UTF-8 (lossy: git allows any byte a terminal cannot show).
    name: String,
    /// Not judged: a deletion, or a tag.
    skip: bool,
}

impl Update {
    /// The ref's name as shown: a branch by its short name, escaped for the terminal.
    fn branch(&self) -> String {
        crate::escape::line(self.name.strip_prefix("refs/heads/").unwrap_or(&self.name)).into_owned()
    }
}

/// git's lines: `<old> <new> <ref>`. A line that does not read rejects the push: the hook
/// cannot tell what it would let through.
fn parse_updates(input: &[u8]) -> Result<Vec<Update>> {
    let mut updates = Vec::new();
    for line in input.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let text = String::from_utf8_lossy(line);
        let mut parts = text.splitn(3, ' ');
        let (old, new, name) = (parts.next(), parts.next(), parts.next());
        let oid = |hex: Option<&str>| hex.and_then(|h| Oid::from_str(h).ok().filter(|_| h.len() >= 40));
        let (Some(old), Some(new), Some(name)) = (oid(old), oid(new), name.filter(|n| !n.is_empty())) else {
            return Err(Error::new(format!(
                "the push was rejected: a line of git's pre-receive input does not read: {}",
                crate::escape::line(&text)
            ))
            .with_help("git passes `<old> <new> <ref>` per ref; this hook must be run by git's receive-pack"));
        };
        let skip = new.is_zero() || name.starts_with("refs/tags/");
        updates.push(Update { old: (!old.is_zero()).then_some(old), new, name: name.to_string(), skip });
    }
    Ok(updates)
}

/// What a push brings, found in as few walks as the rule allows, and grouped by the registry
/// that judges it.
struct PushPlan {
    groups: Vec<Group>,
    /// Per update: its own new commits (`old..new`), for updates of existing refs.
    own: Vec<Option<HashSet<Oid>>>,
    /// The commits the new refs bring (reachable from no existing branch), with their parents.
    fresh: HashMap<Oid, Vec<Oid>>,
    /// `fresh` the other way round: each commit's children among them (built when needed).
    children: std::cell::OnceCell<HashMap<Oid, Vec<Oid>>>,
    /// The updates judged with the registry of the tip they replace (their pushed tip has none).
    removed: HashSet<usize>,
    /// Walks run and commit objects they read (the cost follows the push, not its refs times
    /// the repository's branches).
    walks: usize,
    reads: usize,
}

/// The refs one registry judges, and the commits new to them.
struct Group {
    /// The commit whose `promises.toml` judges.
    registry_from: Oid,
    /// (index into the updates, the pushed commit).
    refs: Vec<(usize, Oid)>,
    /// The commits to judge, with their parents (a group of several refs).
    commits: HashMap<Oid, Vec<Oid>>,
    /// A group of one ref (the usual push) is not walked before the engine walks it: its
    /// commits are exactly `tip ^old` (an update) or `tip ^<every branch>` (a new ref), the
    /// range the engine's own walk reads once. Here the tips excluded.
    alone: Option<Vec<Oid>>,
}

impl Group {
    /// The walk that yields exactly this group's commits: from the pushed tips among them,
    /// excluding the parents just outside (every path from a tip into older history leaves the
    /// set through one of them).
    fn range(&self, updates: &[Update]) -> crate::git::RangeSpec {
        if let (Some(excluded), [(_, tip)]) = (&self.alone, self.refs.as_slice()) {
            let tips = std::iter::once((*tip, false)).chain(excluded.iter().map(|&e| (e, true))).collect();
            return crate::git::RangeSpec { tips, describe: format!("new in {}", self.names(updates)) };
        }
        let mut tips: Vec<(Oid, bool)> = Vec::new();
        for &(_, tip) in &self.refs {
            if self.commits.contains_key(&tip) && !tips.contains(&(tip, false)) {
                tips.push((tip, false));
            }
        }
        let mut edge: Vec<Oid> =
            self.commits.values().flatten().filter(|p| !self.commits.contains_key(p)).copied().collect();
        edge.sort();
        edge.dedup();
        tips.extend(edge.into_iter().map(|p| (p, true)));
        crate::git::RangeSpec { tips, describe: format!("new in {}", self.names(updates)) }
    }

    /// The refs, by their short names (not escaped: the reporter escapes), three at most.
    fn names(&self, updates: &[Update]) -> String {
        let short: Vec<&str> = self
            .refs
            .iter()
            .map(|&(i, _)| updates[i].name.as_str())
            .map(|n| n.strip_prefix("refs/heads/").unwrap_or(n))
            .collect();
        match short.len() {
            0..=3 => short.join(", "),
            n => format!("{} and {} more", short[..2].join(", "), n - 2),
        }
    }
}

impl PushPlan {
    /// The refs of `group` that bring a commit of `bad` (every one of them with `all`).
    fn rejected(&self, group: &Group, bad: &HashSet<Oid>, all: bool) -> Vec<usize> {
        // A group of one ref: every commit judged is new to it.
        if all || (group.alone.is_some() && !bad.is_empty()) {
            return group.refs.iter().map(|&(i, _)| i).collect();
        }
        // A new ref brings a bad commit when its tip reaches it through what the new refs
        // bring: up from the bad commits, child by child.
        let mut reached: HashSet<Oid> = HashSet::new();
        if group.refs.iter().any(|&(i, _)| self.own[i].is_none()) {
            let children = self.children.get_or_init(|| {
                let mut children: HashMap<Oid, Vec<Oid>> = HashMap::new();
                for (c, parents) in &self.fresh {
                    for p in parents {
                        children.entry(*p).or_default().push(*c);
                    }
                }
                children
            });
            let mut stack: Vec<Oid> = bad.iter().filter(|b| self.fresh.contains_key(b)).copied().collect();
            while let Some(c) = stack.pop() {
                if reached.insert(c) {
                    stack.extend(children.get(&c).into_iter().flatten().copied());
                }
            }
        }
        group
            .refs
            .iter()
            .filter(|&&(i, tip)| match &self.own[i] {
                Some(own) => bad.iter().any(|b| own.contains(b)),
                None => reached.contains(&tip),
            })
            .map(|&(i, _)| i)
            .collect()
    }
}

/// The blobs of every registry `commit` carries: the root's (`root`) and each team's its
/// `[scopes] members` lists (parsed once per root blob, in `members_of`).
fn registries_key(
    repo: &Repo,
    members_of: &mut HashMap<Oid, Vec<String>>,
    root: Oid,
    commit: Oid,
) -> std::result::Result<Vec<Option<Oid>>, String> {
    let members = members_of
        .entry(root)
        .or_insert_with(|| crate::files::registry_in_blob(repo, root).map(|r| r.scopes.members).unwrap_or_default());
    let mut key = vec![Some(root)];
    for m in members.iter() {
        key.push(repo.entry_in_commit(commit, &format!("{m}/{}", crate::registry::FILE_NAME))?);
    }
    Ok(key)
}

/// The registry findings (`too-many-in-play`, `unlisted-scope`, …, errors at their levels)
/// that branch update `u`'s pushed registries have and the ones it replaces did not, in every
/// scope: a push may change the registry, not bring it into breach (a fourth promise put in
/// play over a limit of three). A breach already on the branch is left to `check` and CI, not
/// held against unrelated pushes; a new branch is judged on its way to an existing one.
fn registry_breaches(ctx: &Ctx, repo: &Repo, u: &Update) -> Result<Option<engine::Run>> {
    let unreadable = |why: String| Error::new(format!("the push was rejected: {} cannot be read: {why}", u.branch()));
    let peel = |oid: Option<Oid>| match oid.map(|o| repo.peel(o)) {
        Some(Ok(Peeled::Commit(c))) => Ok(Some(c)),
        Some(Err(why)) => Err(unreadable(why)),
        _ => Ok(None),
    };
    if u.skip || u.new.is_zero() || !u.name.starts_with("refs/heads/") {
        return Ok(None);
    }
    let (Some(new), Some(old)) = (peel(Some(u.new))?, peel(u.old.filter(|o| !o.is_zero()))?) else { return Ok(None) };
    let (Some(new_root), Some(old_root)) = (
        repo.entry_in_commit(new, crate::registry::FILE_NAME).map_err(unreadable)?,
        repo.entry_in_commit(old, crate::registry::FILE_NAME).map_err(unreadable)?,
    ) else {
        return Ok(None);
    };
    let mut members_of = HashMap::new();
    let new_key = registries_key(repo, &mut members_of, new_root, new).map_err(unreadable)?;
    if registries_key(repo, &mut members_of, old_root, old).map_err(unreadable)? == new_key {
        return Ok(None);
    }
    // Each scope's registry findings at `commit`; a scope whose registry does not read there
    // has none (the new tip's unreadable registries stop its commits' run already).
    let judge = |commit: Oid| -> Result<Option<engine::Run>> {
        let members = members_of.get(&new_root).cloned().unwrap_or_default();
        let mut runs = Vec::new();
        for scope in std::iter::once(String::new()).chain(members) {
            let inputs = Inputs {
                scope,
                suggestions: Suggestions::Off,
                no_registry: crate::files::Absent::NotUsing,
                ..Inputs { files: FileSource::Tree(commit), ..Inputs::new(&ctx.dir) }
            };
            match engine::run_in(Some(repo), &inputs) {
                Ok(run) => runs.extend(run),
                Err(e) if commit == new => return Err(e),
                Err(_) => {}
            }
        }
        Ok(engine::merge(runs))
    };
    let Some(mut run) = judge(new)? else { return Ok(None) };
    let said = |f: &crate::finding::Finding| (f.code, f.scope.clone(), f.message.clone());
    let before: HashSet<_> = judge(old)?.map(|r| r.findings.iter().map(said).collect()).unwrap_or_default();
    run.findings.retain(|f| f.severity == Severity::Error && !before.contains(&said(f)));
    Ok((!run.findings.is_empty()).then_some(run))
}

/// Which commits each update brings and which registry judges them (see [`pre_receive`]).
fn plan_push(repo: &Repo, updates: &[Update]) -> Result<PushPlan> {
    let mut plan = PushPlan {
        groups: Vec::new(),
        own: updates.iter().map(|_| None).collect(),
        fresh: HashMap::new(),
        children: std::cell::OnceCell::new(),
        removed: HashSet::new(),
        walks: 0,
        reads: 0,
    };
    let unreadable = |u: &Update, which: &str, oid: Oid, why: &str| {
        Error::new(format!("the push was rejected: the {which} commit of {} ({oid}) cannot be read: {why}", u.branch()))
        .with_help("plan-lint checks every pushed branch and cannot check this one; if pushing again fails the same way, the server's administrator can run `git fsck` on the repository")
    };
    // The registry blob in a commit's tree, if any.
    let registry_in = |u: &Update, which: &str, commit: Oid| -> Result<Option<Oid>> {
        repo.entry_in_commit(commit, crate::registry::FILE_NAME).map_err(|why| unreadable(u, which, commit, &why))
    };
    // (update, pushed commit, its registries' blobs, commit carrying them, old commit)
    let mut judged = Vec::new();
    // Each root registry's `[scopes] members`, parsed once.
    let mut members_of: HashMap<Oid, Vec<String>> = HashMap::new();
    for (i, u) in updates.iter().enumerate() {
        if u.skip {
            continue;
        }
        let tip = match repo.peel(u.new).map_err(|why| unreadable(u, "pushed", u.new, &why))? {
            Peeled::Commit(tip) => tip,
            Peeled::Other(kind) if u.name.starts_with("refs/heads/") => {
                return Err(Error::new(format!(
                    "the push was rejected: {} would point at a {kind}, not a commit",
                    u.branch(),
                )))
            }
            // A tree or a blob under another ref carries no commits.
            Peeled::Other(_) => continue,
        };
        let old = match u.old {
            Some(old) => match repo.peel(old).map_err(|why| unreadable(u, "current", old, &why))? {
                Peeled::Commit(old) => Some(old),
                Peeled::Other(_) => None,
            },
            None => None,
        };
        let registry = match registry_in(u, "pushed", tip)? {
            Some(blob) => Some((blob, tip)),
            // A registry removed from a ref that had one: judged with the one it had.
            None => match old {
                Some(old) => registry_in(u, "current", old)?.map(|blob| {
                    plan.removed.insert(i);
                    (blob, old)
                }),
                None => None,
            },
        };
        let Some((blob, from)) = registry else { continue };
        // The root's registry and each listed team's: refs whose trees differ in any judge apart.
        let key =
            registries_key(repo, &mut members_of, blob, from).map_err(|why| unreadable(u, "pushed", from, &why))?;
        judged.push((i, tip, key, from, old));
    }

    // A ref alone with its registry (the usual push: one branch) is one range, walked once, by
    // the engine; only refs that share a registry are walked here, to tell their commits apart.
    let mut sharing: HashMap<Vec<Option<Oid>>, usize> = HashMap::new();
    for j in &judged {
        *sharing.entry(j.2.clone()).or_default() += 1;
    }
    let alone = |key: &Vec<Option<Oid>>| sharing.get(key) == Some(&1);
    let branches = if judged.iter().any(|j| j.4.is_none()) { repo.branch_tips() } else { Vec::new() };
    // What the new refs bring: one walk, every existing branch excluded at once.
    let new_tips: Vec<Oid> = judged.iter().filter(|j| j.4.is_none() && !alone(&j.2)).map(|j| j.1).collect();
    if !new_tips.is_empty() {
        let mut tips: Vec<(Oid, bool)> = new_tips.iter().map(|&t| (t, false)).collect();
        tips.extend(branches.iter().map(|&b| (b, true)));
        let (fresh, reads) = repo.reachable(&tips)?;
        plan.fresh = fresh;
        plan.walks += 1;
        plan.reads += reads;
    }

    let mut by_key: HashMap<Vec<Option<Oid>>, usize> = HashMap::new();
    let mut olds: HashMap<usize, Option<Oid>> = HashMap::new();
    for (i, tip, key, from, old) in judged {
        olds.insert(i, old);
        let alone = alone(&key);
        let g = *by_key.entry(key).or_insert_with(|| {
            plan.groups.push(Group { registry_from: from, refs: Vec::new(), commits: HashMap::new(), alone: None });
            plan.groups.len() - 1
        });
        let group = &mut plan.groups[g];
        group.refs.push((i, tip));
        if alone {
            group.alone = Some(old.map_or_else(|| branches.clone(), |old| vec![old]));
            continue;
        }
        match old {
            // An update: its own `old..new`.
            Some(old) => {
                let (own, reads) = repo.reachable(&[(old, true), (tip, false)])?;
                plan.walks += 1;
                plan.reads += reads;
                plan.own[i] = Some(own.keys().copied().collect());
                group.commits.extend(own);
            }
            // A new ref: what its tip reaches of what the new refs bring.
            None => {
                let mut stack = vec![tip];
                while let Some(c) = stack.pop() {
                    if group.commits.contains_key(&c) {
                        continue;
                    }
                    let Some(parents) = plan.fresh.get(&c) else { continue };
                    stack.extend(parents.iter().copied());
                    group.commits.insert(c, parents.clone());
                }
            }
        }
    }
    // A group's walk hides the parents just outside its commits, and one of them can lie above
    // another ref's commit: a scratch branch's old tip over a commit pushed to main in the same
    // push. Hidden with it, that commit would never be judged. A group whose walk does not
    // yield all its commits is judged ref by ref, each ref's range its own.
    let mut split = Vec::new();
    for (g, group) in plan.groups.iter().enumerate() {
        if group.alone.is_some() || group.refs.len() < 2 {
            continue;
        }
        let (yielded, reads) = repo.reachable(&group.range(updates).tips)?;
        plan.walks += 1;
        plan.reads += reads;
        if yielded.len() != group.commits.len() {
            split.push(g);
        }
    }
    for g in split.into_iter().rev() {
        let group = plan.groups.remove(g);
        for (i, tip) in group.refs {
            let excluded = olds.get(&i).copied().flatten().map_or_else(|| branches.clone(), |old| vec![old]);
            plan.groups.push(Group {
                registry_from: group.registry_from,
                refs: vec![(i, tip)],
                commits: HashMap::new(),
                alone: Some(excluded),
            });
        }
    }
    Ok(plan)
}

/// What every hook's run shares: hooks read the registry git is committing with, run only when
/// there is one, and report to standard error with the default levels.
fn hook_inputs(ctx: &Ctx, files: FileSource) -> Inputs {
    Inputs { files, registry_rules: RegistryRules::Skipped, no_registry: Absent::NotUsing, ..Inputs::new(&ctx.dir) }
}

fn pre_commit(ctx: &Ctx, repo: &Repo) -> Result<ExitCode> {
    let inputs = Inputs {
        plans: PlanScope::Staged,
        registry_rules: RegistryRules::Judged,
        ..hook_inputs(ctx, FileSource::Index(repo.index_path(&ctx.dir)))
    };
    // Each scope the staged paths touch, with its own registry chain.
    let mut runs = Vec::new();
    for scope in engine::staged_scopes(repo, &ctx.dir)? {
        runs.extend(engine::run_in(Some(repo), &Inputs { scope, ..inputs.clone() })?);
    }
    let Some(run) = engine::merge(runs) else { return Ok(ExitCode::SUCCESS) };
    let failed = report_findings(ctx, &run);
    // Findings the staged change did not cause: one line a file, not the findings again.
    for (path, n) in &run.older {
        eprint!("{}", report::human::older_line(path, *n));
    }
    // Impact analysis: work on other branches planned against the contract being changed.
    for (branch, promises) in &run.suspect_branches {
        let promises: Vec<String> = promises.iter().map(|p| format!("`{}`", escape::line(p))).collect();
        eprintln!(
            "plan-lint: branch `{}` has commits for {}, whose contract this commit changes: review its work",
            escape::line(branch),
            promises.join(", ")
        );
    }
    if failed {
        eprintln!(
            "plan-lint: commit blocked by the staged plan above. Fix it and `git add` the fix \
             (unstaged changes do not count), or bypass once with `git commit --no-verify`."
        );
    }
    Ok(ExitCode::from(u8::from(failed)))
}

fn commit_msg(ctx: &Ctx, repo: &Repo, path: &Path, shown: &Path) -> Result<ExitCode> {
    let bytes = crate::files::read_input(path, "a commit message")?;
    // git runs commit hooks with `GIT_EDITOR=:` when it opens no editor; `-v` and `--cleanup`
    // are read from the command line of the `git commit` that runs this hook, where it can be.
    let flags =
        CommitFlags { editor: std::env::var_os("GIT_EDITOR").map(|e| e != ":"), command_line: git_commit_flags() };
    let amend = flags.command_line.as_ref().map(|c| c.amend);
    let inputs = Inputs {
        commits: CommitSelection::Message { bytes, shown: shown.display().to_string(), flags },
        ..hook_inputs(ctx, FileSource::IndexOrWorkTree(repo.index_path(&ctx.dir)))
    };
    let Some(run) = engine::run_in(Some(repo), &inputs)? else { return Ok(ExitCode::SUCCESS) };
    let failed = report_findings(ctx, &run);
    if failed {
        // The file git passed holds its template, maybe a `-v` diff after a scissors line, maybe
        // a comment character chosen for this run only: committing it again as it is can store
        // the diff as the message. The message as git would have stored it is clean of all that.
        let saved = run.message.as_deref().and_then(|text| save_message(repo, text).ok());
        let file = saved.as_ref().map_or_else(|| shown.display().to_string(), |p| p.display().to_string());
        let rebasing = repo.git_dir().join("rebase-merge").exists() || repo.git_dir().join("rebase-apply").exists();
        print_retry(repo, &file, amend, rebasing);
    }
    Ok(ExitCode::from(u8::from(failed)))
}

/// After a rejected message: how to commit again exactly what the rejected `git commit` would
/// have (its staging options, paths, `--amend`; see [`retry`]), from the directory it ran in.
fn print_retry(repo: &Repo, file: &str, amend: Option<bool>, rebasing: bool) {
    let prefix = std::env::var("GIT_PREFIX").ok();
    let file = retry::from_prefix(file, prefix.as_deref());
    let alias = |name: &str| repo.config_string(&format!("alias.{name}"));
    let carried =
        retry::git_command_line().and_then(|args| retry::commit_args(&args, alias)).map(|rest| retry::carried(&rest));
    let staging = retry::Staging::from_env(std::env::var_os("GIT_INDEX_FILE").as_deref());
    let (again, note) = retry::advice(carried.as_ref(), staging, amend, &file, rebasing);
    let note = note.map(|n| format!("({n})\n")).unwrap_or_default();
    eprint!(
        "plan-lint: commit rejected. Your message is kept in {}; edit it and commit again with\n\
         \n    {}\n\n{note}\
         (or bypass once by adding `--no-verify` to that command).\n",
        crate::escape::line(&file),
        crate::escape::line(&again),
    );
}

/// `-v`/`--verbose`/`--no-verbose` and `--cleanup` of the `git commit` whose hook this is, from
/// its command line (`/proc/<parent>/cmdline`: the hook scripts `exec` plan-lint, so git is the
/// parent). `None` where that cannot be read or the parent is not `git commit` (a hook manager
/// in between): then the message is judged under every reading git could store.
fn git_commit_flags() -> Option<CommandLine> {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        let raw = std::fs::read(format!("/proc/{parent}/cmdline")).ok()?;
        let args: Vec<String> =
            raw.split(|&b| b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        parse_commit_flags(&args)
    }
    #[cfg(not(unix))]
    None
}

/// The flags of a `git [global options] commit [options]` command line.
fn parse_commit_flags(args: &[String]) -> Option<CommandLine> {
    let program = args.first()?;
    let name = Path::new(program).file_name()?.to_string_lossy();
    let rest: &[String] = if name == "git-commit" {
        &args[1..]
    } else if name == "git" {
        // Global options before the subcommand; those taking a separate value.
        let mut i = 1;
        while i < args.len() && args[i].starts_with('-') {
            i += if matches!(
                args[i].as_str(),
                "-c" | "-C" | "--git-dir" | "--work-tree" | "--namespace" | "--exec-path"
            ) {
                2
            } else {
                1
            };
        }
        if args.get(i).map(String::as_str) != Some("commit") {
            return None;
        }
        &args[i + 1..]
    } else {
        return None;
    };
    let mut flags = CommandLine::default();
    let takes_value = [
        "--message",
        "--file",
        "--reuse-message",
        "--reedit-message",
        "--template",
        "--author",
        "--date",
        "--fixup",
        "--squash",
        "--trailer",
        "--pathspec-from-file",
        "--cleanup",
    ];
    let mut i = 0;
    while i < rest.len() {
        let a = rest[i].as_str();
        i += 1;
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, value) = long.split_once('=').map_or((long, None), |(n, v)| (n, Some(v.to_string())));
            let value = match value {
                Some(v) => Some(v),
                None if takes_value.contains(&format!("--{name}").as_str()) => {
                    i += 1;
                    rest.get(i - 1).cloned()
                }
                None => None,
            };
            match name {
                "verbose" => flags.verbose = Some(true),
                "amend" => flags.amend = true,
                "no-verbose" => flags.verbose = Some(false),
                "cleanup" => flags.cleanup = value.map(|v| CleanupMode::parse(&v)),
                _ => {}
            }
        } else if let Some(shorts) = a.strip_prefix('-') {
            for (at, c) in shorts.char_indices() {
                match c {
                    'v' => flags.verbose = Some(true),
                    // Options with a value: the rest of the word, or the next argument.
                    'm' | 'F' | 'C' | 'c' | 't' => {
                        if at + 1 == shorts.len() {
                            i += 1;
                        }
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
    Some(flags)
}

/// Keep a rejected message, as git would have stored it, in `.git/plan-lint/COMMIT_MSG`
/// (written atomically, never through a link); returns the path to show (relative to the
/// work tree when inside it).
fn save_message(repo: &Repo, text: &str) -> std::io::Result<PathBuf> {
    let dir = repo.git_dir().join("plan-lint");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("COMMIT_MSG");
    write_atomically(&path, text.as_bytes()).map_err(|e| std::io::Error::other(e.to_string()))?;
    let shown = repo.root().and_then(|root| path.strip_prefix(&root).ok().map(Path::to_path_buf));
    Ok(shown.unwrap_or(path))
}

/// Print findings (if any) to standard error; whether any is an error.
fn report_findings(ctx: &Ctx, run: &engine::Run) -> bool {
    if run.findings.is_empty() {
        return false;
    }
    let summary = Summary::new(&run.facts, &run.findings);
    let text = report::human::render(&run.facts, &run.findings, &summary, ctx.style);
    let _ = std::io::stderr().write_all(text.as_bytes());
    run.findings.iter().any(|f| f.severity == Severity::Error)
}

/// Where the message prepare-commit-msg is given comes from: git's second argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MessageSource {
    /// `-m` or `-F`.
    Message,
    /// `-t` or `commit.template`.
    Template,
    /// A merge, or `.git/MERGE_MSG`.
    Merge,
    /// `.git/SQUASH_MSG`.
    Squash,
    /// `-c`, `-C` or `--amend`: an existing commit's message.
    Commit,
}

impl MessageSource {
    /// git's name for it; `None` for a name this version of plan-lint does not know (handled as
    /// no source: a message being written).
    fn parse(name: &str) -> Option<MessageSource> {
        match name {
            "message" => Some(MessageSource::Message),
            "template" => Some(MessageSource::Template),
            "merge" => Some(MessageSource::Merge),
            "squash" => Some(MessageSource::Squash),
            "commit" => Some(MessageSource::Commit),
            _ => None,
        }
    }
}

fn prepare_commit_msg(repo: &Repo, dir: &Path, path: &Path, source: Option<MessageSource>) -> Result<ExitCode> {
    // A merge message is git's own; never add to it. A squash message lists the squashed
    // commits (`commit <id>` lines): it gets the promises they name.
    if source == Some(MessageSource::Merge) {
        return Ok(ExitCode::SUCCESS);
    }
    let squash = source == Some(MessageSource::Squash);
    // `--amend`, `-c` or `-C` with no editor (`--no-edit`: git runs the hook with
    // `GIT_EDITOR=:`): the message is stored as it is, and nobody asked to change it.
    if source == Some(MessageSource::Commit) && std::env::var("GIT_EDITOR").is_ok_and(|e| e == ":") {
        return Ok(ExitCode::SUCCESS);
    }
    // No registry, or a broken one (the other hooks report it): this hook only helps.
    let Some(registry) = engine::hook_registry(repo, dir) else { return Ok(ExitCode::SUCCESS) };

    // This hook only helps: a message it cannot read (or an absurd one) is left to commit-msg.
    let Ok(bytes) = crate::files::read_input(path, "a commit message") else { return Ok(ExitCode::SUCCESS) };
    let comment = message::comment_string(repo.config_string("core.commentChar").as_deref(), &bytes);
    // Before the editor, anything after a scissors line is git's (`-v`): cut there.
    let cut = message::scissors(&bytes, &comment).unwrap_or(bytes.len());
    let cleaned = message::clean(&bytes[..cut], Cleanup::Strip, &comment);
    let block = trailers::parse(&cleaned, &Options { comment: comment.clone(), ..Options::log() });
    // A message that already names a promise, or declares an exception, says what it serves.
    if block.trailers.iter().any(|t| t.key_is("promise") || t.key_is("untraced")) {
        return Ok(ExitCode::SUCCESS);
    }
    // A revert or a cherry-pick serves the promises of the commit it reverts or picks (git runs
    // only this hook for them): `This reverts commit <id>.`, or CHERRY_PICK_HEAD.
    let ids = match source_commit(repo, &cleaned) {
        _ if squash => squashed_commits(&cleaned).into_iter().fold(Vec::new(), |mut ids, oid| {
            for id in promises_of(repo, oid) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            ids
        }),
        Some(oid) => promises_of(repo, oid),
        None if registry.branch_trailer => {
            let branch = repo.branch_name();
            branch.and_then(|b| registry.promise_of_branch(&b).map(|p| vec![p.id.clone()])).unwrap_or_default()
        }
        None => Vec::new(),
    };
    if ids.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let updated = trailers::insert(&bytes, &format!("Promise: {}", ids.join(", ")), &comment);
    write_atomically(path, &updated)?;
    Ok(ExitCode::SUCCESS)
}

/// The commit this one reverts (git's `This reverts commit <id>.` line) or picks
/// (`CHERRY_PICK_HEAD`), if it is either.
fn source_commit(repo: &Repo, message: &[u8]) -> Option<Oid> {
    let text = String::from_utf8_lossy(message);
    let reverted = text.lines().find_map(|l| {
        let hex = l.trim().strip_prefix("This reverts commit ")?.trim_end_matches('.');
        Oid::from_str(hex.split([',', ' ']).next()?).ok()
    });
    reverted.or_else(|| {
        let head = std::fs::read_to_string(repo.git_dir().join("CHERRY_PICK_HEAD")).ok()?;
        Oid::from_str(head.trim()).ok()
    })
}

/// The commits a `git merge --squash` message lists (`commit <id>` at the start of a line).
fn squashed_commits(message: &[u8]) -> Vec<Oid> {
    String::from_utf8_lossy(message)
        .lines()
        .filter_map(|l| Oid::from_str(l.strip_prefix("commit ")?.trim()).ok())
        .collect()
}

/// The promise ids a commit's trailers name, as `git log` reads them.
fn promises_of(repo: &Repo, oid: Oid) -> Vec<String> {
    let Ok(block) = repo.trailers_of(oid) else { return Vec::new() };
    let mut ids: Vec<String> = Vec::new();
    for t in block.trailers.iter().filter(|t| t.key_is("promise")) {
        for id in String::from_utf8_lossy(&t.value).split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

/// Replace `path` with `bytes` so that a reader (or a killed process) sees the old or the new
/// content, never a mix.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::atomic::write(path, bytes, crate::atomic::Mode::Plain)
        .map_err(|e| Error::io(format!("could not write {}", path.display()), &e))
}

/// `remote`: the name (or URL) git passed, if any.
fn pre_push(ctx: &Ctx, repo: &Repo, remote: Option<String>) -> Result<ExitCode> {
    // The pre-commit framework passes the range in the environment instead of standard input.
    let mut updates: Vec<(String, String)> = Vec::new();
    // The local ref of each update, as git names it (empty when not given), for the advice.
    let mut local_refs: Vec<String> = Vec::new();
    if let (Ok(from), Ok(to)) = (std::env::var("PRE_COMMIT_FROM_REF"), std::env::var("PRE_COMMIT_TO_REF")) {
        updates.push((to, from));
        local_refs.push(std::env::var("PRE_COMMIT_LOCAL_BRANCH").unwrap_or_default());
    } else if let Ok(local) = std::env::var("PRE_COMMIT_LOCAL_BRANCH") {
        // A push whose history reaches a root commit the remote lacks (a first push): the
        // framework passes no range, only the local ref. Judged as a new branch: what no remote
        // has. Not resolvable (deleted meanwhile): nothing to judge.
        let tip = repo.commit_id(&local).map(|c| c.to_string());
        if let Ok(tip) = tip {
            updates.push((tip, "0".repeat(40)));
            local_refs.push(local);
        }
    } else {
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|e| Error::io("could not read the pushed refs", &e))?;
            let parts: Vec<&str> = line.split_whitespace().collect();
            if let [local_ref, local_sha, _, remote_sha] = parts.as_slice() {
                updates.push((local_sha.to_string(), remote_sha.to_string()));
                local_refs.push(local_ref.to_string());
            }
        }
    }
    // Each pushed tip's commits are judged with the registries that tip carries, as the
    // server's hook judges them: not with the branch checked out (another branch's registry, or
    // a staged edit, may put a promise in play that the pushed branch does not). A tip without
    // a root registry is judged with the one git is committing with.
    let mut sources: Vec<(FileSource, Vec<(String, String)>)> = Vec::new();
    let unreadable = |what: &str, oid: Oid, why: String| {
        Error::new(format!("could not read the pushed {what} {oid}: {why}"))
            .with_help("plan-lint checks every pushed branch and cannot check this one")
    };
    for (sha, remote_sha) in &updates {
        // A tag is judged by the commit it names; one of a blob or a tree carries no commits.
        let tip = match Oid::from_str(sha).ok().filter(|t| !t.is_zero()) {
            Some(oid) => match repo.peel(oid).map_err(|why| unreadable("object", oid, why))? {
                Peeled::Commit(tip) => Some(tip),
                Peeled::Other(_) => None,
            },
            None => None,
        };
        let carried = match tip {
            Some(tip) => {
                repo.entry_in_commit(tip, crate::registry::FILE_NAME).map_err(|why| unreadable("commit", tip, why))?
            }
            None => None,
        };
        let source = match (tip, carried) {
            (Some(tip), Some(_)) => FileSource::Tree(tip),
            _ => FileSource::IndexOrWorkTree(repo.index_path(&ctx.dir)),
        };
        match sources.iter_mut().find(|(s, _)| *s == source) {
            Some((_, group)) => group.push((sha.clone(), remote_sha.clone())),
            None => sources.push((source, vec![(sha.clone(), remote_sha.clone())])),
        }
    }
    let mut runs = Vec::new();
    for (source, group) in sources {
        let inputs = Inputs {
            commits: CommitSelection::Pushed { updates: group, remote: remote.clone() },
            ..hook_inputs(ctx, source)
        };
        runs.extend(engine::run_in(Some(repo), &inputs)?);
    }
    let Some(run) = engine::merge(runs) else { return Ok(ExitCode::SUCCESS) };
    if run.facts.commits.as_ref().is_none_or(|c| c.count == 0) {
        return Ok(ExitCode::SUCCESS);
    }
    let failed = report_findings(ctx, &run);
    if failed {
        let tips = local_refs.iter().zip(&updates).map(|(r, (sha, _))| (r.as_str(), sha.as_str()));
        print_push_advice(repo, &run, tips);
    }
    Ok(ExitCode::from(u8::from(failed)))
}

/// After a blocked push: for each pushed ref that brings a blocked commit, the command that gives
/// those commits their trailers and keeps everything else: `git commit --amend --only` when only
/// the checked-out tip needs one, else `git rebase -i` from just below them, with
/// `--rebase-merges` when the range holds merges (a plain `rebase -i` flattens them).
fn print_push_advice<'a>(repo: &Repo, run: &engine::Run, tips: impl Iterator<Item = (&'a str, &'a str)>) {
    let bad: Vec<&str> =
        run.findings.iter().filter(|f| f.severity == Severity::Error).filter_map(|f| f.commit.as_deref()).collect();
    let mut commands: Vec<String> = Vec::new();
    let mut unknown = false;
    for (local_ref, tip) in tips {
        let command = match repo.reword(local_ref, tip, &bad) {
            None => continue,
            Some(Reword::Unknown) => {
                unknown = true;
                continue;
            }
            Some(Reword::Amend { empty: false }) => "git commit --amend --only".to_string(),
            Some(Reword::Amend { empty: true }) => "git commit --amend --only --allow-empty".to_string(),
            Some(Reword::Rebase { base, merges, branch }) => {
                let mut words = vec!["git", "rebase", "-i"];
                if merges {
                    words.push("--rebase-merges");
                }
                let base = base.unwrap_or_else(|| "--root".to_string());
                let mut command = format!("{} {base}", words.join(" "));
                if let Some(branch) = branch {
                    command = format!("{command} {}", retry::quote(&branch));
                }
                command
            }
        };
        if !commands.contains(&command) {
            commands.push(command);
        }
    }
    let mut text = String::from("plan-lint: push blocked. ");
    match commands.as_slice() {
        // Nothing about commits blocked it (the registry, say).
        [] if bad.is_empty() => text.push_str("Fix what is reported above, then push again "),
        [] => text.push_str(
            "Reword the commits above (`git rebase -i --rebase-merges <the commit below them>`, each marked \
             `reword`), then push again ",
        ),
        [only] if only.starts_with("git commit") && !unknown => {
            text.push_str("Only the last commit needs its trailer: add it with\n\n");
            text.push_str(&format!("    {}\n\nthen push again ", crate::escape::line(only)));
        }
        _ => {
            text.push_str(
                "Give each commit above its trailer with the command below (in the list `git rebase -i`\n\
                 opens, change `pick` to `reword` on each; merges are kept), then push again:\n\n",
            );
            for c in &commands {
                text.push_str(&format!("    {}\n", crate::escape::line(c)));
            }
            if unknown {
                text.push_str("\n(and reword the other commits above likewise)\n");
            }
            text.push('\n');
        }
    }
    text.push_str("(or bypass once with `git push --no-verify`).\n");
    let _ = std::io::stderr().write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A push of many new branches onto a repository with many: one walk finds what they all
    /// bring, and it reads each commit about once; each update is one walk of its own range.
    #[test]
    fn a_push_of_many_refs_costs_one_walk_for_the_new_ones() {
        const EXISTING: usize = 600;
        const NEW: usize = 300;
        const UPDATED: usize = 20;
        let dir = tempfile::tempdir().unwrap();
        let git = git2::Repository::init_bare(dir.path()).unwrap();
        let updates = {
            let blob = git.blob(b"[promises.p]\nstatement = \"s\"\nstatus = \"in-play\"\n").unwrap();
            let mut tree = git.treebuilder(None).unwrap();
            tree.insert(crate::registry::FILE_NAME, blob, 0o100644).unwrap();
            let tree = git.find_tree(tree.write().unwrap()).unwrap();
            let commit = |n: usize, parent: git2::Oid, refname: Option<&str>| {
                let sig =
                    git2::Signature::new("A", "a@example.com", &git2::Time::new(1_700_000_000 + n as i64, 0)).unwrap();
                let parent = git.find_commit(parent).unwrap();
                git.commit(refname, &sig, &sig, &format!("Work {n}\n"), &tree, &[&parent]).unwrap()
            };
            let sig = git2::Signature::new("A", "a@example.com", &git2::Time::new(1_600_000_000, 0)).unwrap();
            let base = git.commit(Some("refs/heads/main"), &sig, &sig, "Base\n", &tree, &[]).unwrap();
            let existing: Vec<git2::Oid> =
                (0..EXISTING).map(|i| commit(i, base, Some(&format!("refs/heads/team/b{i}")))).collect();
            let mut updates = Vec::new();
            for (i, &on) in existing.iter().enumerate().take(NEW) {
                // On main, or on an existing branch: either way one new commit.
                let parent = if i % 2 == 0 { base } else { on };
                let new = commit(EXISTING + i, parent, None);
                updates.push(Update { old: None, new, name: format!("refs/heads/new/b{i}"), skip: false });
            }
            for (i, &old) in existing.iter().enumerate().take(UPDATED) {
                let new = commit(EXISTING + NEW + i, old, None);
                updates.push(Update { old: Some(old), new, name: format!("refs/heads/team/b{i}"), skip: false });
            }
            updates
        };
        let repo = Repo::open(dir.path()).unwrap();
        let plan = plan_push(&repo, &updates).unwrap();
        assert_eq!(plan.walks, 1 + UPDATED + 1, "one walk for the new refs, one per update, one of the group's range");
        assert_eq!(plan.fresh.len(), NEW);
        assert_eq!(plan.groups.len(), 1, "one registry, one run");
        assert_eq!(plan.groups[0].commits.len(), NEW + UPDATED);
        // Every existing tip and every new commit, about once (and a few parents per update),
        // then the group's commits and the parents just outside them once more.
        let bound = 2 * (EXISTING + NEW) + 4 * UPDATED + 2 * (NEW + UPDATED);
        assert!(
            plan.reads <= bound,
            "{} commits read for {} pushed onto {EXISTING} branches",
            plan.reads,
            NEW + UPDATED
        );
        // The group's walk yields exactly its commits.
        let range = plan.groups[0].range(&updates);
        let (walked, _) = repo.reachable(&range.tips).unwrap();
        let mut walked: Vec<_> = walked.into_keys().collect();
        let mut expected: Vec<_> = plan.groups[0].commits.keys().copied().collect();
        walked.sort();
        expected.sort();
        assert_eq!(walked, expected);
    }

    /// The usual push, one branch: its commits are walked once, by the engine (the range
    /// `tip ^old`, or `tip ^<every branch>` for a new branch), not first here to collect them.
    #[test]
    fn a_push_of_one_branch_is_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        let git = git2::Repository::init_bare(dir.path()).unwrap();
        let blob = git.blob(b"[promises.p]\nstatement = \"s\"\nstatus = \"in-play\"\n").unwrap();
        let mut tree = git.treebuilder(None).unwrap();
        tree.insert(crate::registry::FILE_NAME, blob, 0o100644).unwrap();
        let tree = git.find_tree(tree.write().unwrap()).unwrap();
        let sig = git2::Signature::new("A", "a@example.com", &git2::Time::new(1_700_000_000, 0)).unwrap();
        let commit = |refname: Option<&str>, message: &str, parents: &[git2::Oid]| {
            let parents: Vec<git2::Commit> = parents.iter().map(|&p| git.find_commit(p).unwrap()).collect();
            git.commit(refname, &sig, &sig, message, &tree, &parents.iter().collect::<Vec<_>>()).unwrap()
        };
        let base = commit(Some("refs/heads/main"), "Base\n", &[]);
        let side = commit(Some("refs/heads/side"), "Side\n", &[base]);
        let one = commit(None, "One\n", &[base]);
        let two = commit(None, "Two\n", &[one, side]);
        let repo = Repo::open(dir.path()).unwrap();
        let update = Update { old: Some(base), new: two, name: "refs/heads/main".into(), skip: false };
        let new = Update { old: None, new: two, name: "refs/heads/topic".into(), skip: false };
        for (update, excluded) in [(update, vec![base]), (new, vec![base, side])] {
            let updates = [update];
            let plan = plan_push(&repo, &updates).unwrap();
            assert_eq!((plan.walks, plan.reads), (0, 0), "no walk before the engine's");
            let range = plan.groups[0].range(&updates);
            let mut want = vec![(two, false)];
            let mut excluded = excluded;
            excluded.sort();
            want.extend(excluded.into_iter().map(|e| (e, true)));
            assert_eq!(range.tips, want);
            let (walked, _) = repo.reachable(&range.tips).unwrap();
            let mut walked: Vec<_> = walked.into_keys().collect();
            walked.sort();
            let mut expected = if updates[0].old.is_some() { vec![one, two, side] } else { vec![one, two] };
            expected.sort();
            assert_eq!(walked, expected);
            // Any commit with an error rejects the one ref.
            assert_eq!(plan.rejected(&plan.groups[0], &HashSet::from([one]), false), [0]);
            assert!(plan.rejected(&plan.groups[0], &HashSet::new(), false).is_empty());
        }
    }

    #[test]
    fn message_sources_by_gits_names() {
        for (name, source) in [
            ("message", MessageSource::Message),
            ("template", MessageSource::Template),
            ("merge", MessageSource::Merge),
            ("squash", MessageSource::Squash),
            ("commit", MessageSource::Commit),
        ] {
            assert_eq!(MessageSource::parse(name), Some(source));
        }
        assert_eq!(MessageSource::parse("Merge"), None);
        assert_eq!(MessageSource::parse(""), None);
    }

    #[test]
    fn commit_flags_from_gits_command_line() {
        let args = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let f = parse_commit_flags(&args("git -c core.commentChar=; commit -qv -m -v --cleanup scissors")).unwrap();
        assert_eq!((f.verbose, f.cleanup), (Some(true), Some(CleanupMode::Scissors)));
        let f = parse_commit_flags(&args("/usr/bin/git commit -e -F -v")).unwrap();
        assert_eq!(f.verbose, None, "-v is the -F file's name here: commit.verbose decides");
        let f = parse_commit_flags(&args("git commit --verbose --no-verbose --cleanup=strip --amend")).unwrap();
        assert_eq!(f, CommandLine { verbose: Some(false), cleanup: Some(CleanupMode::Strip), amend: true });
        assert!(parse_commit_flags(&args("lefthook run commit-msg")).is_none());
        assert!(parse_commit_flags(&args("git rebase --continue")).is_none());
    }
}
