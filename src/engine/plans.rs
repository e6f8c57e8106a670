//! Plan documents and issue files: listed (or given), read, and judged on every core.

use super::{Gather, PlanScope};
use crate::facts::{Body, BodyKind, ContractChange, Listing, OpenUnder, PlanHypothesis, PlanItem};
use crate::files::{self, Files, MAX_PLAN_BYTES};
use crate::finding::Finding;
use crate::git::{Oid, Repo};
use crate::registry::Registry;
use crate::rules::{self, Ctx, Levels, Sink};
use crate::scan::{body, markdown};
use crate::source::{LineIndex, Source};
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

/// Which documents to read, and for which a registry change is all that can differ.
pub(super) struct Scope {
    /// `None`: every document the patterns select.
    pub(super) only: Option<HashSet<String>>,
    /// Where the paths come from.
    pub(super) paths: Paths,
    /// Documents judged again only for these promises' status change (not themselves staged).
    pub(super) focus: Option<(Vec<String>, HashSet<String>)>,
    /// The pre-commit cache of which promises each document's open items serve, to update.
    pub(super) cache: Option<(crate::cache::OpenItems, Vec<(String, Oid)>)>,
    /// The promises whose contract the staged registry changes (`suspect-link` in the
    /// pre-commit hook), and the documents that may have open work under them.
    pub(super) suspect: Option<super::precommit::Suspect>,
}

impl Scope {
    pub(super) fn all() -> Scope {
        Scope { only: None, paths: Paths::Listed, focus: None, cache: None, suspect: None }
    }
}

/// Where a scope's paths come from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Paths {
    /// The work tree (or the index) is listed; `only`, when set, filters the listing.
    Listed,
    /// `only` is the list: nothing is listed (the editor server's open documents).
    Given,
}

/// A document read and judged on a worker: its counts, its text when it has findings, its
/// findings and its items when kept.
struct JudgedDocument {
    items: usize,
    issue: bool,
    text: Option<String>,
    findings: Vec<Finding>,
    list: Vec<PlanItem>,
    /// Its hypotheses, traced to one promise each (its text is kept for them).
    hypotheses: Vec<(String, crate::registry::Hypothesis)>,
    /// Its open items per promise, when asked: how many, and the lines of the first few.
    open: Vec<(String, usize, Vec<usize>)>,
    /// Whether it has open work under a promise whose contract has no review as it is.
    unreviewed: bool,
}

/// Whether the items of the documents are kept (a window's facts read them, and the
/// pre-commit cache), or only counted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Items {
    Counted,
    Kept,
}

