//! `plan-lint trailers`: the trailers of a message or a commit, byte for byte as git prints them
//! (`git interpret-trailers --parse`, or `git log -1 --format=%(trailers:only,unfold)`).
//!
//! Output is raw bytes when it goes to a pipe or file, as git's is. On a terminal, control
//! characters are shown escaped, so a hostile message cannot drive the terminal.

use super::Ctx;
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::scan::trailers::{self, Options};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The message file; standard input when absent or `-`.
    #[arg(value_name = "FILE", conflicts_with = "commit")]
    pub file: Option<PathBuf>,
    /// Read the message of this commit instead, as `git log` does.
    #[arg(long, value_name = "REV")]
    pub commit: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let out = match &args.commit {
        Some(rev) => {
            let repo = Repo::discover(&ctx.dir)
                .ok_or_else(|| Error::new(format!("not a git repository: {}", ctx.dir.display())))?;
            let oid = repo.commit_id(rev).map_err(|e| Error::new(format!("bad revision `{rev}`: {e}")))?;
            trailers::render(&repo.trailers_of(oid)?)
        }
        None => {
            let path = match args.file.as_deref() {
                None => std::path::PathBuf::from("-"),
                Some(p) if p.as_os_str() == "-" || p.is_absolute() => p.to_path_buf(),
                Some(p) => ctx.dir.join(p),
            };
            let bytes = crate::files::read_input(&path, "a commit message")?;
            trailers::render(&trailers::parse(&bytes, &Options::interpret()))
        }
    };
    if std::io::stdout().is_terminal() {
        super::emit(crate::escape::escape(&String::from_utf8_lossy(&out)).text.as_bytes())?;
    } else {
        super::emit(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}
