//! `plan-lint install [--force]` and `plan-lint uninstall`: small hook scripts in the directory
//! git actually runs hooks from (`core.hooksPath`, or the common git directory's `hooks/`, which
//! linked worktrees share).
//!
//! A hook that is not plan-lint's is never overwritten without `--force`, and then it is kept as
//! `<hook>.pre-plan-lint`, which plan-lint's hook runs first (same arguments, same standard
//! input; its failure stops the commit or push) and `uninstall` puts back. Installing twice
//! changes nothing. Where a hook manager owns the hooks (husky, lefthook, the pre-commit
//! framework), nothing is written: the lines to add to its files are printed instead.

use super::Ctx;
use crate::atomic::Mode;
use crate::error::{Error, Result};
use crate::git::Repo;
use std::path::Path;
use std::process::ExitCode;

/// The hooks plan-lint provides, in the order git runs them.
pub const HOOKS: &[&str] = &["pre-commit", "prepare-commit-msg", "commit-msg", "pre-push"];

/// The hook a server runs for every push (`plan-lint install --server`).
pub const SERVER_HOOKS: &[&str] = &["pre-receive"];

/// The line that marks a hook script as plan-lint's own.
pub const MARKER: &str = "# plan-lint hook:";

/// The script for `hook`. With `fallback`, the absolute path of the installing binary is used
/// when `plan-lint` is not on PATH (a GUI client's PATH is often shorter than a shell's).
///
/// Without plan-lint, a client hook stops the commit or push and says how to install it or
/// skip the hook once; the server hook rejects the push (it fails closed: an unchecked push is
/// what it exists to prevent) and says what the server's administrator must do, since
/// `--no-verify` cannot skip it.
pub fn script(hook: &str, fallback: Option<&Path>) -> String {
    let missing = if SERVER_HOOKS.contains(&hook) { SERVER_MISSING } else { MISSING };
    let fallback = match fallback {
        Some(p) => format!(
            "    if [ -x '{p}' ]; then\n        PLAN_LINT='{p}'\n    else\n{missing}    fi\n",
            p = p.display().to_string().replace('\'', "'\\''")
        ),
        None => missing.to_string(),
    };
    // The hook it replaced (`install --force`) runs first, with the same arguments; a hook that
    // reads the pushed refs on standard input gets its own copy of them (two descriptors on one
    // unlinked file, so each reader starts at the beginning).
    let previous = if STDIN_HOOKS.contains(&hook) {
        "if [ -x \"$0.pre-plan-lint\" ]; then\n\
         \x20   refs=$(mktemp) || exit 1\n\
         \x20   cat >\"$refs\"\n\
         \x20   exec 3<\"$refs\" 4<\"$refs\"\n\
         \x20   rm -f \"$refs\"\n\
         \x20   \"$0.pre-plan-lint\" \"$@\" <&3 || exit $?\n\
         \x20   exec <&4 3<&- 4<&-\n\
         fi\n"
    } else {
        "if [ -x \"$0.pre-plan-lint\" ]; then\n\
         \x20   \"$0.pre-plan-lint\" \"$@\" || exit $?\n\
         fi\n"
    };
    format!(
        "#!/bin/sh\n\
         {MARKER} {hook}. Installed by `plan-lint install`, removed by `plan-lint uninstall`.\n\
         # Runs the hook it replaced first (kept as {hook}.pre-plan-lint, if any), then\n\
         # `plan-lint hook {hook}` with git's arguments (and standard input).\n\
         PLAN_LINT=\"${{PLAN_LINT:-plan-lint}}\"\n\
         if ! command -v \"$PLAN_LINT\" >/dev/null 2>&1; then\n\
         {fallback}\
         fi\n\
         {previous}\
         exec \"$PLAN_LINT\" hook {hook} \"$@\"\n"
    )
}

