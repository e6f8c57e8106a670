//! `plan-lint check`: collect facts, evaluate the rules, report, exit 0, 1 or 2.

use super::Ctx;
use crate::error::{Error, Result};
use crate::facts::{self, CommitSelection, FileSource, Inputs};
use crate::finding::Severity;
use crate::report::human::Style;
use crate::report::{self, Summary};
use crate::rules::{self, Code, Level};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The registry (default: promises.toml at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The commits to check, as git rev-list takes them (e.g. origin/main..HEAD). Default: the
    /// current branch's commits not on its upstream or the default branch.
    #[arg(long, value_name = "RANGE", conflicts_with = "no_commits")]
    pub commits: Option<String>,
    /// Check only the registry and the plan documents.
    #[arg(long)]
    pub no_commits: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat findings of CODE as errors (repeatable).
    #[arg(long, value_name = "CODE")]
    pub deny: Vec<String>,
    /// Treat findings of CODE as warnings (repeatable).
    #[arg(long, value_name = "CODE")]
    pub warn: Vec<String>,
    /// Do not report findings of CODE (repeatable).
    #[arg(long, value_name = "CODE")]
    pub allow: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let inputs = Inputs {
        dir: ctx.dir.clone(),
        config: args.config.map(|c| if c.is_absolute() { c } else { ctx.dir.join(c) }),
        commits: match (args.no_commits, args.commits) {
            (true, _) => CommitSelection::None,
            (false, Some(r)) => CommitSelection::Range(r),
            (false, None) => CommitSelection::Branch,
        },
        files: FileSource::WorkTree,
    };
    // Validate command-line levels before reading anything: a typo is a usage error.
    let mut cli_levels = Vec::new();
    for (codes, level) in [(&args.allow, Level::Allow), (&args.warn, Level::Warn), (&args.deny, Level::Deny)] {
        for name in codes {
            let code = Code::from_name(name).ok_or_else(|| unknown_code(name))?;
            cli_levels.push((code, level));
        }
    }
    let (text, failed) = check(&inputs, &cli_levels, args.format, ctx.style)?;
    super::emit(text.as_bytes())?;
    Ok(ExitCode::from(u8::from(failed)))
}

/// Collect, evaluate, report: the report's text and whether any finding is an error.
pub(crate) fn check(
    inputs: &Inputs,
    cli_levels: &[(Code, Level)],
    format: Format,
    style: Style,
) -> Result<(String, bool)> {
    let facts = facts::collect(inputs)?;
    let levels = rules::levels_for(&facts.registry, cli_levels);
    let findings = rules::evaluate(&facts, &levels);
    let summary = Summary::new(&facts, &findings);
    let text = match format {
        Format::Human => report::human::render(&facts, &findings, &summary, style),
        Format::Json => report::json::render(&facts, &findings, &summary),
        Format::Github => report::github::render(&facts, &findings, &summary),
    };
    Ok((text, findings.iter().any(|f| f.severity == Severity::Error)))
}

pub(crate) fn unknown_code(name: &str) -> Error {
    let names = Code::ALL.iter().map(|c| c.name());
    let e = Error::new(format!("unknown rule `{name}`"));
    match crate::suggest::closest(name, names) {
        Some(s) => e.with_help(format!("did you mean `{s}`? `plan-lint rules` lists every rule")),
        None => e.with_help("`plan-lint rules` lists every rule"),
    }
}
