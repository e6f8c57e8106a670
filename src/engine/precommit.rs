//! The pre-commit hook's scope: what a staged change can affect.

use super::plans::{Paths, Scope};
use super::Gather;
use crate::facts::{ContractChange, Plans, Readings, RegistryChange};
use crate::files::{self, Files};
use crate::finding::Finding;
use crate::git::{Oid, Repo};
use crate::registry::{self, Parts, Promise, Registry, Scopes};
use crate::rules::{self, Ctx, Levels, Sink};
use crate::scan::markdown;
use crate::source::{Source, SourceId, SourceKind};
use std::collections::{HashMap, HashSet};

impl Scope {
    /// Record, per document judged, the promises its open items serve. With scopes, the other
    /// scopes' entries are kept (up to [`OTHER_SCOPES_KEPT`]).
    pub(super) fn save_cache(self, plans: &Plans, scoped: bool) {
        let Some((mut cache, documents)) = self.cache else { return };
        let judged = self.only.unwrap_or_default();
        let mut open: HashMap<&str, Vec<String>> = judged.iter().map(|p| (p.as_str(), Vec::new())).collect();
        for item in plans.list.iter().filter(|i| !i.done) {
            open.entry(item.path.as_str()).or_default().extend(item.promises.iter().cloned());
        }
        for (path, oid) in &documents {
            if let Some(ids) = open.remove(path.as_str()) {
                cache.insert(*oid, ids);
            }
        }
        let others = if scoped { OTHER_SCOPES_KEPT } else { 0 };
        cache.save(&documents.iter().map(|(_, oid)| *oid).collect(), others);
    }
}

/// How many entries for documents outside a scope its pre-commit run keeps in the cache.
const OTHER_SCOPES_KEPT: usize = 200_000;

/// What the pre-commit hook must judge: `None` when nothing staged can change a finding (no
/// registry anywhere, or neither the registry nor a plan document differs from HEAD).
///
/// A staged plan document is judged in full. Other documents are judged again only when the
/// registry changed in a part the plan rules read ([`rules::plan_reads`]): every document, or,
/// when only statuses changed, the documents whose open items serve those promises (the
/// content-addressed cache knows which), reporting only what the change causes: problems
/// already committed are CI's to report, not a reason to block unrelated work.
pub(super) fn staged_scope(repo: &Repo, files: &Files, registry: &Registry) -> Option<Scope> {
    // A few trees and blobs, never history: the object cache cannot grow, and it saves
    // re-reading HEAD's trees for every path compared.
    crate::git::cache_objects();
    let index = files.index()?;
    let head_tree = repo.head_tree();
    let head_blob = |path: &str| head_tree.as_ref().and_then(|t| t.entry(path));
    // The scope's own registry (the root's, or a listed member's).
    let file = registry.file_path();
    let staged_registry = index.get_path(&file);
    let head_registry = head_blob(&file);

    let changed = |path: &str, id: Oid| head_blob(path) != Some(id);
    let registry_changed = staged_registry.as_ref().is_none_or(|e| changed(&file, e.id));
    // Every plan and issue document in the index, with its content's id.
    // Sorted by path: each directory is asked once whether a pattern can match under it.
    let documents: Vec<(String, Oid)> = index
        .in_dirs(|dir| std::str::from_utf8(dir).is_ok_and(|d| registry.may_hold_documents(d)))
        .filter_map(|e| {
            let p = std::str::from_utf8(e.path).ok().filter(|_| e.stage == 0)?;
            registry.is_document(p).then(|| (p.to_string(), e.id))
        })
        .collect();
    let staged_plans: HashSet<String> =
        documents.iter().filter(|(p, id)| changed(p, *id)).map(|(p, _)| p.clone()).collect();
    if !registry_changed && staged_plans.is_empty() {
        return None;
    }
    if !registry_changed {
        return Some(Scope { only: Some(staged_plans), ..Scope::all() });
    }
    let before = head_registry.and_then(|oid| files::registry_in_blob(repo, oid));
    let Some(before) = before else { return Some(Scope::all()) };
    let as_written = (!registry.scopes.path.is_empty()).then(|| as_written_in(repo, staged_registry.map(|e| e.id)));
    let compared = match &as_written {
        None => registry,
        Some(Some(r)) => r,
        Some(None) => return Some(Scope::all()),
    };
    let changes = compared.changes(&before);
    // Contracts the staged registry changes (`suspect-link`): compared only when a part that
    // holds one changed.
    let contracts = match changes.parts.intersects(Parts::DESCRIPTIONS.or(Parts::OUTCOMES)) {
        true => staged_contracts(registry, &before),
        false => HashMap::new(),
    };
    let reads = rules::plan_reads();
    let mut scope = if !changes.parts.intersects(reads) {
        Scope { only: Some(staged_plans), ..Scope::all() }
    } else if !changes.parts.and(reads).within(Parts::STATUS) {
        Scope::all()
    } else {
        let known = crate::cache::OpenItems::load(repo.common_dir());
        let mut only = staged_plans.clone();
        for (path, oid) in &documents {
            if known.get(*oid).is_none_or(|ids| ids.iter().any(|id| changes.statuses.contains(id))) {
                only.insert(path.clone());
            }
        }
        Scope {
            only: Some(only),
            paths: Paths::Listed,
            focus: Some((changes.statuses, staged_plans)),
            cache: Some((known, documents.clone())),
            suspect: None,
        }
    };
    if !contracts.is_empty() {
        let (known, kept) =
            scope.cache.get_or_insert_with(|| (crate::cache::OpenItems::load(repo.common_dir()), documents.clone()));
        let suspect = Suspect::of(files, index, registry, contracts, documents, known);
        // The other scopes' cache entries are kept with this scope's.
        kept.extend(suspect.elsewhere.iter().flat_map(|e| e.documents.iter().cloned()));
        scope.suspect = Some(suspect);
    }
    Some(scope)
}

