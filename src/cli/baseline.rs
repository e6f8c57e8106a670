//! `plan-lint baseline`: record today's findings in `.plan-lint-baseline.json`, so a repository
//! with years of plan and history adopts plan-lint today and fails only on new work. The
//! baseline only shrinks: `--update` drops what matches nothing, and only `--add`, which a
//! reviewer sees in the diff, records more. The model is `crate::baseline`; the engine applies
//! it for every entry point.

use super::check;
use super::Ctx;
use crate::baseline::{Baseline, FILE_NAME};
use crate::engine::{CommitSelection, Inputs, PlanScope, Suggestions};
use crate::error::{Error, Result};
use crate::report::plural;
use std::path::PathBuf;
use std::process::ExitCode;

pub const ABOUT: &str = "Record the current findings in .plan-lint-baseline.json, so that check, the hooks, ci, \
the editor server and the board fail only on new ones.";

pub const LONG_ABOUT: &str = "Record the current findings in .plan-lint-baseline.json, so that check, the hooks, ci, \
the editor server and the board fail only on new ones.

A repository that adopts plan-lint with years of plan and history records today's findings once, \
commits the file, and from then on fails only on new work. Baselined findings are not failures; \
the human report ends with how many were baselined, and JSON and SARIF mark each result `new`, \
`unchanged` or `absent` (SARIF's baselineState).

A finding is known by its rule and its place without a line number: the file and the trimmed text \
of its line (for a plan item, the item's own line), or the full commit id. Moving an item or editing \
other lines changes nothing; editing the item's own text makes it new. Identical findings are \
counted: an entry with \"count\": 2 absorbs two, not a third.

The file sits at the repository root: a JSON document (schema/baseline.schema.json), sorted, one \
entry a line, so every change to it reads as a diff:

  {
    \"version\": 1,
    \"findings\": [
      {\"code\":\"untraced-item\",\"file\":\"ROADMAP.md\",\"text\":\"- [ ] add PayPal\"},
      {\"code\":\"untraced-commit\",\"commit\":\"<full commit id>\"}
    ]
  }

The baseline only shrinks. `check` notes the entries that match nothing any more (fixed, or gone); \
`--update` drops them and never adds a finding; `--add` records today's new findings too. Without \
a file, `plan-lint baseline` creates one with every current finding; with one, it asks for \
`--update` or `--add`. The commits recorded are those `check` reads (`--commits` to choose).";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Drop the entries that match nothing (fixed, or gone); never records a new finding.
    #[arg(long)]
    pub update: bool,
    /// As --update, and record today's new findings too.
    #[arg(long)]
    pub add: bool,
    /// The registry (default: promises.toml at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The commits whose findings to record, as git rev-list takes them (e.g. HEAD for all of
    /// history). Default: those `plan-lint check` reads.
    #[arg(long, value_name = "RANGE", conflicts_with = "no_commits")]
    pub commits: Option<String>,
    /// Record only the findings of the registry and the plan documents.
    #[arg(long)]
    pub no_commits: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let inputs = Inputs {
        config: args.config.map(|c| if c.is_absolute() { c } else { ctx.dir.join(c) }),
        commits: match (args.no_commits, args.commits) {
            (true, _) => CommitSelection::None,
            (false, Some(r)) => CommitSelection::Range(r),
            (false, None) => CommitSelection::Branch,
        },
        plans: PlanScope::All,
        suggestions: Suggestions::Off,
        ..Inputs::new(&ctx.dir)
    };
    let run = check::evaluate(&inputs)?;
    let root = crate::git::Repo::discover(&ctx.dir).and_then(|r| r.root()).unwrap_or_else(|| ctx.dir.clone());
    let path = root.join(FILE_NAME);
    let sources = &run.facts.sources;
    let (baseline, said) = match (&run.facts.baseline, args.update, args.add) {
        (None, true, false) => {
            return Err(Error::new(format!("there is no {FILE_NAME} to update"))
                .with_help("`plan-lint baseline` records one with every current finding"))
        }
        (None, _, _) => {
            let b = Baseline::of(&run.findings, sources);
            let said = format!(
                "recorded {} ({} in files, {}) in {FILE_NAME}: commit it, and plan-lint fails only on new findings",
                plural(b.total(), "finding"),
                b.total() - b.commits(),
                plural(b.commits(), "commit"),
            );
            (b, said)
        }
        (Some(_), false, false) => {
            return Err(Error::new(format!("{FILE_NAME} exists")).with_help(
                "`plan-lint baseline --update` drops the entries that match nothing; \
                 `plan-lint baseline --add` records the new findings too",
            ))
        }
        (Some(applied), _, add) => {
            let mut b = applied.updated();
            let mut said = format!("dropped {} (fixed, or gone)", plural(applied.absent_count(), "recorded finding"));
            if add {
                let before = b.total();
                b.add(&run.findings, sources);
                said.push_str(&format!(", recorded {}", plural(b.total() - before, "new finding")));
            } else if !run.findings.is_empty() {
                said.push_str(&format!(
                    "; {} not recorded (`plan-lint baseline --add` records them)",
                    plural(run.findings.len(), "new finding")
                ));
            }
            said.push_str(&format!("; {FILE_NAME} holds {}", plural(b.total(), "finding")));
            (b, said)
        }
    };
    let unchanged = run.facts.baseline.as_ref().is_some_and(|a| a.recorded == baseline);
    if !unchanged {
        std::fs::write(&path, baseline.to_json())
            .map_err(|e| Error::io(format!("could not write {}", path.display()), &e))?;
    }
    super::emit(format!("plan-lint: {said}\n").as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
