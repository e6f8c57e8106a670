//! `plan-lint check`: collect facts, evaluate the rules, report, exit 0, 1 or 2.

use super::Ctx;
use crate::code::{Code, Level, Severity};
use crate::engine::{self, BodyInput, BodyKind, CommitSelection, Inputs, PlanScope, RegistryRules};
use crate::error::{Error, Result};
use crate::facts::{Facts, Window};
use crate::finding::Finding;
use crate::report::human::Style;
use crate::report::{self, Summary};
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
    /// Check the commits of a time window (on HEAD, or within --commits) and the drift rules
    /// (shadow-work, idle-promise, over-budget): a date (2026-10-01, local time), a time (2026-10-01T12:30+02:00) or "4 weeks ago" / 28d.
    #[arg(long, value_name = "WHEN", conflicts_with = "no_commits")]
    pub since: Option<String>,
    /// The end of the --since window (default: now).
    #[arg(long, value_name = "WHEN", requires = "since")]
    pub until: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Show at most N findings in the human report (default on a terminal: 50; 0: all). JSON,
    /// SARIF and GitHub output always hold every finding.
    #[arg(long, value_name = "N")]
    pub max_findings: Option<usize>,
    #[command(flatten)]
    pub levels: LevelArgs,
    /// Check every scope: the root registry and each folder `[scopes] members` lists.
    #[arg(long, conflicts_with = "scope")]
    pub all: bool,
    /// Check one scope: a folder `[scopes] members` lists, or the root (`.` there) for the
    /// root's (default: the scope of the folder plan-lint runs in, the root's outside every
    /// member).
    #[arg(long, value_name = "PATH")]
    pub scope: Option<String>,
    /// Check one issue body exported from a tracker instead (`-` reads standard input): text,
    /// or `gh issue view N --json number,title,body,state` (an array from `gh issue list`
    /// checks each).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["commits", "no_commits", "paths"])]
    pub issue: Option<PathBuf>,
    /// Judge only these files (as lint-staged passes them): the plan documents and issue files
    /// among them, and the registry when it is one of them; other files are ignored. Commits
    /// are still checked unless --no-commits.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Rule levels from the command line, shared by `check` and `ci`.