impl Gather<'_> {
    /// Read and judge the plan documents the inputs ask for. `Break` when the pre-commit hook
    /// has nothing staged that can change a finding: the run stops there.
    pub(super) fn plans(&mut self) -> ControlFlow<()> {
        let items = if self.inputs.window.is_some() { Items::Kept } else { Items::Counted };
        match &self.inputs.plans {
            PlanScope::None => {}
            PlanScope::All => {
                let listing = self.read_plans(&Scope::all(), items);
                let mut sink = Sink::new(self.levels);
                rules::judge_listing(self.ctx, &listing, &mut sink);
                self.read.findings.extend(sink.take());
            }
            PlanScope::Only(paths) => {
                let scope = Scope { only: Some(paths.iter().cloned().collect()), paths: Paths::Given, ..Scope::all() };
                self.read_plans(&scope, items);
            }
            PlanScope::Staged => {
                if let (Some(repo), Some(_)) = (self.repo, self.files.index()) {
                    let Some(mut scope) = super::precommit::staged_scope(repo, self.files, self.ctx.registry) else {
                        // No plan to judge; a staged readings file is judged all the same (it
                        // is read only when staged).
                        return if self.read.readings.is_some() {
                            ControlFlow::Continue(())
                        } else {
                            ControlFlow::Break(())
                        };
                    };
                    let items = if scope.cache.is_some() { Items::Kept } else { Items::Counted };
                    self.read_plans(&scope, items);
                    self.staged_suspects(&mut scope);
                    scope.save_cache(&self.read.plans, self.ctx.registry.scopes.any());
                }
            }
        }
        ControlFlow::Continue(())
    }

    /// Read and judge the plan documents and issue files in `scope`, on every core; what the
    /// listing found (patterns that matched nothing).
    fn read_plans(&mut self, scope: &Scope, items: Items) -> Listing {
        let registry = self.ctx.registry;
        let (paths, passed) = match &scope.only {
            Some(only) if scope.paths == Paths::Given => {
                let mut paths: Vec<String> = only.iter().filter(|p| registry.is_document(p)).cloned().collect();
                paths.sort_unstable();
                (paths, Vec::new())
            }
            Some(only) => self.files.paths_among(only, &|p| registry.is_document(p), &files::document_dirs(registry)),
            None => self.files.documents(registry),
        };
        let passed_over: Vec<String> = passed.iter().map(|(p, _)| p.clone()).collect();
        self.read.skipped.extend(passed);
        let listing = if scope.only.is_none() { unmatched(registry, &paths, &passed_over) } else { Listing::default() };
        // The open items per promise are what `hypothesis-refuted` names: gathered only when
        // every document is read and there are readings to judge hypotheses by.
        let open = scope.only.is_none() && self.read.readings.is_some();
        // Documents `suspect-link` may judge, once the registry's history is read.
        let unreviewed: HashSet<&str> = if self.repo.is_some() && super::history::wanted(registry, &self.inputs.plans) {
            registry.promises.iter().filter(|p| p.contract_unreviewed()).map(|p| p.id.as_str()).collect()
        } else {
            HashSet::new()
        };
        let changes = self.changes_at_hand(&unreviewed);
        let judge = Judge {
            ctx: self.ctx,
            levels: self.levels,
            scope,
            items,
            open,
            unreviewed: &unreviewed,
            changes: changes.as_ref(),
        };
        let mut under: Option<HashMap<String, OpenUnder>> = open.then(HashMap::new);
        let judged = read_listed(self.files, paths, |rel, bytes| judge.document(rel, bytes));
        for (rel, result) in judged {
            let doc = match result {
                Ok(doc) => doc,
                Err(why) => {
                    self.read.skipped.push((rel, why));
                    continue;
                }
            };
            let plans = &mut self.read.plans;
            plans.list.extend(doc.list);
            if doc.issue {
                plans.issues += 1;
            } else {
                plans.files += 1;
            }
            plans.items += doc.items;
            if let Some(under) = under.as_mut() {
                for (id, count, lines) in doc.open {
                    under.entry(id).or_default().add(count, lines.into_iter().map(|l| (rel.clone(), l)));
                }
            }
            let mut kept = None;
            if let Some(text) = doc.text {
                let source = self.keep(Source::file(rel.clone(), text), doc.findings);
                let written = doc.hypotheses.into_iter();
                let planned = written.map(|(promise, hypothesis)| PlanHypothesis { promise, hypothesis, source });
                self.read.plans.hypotheses.extend(planned);
                kept = Some(source);
            }
            if doc.unreviewed {
                self.read.unreviewed.push((rel, kept));
            }
        }
        if under.is_some() {
            self.read.plans.open = under;
        }
        listing
    }
}

