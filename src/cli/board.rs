//! `plan-lint board merge A.json B.json …`: many repositories' (and scopes') boards, as
//! `plan-lint report --format json` writes them, in one organisation page. Each file is read,
//! summarised and let go before the next, so memory follows the page, not the inputs. Exit 0
//! when the page is written, 2 when a file cannot be read, is not a board, or is of a major
//! version this build does not read.

use super::Ctx;
use crate::error::{Error, Result};
use crate::report::org;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Board {
    /// Combine boards (`plan-lint report --format json`) into one organisation page: the
    /// visions, each team's promises in play against its limit, outcomes and progress, untraced
    /// and exception shares, drift, and links back to each team's own board.
    Merge(MergeArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One self-contained HTML page.
    Html,
    /// Markdown, for a wiki page or a job summary.
    Markdown,
    /// JSON (`kind` "organisation", schema/report.schema.json).
    Json,
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// The boards, in the order the page lists them.
    #[arg(required = true, value_name = "BOARD.json")]
    pub boards: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    pub format: Format,
    /// Write the page to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Link a board to its team's own page: NAME is the board's name, its file's name without
    /// `.json`, or the file as given; URL is http(s) or a relative path. Repeatable.
    #[arg(long, value_name = "NAME=URL")]
    pub link: Vec<String>,
}

pub fn run(ctx: &Ctx, board: Board) -> Result<ExitCode> {
    match board {
        Board::Merge(args) => merge(ctx, args),
    }
}

fn merge(ctx: &Ctx, args: MergeArgs) -> Result<ExitCode> {
    let links = args
        .link
        .iter()
        .map(|l| {
            let shown = crate::escape::line(l);
            let (name, url) = l
                .split_once('=')
                .filter(|(n, u)| !n.is_empty() && !u.is_empty())
                .ok_or_else(|| Error::new(format!("--link {shown} is not NAME=URL")))?;
            if !org::safe_url(url) {
                return Err(Error::new(format!("--link {shown}: the URL is neither http(s) nor a relative path")));
            }
            Ok((name, url))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut used = vec![false; links.len()];
    let mut teams = Vec::with_capacity(args.boards.len());
    for path in &args.boards {
        let given = path.to_string_lossy();
        let full = if path.is_absolute() { path.clone() } else { ctx.dir.join(path) };
        let bytes = std::fs::read(&full)
            .map_err(|e| Error::io(format!("could not read {}", crate::escape::line(&given)), &e))?;
        let mut team = org::read(&given, &bytes)?;
        drop(bytes);
        let stem = path.file_stem().map(|s| s.to_string_lossy());
        if let Some(i) = links.iter().position(|(n, _)| *n == team.label || Some(*n) == stem.as_deref() || *n == given)
        {
            used[i] = true;
            team.url = Some(links[i].1.to_string());
        }
        teams.push(team);
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(Error::new(format!("--link {} names no board", crate::escape::line(links[i].0)))
            .with_help("NAME is a board's name, its file's name without `.json`, or the file as given"));
    }
    let page = org::merge(teams);
    let text = match args.format {
        Format::Html => org::html_page(&page),
        Format::Markdown => org::markdown_page(&page),
        Format::Json => {
            let mut s =
                serde_json::to_string_pretty(&page).map_err(|e| Error::new(format!("could not write JSON: {e}")))?;
            s.push('\n');
            s
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Error::io(format!("could not write {}", crate::escape::line(&path.to_string_lossy())), &e))?,
        None => super::emit(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
