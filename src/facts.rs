//! Facts: everything a run reads, gathered once, before any rule runs.
//!
//! Data flows one way: read (registry, plan documents, commits) -> [`Facts`] -> rules -> findings
//! -> reporter -> exit code. Collecting is the only stage that touches the file system or git;
//! rules get plain data and cannot tell whether it came from a work tree, the index or a test.

use crate::error::{Error, Result};
use crate::git::Repo;
use crate::glob::Glob;
use crate::registry::{self, Registry};
use crate::scan::markdown::{self, Plan};
use crate::scan::trailers::{self, Block, Options};
use crate::source::{Label, Source, SourceId, SourceKind, Sources};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Plan documents larger than this are not read: a plan is prose for people, and a file this
/// large is generated or misplaced.
pub const MAX_PLAN_BYTES: u64 = 16 * 1024 * 1024;

pub struct Facts {
    pub sources: Sources,
    pub registry: Registry,
    pub registry_source: SourceId,
    pub plans: Vec<PlanFile>,
    /// `None` when commits were not checked.
    pub commits: Option<Commits>,
    /// Files passed over, with why (binary, too large, unreadable).
    pub skipped: Vec<(String, String)>,
}

pub struct PlanFile {
    pub path: String,
    pub source: SourceId,
    pub plan: Plan,
}

pub struct Commits {
    pub describe: String,
    pub list: Vec<CommitFacts>,
}

/// Why a commit needs no trailer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exemption {
    Merge,
    Autosquash(&'static str),
    Subject(String),
}

pub struct CommitFacts {
    pub sha: String,
    pub subject: String,
    /// The message (lossy UTF-8) as a source; spans below point into it.
    pub source: SourceId,
    pub exempt: Option<Exemption>,
    /// Trailers as `git log --format=%(trailers)` reads them.
    pub block: Block,
    /// Promise ids from `Promise` trailers, with spans.
    pub promises: Vec<(String, Range<usize>)>,
    /// Span of a `---` line that hides the trailer block from `git interpret-trailers`/`git am`.
    pub hiding_divider: Option<Range<usize>>,
    /// Where the message proper starts (after leading blank lines).
    pub body_offset: usize,
}

/// What to check.
#[derive(Clone, Debug)]
pub enum CommitSelection {
    /// The current branch's own commits (not on its upstream or the default branch).
    Branch,
    /// What `git rev-list` takes.
    Range(String),
    /// Commits are not checked.
    None,
}

#[derive(Clone, Debug)]
pub struct Inputs {
    pub dir: PathBuf,
    pub config: Option<PathBuf>,
    pub commits: CommitSelection,
}

pub fn collect(inputs: &Inputs) -> Result<Facts> {
    let repo = Repo::discover(&inputs.dir);
    let root = match &repo {
        Some(r) => r.root().ok_or_else(|| Error::new("this is a bare repository: plan-lint needs a work tree"))?,
        None if matches!(inputs.commits, CommitSelection::None) => inputs.dir.clone(),
        None => {
            return Err(Error::new(format!("not a git repository: {}", inputs.dir.display())).with_help(
                "run plan-lint inside a git work tree, or pass --no-commits to check only the registry and plans",
            ))
        }
    };

    let mut sources = Sources::default();
    let registry_path = inputs.config.clone().unwrap_or_else(|| root.join(registry::FILE_NAME));
    let registry_bytes = std::fs::read(&registry_path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::new(format!("no promise registry at {}", registry_path.display()))
            .with_help(
            "create promises.toml at the repository root (see the README's registry reference), or pass --config PATH",
        ),
        _ => Error::io(format!("could not read {}", registry_path.display()), &e),
    })?;
    let registry_name = display_path(&root, &registry_path);
    let registry_text = match String::from_utf8(registry_bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = Source::file(registry_name, String::from_utf8_lossy(e.as_bytes()).into_owned());
            let (line, col) = lossy.line_col(at);
            return Err(Error::new(format!("{} is not valid UTF-8 (line {line}, column {col})", lossy.name()))
                .with_help("TOML files must be UTF-8; re-save the file as UTF-8"));
        }
    };
    let registry_source = Source::file(registry_name, registry_text);
    let registry = Registry::parse(&registry_source)?;
    let registry_id = sources.add(registry_source);

    let mut skipped = Vec::new();
    let plans = read_plans(&root, repo.as_ref(), &registry, &mut sources, &mut skipped)?;

    let commits = match (&inputs.commits, &repo) {
        (CommitSelection::None, _) | (_, None) => None,
        (selection, Some(repo)) => {
            let since = match &registry.since {
                Some(rev) => Some(repo.commit_id(rev.get_ref()).map_err(|why| {
                    Error::new(format!(
                        "`[commits] since = \"{}\"` is not a commit in this repository: {why}",
                        rev.get_ref()
                    ))
                    .at(sources.get(registry_id), Label::new(rev.span(), "not found"))
                    .with_help("name a commit, tag or branch this clone has; in a shallow clone, fetch more history")
                })?),
                None => None,
            };
            let spec = match selection {
                CommitSelection::Range(r) => Some(r.as_str()),
                _ => None,
            };
            let range = repo.range(spec, since)?;
            let mut list = Vec::with_capacity(range.oids.len());
            for oid in range.oids {
                let commit = repo.commit(oid)?;
                list.push(commit_facts(commit.sha, commit.parents, &commit.message, &registry, &mut sources));
            }
            let describe = match &registry.since {
                Some(rev) => format!("{}, after {}", range.describe, rev.get_ref()),
                None => range.describe,
            };
            Some(Commits { describe, list })
        }
    };

    Ok(Facts { sources, registry, registry_source: registry_id, plans, commits, skipped })
}