impl Gather<'_> {
    /// The contract changes in the registry's history when it is at hand (read by another
    /// scope's run) and some promise has no review: `suspect-link` is then judged as each
    /// document is read, not in a second reading. The board's history, still being read on its
    /// own thread, is not waited for: the second reading judges with it.
    fn changes_at_hand(&mut self, unreviewed: &HashSet<&str>) -> Option<HashMap<String, ContractChange>> {
        if unreviewed.is_empty() {
            return None;
        }
        if self.read.history.is_none() {
            let head = self.repo.and_then(Repo::head_commit);
            self.read.history =
                head.and_then(|h| super::history::at_hand(h, super::history::CHECK_LIMIT, self.ctx.registry));
        }
        // One that lacks an object is judged by nothing: `suspect_links` stops the run.
        self.read.history.as_ref().filter(|h| h.unreadable.is_none()).map(super::history::contract_changes)
    }

    /// `suspect-link`: the documents with open work under a promise whose contract has no
    /// review as it is are read again and judged against the registry's history, read now (as
    /// far back as [`super::history::CHECK_LIMIT`]) unless the board read it all already. A
    /// run whose plans hold no such work never walks the history.
    /// A history the repository lacks an object of (a partial clone) stops the run: read as
    /// it is, a promise's old contract would seem new and its links unchanged.
    pub(super) fn suspect_links(&mut self) -> crate::error::Result<()> {
        let docs = std::mem::take(&mut self.read.unreviewed);
        let Some(repo) = self.repo.filter(|_| !docs.is_empty()) else { return Ok(()) };
        let history = match self.read.history().take() {
            Some(h) => h,
            None => match repo.head_commit() {
                Some(head) => {
                    super::history::registry_history(repo, head, super::history::CHECK_LIMIT, self.ctx.registry)
                }
                None => return Ok(()),
            },
        };
        if let Some(missing) = &history.unreadable {
            return Err(super::history::unreadable(missing));
        }
        let changes = super::history::contract_changes(&history);
        self.read.history = Some(history);
        let (ctx, levels) = (self.ctx, self.levels);
        let sources: HashMap<String, Option<crate::source::SourceId>> = docs.iter().cloned().collect();
        let paths = docs.into_iter().map(|(rel, _)| rel).collect();
        let judged = read_listed(self.files, paths, |_, bytes| {
            let decoded = decode(bytes);
            let bytes: &[u8] = decoded.as_deref().map_or(bytes, str::as_bytes);
            let text = markdown::normalize_line_ends(String::from_utf8_lossy(bytes).into_owned());
            let mut sink = Sink::new(levels);
            rules::judge_plan_history(ctx, &markdown::scan(&text), &changes, &mut sink);
            Ok((text, sink.take()))
        });
        for (rel, (text, found)) in judged.into_iter().filter_map(|(rel, r)| Some((rel, r.ok()?))) {
            match sources.get(&rel).copied().flatten() {
                _ if found.is_empty() => {}
                Some(id) => self.read.findings.extend(found.into_iter().map(|f| Finding { source: Some(id), ..f })),
                None => {
                    self.keep(Source::file(rel, text), found);
                }
            }
        }
        Ok(())
    }
}

/// Whether `plan` has open work (an open item, not an exception) under a promise in play or
/// proposed whose contract has no review recorded as it is now: what `suspect-link` may judge.
fn has_unreviewed_work(registry: &Registry, unreviewed: &HashSet<&str>, plan: &markdown::Plan) -> bool {
    let unreviewed_ref: Vec<bool> =
        plan.refs.iter().map(|r| registry.promise(&r.id).is_some_and(|p| unreviewed.contains(p.id.as_str()))).collect();
    plan.items.iter().any(|i| !i.done && i.exception.is_none() && i.promises.iter().any(|&r| unreviewed_ref[r]))
}

/// Which written patterns matched nothing (a typo switches a check off unseen).
fn unmatched(registry: &Registry, paths: &[String], passed_over: &[String]) -> Listing {
    let mut listing = Listing::default();
    for (table, patterns) in [("plans", &registry.plan_globs), ("issues", &registry.issue_globs)] {
        let mut matched = vec![false; patterns.texts().len()];
        for p in paths.iter().chain(passed_over) {
            for i in patterns.matching(p) {
                matched[i] = true;
            }
        }
        let written = (0..matched.len()).filter(|&i| patterns.span(i).is_some());
        listing.unmatched.extend(written.filter(|&i| !matched[i]).map(|i| (table, i)));
    }
    listing
}

/// What judging one document needs (shared by the workers).
struct Judge<'a> {
    ctx: &'a Ctx<'a>,
    levels: &'a Levels,
    scope: &'a Scope,
    items: Items,
    /// Whether each document's open items are counted per promise.
    open: bool,
    /// The promises whose contract has no review as it is: documents with open work under
    /// them are noted, for `suspect-link`.
    unreviewed: &'a HashSet<&'a str>,
    /// The contract changes in the registry's history, when at hand: such documents are
    /// judged against them here.
    changes: Option<&'a HashMap<String, ContractChange>>,
}

