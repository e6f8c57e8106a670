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

/// A scoped registry: a team's own promises and limits, the rest inherited (`{scope}`, `{id}`).
const SCOPED_TEMPLATE: &str = "\
# The scoped registry of {scope}: the promises this team keeps, and its own limits. What it
# does not set (the vision, the customers, each [limits] key) comes from the nearest registry
# above it. List it in the root promises.toml: [scopes] members = [..., \"{scope}\"]

[limits]
# WIP limit for this team: at most this many of its promises in play at once.
in-play = 2

# Plans and commits elsewhere name it `{scope}/{id}`; in this folder `{id}` will do.
[promises.{id}]
statement = \"A customer can ... (the outcome they get, not the feature we build).\"
status = \"in-play\"{customer}
outcomes = [
  { metric = \"share of customers who ...\", baseline = \"unknown\", target = \"...\" },
]
";

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir);
    let root = repo.as_ref().and_then(Repo::root).unwrap_or_else(|| ctx.dir.clone());
    if let Some(scope) = scope_folder(&root, &ctx.dir) {
        return scoped(ctx, &scope);
    }
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

/// The folder `init` runs in, relative to the root, when it is below a root that has a registry
/// already: a team's scope to scaffold.
fn scope_folder(root: &std::path::Path, dir: &std::path::Path) -> Option<String> {
    let canonical = |p: &std::path::Path| p.canonicalize().ok();
    let (root, dir) = (canonical(root)?, canonical(dir)?);
    let rel = dir.strip_prefix(&root).ok()?;
    if rel.as_os_str().is_empty() || !root.join(crate::registry::FILE_NAME).is_file() {
        return None;
    }
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// Scaffold a scoped registry and a plan in `scope` (below the root), and say how to list it.
fn scoped(ctx: &Ctx, scope: &str) -> Result<ExitCode> {
    let last = scope.rsplit('/').next().unwrap_or(scope);
    let id = format!("{}-first-promise", crate::registry::to_slug(last)).trim_start_matches('-').to_string();
    // The customers it inherits, when the root declares any: each promise names one.
    let customer = crate::engine::root_customers(&ctx.dir)
        .first()
        .map_or(String::new(), |c| format!("\ncustomer = \"{c}\"       # one of the customers the root declares"));
    let registry = SCOPED_TEMPLATE.replace("{scope}", scope).replace("{id}", &id).replace("{customer}", &customer);
    let plan = format!("# Roadmap of {scope}\n\n## First theme\nPromise: {id}\n\n- [ ] The first piece of work that moves the outcome\n");
    let mut out = String::new();
    for (name, text) in [(crate::registry::FILE_NAME, registry.as_str()), ("ROADMAP.md", plan.as_str())] {
        let path = ctx.dir.join(name);
        if std::fs::symlink_metadata(&path).is_ok() {
            out.push_str(&format!("{}: exists, left alone\n", path.display()));
            continue;
        }
        super::install::write_new(&path, text.as_bytes())?;
        out.push_str(&format!("{}: created\n", path.display()));
    }
    let shown = crate::escape::line(scope);
    out.push_str(&format!(
        "Next: list this scope in the root promises.toml, `[scopes] members = [..., \"{shown}\"]` (until then it is \
         an `unlisted-scope` finding), edit the placeholders, and run `plan-lint check` here.\n"
    ));
    super::emit(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
