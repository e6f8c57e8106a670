//! `plan-lint ci`: check what a pull request, push, merge queue or issue brings, and report it
//! where CI readers look.
//!
//! On GitHub Actions (`GITHUB_ACTIONS=true`) the event decides what is checked
//! ([`crate::event::plan`]): a pull request's own commits (`base.sha..head.sha`, never the test
//! merge commit) and its body; a push's new commits; a merge group's commits; an issue's body.
//! On GitLab CI (`GITLAB_CI=true`) its predefined variables decide ([`crate::event::gitlab_plan`]):
//! a merge request's commits and description, or a push's new commits. Elsewhere,
//! `--base`/`--head` (or the current branch, as `check`). Then it writes:
//! - standard output: workflow-command annotations (on Actions), then the full human report in a
//!   collapsed group, with workflow commands stopped around it so untrusted text cannot issue
//!   any; elsewhere the human report;
//! - the job summary (`GITHUB_STEP_SUMMARY`, or `--summary FILE`): Markdown;
//! - `--sarif FILE`: SARIF 2.1.0 for code scanning; `--codequality FILE`: GitLab Code Quality;
//!   `--junit FILE`: JUnit XML;
//! - step outputs (`GITHUB_OUTPUT`): `errors`, `warnings`, `commits`.
//!
//! A base or head commit the clone lacks (a shallow checkout) is exit 2 with the fix
//! (`fetch-depth: 0`), never a silently smaller check.

use super::check::{self, Format, Run};
use super::Ctx;
use crate::code::Severity;
use crate::engine::{BodyInput, BodyKind, CommitSelection, Inputs, PlanScope, RegistryRules};
use crate::error::{Error, Result};
use crate::event::{self, Commits, Event, Forge, TicketKind};
use crate::git::{RangeSpec, Repo};
use crate::report;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The registry (default: promises.toml at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Check BASE..HEAD instead of what the event says (outside Actions: the commits to check).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// With --base: the last commit to check (default: HEAD).
    #[arg(long, value_name = "REV", requires = "base")]
    pub head: Option<String>,
    /// The event JSON (default on Actions: $GITHUB_EVENT_PATH).
    #[arg(long, value_name = "FILE")]
    pub event: Option<PathBuf>,
    /// The event's name, e.g. pull_request (default on Actions: $GITHUB_EVENT_NAME).
    #[arg(long, value_name = "NAME")]
    pub event_name: Option<String>,
    /// Output format on standard output (default: github on Actions, else human).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Also write SARIF 2.1.0 to FILE (for github/codeql-action/upload-sarif).
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// Also write a GitLab Code Quality report to FILE (`artifacts: reports: codequality:`).
    #[arg(long, value_name = "FILE")]
    pub codequality: Option<PathBuf>,
    /// Also write JUnit XML to FILE (`artifacts: reports: junit:`, Jenkins, Azure Pipelines…).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Append the Markdown job summary to FILE (default: $GITHUB_STEP_SUMMARY).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub fail_on_warnings: bool,
    #[command(flatten)]
    pub levels: check::LevelArgs,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let on_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let format = args.format.unwrap_or(if on_actions { Format::Github } else { Format::Human });
    let result = run_as(ctx, args, on_actions, format);
    // A run that could not happen is an annotation too, where the job's page shows them (the
    // same text goes to standard error as for every command).
    if let (Err(e), Format::Github) = (&result, format) {
        let text = match &e.help {
            Some(help) => format!("{}\nhelp: {help}", e.message),
            None => e.message.clone(),
        };
        let line = format!("::error title=plan-lint could not run::{}\n", report::github::escape_data(&text));
        super::emit(line.as_bytes())?;
    }
    result
}