impl Judge<'_> {
    /// Read and judge one document (on a worker); `Err` with the reason it is not read.
    fn document(&self, rel: &str, bytes: &[u8]) -> std::result::Result<JudgedDocument, String> {
        let decoded = decode(bytes);
        let bytes: &[u8] = decoded.as_deref().map_or(bytes, str::as_bytes);
        if memchr::memchr(0, &bytes[..bytes.len().min(8000)]).is_some() {
            return Err("binary, not Markdown (a NUL byte in its first 8 KB)".to_string());
        }
        let mut sink = match &self.scope.focus {
            Some((ids, staged)) if !staged.contains(rel) => Sink::focused(self.levels, ids),
            _ => Sink::new(self.levels),
        };
        let mut list = Vec::new();
        let (mut hypotheses, mut open, mut unreviewed) = (Vec::new(), Vec::new(), false);
        let (items, issue, text) = if self.ctx.registry.issue_globs.is_match(rel) {
            (1, true, self.issue(rel, bytes, &mut sink, &mut list))
        } else if !markdown::may_have_items(bytes) {
            // Nothing a plan can say (no task box, no trace keyword): judged as the empty plan
            // a parse would give, without the parse.
            rules::judge_plan(self.ctx, &markdown::Plan::default(), &mut sink);
            let text = if sink.is_empty() { String::new() } else { String::from_utf8_lossy(bytes).into_owned() };
            (0, false, text)
        } else {
            let text = markdown::normalize_line_ends(String::from_utf8_lossy(bytes).into_owned());
            let plan = markdown::scan(&text);
            rules::judge_plan(self.ctx, &plan, &mut sink);
            hypotheses = plan.hypotheses.iter().filter_map(|h| PlanHypothesis::written(&plan, h)).collect();
            if self.open {
                open = open_items(&plan, &text);
            }
            unreviewed = !self.unreviewed.is_empty() && has_unreviewed_work(self.ctx.registry, self.unreviewed, &plan);
            if let (true, Some(changes)) = (unreviewed, self.changes) {
                rules::judge_plan_history(self.ctx, &plan, changes, &mut sink);
                unreviewed = false;
            }
            if self.items == Items::Kept {
                let lines = LineIndex::new(&text);
                list.extend(plan.items.iter().map(|i| PlanItem {
                    path: rel.to_string(),
                    line: lines.line_of(i.span.start).0 + 1,
                    text: i.text.clone(),
                    done: i.done,
                    promises: i.promises.iter().map(|&r| plan.refs[r].id.clone()).collect(),
                    exception: i.exception.clone(),
                    hypothesis:
                        i.hypothesis.and_then(|h| plan.hypotheses.get(h)).map(|h| lines.line_of(h.span.start).0 + 1),
                }));
            }
            (plan.items.len(), false, text)
        };
        let found = sink.take();
        let text = (!found.is_empty() || !hypotheses.is_empty()).then_some(text);
        Ok(JudgedDocument { items, issue, text, findings: found, list, hypotheses, open, unreviewed })
    }

    /// An issue file, judged as a body; its text.
    fn issue(&self, rel: &str, bytes: &[u8], sink: &mut Sink, list: &mut Vec<PlanItem>) -> String {
        let text = body::normalize(&String::from_utf8_lossy(bytes));
        let refs = body::references(&text);
        let open = body::is_open(&text);
        if self.items == Items::Kept {
            let span = body::first_line(&text);
            list.push(PlanItem {
                path: rel.to_string(),
                line: line_of(&text, span.start),
                text: text[span].trim_start_matches('#').trim().to_string(),
                done: !open,
                promises: refs.iter().map(|r| r.id.clone()).collect(),
                exception: None,
                hypothesis: None,
            });
        }
        let b = Body { kind: BodyKind::Issue { open }, what: rel.to_string(), text, refs, in_play_then: None };
        rules::judge_body(self.ctx, &b, sink);
        b.text
    }
}

/// The open items of `plan` per promise: the id, how many, and the 1-based lines of the first
/// [`OpenUnder::LISTED`]. One pass over the items, and one over the text for the lines listed.
fn open_items(plan: &markdown::Plan, text: &str) -> Vec<(String, usize, Vec<usize>)> {
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut out: Vec<(String, usize, Vec<usize>)> = Vec::new();
    for item in plan.items.iter().filter(|i| !i.done) {
        for &r in &item.promises {
            let Some(reference) = plan.refs.get(r) else { continue };
            let at = *by_id.entry(reference.id.as_str()).or_insert_with(|| {
                out.push((reference.id.clone(), 0, Vec::new()));
                out.len() - 1
            });
            let (_, count, first) = &mut out[at];
            *count += 1;
            if first.len() < OpenUnder::LISTED && first.last() != Some(&item.span.start) {
                first.push(item.span.start);
            }
        }
    }
    if !out.is_empty() {
        let lines = LineIndex::new(text);
        for (_, _, first) in &mut out {
            for at in first.iter_mut() {
                *at = lines.line_of(*at).0 + 1;
            }
        }
    }
    out
}