/// A member's staged registry as written: as judged, it carries what it inherits from its
/// ancestors, while HEAD's is read as written; compared otherwise, every change would look like
/// all of them.
fn as_written_in(repo: &Repo, staged: Option<Oid>) -> Option<Registry> {
    files::registry_in_blob(repo, staged?)
}

/// What a staged registry makes suspect (`suspect-link` in the pre-commit hook): the promises
/// whose contract it changes, with no review of it as it is, and how; the documents of its own
/// scope that may have open work under them; with scopes, the other scopes' too.
pub(super) struct Suspect {
    changes: HashMap<String, ContractChange>,
    documents: Vec<(String, Oid)>,
    elsewhere: Vec<Elsewhere>,
}

/// Another scope, as a staged contract change in the judging scope reaches it: its registry as
/// it sees the others (what the ids its plans write resolve to), the changed promises by the
/// ids it knows them by (qualified; a root promise's bare), and its documents that may have
/// open work under them.
struct Elsewhere {
    registry: Registry,
    changes: HashMap<String, ContractChange>,
    documents: Vec<(String, Oid)>,
}

impl Suspect {
    /// What the staged `contracts` of `registry`'s scope make suspect: of its `documents`, those
    /// whose open items may serve a changed promise (those the cache does not know, or knows
    /// to), and with scopes, the other scopes' documents that may name one.
    fn of(
        files: &Files,
        index: &crate::git::index::Index,
        registry: &Registry,
        contracts: HashMap<String, ContractChange>,
        documents: Vec<(String, Oid)>,
        known: &crate::cache::OpenItems,
    ) -> Suspect {
        let changed = |id: &String| registry.promise(id).is_some_and(|p| contracts.contains_key(&p.id));
        let documents = documents
            .into_iter()
            .filter(|(path, oid)| {
                !registry.issue_globs.is_match(path) && known.get(*oid).is_none_or(|ids| ids.iter().any(changed))
            })
            .collect();
        let elsewhere = match registry.scopes.any() {
            true => elsewhere(files, index, registry, &contracts, known),
            false => Vec::new(),
        };
        Suspect { changes: contracts, documents, elsewhere }
    }
}