fn run_as(ctx: &Ctx, args: Args, on_actions: bool, format: Format) -> Result<ExitCode> {
    let cli_levels = args.levels.parse()?;
    let plan = decide(&args, on_actions)?;
    if let Some(note) = &plan.note {
        eprintln!("plan-lint: note: {note}");
    }

    let repo = Repo::discover(&ctx.dir).ok_or_else(|| {
        Error::new(format!("not a git repository: {}", ctx.dir.display()))
            .with_help("run `plan-lint ci` in the checked-out repository (actions/checkout with `fetch-depth: 0`)")
    })?;
    let change = plan.forge.change();
    let mut context = match (&plan.pull_request, &plan.issue) {
        (Some(pr), _) => pr.what(change),
        (_, Some(issue)) => issue.what(TicketKind::Issue),
        _ => String::new(),
    };
    let commits = match &plan.commits {
        Commits::Nothing => CommitSelection::None,
        Commits::Branch => CommitSelection::Branch,
        Commits::Range { base, head } => {
            let spec = range(&repo, &plan, base, head)?;
            if context.is_empty() {
                context = format!("{} {}", plan.event, spec.describe);
            }
            CommitSelection::Spec(spec)
        }
        Commits::NewOn { head } => {
            let spec = new_branch(&repo, head, plan.default_branch.as_deref(), plan.forge)?;
            if context.is_empty() {
                context = format!("{} {}", plan.event, spec.describe);
            }
            CommitSelection::Spec(spec)
        }
    };
    let mut bodies = Vec::new();
    if let Some(pr) = &plan.pull_request {
        let (what, title, text) = (pr.what(change), pr.title.clone(), pr.body.clone());
        bodies.push(BodyInput { kind: BodyKind::PullRequest, what, title, text });
    }
    if let Some(issue) = &plan.issue {
        let (what, title, text) = (issue.what(TicketKind::Issue), issue.title.clone(), issue.body.clone());
        bodies.push(BodyInput { kind: BodyKind::Issue { open: issue.open }, what, title, text });
    }
    let inputs = Inputs {
        config: args.config.clone().map(|c| if c.is_absolute() { c } else { ctx.dir.join(c) }),
        commits,
        plans: if plan.files { PlanScope::All } else { PlanScope::None },
        registry_rules: if plan.files { RegistryRules::Judged } else { RegistryRules::Skipped },
        // Where the product stands (an outcome regressed or met) is not a pull request's doing
        // unless it changes the readings or the registry; `check`, `report` and pushes say it.
        readings_when_changed: plan.pull_request.is_some(),
        bodies,
        levels: cli_levels,
        ..Inputs::new(&ctx.dir)
    };
    // Every scope: each commit is judged by its own paths, each document by its scope's registry.
    let scopes = crate::engine::select_scopes(&ctx.dir, inputs.config.as_deref(), true, None)?;
    let run = check::evaluate_scopes(&inputs, &scopes)?;

    // Standard output first: a failure to write a side file must not hide the findings. On
    // Actions the log is bounded: GitHub shows only the first annotations anyway, and a
    // million-line log helps nobody; the SARIF file and the job summary count everything.
    let limit = (format == Format::Github).then_some(MAX_ANNOTATIONS);
    super::emit_with(|out| {
        check::write(out, &run, format, ctx.style, limit)?;
        if format == Format::Github {
            write_full_report_group(out, &run, ctx)?;
        }
        Ok(())
    })?;

    for (path, format) in
        [(&args.sarif, Format::Sarif), (&args.codequality, Format::Gitlab), (&args.junit, Format::Junit)]
    {
        let Some(path) = path else { continue };
        let written = std::fs::File::create(path)
            .and_then(|f| check::write(&mut std::io::BufWriter::new(f), &run, format, ctx.style, None));
        written.map_err(|e| Error::io(format!("could not write {}", path.display()), &e))?;
    }
    let summary_path = args.summary.clone().or_else(|| env_path("GITHUB_STEP_SUMMARY"));
    if let Some(path) = summary_path {
        let md = report::markdown::job_summary(&run.facts, &run.findings, &run.summary, &context);
        append(&path, &md)?;
    }
    if let Some(path) = env_path("GITHUB_OUTPUT") {
        let s = &run.summary;
        let outputs = format!("errors={}\nwarnings={}\ncommits={}\n", s.errors, s.warnings, s.commits.unwrap_or(0));
        append(&path, &outputs)?;
    }
    let failed =
        run.failed() || (args.fail_on_warnings && run.findings.iter().any(|f| f.severity == Severity::Warning));
    Ok(ExitCode::from(u8::from(failed)))
}

/// Whether this is a GitLab CI job.
fn on_gitlab() -> bool {
    std::env::var("GITLAB_CI").is_ok_and(|v| v == "true")
}

/// The forge whose fix the help names when no event says: GitLab in a GitLab CI job.
fn forge() -> Forge {
    if on_gitlab() {
        Forge::GitLab
    } else {
        Forge::GitHub
    }
}

/// What to check: `--base` wins; on Actions (or with `--event`) the event; on GitLab CI its
/// variables; else the branch.
fn decide(args: &Args, on_actions: bool) -> Result<event::Plan> {
    if let Some(base) = &args.base {
        let head = args.head.clone().unwrap_or_else(|| "HEAD".to_string());
        let event = Event::from_name(args.event_name.as_deref().unwrap_or("range"));
        return Ok(event::Plan {
            commits: Commits::Range { base: base.clone(), head },
            ..event::Plan::branch(event, forge())
        });
    }
    if on_gitlab() && args.event.is_none() {
        return event::gitlab_plan(&|name| std::env::var(name).ok());
    }
    let path = args.event.clone().or_else(|| on_actions.then(|| env_path("GITHUB_EVENT_PATH")).flatten());
    let Some(path) = path else {
        return Ok(event::Plan::branch(Event::from_name("local"), Forge::GitHub));
    };
    let name = args.event_name.clone().or_else(|| std::env::var("GITHUB_EVENT_NAME").ok()).ok_or_else(|| {
        Error::new("the event's name is unknown").with_help("set GITHUB_EVENT_NAME or pass --event-name")
    })?;
    let bytes = crate::files::read_input(&path, "a GitHub event")?;
    let payload: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        Error::new(format!("the event {} is not valid JSON: {e}", path.display()))
            .with_help("GITHUB_EVENT_PATH should name the event file the runner wrote")
    })?;
    event::plan(&name, &payload)
}

