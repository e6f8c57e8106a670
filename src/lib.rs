//! plan-lint: a Git-native plan-as-code linter.
//!
//! A team keeps its customer promises in `promises.toml`, its plan in Markdown and the promise
//! behind each commit in a `Promise:` trailer. plan-lint cross-references the three and reports
//! every break of the practice (untraced work, work off the promises in play, too many promises
//! in play, promises with no measurable outcome) as a precise diagnostic.
//!
//! This crate is the `plan-lint` binary's engine. Its public surface is what another program
//! needs to check a repository: one entry point, [`check`], which reads it and returns the
//! findings ([`Finding`], read through its methods, with their [`Code`]) and a [`Summary`]; the
//! registry model ([`Registry`]) to read `promises.toml` itself. Data flows one way inside:
//! sources → facts → rules → sink (levels applied once) → reporters; ARCHITECTURE.md describes
//! each module.
//!
//! The command line and the editor server are the `cli` feature, on by default. A program that
//! only calls [`check`] turns it off and builds without clap, lsp-server and their dependencies:
//!
//! ```toml
//! plan-lint = { version = "0.1", default-features = false }
//! ```
//!
//! ```
//! # fn main() -> Result<(), plan_lint::Error> {
//! let dir = std::env::temp_dir().join(format!("plan-lint-doctest-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(
//!     dir.join("promises.toml"),
//!     r#"
//! [promises.find-and-buy]
//! statement = "A shopper can find and buy a product we stock."
//! status = "in-play"
//! outcomes = [{ metric = "search-to-purchase conversion", baseline = "8%", target = "12%" }]
//! "#,
//! )
//! .unwrap();
//! std::fs::write(dir.join("ROADMAP.md"), "- [ ] typo-tolerant search (Promise: find-and-by)\n").unwrap();
//!
//! // Registry and plans only; `commits: Some("main..HEAD".into())` would check history too.
//! let checked = plan_lint::check(&plan_lint::CheckOptions::new(&dir))?;
//! assert_eq!(checked.summary.errors, 1);
//! let finding = &checked.findings[0];
//! assert_eq!(finding.code(), plan_lint::Code::UnknownPromise);
//! assert_eq!(finding.message(), "item names unknown promise `find-and-by`");
//! let (line, column) = checked.position(finding).expect("a finding in a file has a position");
//! assert_eq!((line, column), (1, 38));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]
// Without `cli`, the reporters, hooks' helpers and event readers only the command line calls are
// still compiled (they sit beside what `check` uses) but never called: not worth a warning each.
#![cfg_attr(not(feature = "cli"), allow(dead_code, unused_imports))]

mod atomic;
mod baseline;
mod cache;
#[cfg(feature = "cli")]
mod cli;
mod code;
mod engine;
mod error;
mod escape;
mod event;
mod facts;
mod files;
mod finding;
#[doc(hidden)]
pub mod fuzzing;
mod git;
#[cfg(feature = "cli")]
mod lsp;
mod number;
mod outcomes;
mod panic;
mod patterns;
mod progress;
mod registry;
mod report;
mod rules;
// The scanners: public for the tests, benches and fuzz targets that drive them directly, not
// part of the API (about 90 items whose shape follows the parsers, not what a caller needs).
#[doc(hidden)]
pub mod scan;
mod schema;
mod source;
mod suggest;
mod tally;
mod when;

pub use code::{Code, Level, Severity};
pub use error::Error;
pub use finding::Finding;
pub use registry::{Customer, Outcome, Priority, Promise, Registry, Status};
pub use report::Summary;
pub use source::{Label, Source, SourceId, SourceKind};

use std::path::{Path, PathBuf};

/// What [`check`] reads: a repository's registry and plan documents, and optionally commits.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CheckOptions {
    /// A directory inside the repository (or any directory, to check only files there).
    pub dir: PathBuf,
    /// The registry, instead of `promises.toml` at the repository root.
    pub config: Option<PathBuf>,
    /// The commits to check, as `git rev-list` takes them (`origin/main..HEAD`); `None`: none.
    pub commits: Option<String>,
    /// Levels over the registry's `[rules]`, as `--allow/--warn/--deny` give them.
    pub levels: Vec<(Code, Level)>,
}

impl CheckOptions {
    /// The registry and plan documents of the repository at `dir`, no commits.
    pub fn new(dir: &Path) -> CheckOptions {
        CheckOptions { dir: dir.to_path_buf(), config: None, commits: None, levels: Vec::new() }
    }
}

/// What [`check`] found.
#[non_exhaustive]
pub struct Checked {
    /// Every finding, levels applied (allowed codes are not here, nor what the repository's
    /// baseline, `.plan-lint-baseline.json`, records: `summary.baselined` counts those).
    pub findings: Vec<Finding>,
    /// The numbers `plan-lint check` closes with.
    pub summary: Summary,
    sources: source::Sources,
}

impl Checked {
    /// The text a finding points into (a file, a commit message, a body), if any.
    pub fn source(&self, finding: &Finding) -> Option<&Source> {
        finding.source.map(|id| self.sources.get(id))
    }

    /// The 1-based line and column of a finding's primary label, if it has one.
    pub fn position(&self, finding: &Finding) -> Option<(usize, usize)> {
        let label = finding.labels.first()?;
        Some(self.source(finding)?.line_col(label.span.start))
    }
}

/// Check a repository as `plan-lint check --no-commits` (or `--commits RANGE`) does, with the
/// same rules, levels and wording, and return what was found instead of printing it.
pub fn check(options: &CheckOptions) -> Result<Checked, Error> {
    let inputs = engine::Inputs {
        config: options.config.clone(),
        plans: engine::PlanScope::All,
        commits: match &options.commits {
            Some(range) => engine::CommitSelection::Range(range.clone()),
            None => engine::CommitSelection::None,
        },
        levels: options.levels.clone(),
        ..engine::Inputs::new(&options.dir)
    };
    let engine::Run { facts, findings, .. } = engine::run(&inputs)?.ok_or_else(|| Error::new("no promise registry"))?;
    let summary = Summary::new(&facts, &findings);
    Ok(Checked { findings, summary, sources: facts.sources })
}

/// README.md's Rust examples ("As a library"), compiled and run by `cargo test --doc`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The command line (the binary's `main`).
#[cfg(feature = "cli")]
#[doc(hidden)]
pub fn main() -> std::process::ExitCode {
    cli::main()
}

/// What the integration tests reach inside; not part of the API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "cli")]
    pub use crate::cli::install::{script, HOOKS};
    pub use crate::git::{commit_trailers, Repo};
    pub use crate::report::markdown::escape as markdown_escape;
    pub use crate::schema::{readme_rules_table, rules_markdown, text as schema_text};

    /// Each entry of the index file at `path` as `git ls-files -s` prints it (`mode oid stage\tpath`),
    /// read by plan-lint's own index reader (tests compare it with git).
    pub fn ls_files_stage(path: &std::path::Path) -> std::io::Result<Vec<String>> {
        let index = crate::git::index::Index::open(path)?;
        Ok(index
            .iter()
            .map(|e| format!("{:06o} {} {}\t{}", e.mode, e.id, e.stage, String::from_utf8_lossy(e.path)))
            .collect())
    }

    /// Every rule's code and documentation.
    pub fn rule_docs() -> Vec<(&'static str, &'static str)> {
        crate::rules::RULES.iter().map(|r| (r.code.name(), r.doc)).collect()
    }
}