/// Every other scope the staged `contracts` of `registry`'s scope reach, with its documents in
/// `index` whose open items may name one of them (those the cache does not know, or knows to):
/// read only when a contract changes. The root's view is among them (with or without
/// documents) when the judging scope is a member: the branches' commits resolve in it.
fn elsewhere(
    files: &Files,
    index: &crate::git::index::Index,
    registry: &Registry,
    contracts: &HashMap<String, ContractChange>,
    known: &crate::cache::OpenItems,
) -> Vec<Elsewhere> {
    let own = registry.scopes.path.as_str();
    let mut views: Vec<Elsewhere> = other_scopes(files, own)
        .into_iter()
        .map(|r| {
            let changes = contracts
                .iter()
                .filter_map(|(id, change)| {
                    let id = Scopes::qualify(own, id);
                    // Known there by that id, and not as one of its own (a root promise's bare id
                    // that the scope defines too names its own).
                    let known = !r.index_has(&id) && r.promise(&id).is_some_and(|p| p.id == id);
                    known.then(|| (id, change.clone()))
                })
                .collect();
            Elsewhere { registry: r, changes, documents: Vec::new() }
        })
        .collect();
    // Each directory is asked of the one scope that governs its files.
    let members = &registry.scopes.members;
    let view = |views: &[Elsewhere], scope: &str| views.iter().position(|v| v.registry.scopes.path == scope);
    let wanted = |dir: &str| {
        let v = view(&views, Scopes::governing(members, &format!("{dir}/.")));
        v.is_some_and(|v| !views[v].changes.is_empty() && views[v].registry.may_hold_documents(dir))
    };
    let entries: Vec<(String, Oid)> = index
        .in_dirs(|dir| std::str::from_utf8(dir).is_ok_and(wanted))
        .filter_map(|e| Some((std::str::from_utf8(e.path).ok().filter(|_| e.stage == 0)?.to_string(), e.id)))
        .collect();
    for (path, oid) in entries {
        let Some(v) = view(&views, Scopes::governing(members, &path)) else { continue };
        let v = &mut views[v];
        if !v.registry.is_document(&path) || v.registry.issue_globs.is_match(&path) {
            continue;
        }
        let names = |id: &String| v.registry.promise(id).is_some_and(|p| v.changes.contains_key(&p.id));
        if known.get(oid).is_none_or(|ids| ids.iter().any(names)) {
            v.documents.push((path, oid));
        }
    }
    views.retain(|v| !v.documents.is_empty() || v.registry.scopes.path.is_empty());
    views
}

/// Every scope's registry but `own`'s, from `files` (the index), as that scope sees the others
/// (its own promises by short id, the others' by qualified id, its patterns under its folder):
/// what `files::scoped` builds for each, without the inheritance, which no id or pattern reads.
/// A member whose registry does not read is left out (its own run reports it).
fn other_scopes(files: &Files, own: &str) -> Vec<Registry> {
    let Ok(Some((root, _))) = files::read_registry(files, None, files::Absent::NotUsing) else { return Vec::new() };
    let members = root.scopes.members.clone();
    let mut all = vec![root];
    for m in &members {
        let rel = format!("{m}/{}", registry::FILE_NAME);
        let member = files.read(&rel).ok().and_then(|bytes| files::parse_registry(&rel, bytes).ok());
        all.extend(member.and_then(|(r, _)| r.into_member(m).ok()));
    }
    let known =
        registry::AllPromises::new(all.iter().flat_map(|r| r.promises.iter().map(|p| (r.scopes.path.as_str(), p))));
    all.into_iter()
        .filter(|r| r.scopes.path != own)
        .map(|mut r| {
            r.know_scopes(&members, &known);
            r
        })
        .collect()
}