/// `base..head`, both required to be in the clone. A push whose old tip is gone (a forced push
/// over commits this clone never fetched) checks what is new to the default branch instead.
fn range(repo: &Repo, plan: &event::Plan, base: &str, head: &str) -> Result<RangeSpec> {
    let event = &plan.event;
    let head_id = present(repo, event, "head", head, plan.forge)?;
    let base_id = match present(repo, event, "base", base, plan.forge) {
        Ok(id) => id,
        // A forced push over commits a full clone never fetched: what is new to the default
        // branch. In a shallow clone the old tip is missing because history is: checking what
        // the default branch lacks would check nothing and pass.
        Err(_) if *event == Event::Push && !repo.is_shallow() => {
            return new_branch(repo, head, plan.default_branch.as_deref(), plan.forge)
        }
        Err(e) => return Err(e),
    };
    Ok(RangeSpec {
        tips: vec![(base_id, true), (head_id, false)],
        describe: format!("{}..{}", short(base), short(head)),
    })
}

/// `head`'s commits that the default branch does not have. On CI the pushed branch is already
/// on the remote, so "new" means new to the default branch, as a pull request would show.
fn new_branch(repo: &Repo, head: &str, default_branch: Option<&str>, forge: Forge) -> Result<RangeSpec> {
    let head_id = present(repo, &Event::Push, "head", head, forge)?;
    let named = default_branch.map(|b| format!("origin/{b}"));
    let candidates = named.iter().map(String::as_str).chain(["origin/HEAD", "origin/main", "origin/master"]);
    for name in candidates {
        if let Ok(base) = repo.commit_id(&format!("refs/remotes/{name}")) {
            return Ok(RangeSpec {
                tips: vec![(base, true), (head_id, false)],
                describe: format!("{name}..{}", short(head)),
            });
        }
    }
    Err(Error::new(format!(
        "cannot tell which commits of {} are new: the clone has no `origin/{}`",
        short(head),
        default_branch.unwrap_or("main")
    ))
    .with_help(format!("check out the full history: {}, and fetch the default branch", forge.fix())))
}

/// The commit `rev` names, or exit 2 explaining that the clone lacks it.
fn present(repo: &Repo, event: &Event, which: &str, rev: &str, forge: Forge) -> Result<crate::git::Oid> {
    let missing = |why: String| {
        let shallow = if repo.is_shallow() { "this is a shallow clone; " } else { "" };
        Error::new(format!("the {event} {which} commit {} is not in this clone: {why}", short(rev))).with_help(format!(
            "{shallow}check out the full history: {}{}",
            forge.fix(),
            if which == "head" && *event == Event::PullRequestTarget {
                " and `ref: ${{ github.event.pull_request.head.sha }}`"
            } else {
                ""
            }
        ))
    };
    let id = repo.commit_id(rev).map_err(missing)?;
    if !repo.has_commit(id) {
        return Err(missing("object missing".into()));
    }
    Ok(id)
}

fn short(rev: &str) -> String {
    if rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        rev[..7].to_string()
    } else {
        crate::escape::line(rev).into_owned()
    }
}

/// The human report in a collapsed group, with workflow commands stopped around it: the text
/// quotes commit messages and files, and a line in them must not act on the runner.
fn write_full_report_group(out: &mut dyn Write, run: &Run, ctx: &Ctx) -> std::io::Result<()> {
    let token = stop_token();
    write!(out, "::group::plan-lint report\n::stop-commands::{token}\n")?;
    check::write(out, run, Format::Human, ctx.style, Some(MAX_LOGGED))?;
    write!(out, "::{token}::\n::endgroup::\n")
}

/// Annotations written on Actions; GitHub shows fewer than this per step.
const MAX_ANNOTATIONS: usize = 100;
/// Findings drawn in the log's full report on Actions.
const MAX_LOGGED: usize = 1000;

/// An unguessable token for `::stop-commands::`, from std's randomly keyed hasher.
fn stop_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut words = [0u64; 2];
    for (i, w) in words.iter_mut().enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u32(std::process::id());
        h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
        *w = h.finish();
    }
    format!("plan-lint-{:016x}{:016x}", words[0], words[1])
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn append(path: &Path, text: &str) -> Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| Error::io(format!("could not write {}", path.display()), &e))
}
