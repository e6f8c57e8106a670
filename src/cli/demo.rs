//! `plan-lint demo`: the example team in `fixtures/demo/`, built into a real git repository and
//! checked, so a newcomer sees real findings with one command.
//!
//! The fixtures are compiled into the binary, so an installed plan-lint can run the demo
//! anywhere. The repository is built at fixed dates (`git::build`), so its commit ids (and the demo's
//! output) are the same on every machine.

use super::check::{evaluate, render, Format};
use super::Ctx;
use crate::engine::{CommitSelection, Inputs, PlanScope};
use crate::error::{Error, Result};
use crate::git::build::Builder;
use crate::git::Oid;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Build the repository in DIR (new or empty) instead of a fresh temporary directory.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Output format of the check.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// The window of the demo's history, for `plan-lint report`.
pub const DEMO_SINCE: &str = "2026-01-01";
pub const DEMO_UNTIL: &str = "2026-02-01";

/// The files of the example team, as committed in the first commit.
const FILES: &[(&str, &str)] = &[
    ("promises.toml", include_str!("../../fixtures/demo/promises.toml")),
    // Readings of the outcomes, so the board shows progress (`plan-lint measure` writes them).
    ("outcomes.csv", include_str!("../../fixtures/demo/outcomes.csv")),
    ("ROADMAP.md", include_str!("../../fixtures/demo/ROADMAP.md")),
    ("plans/search.md", include_str!("../../fixtures/demo/plans/search.md")),
    ("plans/retail.md", include_str!("../../fixtures/demo/plans/retail.md")),
];
const HISTORY: &str = include_str!("../../fixtures/demo/history.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct History {
    commit: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    message: String,
    file: Option<String>,
    tag: Option<String>,
    #[serde(default)]
    side: bool,
    #[serde(default)]
    merge: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let dir = match args.dir {
        Some(d) if d.is_absolute() => d,
        Some(d) => ctx.dir.join(d),
        None => std::env::temp_dir().join(format!("plan-lint-demo-{}", std::process::id())),
    };
    let commits = build(&dir)?;
    let inputs = Inputs { commits: CommitSelection::Range("HEAD".into()), plans: PlanScope::All, ..Inputs::new(&dir) };
    let run = evaluate(&inputs)?;
    let (report, failed) = (render(&run, args.format, ctx.style), run.failed());
    if args.format != Format::Human {
        super::emit(report.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = format!(
        "plan-lint demo: Northwind Market, an example team with 6 promises, 3 plan files and {commits} commits,\n\
         built at {}\n\
         Running `plan-lint check --commits HEAD` there (history before the tag adopt-plan-lint is never checked):\n\n\
         {report}\n\
         `plan-lint check` exits {} here. Explore: cd into the repository above and run `plan-lint check`,\n\
         `plan-lint explain CODE` for any code shown, or see the team's promise board:\n\
         \x20   plan-lint -C {} report --since {DEMO_SINCE} --until {DEMO_UNTIL}\n",
        dir.display(),
        u8::from(failed),
        dir.display(),
    );
    super::emit(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Build the example repository in `dir`; returns the number of commits.
pub fn build(dir: &Path) -> Result<usize> {
    if dir.exists() && std::fs::read_dir(dir).map_err(|e| Error::io(dir.display(), &e))?.next().is_some() {
        return Err(
            Error::new(format!("{} is not empty", dir.display())).with_help("give --dir a new or empty directory")
        );
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("could not create {}", dir.display()), &e))?;
    let history: History = toml::from_str(HISTORY).map_err(|e| Error::new(format!("demo history: {e}")))?;
    let repo = Builder::init(dir)?;
    let write = |rel: &str, text: &str| -> Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent.display(), &e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(path.display(), &e))
    };

    let mut main: Option<Oid> = None;
    let mut side: Option<Oid> = None;
    for (n, step) in history.commit.iter().enumerate() {
        let subject = step.message.lines().next().unwrap_or("");
        if n == 0 {
            for (rel, text) in FILES {
                write(rel, text)?;
            }
        }
        if let Some(file) = &step.file {
            write(file, &format!("// {subject}\n"))?;
        }
        // Two days apart from a fixed start (2026-01-05), so commit ids never change and the
        // promise board has weeks to show; three people share the work.
        let when = 1_767_600_000 + 2 * 86_400 * n as i64;
        let (name, email) = [
            ("Ada Lovelace", "ada@example.com"),
            ("Grace Hopper", "grace@example.com"),
            ("Alan Turing", "alan@example.com"),
        ][n % 3];
        let parents: Vec<Oid> = match (step.merge, step.side) {
            (true, _) => main.into_iter().chain(side.take()).collect(),
            (false, true) => side.or(main).into_iter().collect(),
            (false, false) => main.into_iter().collect(),
        };
        let oid = repo.commit_all(&step.message, (name, email), when, &parents)?;
        if step.side {
            side = Some(oid);
        } else {
            main = Some(oid);
        }
        if let Some(tag) = &step.tag {
            repo.tag(tag, oid)?;
        }
    }
    let head = main.ok_or_else(|| Error::new("demo history is empty"))?;
    repo.set_ref("refs/heads/main", head, "plan-lint demo")?;
    Ok(history.commit.len())
}
