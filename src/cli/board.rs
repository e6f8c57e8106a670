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

/// A board file larger than this is refused: a board of a 100,000-commit window is a few MB, and
/// `/dev/zero` or a log given by mistake is not read until memory runs out.
const MAX_BOARD: u64 = 256 << 20;

/// The bytes of the board at `path` (`given` as the user wrote it), at most [`MAX_BOARD`].
fn read_board(path: &std::path::Path, given: &str) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let shown = crate::escape::line(given);
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_BOARD + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io(format!("could not read {shown}"), &e))?;
    if bytes.len() as u64 > MAX_BOARD {
        return Err(Error::new(format!("{shown} is not a plan-lint board: larger than {} MiB", MAX_BOARD >> 20))
            .with_help("make it with `plan-lint report --format json --output FILE`"));
    }
    Ok(bytes)
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
        let bytes = read_board(&full, &given)?;
        let mut team = org::read(&given, &bytes)?;
        drop(bytes);
        // One board given twice (or under two paths) would count its commits twice.
        if let Some(same) = teams.iter().find(|t: &&org::Team| org::same_board(t, &team)) {
            return Err(Error::new(format!(
                "{} and {} are the same board (commit {}{}): its commits would be counted twice",
                crate::escape::line(&same.file),
                crate::escape::line(&given),
                crate::escape::line(team.as_of.commit.as_deref().unwrap_or_default()),
                team.scope.as_deref().map(|s| format!(", scope {}", crate::escape::line(s))).unwrap_or_default(),
            ))
            .with_help("give each repository's (and scope's) board once"));
        }
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