#[derive(clap::Args, Debug, Default)]
pub struct LevelArgs {
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

impl LevelArgs {
    /// The codes, checked: an unknown code is a usage error.
    pub(crate) fn parse(&self) -> Result<Vec<(Code, Level)>> {
        let mut out = Vec::new();
        for (codes, level) in [(&self.allow, Level::Allow), (&self.warn, Level::Warn), (&self.deny, Level::Deny)] {
            for name in codes {
                let codes = Code::resolve(name).ok_or_else(|| unknown_code(name))?;
                out.extend(codes.into_iter().map(|c| (c, level)));
            }
        }
        Ok(out)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with snippets, for people (`term` is the same).
    #[value(alias = "term")]
    Human,
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitLab Code Quality (`artifacts: reports: codequality:`).
    Gitlab,
    /// JUnit XML, for CI systems that show test reports.
    Junit,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    // Validate command-line levels before reading anything: a typo is a usage error.
    let levels = args.levels.parse()?;
    let mut inputs = Inputs {
        config: args.config.map(|c| if c.is_absolute() { c } else { ctx.dir.join(c) }),
        commits: match (args.no_commits, args.commits) {
            (true, _) => CommitSelection::None,
            (false, Some(r)) => CommitSelection::Range(r),
            (false, None) if args.since.is_some() => CommitSelection::Range("HEAD".into()),
            (false, None) => CommitSelection::Branch,
        },
        plans: PlanScope::All,
        window: match &args.since {
            Some(since) => Some(window(since, args.until.as_deref())?),
            None => None,
        },
        levels,
        ..Inputs::new(&ctx.dir)
    };
    if !args.paths.is_empty() {
        let (plans, registry) = only(ctx, inputs.config.as_deref(), &args.paths)?;
        inputs.plans = PlanScope::Only(plans);
        inputs.registry_rules = registry;
    }
    if let Some(issue) = args.issue {
        // Tracker bodies: only the registry is read besides them.
        let bytes = crate::files::read_input(&issue, "an issue body")?;
        inputs.commits = CommitSelection::None;
        inputs.plans = PlanScope::None;
        inputs.registry_rules = RegistryRules::Skipped;
        for t in crate::event::tickets_from_export(&String::from_utf8_lossy(&bytes)) {
            let what = match (&t.number, issue.to_str()) {
                (Some(_), _) => t.what(crate::event::TicketKind::Issue),
                (None, Some("-")) => "issue (standard input)".to_string(),
                (None, _) => format!("issue ({})", issue.display()),
            };
            inputs.bodies.push(BodyInput {
                kind: BodyKind::Issue { open: t.open },
                what,
                title: t.title,
                text: t.body,
            });
        }
    }
    let mut scopes = engine::select_scopes(&ctx.dir, inputs.config.as_deref(), args.all, args.scope.as_deref())?;
    if let (PlanScope::Only(paths), false, None) = (&inputs.plans, args.all, &args.scope) {
        // Files named on the command line: each judged in its own scope.
        if !paths.is_empty() {
            scopes = engine::by_scope(&ctx.dir, paths.clone()).into_iter().map(|(s, _)| s).collect();
            // The root's first: its run judges the commits, each by its own paths.
            scopes.sort();
        }
    }
    let run = evaluate_scopes(&inputs, &scopes)?;
    // On a terminal a wall of thousands of diagnostics helps nobody: the first ones, then how
    // many more and how to see them. Piped output is complete unless asked otherwise.
    let on_terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let limit = match args.max_findings {
        Some(0) => None,
        Some(n) => Some(n),
        None if on_terminal && args.format == Format::Human => Some(50),
        None => None,
    };
    super::emit_with(|out| write(out, &run, args.format, ctx.style, limit))?;
    Ok(ExitCode::from(u8::from(run.failed())))
}

/// The files named on the command line, relative to the repository root (what
/// [`PlanScope::Only`] takes), and whether the registry is one of them. A file that does not
/// exist, is not a file or lies outside the repository is a usage error; which ones are plan
/// documents is the registry's patterns' business.
fn only(ctx: &Ctx, config: Option<&std::path::Path>, paths: &[PathBuf]) -> Result<(Vec<String>, RegistryRules)> {
    let root = crate::git::Repo::discover(&ctx.dir).and_then(|r| r.root()).unwrap_or_else(|| ctx.dir.clone());
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p);
    let root = canonical(&root).map_err(|e| Error::io(format!("could not read {}", root.display()), &e))?;
    let registry =
        canonical(&config.map_or_else(|| root.join(crate::registry::FILE_NAME), std::path::Path::to_path_buf)).ok();
    let mut rels = Vec::new();
    let mut registry_rules = RegistryRules::Skipped;
    for given in paths {
        let full = ctx.dir.join(given);
        let given_text = given.display().to_string();
        let shown = crate::escape::line(&given_text);
        let path = canonical(&full).map_err(|e| Error::io(format!("could not read `{shown}`"), &e))?;
        if !path.is_file() {
            return Err(Error::new(format!("`{shown}` is not a file"))
                .with_help("name the plan documents to check, e.g. `plan-lint check ROADMAP.md`"));
        }
        if registry.as_ref() == Some(&path) {
            registry_rules = RegistryRules::Judged;
            continue;
        }
        let Ok(rel) = path.strip_prefix(&root) else {
            return Err(Error::new(format!("`{shown}` is outside the repository ({})", root.display())));
        };
        let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        rels.push(rel.join("/"));
    }
    Ok((rels, registry_rules))
}

/// A window from `--since`/`--until` values (`--until` defaults to now).
pub(crate) fn window(since: &str, until: Option<&str>) -> Result<Window> {
    let now = crate::when::now();
    let until = match until {
        // A day as the end of a window means the whole day.
        Some(u) if u.trim().len() == 10 => crate::when::end_of_day(crate::when::parse(u, now).map_err(Error::new)?),
        Some(u) => crate::when::parse(u, now).map_err(Error::new)?,
        None => now,
    };
    let since = crate::when::parse(since, until).map_err(Error::new)?;
    // The board keeps a bucket per week of the window: a century is 5,218 of them, and more is a
    // typo (`--until 9999-12-31`), not a plan.
    const MAX_DAYS: i64 = 100 * 366;
    if until - since > MAX_DAYS * crate::when::DAY {
        return Err(Error::new(format!(
            "the window from {} to {} is longer than 100 years",
            crate::when::date(since),
            crate::when::date(until)
        ))
        .with_help("give a window of at most 100 years, e.g. --since 2026-01-01 --until 2026-12-31"));
    }
    if since > until {
        return Err(Error::new(format!(
            "the window starts after it ends ({} > {})",
            crate::when::date(since),
            crate::when::date(until)
        )));
    }
    Ok(Window { since, until })
}

/// A finished evaluation: the facts, the findings at their levels, the numbers.
pub(crate) struct Run {
    pub facts: Facts,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

impl Run {
    /// Whether any finding is an error (exit 1).
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Run the engine on `inputs` (whose registry is required) and sum up.
pub(crate) fn evaluate(inputs: &Inputs) -> Result<Run> {
    let engine::Run { facts, findings, .. } = engine::run(inputs)?.ok_or_else(|| Error::new("no promise registry"))?;
    let summary = Summary::new(&facts, &findings);
    Ok(Run { facts, findings, summary })
}

/// [`evaluate`] each scope in turn (the commits judged once, with the first), as one run. Over
/// a window the others walk the commits too, for their own drift rules.
pub(crate) fn evaluate_scopes(inputs: &Inputs, scopes: &[String]) -> Result<Run> {
    let runs = engine::run_all(inputs, scopes)?;
    let engine::Run { facts, findings, .. } = engine::merge(runs).ok_or_else(|| Error::new("no scope to check"))?;
    let summary = Summary::new(&facts, &findings);
    Ok(Run { facts, findings, summary })
}

/// Write the report in `format` to `out`, streaming: the findings are never all drawn in
/// memory at once. `limit` caps the findings a human or GitHub report shows.
pub(crate) fn write(
    out: &mut dyn std::io::Write,
    run: &Run,
    format: Format,
    style: Style,
    limit: Option<usize>,
) -> std::io::Result<()> {
    let Run { facts, findings, summary } = run;
    match format {
        Format::Human => report::human::write(out, facts, findings, summary, style, limit),
        Format::Json => report::json::write(out, facts, findings, summary),
        Format::Github => report::github::write(out, facts, findings, summary, limit),
        Format::Sarif => report::sarif::write(out, facts, findings),
        Format::Gitlab => report::gitlab::write(out, facts, findings),
        Format::Junit => report::junit::write(out, facts, findings),
    }
}

/// The report as a string (small outputs: the demo, tests).
pub(crate) fn render(run: &Run, format: Format, style: Style) -> String {
    let mut out = Vec::new();
    write(&mut out, run, format, style, None).expect("writing to memory");
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn unknown_code(name: &str) -> Error {
    let names = Code::ALL.iter().map(|c| c.name()).chain(Code::aliases().iter().map(|(a, _)| *a));
    let e = Error::new(format!("unknown rule `{name}`"));
    match crate::suggest::closest(name, names) {
        Some(s) => e.with_help(format!("did you mean `{s}`? `plan-lint rules` lists every rule")),
        None => e.with_help("`plan-lint rules` lists every rule"),
    }
}