/// The promises in play or proposed whose statement, customer or an outcome's target the
/// staged registry changes against HEAD's, unless it records a review of the new contract
/// (`reviewed`): how each changed.
fn staged_contracts(registry: &Registry, before: &Registry) -> HashMap<String, ContractChange> {
    let old: HashMap<&str, &Promise> = before.promises.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut out = HashMap::new();
    for p in registry.promises.iter().filter(|p| p.contract_unreviewed()) {
        let Some(b) = old.get(p.id.as_str()) else { continue };
        let what: Vec<String> = contract_diff(b, p).iter().filter_map(super::history::contract_wording).collect();
        if !what.is_empty() {
            out.insert(p.id.clone(), ContractChange { commit: None, what: what.join(", ") });
        }
    }
    out
}

/// What `after` changes in `before`'s contract, as the registry's history words it.
fn contract_diff(before: &Promise, after: &Promise) -> Vec<RegistryChange> {
    let promise = || after.id.clone();
    let mut out = Vec::new();
    if before.statement.trim() != after.statement.trim() {
        out.push(RegistryChange::Statement { promise: promise() });
    }
    if before.customer != after.customer {
        out.push(RegistryChange::Customer {
            promise: promise(),
            from: before.customer.clone(),
            to: after.customer.clone(),
        });
    }
    for o in &after.outcomes {
        let Some(old) = before.outcomes.iter().find(|b| b.metric == o.metric) else { continue };
        if old.target != o.target {
            let metric = o.metric.clone().unwrap_or_default();
            out.push(RegistryChange::Target {
                promise: promise(),
                metric,
                from: old.target.clone(),
                to: o.target.clone(),
            });
        }
    }
    out
}

/// At most this many commits of unmerged branches are read for the branches a staged contract
/// change makes suspect.
const BRANCH_LIMIT: usize = 5_000;