/// Judge one document's bytes in full (the pre-commit hook judges HEAD's version of a staged
/// document to tell the findings a change causes from older ones): the text its findings
/// point into, and the findings; `None` when it is not read (binary).
pub(super) fn judge_document(ctx: &Ctx, levels: &Levels, rel: &str, bytes: &[u8]) -> Option<(String, Vec<Finding>)> {
    let scope = Scope::all();
    let judge = Judge {
        ctx,
        levels,
        scope: &scope,
        items: Items::Counted,
        open: false,
        unreviewed: &HashSet::new(),
        changes: None,
    };
    let doc = judge.document(rel, bytes).ok()?;
    Some((doc.text.unwrap_or_default(), doc.findings))
}

/// Read and judge each listed document. A file gone or unreadable by the time it is read
/// (deleted between listing and reading, say) is `Err("not read: …")`: skipped with a note,
/// never a crash.
pub(super) fn read_listed<T: Send>(
    files: &Files,
    paths: Vec<String>,
    judge: impl Fn(&str, &[u8]) -> std::result::Result<T, String> + Sync,
) -> Vec<(String, std::result::Result<T, String>)> {
    // Blobs from the index are read first, on this thread: libgit2 handles are not shared
    // between threads. Work tree files are read on the workers.
    if files.index().is_some() {
        let read: Vec<(String, std::result::Result<Vec<u8>, String>)> = paths
            .into_iter()
            .map(|p| {
                let bytes = files.read(&p).map_err(|e| format!("not read: {e}"));
                (p, bytes)
            })
            .collect();
        let results =
            parallel_map(&read, |(rel, bytes)| bytes.as_ref().map_err(Clone::clone).and_then(|b| judge(rel, b)));
        read.into_iter().map(|(rel, _)| rel).zip(results).collect()
    } else {
        let root = files.root().to_path_buf();
        let unsaved: HashMap<&str, &str> = paths.iter().filter_map(|p| Some((p.as_str(), files.unsaved(p)?))).collect();
        // `None`: not in the work tree; perhaps outside a sparse checkout's cone, where git
        // holds it in the index (read on this thread, after).
        let results = parallel_map(&paths, |rel| {
            if let Some(text) = unsaved.get(rel.as_str()) {
                return Some(judge(rel, text.as_bytes()));
            }
            DOCUMENT.with(|buf| {
                let mut buf = buf.borrow_mut();
                match read_document(&root.join(rel), &mut buf) {
                    Err(Some(e)) if e.kind() == std::io::ErrorKind::NotFound => return None,
                    Err(Some(e)) => return Some(Err(format!("not read: {e}"))),
                    Err(None) => return Some(Err(format!("not read: larger than {} MiB", MAX_PLAN_BYTES >> 20))),
                    Ok(()) => {}
                }
                let judged = judge(rel, &buf);
                if buf.capacity() > KEPT_BUFFER {
                    *buf = Vec::new();
                }
                Some(judged)
            })
        });
        paths
            .into_iter()
            .zip(results)
            .map(|(rel, judged)| {
                let judged = judged.unwrap_or_else(|| {
                    files.read(&rel).map_err(|e| format!("not read: {e}")).and_then(|b| judge(&rel, &b))
                });
                (rel, judged)
            })
            .collect()
    }
}

thread_local! {
    /// The bytes of the document a thread is judging, reused from one to the next.
    static DOCUMENT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A thread's document buffer is kept between documents up to this size.
const KEPT_BUFFER: usize = 1 << 20;

/// A work tree document's bytes, at most [`MAX_PLAN_BYTES`], into `buf`: read to the end
/// without asking the file's size first (one system call fewer a document: 4,000 on a docs
/// tree of 4,000 pages), into a buffer the thread reuses. `Err(None)` past the limit.
fn read_document(path: &std::path::Path, buf: &mut Vec<u8>) -> std::result::Result<(), Option<std::io::Error>> {
    use std::io::Read;
    buf.clear();
    let file = std::fs::File::open(path).map_err(Some)?;
    file.take(MAX_PLAN_BYTES + 1).read_to_end(buf).map_err(Some)?;
    if buf.len() as u64 > MAX_PLAN_BYTES {
        return Err(None);
    }
    Ok(())
}

/// A document saved as UTF-16 (with a byte-order mark, as editors on Windows save it) decoded
/// to UTF-8, or one saved with a UTF-8 byte-order mark without it; `None` for anything else,
/// which is read as UTF-8 (invalid bytes as U+FFFD). The editor server reads documents with it
/// too.
pub(crate) fn decode(bytes: &[u8]) -> Option<String> {
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16| {
        let units = rest.chunks_exact(2).map(|c| unit([c[0], c[1]]));
        char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect::<String>()
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => Some(utf16(rest, u16::from_le_bytes)),
        [0xFE, 0xFF, rest @ ..] => Some(utf16(rest, u16::from_be_bytes)),
        [0xEF, 0xBB, 0xBF, rest @ ..] => Some(String::from_utf8_lossy(rest).into_owned()),
        _ => None,
    }
}

/// The 1-based line of `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    LineIndex::new(text).line_of(offset).0 + 1
}

