//! `plan-lint report`: the promise board for a time window, from the registry, the plans and git
//! history alone. A view, not a gate: it exits 0 whatever it shows (`check --since` is the gate
//! for the same drift rules), 2 when it cannot run.

use super::check::{self, Run};
use super::Ctx;
use crate::engine::{CommitSelection, Inputs, PlanScope, RegistryHistory, Suggestions};
use crate::error::Result;
use crate::report::board::Board;
use crate::report::{board_html, board_text};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text, coloured on a terminal (`human` is the same).
    #[value(alias = "human")]
    Term,
    /// Markdown with a Mermaid chart, for pull request comments and job summaries.
    Markdown,
    /// The board as JSON (`version` 1, documented in the README).
    Json,
    /// One self-contained HTML page with an inline SVG chart.
    Html,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Start of the window: a date (2026-10-01, local time), a time (2026-10-01T12:30+02:00) or "4 weeks ago" / 28d. Default: 28 days, or
    /// `[limits] idle-days` if longer, before --until.
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// End of the window (default: now).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Term)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The registry (default: promises.toml at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The board of one scope: a folder `[scopes] members` lists, or the root (`.` there) for the
    /// root's (default: the scope of the folder plan-lint runs in, the root's outside every
    /// member).
    #[arg(long, value_name = "PATH")]
    pub scope: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let config = args.config.map(|c| if c.is_absolute() { c } else { ctx.dir.join(c) });
    // The default window reaches back far enough to judge idle promises.
    let since = match &args.since {
        Some(s) => s.clone(),
        None => {
            let idle = crate::engine::peek_idle_days(&ctx.dir, config.as_deref()).unwrap_or(0);
            format!("{}d", idle.max(28))
        }
    };
    let window = check::window(&since, args.until.as_deref())?;
    let head = crate::git::Repo::discover(&ctx.dir).and_then(|r| r.head_commit()).map(|oid| oid.to_string());
    let has_head = head.is_some();
    let inputs = Inputs {
        config,
        commits: if has_head { CommitSelection::Range("HEAD".into()) } else { CommitSelection::Branch },
        plans: PlanScope::All,
        window: Some(window),
        history: RegistryHistory::Whole,
        // The board lists untraced work with the promise each most likely serves (the first
        // few, looked up in one bounded walk).
        suggestions: Suggestions::FromHistory,
        ..Inputs::new(&ctx.dir)
    };
    let scopes = crate::engine::select_scopes(&ctx.dir, inputs.config.as_deref(), false, args.scope.as_deref())?;
    let run: Run = check::evaluate_scopes(&inputs, &scopes)?;
    let mut board = Board::new(&run.facts, &run.findings);
    board.as_of.commit = head;
    let text = match args.format {
        Format::Term => {
            // The terminal's width on a terminal; 80 columns otherwise (COLUMNS overrides).
            use std::io::IsTerminal;
            let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).filter(|&w: &usize| w >= 40);
            let width =
                width.unwrap_or_else(|| if std::io::stdout().is_terminal() { textwrap::termwidth() } else { 80 });
            board_text::term_page(&board, crate::report::human::Style { width, ..ctx.style })
        }
        Format::Markdown => board_text::markdown_page(&board),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&board).expect("the board serializes");
            s.push('\n');
            s
        }
        Format::Html => board_html::page(&board),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| crate::error::Error::io(format!("could not write {}", path.display()), &e))?,
        None => super::emit(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