impl Gather<'_> {
    /// `suspect-link` in the pre-commit hook: the open items under a promise whose contract the
    /// staged registry changes (in the documents that may hold some, all of them, staged or
    /// not, in every scope: each finding in the scope of its document), judged against that
    /// change; and the local branches HEAD has not merged whose own commits name such a
    /// promise, noted. The documents read are recorded in the cache.
    pub(super) fn staged_suspects(&mut self, scope: &mut Scope) {
        let Some(Suspect { changes, documents, elsewhere }) = scope.suspect.take() else { return };
        let ctx = self.ctx;
        self.judge_suspects(scope, ctx, &changes, documents, None);
        for e in &elsewhere {
            let ctx = Ctx::new(&e.registry, ctx.registry_source, &[]);
            // `Some("")`: the root's, which `run_in` leaves without a scope.
            let there = std::sync::Arc::<str>::from(e.registry.scopes.path.as_str());
            self.judge_suspects(scope, &ctx, &e.changes, e.documents.clone(), Some(there));
        }
        let Some(repo) = self.repo else { return };
        // A branch's commits name promises as the commit-msg hook reads them: in the root's
        // view, a short id two scopes define meaning the one whose folder the commit changes.
        // Each is listed by the id the root knows it by (a team's qualified).
        // (The root's view is read whenever a member's contract changes; failing that, the
        // scope's own.)
        let root = elsewhere.iter().map(|e| &e.registry).find(|r| r.scopes.path.is_empty()).unwrap_or(ctx.registry);
        let own = ctx.registry.scopes.path.as_str();
        let changed: HashSet<String> = changes.keys().map(|id| Scopes::qualify(own, id)).collect();
        for branch in repo.unmerged_branches(BRANCH_LIMIT) {
            let mut named: Vec<String> = Vec::new();
            for (oid, ids) in &branch.commits {
                let mut touched = None;
                for id in ids {
                    let means = match root.promise(id) {
                        Some(p) => Some(p.id.clone()),
                        None => in_touched_scope(repo, root, *oid, id, &mut touched),
                    };
                    if let Some(m) = means.filter(|m| changed.contains(m) && !named.contains(m)) {
                        named.push(m);
                    }
                }
            }
            if !named.is_empty() {
                named.sort();
                self.read.suspect_branches.push((branch.name, named));
            }
        }
    }

    /// Judge `documents` against the staged `changes` with `ctx` (the registry of their scope),
    /// keep their findings (in scope `there`, when not the run's) and record what each holds
    /// in the cache.
    fn judge_suspects(
        &mut self,
        scope: &mut Scope,
        ctx: &Ctx,
        changes: &HashMap<String, ContractChange>,
        documents: Vec<(String, Oid)>,
        there: Option<std::sync::Arc<str>>,
    ) {
        let ids: Vec<String> = changes.keys().cloned().collect();
        let levels = self.levels;
        let oids: HashMap<String, Oid> = documents.iter().cloned().collect();
        let paths = documents.into_iter().map(|(path, _)| path).collect();
        let judged = super::plans::read_listed(self.files, paths, |_, bytes| {
            let decoded = super::plans::decode(bytes);
            let bytes: &[u8] = decoded.as_deref().map_or(bytes, str::as_bytes);
            if memchr::memchr(0, &bytes[..bytes.len().min(8000)]).is_some() || !markdown::may_have_items(bytes) {
                return Ok((String::new(), Vec::new(), Vec::new(), 0));
            }
            let text = markdown::normalize_line_ends(String::from_utf8_lossy(bytes).into_owned());
            let plan = markdown::scan(&text);
            let mut sink = Sink::focused(levels, &ids);
            rules::judge_plan_history(ctx, &plan, changes, &mut sink);
            let open = plan.items.iter().filter(|i| !i.done).flat_map(|i| i.promises.iter().map(|&r| &plan.refs[r].id));
            let open: Vec<String> = open.cloned().collect();
            Ok((text, sink.take(), open, plan.items.len()))
        });
        for (rel, result) in judged {
            let Ok((text, found, open, items)) = result else { continue };
            if let (Some((cache, _)), Some(oid)) = (scope.cache.as_mut(), oids.get(&rel)) {
                cache.insert(*oid, open);
            }
            // Counted once: a document the plan rules judged is counted already.
            if there.is_some() || scope.only.as_ref().is_some_and(|only| !only.contains(&rel)) {
                self.read.plans.files += 1;
                self.read.plans.items += items;
            }
            if !found.is_empty() {
                let found = found.into_iter().map(|f| Finding { scope: there.clone(), ..f }).collect();
                self.keep(Source::file(rel, text), found);
            }
        }
    }
}

/// With scopes: what a short id `id` that several scopes define (none the root) means in
/// commit `oid`: the one definition among the scopes the commit changes, if exactly one (as
/// the commit-msg hook and `check` resolve it). The commit's paths are read once, when asked.
fn in_touched_scope(
    repo: &Repo,
    root: &Registry,
    oid: Oid,
    id: &str,
    touched: &mut Option<Vec<String>>,
) -> Option<String> {
    let defined = root.definitions(id);
    if defined.is_empty() {
        return None;
    }
    let touched = touched.get_or_insert_with(|| repo.scopes_changed(oid, &root.scopes.members).unwrap_or_default());
    let members = &root.scopes.members;
    let mut here = defined.into_iter().filter(|d| touched.iter().any(|t| Scopes::governing(members, d) == t));
    match (here.next(), here.next()) {
        (Some(one), None) => Some(one.to_string()),
        _ => None,
    }
}

/// Whether any of `paths` differs between the index and HEAD (staged, added or removed).
pub(super) fn staged_any(repo: &Repo, files: &Files, paths: &[&str]) -> bool {
    let Some(index) = files.index() else { return false };
    let head = repo.head_tree();
    paths.iter().any(|p| index.get_path(p).map(|e| e.id) != head.as_ref().and_then(|t| t.entry(p)))
}

/// What identifies a finding across versions of its file: its code, severity, message and the
/// text of the line it points at (not the line's number: edits above move it).
type Identity = (crate::code::Code, crate::code::Severity, String, String);