/// Run `f` over `items` on every core (this thread one of them), keeping the order. Items are
/// handed out a few at a time as each thread asks, not in equal shares up front: documents
/// differ in size a hundredfold, and a thread given the larger half was the one waited for.
pub(super) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const BATCH: usize = 8;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    if workers == 1 || items.len() < 16 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut out = Vec::new();
        loop {
            let start = next.fetch_add(BATCH, Ordering::Relaxed);
            if start >= items.len() {
                return out;
            }
            out.extend((start..(start + BATCH).min(items.len())).map(|i| (i, f(&items[i]))));
        }
    };
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        let mut parts = vec![work()];
        parts.extend(handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))));
        parts
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, r) in parts.into_iter().flatten() {
        slots[i] = Some(r);
    }
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::FileSource;

    /// A file deleted between listing and reading (what a concurrent `git checkout` does) is
    /// skipped with its reason, deterministically: the listing is taken, the file removed, then
    /// the read runs.
    #[test]
    fn a_file_deleted_after_listing_is_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.md", "b.md"] {
            std::fs::write(dir.path().join(name), "- [ ] x\n").unwrap();
        }
        let files = Files::open(&FileSource::WorkTree, dir.path(), None).unwrap();
        let (paths, _) = files.paths(&|p| p.ends_with(".md"), &(std::sync::Arc::new(|_: &str| true) as files::Descend));
        assert_eq!(paths.len(), 2);
        std::fs::remove_file(dir.path().join("b.md")).unwrap();
        let read = read_listed(&files, paths, |_, bytes| Ok(bytes.len()));
        let by_name: HashMap<&str, &std::result::Result<usize, String>> =
            read.iter().map(|(p, r)| (p.as_str(), r)).collect();
        assert_eq!(by_name["a.md"], &Ok(8));
        let gone = by_name["b.md"].as_ref().unwrap_err();
        assert!(gone.starts_with("not read: ") && gone.contains("No such file"), "{gone}");
    }

    /// Handed out as the threads ask, every item is mapped once and the results keep their order.
    #[test]
    fn parallel_map_keeps_the_order_and_maps_each_item_once() {
        let calls = std::sync::atomic::AtomicUsize::new(0);
        for n in [0, 15, 16, 17, 1000] {
            let items: Vec<usize> = (0..n).collect();
            calls.store(0, std::sync::atomic::Ordering::Relaxed);
            let mapped = parallel_map(&items, |&i| {
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // Uneven work: every tenth item is slow.
                if i % 10 == 0 {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                i * 3
            });
            assert_eq!(mapped, items.iter().map(|i| i * 3).collect::<Vec<_>>());
            assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), n);
        }
    }

    /// Documents are read into a buffer each thread reuses: every one is read whole, none sees
    /// the bytes of the one before, and one without end (a link to /dev/zero) stops at the cap.
    #[test]
    fn documents_read_into_a_reused_buffer_are_each_whole_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        let mut expected = Vec::new();
        for i in 0..40 {
            // Long and short in turn, so a short one follows a longer one on the same thread.
            let text = if i % 2 == 0 { format!("{i}\n").repeat(5000) } else { format!("- [ ] {i}\n") };
            std::fs::write(dir.path().join(format!("d{i:02}.md")), &text).unwrap();
            expected.push((format!("d{i:02}.md"), Ok(text.into_bytes())));
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/dev/zero", dir.path().join("zz.md")).unwrap();
            expected.push(("zz.md".to_string(), Err(format!("not read: larger than {} MiB", MAX_PLAN_BYTES >> 20))));
        }
        let files = Files::open(&FileSource::WorkTree, dir.path(), None).unwrap();
        let paths = expected.iter().map(|(p, _)| p.clone()).collect();
        let read = read_listed(&files, paths, |_, bytes| Ok(bytes.to_vec()));
        assert_eq!(read, expected);
    }
}