/// The hooks git gives standard input (the pushed refs).
const STDIN_HOOKS: &[&str] = &["pre-push", "pre-receive"];

const MISSING: &str = "        echo \"plan-lint: '$PLAN_LINT' is not on PATH, so this change was not checked.\" >&2\n        echo \"  Install it (cargo install --locked --path <plan-lint checkout>), or skip the hook once with --no-verify.\" >&2\n        exit 1\n";

/// The server hook without plan-lint: the push is rejected, and the pusher is told who can fix it.
const SERVER_MISSING: &str = "        echo \"plan-lint: push rejected: this server cannot run '$PLAN_LINT', so the push could not be checked.\" >&2\n        echo '  The check runs on the server, where --no-verify does not skip it. The server'\\''s administrator must install plan-lint on the PATH of the git server process (or set PLAN_LINT to its path in that environment), or remove this hook with `plan-lint uninstall`.' >&2\n        exit 1\n";

#[derive(clap::Args, Debug)]
pub struct InstallArgs {
    /// Replace hooks that are not plan-lint's (each is kept as <hook>.pre-plan-lint).
    #[arg(long)]
    pub force: bool,
    /// Install the server-side hook (pre-receive) in this repository, bare or not, instead of
    /// the client hooks: every push is checked where `--no-verify` cannot skip it.
    #[arg(long)]
    pub server: bool,
}