fn identity(source: &Source, f: &Finding) -> Identity {
    let line = f.labels.first().map(|l| source.line_text(source.line_of(l.span.start))).unwrap_or_default();
    (f.code, f.severity, f.message.clone(), line.to_string())
}

impl Gather<'_> {
    /// The pre-commit hook reports what the staged change causes: in each file with findings,
    /// those on lines the change adds or modifies (a line diff of the index's version against
    /// HEAD's), and those on other lines that HEAD's version, judged with HEAD's registry, did
    /// not have (a promise dropped in the same commit, a heading edited above an item). The
    /// rest are older: set aside and counted per file.
    pub(super) fn set_aside_older(&mut self) {
        let (Some(repo), Some(index)) = (self.repo, self.files.index()) else { return };
        let Some(head) = repo.head_tree() else { return };
        // Each file's findings, by index, in one pass.
        let mut sources: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for (i, f) in self.read.findings.iter().enumerate() {
            // The hook judges `suspect-link` only for the staged change: never older.
            if let Some(id) = f.source.filter(|_| f.code != crate::code::Code::SuspectLink) {
                sources.entry(id.0).or_default().push(i);
            }
        }
        let registry_staged = index.get_path(registry::FILE_NAME).map(|e| e.id) != head.entry(registry::FILE_NAME);
        let old_registry = match registry_staged {
            // HEAD had no registry (or a broken one): everything found is the change's doing.
            true => match head.entry(registry::FILE_NAME).and_then(|b| files::registry_in_blob(repo, b)) {
                Some(r) => Some(r),
                None => return,
            },
            false => None,
        };
        let registry = old_registry.as_ref().unwrap_or(self.ctx.registry);
        let levels = old_registry.as_ref().map(|r| Levels::new(r, &self.inputs.levels));
        let levels = levels.as_ref().unwrap_or(self.levels);
        let old_ctx = Ctx::new(registry, self.ctx.registry_source, &[]);
        let readings_path = self.ctx.registry.outcomes_file.as_str();
        let mut older: HashSet<usize> = HashSet::new();
        for (id, mine) in sources {
            let source = self.read.sources.get(SourceId(id));
            let SourceKind::File { path } = &source.kind else { continue };
            // A file HEAD lacks is new in full.
            let Some(old_blob) = head.entry(path) else { continue };
            let staged = index.get_path(path).map(|e| e.id) != Some(old_blob);
            // Readings findings about an outcome (regressed, met) point into the registry.
            let readings_staged = path == registry::FILE_NAME && staged_any(repo, self.files, &[readings_path]);
            if !staged && !registry_staged && !readings_staged {
                // Nothing it is judged from changed: the same findings as HEAD's.
                older.extend(mine);
                continue;
            }
            let Ok(Some(old_bytes)) = repo.blob(old_blob, files::MAX_PLAN_BYTES) else { continue };
            let old_text = String::from_utf8_lossy(&old_bytes).replace("\r\n", "\n");
            let changed = if staged {
                changed_lines(&old_text.lines().collect::<Vec<_>>(), &source.text.lines().collect::<Vec<_>>())
            } else {
                Vec::new()
            };
            let on_changed = |f: &Finding| {
                staged
                    && f.labels
                        .first()
                        .is_some_and(|l| changed.get(source.line_of(l.span.start)).copied().unwrap_or(true))
            };
            let unchanged: Vec<usize> = mine.into_iter().filter(|&i| !on_changed(&self.read.findings[i])).collect();
            if unchanged.is_empty() {
                continue;
            }
            let head_readings = || {
                let bytes = repo.blob(head.entry(readings_path)?, files::MAX_PLAN_BYTES).ok()??;
                readings_in(readings_path, &String::from_utf8(bytes).ok()?)
            };
            let Some((old_text, old_found)) = judge_old(&old_ctx, levels, path, &old_bytes, head_readings) else {
                continue;
            };
            let old_source = Source::file(path.clone(), old_text);
            let mut before: HashMap<Identity, usize> = HashMap::new();
            for f in &old_found {
                *before.entry(identity(&old_source, f)).or_default() += 1;
            }
            for i in unchanged {
                if let Some(n) = before.get_mut(&identity(source, &self.read.findings[i])).filter(|n| **n > 0) {
                    *n -= 1;
                    older.insert(i);
                }
            }
        }
        self.count_older(&older);
    }

    /// Set aside the findings at these indices, counted per file.
    fn count_older(&mut self, older: &HashSet<usize>) {
        if older.is_empty() {
            return;
        }
        let mut counts: Vec<(String, usize)> = Vec::new();
        let findings = std::mem::take(&mut self.read.findings);
        for (i, f) in findings.into_iter().enumerate() {
            if !older.contains(&i) {
                self.read.findings.push(f);
                continue;
            }
            let name = f.source.map(|s| self.read.sources.get(s).name()).unwrap_or_default();
            match counts.iter_mut().find(|(p, _)| *p == name) {
                Some((_, n)) => *n += 1,
                None => counts.push((name, 1)),
            }
        }
        self.read.older = counts;
    }
}