/// Read what a commit message says: trailers as git reads them, the promise ids they name and
/// whether the commit needs a trailer at all.
pub fn commit_facts(
    sha: String,
    parents: usize,
    message: &[u8],
    registry: &Registry,
    sources: &mut Sources,
) -> CommitFacts {
    let text = String::from_utf8_lossy(message).into_owned();
    let body = trailers::skip_leading_blank_lines(text.as_bytes());
    let body_offset = text.len() - body.len();
    let mut block = trailers::parse(body, &Options::log());
    for t in &mut block.trailers {
        t.span = t.span.start + body_offset..t.span.end + body_offset;
        t.value_span = t.value_span.start + body_offset..t.value_span.end + body_offset;
    }
    block.range = block.range.start + body_offset..block.range.end + body_offset;

    let mut promises = Vec::new();
    for t in block.trailers.iter().filter(|t| t.key_is("promise")) {
        // The value as written in the message (first line), split on commas; ids on
        // continuation lines fall back to the whole trailer's span.
        let value = String::from_utf8_lossy(&t.value);
        let first_line = &text[t.value_span.clone()];
        for id in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let span = first_line
                .find(id)
                .map(|i| t.value_span.start + i..t.value_span.start + i + id.len())
                .unwrap_or_else(|| t.span.clone());
            promises.push((id.to_string(), span));
        }
    }

    // With the divider honoured (git interpret-trailers, git am), are these trailers still seen?
    let hiding_divider = if block.trailers.is_empty() {
        None
    } else {
        let seen = trailers::parse(body, &Options::interpret());
        if seen.trailers.is_empty() {
            divider_line(body).map(|r| r.start + body_offset..r.end + body_offset)
        } else {
            None
        }
    };

    let subject =
        body.split(|&c| c == b'\n').next().map(|s| String::from_utf8_lossy(s).trim().to_string()).unwrap_or_default();
    let exempt = if parents > 1 {
        Some(Exemption::Merge)
    } else if let Some(prefix) = ["fixup!", "squash!", "amend!"].into_iter().find(|p| subject.starts_with(p)) {
        Some(Exemption::Autosquash(prefix))
    } else {
        registry
            .exempt_subjects
            .iter()
            .find(|re| re.is_match(&subject))
            .map(|re| Exemption::Subject(re.as_str().to_string()))
    };
    let source = sources
        .add(Source { kind: SourceKind::Commit { sha: sha.clone(), subject: subject.clone() }, text: text.into() });
    CommitFacts { sha, subject, source, exempt, block, promises, hiding_divider, body_offset }
}

/// The first `---` line that git's divider rule would stop at.
fn divider_line(body: &[u8]) -> Option<Range<usize>> {
    let mut off = 0;
    for line in body.split(|&c| c == b'\n') {
        // git's rule: `---` followed by white space, the newline included.
        if line.starts_with(b"---") && line.get(3).is_none_or(|&c| trailers::is_space(c)) {
            return Some(off..off + line.len());
        }
        off += line.len() + 1;
    }
    None
}

fn read_plans(
    root: &Path,
    repo: Option<&Repo>,
    registry: &Registry,
    sources: &mut Sources,
    skipped: &mut Vec<(String, String)>,
) -> Result<Vec<PlanFile>> {
    let globs: Vec<Glob> = registry.plan_globs.iter().filter_map(|g| Glob::new(g).ok()).collect();
    let mut paths = Vec::new();
    let walker = walkdir::WalkDir::new(root).follow_links(false).into_iter().filter_entry(|e| {
        if e.depth() == 0 {
            return true;
        }
        let name = e.file_name();
        if name == ".git" {
            return false;
        }
        match (repo, e.path().strip_prefix(root)) {
            (Some(repo), Ok(rel)) => !repo.is_ignored(rel),
            _ => true,
        }
    });
    for entry in walker {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if globs.iter().any(|g| g.is_match(&rel)) {
            paths.push((rel, entry.path().to_path_buf()));
        }
    }
    paths.sort();
    let mut plans = Vec::new();
    for (rel, path) in paths {
        let bytes = match std::fs::metadata(&path) {
            Ok(m) if m.len() > MAX_PLAN_BYTES => {
                skipped.push((rel, format!("larger than {} MiB", MAX_PLAN_BYTES >> 20)));
                continue;
            }
            Ok(_) => match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) => {
                    skipped.push((rel, format!("could not be read: {e}")));
                    continue;
                }
            },
            Err(e) => {
                skipped.push((rel, format!("could not be read: {e}")));
                continue;
            }
        };
        if bytes.iter().take(8000).any(|&b| b == 0) {
            skipped.push((rel, "binary, not Markdown".to_string()));
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let plan = markdown::scan(&text);
        let source = sources.add(Source::file(rel.clone(), text));
        plans.push(PlanFile { path: rel, source, plan });
    }
    Ok(plans)
}

/// A path relative to the root when it is inside it, else as given.
fn display_path(root: &Path, path: &Path) -> String {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    match canon(path).strip_prefix(canon(root)) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => path.display().to_string(),
    }
}
