//! The command line: arguments in, an exit code out.
//!
//! Exit codes are part of the interface: 0 when no error-level finding, 1 when there are
//! error-level findings, 2 when plan-lint could not run (usage, registry, I/O, git). A panic is a
//! bug; it is caught here and reported in one line with exit 2, never as a backtrace wall.

mod baseline;
mod board;
mod check;
mod ci;
mod demo;
pub mod hook;
mod init;
pub mod install;
mod measure;
mod report;
mod rules;
mod trailers;

use crate::error::Error;
use crate::report::human::Style;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Git-native plan-as-code linter: every commit and plan item traced to a customer promise that
/// is in play.
#[derive(Parser, Debug)]
#[command(name = "plan-lint", version, about, long_about = None, propagate_version = true)]
#[command(after_help = "Exit status: 0 clean, 1 error-level findings, 2 could not run.\n\
Documentation: the README, `plan-lint rules` and `plan-lint explain CODE`.")]
pub struct Cli {
    /// When to use colour: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Run as if started in DIR.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the registry, the plan documents and the commits of the current branch.
    Check(check::Args),
    /// Check a pull request, push, merge group or issue on CI: annotations, job summary, SARIF.
    Ci(ci::Args),
    /// The promise board: promises in play, outcomes, traced work, untraced work, exceptions
    /// and drift over a time window.
    Report(report::Args),
    /// Organisation boards: `board merge` combines many repositories' boards into one page.
    #[command(subcommand)]
    Board(board::Board),
    /// Record a reading of an outcome in outcomes.csv, checked against promises.toml.
    Measure(measure::Args),
    #[command(about = baseline::ABOUT, long_about = baseline::LONG_ABOUT)]
    Baseline(baseline::Args),
    /// Print the trailers of a message (or a commit) exactly as git reads them.
    Trailers(trailers::Args),
    /// Build an example team's repository in a temporary directory and check it.
    Demo(demo::Args),
    /// Run a git hook: pre-commit, commit-msg, prepare-commit-msg, pre-push, or pre-receive on a server.
    #[command(subcommand)]
    Hook(hook::Hook),
    /// Install plan-lint's git hooks in this repository.
    Install(install::InstallArgs),
    /// Remove plan-lint's git hooks (restoring any hook they replaced).
    Uninstall,
    /// Scaffold promises.toml and ROADMAP.md (never overwriting), and offer to install the hooks.
    Init(init::Args),
    /// List every rule with its code, default level and summary.
    Rules,
    /// Serve the Language Server Protocol on stdin/stdout: plans, promises.toml and commit
    /// messages checked as you type, with completion, hover, go to definition, references,
    /// rename and quick fixes (see the README's "Editors" section).
    Lsp {
        /// Accepted for editors that pass it: stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Print the JSON Schema of promises.toml (for Taplo / Even Better TOML).
    Schema,
    /// Print shell completions.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Explain a rule: what it does, why it matters, an example and the fix.
    Explain {
        /// The rule's code, e.g. untraced-commit.
        code: String,
    },
}

/// Shared by subcommands: where to run and how to draw.
pub struct Ctx {
    pub dir: PathBuf,
    pub style: Style,
}

pub fn main() -> ExitCode {
    crate::panic::install_hook();
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => ExitCode::from(2),
    }
}

fn run() -> ExitCode {
    crate::git::tune_for_reading();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).filter(|&w: &usize| w >= 40).unwrap_or(100);
    let dir = match cli.dir {
        Some(d) => d,
        None => match std::env::current_dir() {
            Ok(d) => d,
            Err(e) => return fail(&Error::io("could not read the current directory", &e), Style { color, width }),
        },
    };
    let ctx = Ctx { dir, style: Style { color, width } };
    let result = match cli.command {
        Command::Check(args) => check::run(&ctx, args),
        Command::Ci(args) => ci::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Board(b) => board::run(&ctx, b),
        Command::Trailers(args) => trailers::run(&ctx, args),
        Command::Measure(args) => measure::run(&ctx, args),
        Command::Baseline(args) => baseline::run(&ctx, args),
        Command::Demo(args) => demo::run(&ctx, args),
        Command::Hook(h) => hook::run(&ctx, h),
        Command::Install(args) => install::install(&ctx, args),
        Command::Uninstall => install::uninstall(&ctx),
        Command::Init(args) => init::run(&ctx, args),
        Command::Rules => rules::list(),
        Command::Lsp { stdio: _ } => crate::lsp::serve().map(|code| ExitCode::from(code as u8)),
        Command::Schema => emit(crate::schema::text().as_bytes()).map(|()| ExitCode::SUCCESS),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "plan-lint", &mut out);
            emit(&out).map(|()| ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out) {
                Ok(()) => emit(&out).map(|()| ExitCode::SUCCESS),
                Err(e) => Err(Error::io("could not render the man page", &e)),
            }
        }
        Command::Explain { code } => rules::explain(&code),
    };
    match result {
        Ok(code) => code,
        Err(e) => fail(&e, ctx.style),
    }
}

fn fail(e: &Error, style: Style) -> ExitCode {
    let _ = std::io::stderr().write_all(crate::report::human::render_error(e, style).as_bytes());
    ExitCode::from(2)
}

/// Write to standard output as `write` goes (buffered); a closed pipe (`plan-lint check | head`)
/// ends quietly.
pub(crate) fn emit_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Error> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("could not write to standard output", &e)),
    }
}

/// Write to standard output; a closed pipe (`plan-lint check | head`) ends quietly.
pub(crate) fn emit(bytes: &[u8]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("could not write to standard output", &e)),
    }
}