/// HEAD's version of a file judged as the staged one was: the registry (with HEAD's readings,
/// whose findings about an outcome point into it), the readings or a plan document. The text
/// its findings point into, and its findings there.
fn judge_old(
    ctx: &Ctx,
    levels: &Levels,
    path: &str,
    bytes: &[u8],
    head_readings: impl FnOnce() -> Option<Readings>,
) -> Option<(String, Vec<Finding>)> {
    let mut sink = Sink::new(levels);
    let there = |found: Vec<Finding>, id: SourceId| found.into_iter().filter(|f| f.source == Some(id)).collect();
    if path == registry::FILE_NAME {
        rules::judge_registry(ctx, &mut sink);
        if let Some(readings) = head_readings() {
            rules::judge_readings(ctx, &readings, &mut sink);
        }
        return Some((String::from_utf8_lossy(bytes).into_owned(), there(sink.take(), ctx.registry_source)));
    }
    if path == ctx.registry.outcomes_file {
        let text = String::from_utf8(bytes.to_vec()).ok()?;
        let readings = readings_in(path, &text)?;
        rules::judge_readings(ctx, &readings, &mut sink);
        return Some((text, there(sink.take(), readings.source)));
    }
    super::plans::judge_document(ctx, levels, path, bytes)
}

/// Readings as HEAD held them (their findings are compared, never shown: no source of their
/// own); `None` when they do not read.
fn readings_in(path: &str, text: &str) -> Option<Readings> {
    let rows = crate::outcomes::parse(text).ok()?;
    Some(Readings { path: path.to_string(), source: SourceId(usize::MAX), rows, today: None })
}

/// The most differences [`changed_lines`] looks for before it calls every line between the
/// common head and tail changed (memory stays within a few megabytes).
const MAX_EDITS: usize = 512;

/// The most line comparisons [`changed_lines`] spends, about: edits looked for times lines.
const MAX_WORK: usize = 20_000_000;

/// For each line of `new`, whether a line diff against `old` (Myers's, as git's) adds or
/// modifies it.
fn changed_lines(old: &[&str], new: &[&str]) -> Vec<bool> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let mut changed = vec![false; new.len()];
    let (a, b) = (&old[prefix..old.len() - suffix], &new[prefix..new.len() - suffix]);
    changed[prefix..new.len() - suffix].fill(true);
    for j in myers_matches(a, b).unwrap_or_default() {
        changed[prefix + j] = false;
    }
    changed
}

