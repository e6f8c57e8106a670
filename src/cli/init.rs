//! `plan-lint init`: a commented `promises.toml` with one example promise and a plan document,
//! so a team starts from something that passes; never overwrites anything. In a repository with
//! history, the registry's adoption point (`[commits] since`) is HEAD: years of commits made
//! before plan-lint are not its business.

use super::Ctx;
use crate::error::{Error, Result};
use crate::git::Repo;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

pub const REGISTRY_TEMPLATE: &str = include_str!("../../fixtures/init/promises.toml");
pub const PLAN_TEMPLATE: &str = include_str!("../../fixtures/init/ROADMAP.md");

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Also install the git hooks (without asking).
    #[arg(long, conflicts_with = "no_hooks")]
    pub hooks: bool,
    /// Do not install the git hooks, and do not ask.
    #[arg(long)]
    pub no_hooks: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir);
    let root = repo.as_ref().and_then(Repo::root).unwrap_or_else(|| ctx.dir.clone());
    let mut out = String::new();
    let head = repo.as_ref().and_then(Repo::head_commit);
    let registry = match head {
        Some(sha) => REGISTRY_TEMPLATE.replacen(
            "# since = \"<commit, tag or branch>\"",
            &format!("since = \"{sha}\"  # HEAD when `plan-lint init` ran"),
            1,
        ),
        None => REGISTRY_TEMPLATE.to_string(),
    };
    let files = [("promises.toml", registry.as_str()), ("ROADMAP.md", PLAN_TEMPLATE)];
    // Never write through a link (a dangling `promises.toml -> ../outside.toml` would create a
    // file outside the repository): refuse before writing anything.
    for (name, _) in files {
        let path = root.join(name);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::new(format!("{} is a symbolic link: plan-lint never writes through one", path.display()))
                .with_help("nothing was written; replace the link with a regular file, or remove it and run `plan-lint init` again"));
        }
    }
    for (name, text) in files {
        let path = root.join(name);
        if std::fs::symlink_metadata(&path).is_ok() {
            out.push_str(&format!("{}: exists, left alone\n", path.display()));
            continue;
        }
        super::install::write_new(&path, text.as_bytes())?;
        out.push_str(&format!("{}: created\n", path.display()));
        if let (Some(sha), "promises.toml") = (head, name) {
            let short = &sha.to_string()[..7];
            out.push_str(&format!(
                "  adoption point ([commits] since): HEAD, {short}: it and the commits before it are never checked;\n  \
                 `plan-lint baseline` records the plan's findings of today, so only new ones fail\n"
            ));
        }
    }
    super::emit(out.as_bytes())?;

    let install = if args.hooks {
        true
    } else if args.no_hooks || !std::io::stdin().is_terminal() {
        false
    } else {
        eprint!("Install the git hooks (pre-commit, commit-msg, prepare-commit-msg, pre-push)? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        matches!(answer.trim(), "y" | "Y" | "yes")
    };
    match (&repo, install) {
        (Some(repo), true) => super::emit(super::install::install_in(repo, false, super::install::HOOKS)?.as_bytes())?,
        (None, true) => return Err(Error::new("not a git repository: run `git init` first, then `plan-lint install`")),
        (None, false) => super::emit(
            b"This directory is not a git repository yet: run `git init` (plan-lint reads commits and installs hooks there).\n\
              Until then, `plan-lint check --no-commits` checks promises.toml and the plans. Edit the outcome\n\
              placeholders in promises.toml: `...` is no outcome.\n",
        )?,
        _ => super::emit(
            b"Next: edit promises.toml and ROADMAP.md (replace the `...` placeholders: a placeholder is no outcome),\n\
              run `plan-lint check`, and `plan-lint install` for the hooks.\n",
        )?,
    }
    Ok(ExitCode::SUCCESS)
}