pub fn install(ctx: &Ctx, args: InstallArgs) -> Result<ExitCode> {
    let repo =
        Repo::discover(&ctx.dir).ok_or_else(|| Error::new(format!("not a git repository: {}", ctx.dir.display())))?;
    let hooks = if args.server { SERVER_HOOKS } else { HOOKS };
    let report = install_in(&repo, args.force, hooks)?;
    super::emit(report.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Install every hook; returns what was done, a line per hook. Where a hook manager owns the
/// client hooks, nothing is written: what to add to its files is returned instead.
pub fn install_in(repo: &Repo, force: bool, hooks: &[&str]) -> Result<String> {
    if hooks == HOOKS {
        if let Some(lines) = manager_lines(repo) {
            return Ok(lines);
        }
    }
    let dir = repo.hooks_dir();
    let exe = std::env::current_exe().ok();
    let foreign: Vec<&str> = hooks
        .iter()
        .copied()
        .filter(|h| {
            let path = dir.join(h);
            // A link is never plan-lint's (it writes regular files), dangling or not.
            is_link(&path)
                || std::fs::read_to_string(&path).is_ok_and(|t| !t.contains(MARKER))
                || is_foreign_binary(&path)
        })
        .collect();
    if !foreign.is_empty() && !force {
        return Err(Error::new(format!(
            "{} already has {} not plan-lint's: {}",
            dir.display(),
            if foreign.len() == 1 { "a hook that is" } else { "hooks that are" },
            foreign.join(", ")
        ))
        .with_help("nothing was changed; `plan-lint install --force` installs plan-lint's and keeps each of these as <hook>.pre-plan-lint, which plan-lint's hook runs first, or run plan-lint from your hook manager (see the README)"));
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(format!("could not create {}", dir.display()), &e))?;
    let mut out = String::new();
    for hook in hooks {
        let path = dir.join(hook);
        let text = script(hook, exe.as_deref());
        let state = match std::fs::read(&path) {
            _ if is_link(&path) => {
                let backup = dir.join(format!("{hook}.pre-plan-lint"));
                std::fs::rename(&path, &backup)
                    .map_err(|e| Error::io(format!("could not back up {}", path.display()), &e))?;
                "installed (the link it replaced is kept as .pre-plan-lint and runs first)"
            }
            Ok(old) if old == text.as_bytes() => "unchanged",
            Ok(old) if String::from_utf8_lossy(&old).contains(MARKER) => "updated",
            Ok(_) => {
                let backup = dir.join(format!("{hook}.pre-plan-lint"));
                std::fs::rename(&path, &backup)
                    .map_err(|e| Error::io(format!("could not back up {}", path.display()), &e))?;
                "installed (the previous hook is kept as .pre-plan-lint and runs first)"
            }
            Err(_) => "installed",
        };
        if state != "unchanged" {
            write_executable(&path, &text)?;
        }
        out.push_str(&format!("{}: {state}\n", path.display()));
    }
    Ok(out)
}

/// The first line of each husky hook file: a plan-lint in the project's `node_modules/.bin`
/// first, and how to get one when there is none (the README's husky section shows the files).
pub const HUSKY_GUARD: &str = "export PATH=\"node_modules/.bin:$PATH\"; command -v plan-lint >/dev/null || { echo \"plan-lint is not installed: see https://github.com/plan-lint/plan-lint#install (or skip this hook once with --no-verify)\" >&2; exit 1; }";

/// The line that runs `hook` from a hook manager's shell file, with git's arguments: all three
/// of prepare-commit-msg's (the source tells merges and squashes), both of pre-push's.
pub fn hook_line(hook: &str) -> String {
    let args = match hook {
        "prepare-commit-msg" => " \"$1\" \"$2\" \"$3\"",
        "commit-msg" => " \"$1\"",
        "pre-push" => " \"$1\" \"$2\"",
        _ => "",
    };
    format!("plan-lint hook {hook}{args}")
}

/// lefthook's configuration for the four hooks (the README's lefthook section).
pub const LEFTHOOK_CONFIG: &str = "\
pre-commit:
  commands:
    plan-lint: { run: plan-lint hook pre-commit }
prepare-commit-msg:
  commands:
    plan-lint: { run: \"plan-lint hook prepare-commit-msg {1} {2} {3}\" }
commit-msg:
  commands:
    plan-lint: { run: \"plan-lint hook commit-msg {1}\" }
pre-push:
  commands:
    plan-lint: { run: \"plan-lint hook pre-push {1} {2}\", use_stdin: true }
";

/// The pre-commit framework's configuration (the README's pre-commit section).
pub const PRE_COMMIT_CONFIG: &str = "\
default_install_hook_types: [pre-commit, commit-msg, prepare-commit-msg, pre-push]
repos:
  - repo: https://github.com/plan-lint/plan-lint
    rev: v0.1.0
    hooks:
      - id: plan-lint
      - id: plan-lint-commit-msg
      - id: plan-lint-prepare-commit-msg
      - id: plan-lint-pre-push
";

const LEFTHOOK_FILES: &[&str] = &[
    "lefthook.yml",
    ".lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yaml",
    "lefthook.toml",
    ".lefthook.toml",
    "lefthook.json",
    ".lefthook.json",
    ".config/lefthook.yml",
];
const PRE_COMMIT_FILES: &[&str] = &[".pre-commit-config.yaml", ".pre-commit-config.yml"];

/// When husky (`core.hooksPath` is `.husky/_`, or `.husky` before husky 9), lefthook or the
/// pre-commit framework runs this repository's hooks, what to add to its files: writing into
/// its directory would be undone by its next install (husky's runs on every `npm install`).
fn manager_lines(repo: &Repo) -> Option<String> {
    let root = repo.root()?;
    let runs_plan_lint = |path: &Path| std::fs::read_to_string(path).is_ok_and(|t| t.contains("plan-lint"));
    let hooks_path = repo.config_string("core.hooksPath").unwrap_or_default();
    let trimmed = hooks_path.trim_end_matches('/');
    let husky = if trimmed.ends_with(".husky/_") {
        Some(Path::new(trimmed).parent().map_or_else(|| root.join(".husky"), |d| root.join(d)))
    } else if trimmed.ends_with(".husky") {
        Some(root.join(trimmed))
    } else {
        None
    };
    if let Some(husky) = husky {
        let shown = crate::escape::line(&hooks_path);
        let mut out = format!(
            "husky runs this repository's hooks (core.hooksPath = {shown}) and rewrites {shown} on every \
             `npm install`: plan-lint wrote nothing there.\n"
        );
        let missing: Vec<&str> = HOOKS.iter().copied().filter(|h| !runs_plan_lint(&husky.join(h))).collect();
        if missing.is_empty() {
            out.push_str("Its hook files already run plan-lint: nothing to do.\n");
            return Some(out);
        }
        out.push_str("Add these lines to husky's hook files (the README's husky section explains them):\n");
        let rel = |h: &str| {
            let path = husky.join(h);
            crate::escape::line(&path.strip_prefix(&root).unwrap_or(&path).display().to_string()).into_owned()
        };
        for hook in HOOKS {
            if missing.contains(hook) {
                out.push_str(&format!("\n{}:\n{HUSKY_GUARD}\n{}\n", rel(hook), hook_line(hook)));
            } else {
                out.push_str(&format!("\n{}: already runs plan-lint\n", rel(hook)));
            }
        }
        return Some(out);
    }
    let found = |names: &[&str]| names.iter().map(|n| root.join(n)).find(|p| p.is_file());
    let (tool, config, lines, then) = if let Some(config) = found(LEFTHOOK_FILES) {
        ("lefthook", config, LEFTHOOK_CONFIG, "`lefthook install`")
    } else if let Some(config) = found(PRE_COMMIT_FILES) {
        ("the pre-commit framework", config, PRE_COMMIT_CONFIG, "`pre-commit install`")
    } else {
        return None;
    };
    let name = crate::escape::line(&config.strip_prefix(&root).unwrap_or(&config).display().to_string()).into_owned();
    let mut out = format!("{tool} runs this repository's hooks ({name}): plan-lint wrote nothing into them.\n");
    if runs_plan_lint(&config) {
        out.push_str(&format!("{name} already runs plan-lint: nothing to do.\n"));
    } else {
        out.push_str(&format!("Add this to {name} (the README shows it), then run {then}:\n\n{lines}"));
    }
    Some(out)
}

fn is_foreign_binary(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| std::str::from_utf8(&b).is_err())
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Write `bytes` to a new file at `path`, never through a link: the file is created beside it
/// and renamed over (a rename replaces a link, it does not follow it).
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    write_file(path, bytes, Mode::Plain)
}

fn write_executable(path: &Path, text: &str) -> Result<()> {
    write_file(path, text.as_bytes(), Mode::Executable)
}

fn write_file(path: &Path, bytes: &[u8], mode: Mode) -> Result<()> {
    crate::atomic::write(path, bytes, mode).map_err(|e| Error::io(format!("could not write {}", path.display()), &e))
}

pub fn uninstall(ctx: &Ctx) -> Result<ExitCode> {
    let repo =
        Repo::discover(&ctx.dir).ok_or_else(|| Error::new(format!("not a git repository: {}", ctx.dir.display())))?;
    let dir = repo.hooks_dir();
    let mut out = String::new();
    for hook in HOOKS.iter().chain(SERVER_HOOKS) {
        let path = dir.join(hook);
        let ours = std::fs::read_to_string(&path).is_ok_and(|t| t.contains(MARKER));
        if !ours {
            continue;
        }
        std::fs::remove_file(&path).map_err(|e| Error::io(format!("could not remove {}", path.display()), &e))?;
        let backup = dir.join(format!("{hook}.pre-plan-lint"));
        if backup.exists() {
            std::fs::rename(&backup, &path)
                .map_err(|e| Error::io(format!("could not restore {}", backup.display()), &e))?;
            out.push_str(&format!("{}: removed, previous hook restored\n", path.display()));
        } else {
            out.push_str(&format!("{}: removed\n", path.display()));
        }
    }
    if out.is_empty() {
        out = format!("no plan-lint hooks in {}\n", dir.display());
    }
    super::emit(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