/// The lines of `b` a shortest edit script from `a` keeps, or `None` past [`MAX_EDITS`].
fn myers_matches(a: &[&str], b: &[&str]) -> Option<Vec<usize>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    // Each edit looked for costs a pass over both: past a budget, give up early on huge files.
    let max = (a.len() + b.len()).min(MAX_EDITS).min(MAX_WORK / (a.len() + b.len()).max(1)) as isize;
    let off = max + 1;
    let at = |k: isize| (off + k) as usize;
    let mut v = vec![0isize; 2 * max as usize + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut found = None;
    'search: for d in 0..=max {
        trace.push(v.clone());
        for k in (-d..=d).step_by(2) {
            let mut x =
                if k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]) { v[at(k + 1)] } else { v[at(k - 1)] + 1 };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[at(k)] = x;
            if x >= n && y >= m {
                found = Some(d);
                break 'search;
            }
        }
    }
    let mut matched = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..=found?).rev() {
        let v = &trace[d as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]) { k + 1 } else { k - 1 };
        let prev_x = v[at(prev_k)];
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            matched.push(y as usize);
        }
        x = prev_x;
        y = prev_y;
    }
    Some(matched)
}

#[cfg(test)]
mod tests {
    use super::changed_lines;

    /// What a staged registry changes in each contract, as `suspect-link` words it: every part
    /// that changed; nothing for a promise whose new contract is reviewed, one not in play or
    /// proposed, or a title.
    #[test]
    fn a_staged_registry_s_contract_changes_are_worded_part_by_part() {
        let registry = |text: String| {
            crate::registry::Registry::parse(&crate::source::Source::file("promises.toml", text)).expect("a registry")
        };
        let promise = |id: &str, statement: &str, status: &str, target: &str, extra: &str| {
            format!(
                "[promises.{id}]\nstatement = \"{statement}\"\nstatus = \"{status}\"\n{extra}\
                 outcomes = [{{ metric = \"m\", baseline = \"1\", target = \"{target}\" }}]\n"
            )
        };
        let before = registry(
            promise("a", "A", "in-play", "5", "")
                + &promise("b", "B", "in-play", "5", "")
                + &promise("c", "C", "done", "5", "")
                + &promise("d", "D", "proposed", "5", ""),
        );
        let staged = |b_extra: &str| {
            registry(
                promise("a", "A, again", "in-play", "7", "")
                    + &promise("b", "B", "in-play", "6", b_extra)
                    + &promise("c", "C", "done", "9", "")
                    + &promise("d", "D", "proposed", "5", "title = \"Dee\"\n"),
            )
        };
        let what = |r: &crate::registry::Registry| {
            let mut got: Vec<(String, String)> =
                super::staged_contracts(r, &before).into_iter().map(|(id, c)| (id, c.what)).collect();
            got.sort();
            got
        };
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            what(&staged("")),
            [s("a", "statement changed, target of m changed: 5 → 7"), s("b", "target of m changed: 5 → 6")]
        );
        let fingerprint = staged("").promise("b").unwrap().fingerprint();
        let reviewed = staged(&format!("reviewed = \"{fingerprint}\"\n"));
        assert_eq!(what(&reviewed), [s("a", "statement changed, target of m changed: 5 → 7")]);
    }

    #[test]
    fn a_line_diff_marks_what_is_added_or_modified() {
        let old = ["a", "b", "c", "d", "e"];
        assert_eq!(changed_lines(&old, &["a", "b", "c", "d", "e"]), [false; 5]);
        assert_eq!(
            changed_lines(&old, &["x", "a", "b", "C", "d", "e", "y"]),
            [true, false, false, true, false, false, true]
        );
        // A swap: one of the two is kept, the other moved (added).
        let swapped = changed_lines(&old, &["a", "c", "b", "d"]);
        assert!(!swapped[0] && !swapped[3] && swapped.iter().filter(|&&c| c).count() == 1, "{swapped:?}");
        assert_eq!(changed_lines(&[], &["a"]), [true]);
        assert_eq!(changed_lines(&old, &[]), Vec::<bool>::new());
        // Past the bound every line between the common head and tail counts as changed.
        let many: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let other: Vec<&str> = many.iter().map(|_| "x").collect();
        assert!(changed_lines(&many, &other).iter().all(|&c| c));
    }
}
