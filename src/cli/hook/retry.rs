//! The command printed after the commit-msg hook rejects a message: the same `git commit` again,
//! with the message it saved, so that following the advice commits exactly what the rejected
//! command would have (issues 24 and 30: after `git commit -a --amend`, a bare
//! `git commit --amend -e -F …` amended without the `-a` changes, and said nothing).
//!
//! A hook cannot see git's arguments, only what git leaves it. Two signals, read independently:
//!
//! - **`git commit`'s command line**, from `/proc/<pid>/cmdline` of the nearest `git` process
//!   above the hook (the parent when the hook script `exec`s plan-lint; a grandparent or further
//!   under husky, lefthook or the pre-commit framework, which run it from a shell or their own
//!   process). It names every option: `-a`, `-i`, `-p`, `--only`, paths, `--amend`,
//!   `--allow-empty`, `--author`, … Long options may be abbreviated as git allows (`--am`).
//!   A `git ci` alias is expanded from `alias.ci` when it runs `commit`.
//! - **`GIT_INDEX_FILE`**, which git sets for its hooks to the index it commits from: the real
//!   index for a commit of what is staged, `index.lock` for `-a`/`-i <paths>`/`-p` (the real
//!   index updated, rolled back when the commit fails), `next-index-<pid>.lock` for `--only` and
//!   paths (a temporary index of HEAD plus those paths). git-annex tells partial commits apart
//!   the same way.
//!
//! When both are there and agree, the options that decide what is committed are repeated, in
//! their order, with the paths after `--`; the message options (`-m`, `-F`, `-c`, `-C`,
//! `--fixup`, `--squash`, `-t`, `--trailer`, `-s`) are not, since the saved file holds the
//! message as git would have stored it. When the command line cannot be read (no `/proc`, an
//! alias that runs a shell, a process tree without `git`), or it disagrees with the index git
//! named, the advice is the command for what the index says, with the options to repeat spelled
//! out beside it. Limits: `--amend` leaves no trace outside the command line (the advice then
//! says to repeat it); `-c`/`-C` also reuse the named commit's author, which the advice does not
//! carry; `--pathspec-from-file=-` read standard input, which cannot be replayed.

use std::ffi::OsStr;
use std::path::Path;

/// How the rejected commit built the index it commits from, as `GIT_INDEX_FILE` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Staging {
    /// What is staged (the real index).
    AsIs,
    /// The real index updated first (`index.lock`): `-a`, `-i <paths>`, `-p`, `--interactive`.
    Updated,
    /// A temporary index of HEAD plus the named paths (`next-index-*.lock`): `--only`, paths.
    Partial,
    /// No `GIT_INDEX_FILE` (the hook run by hand).
    Unknown,
}

impl Staging {
    pub(super) fn from_env(value: Option<&OsStr>) -> Staging {
        let Some(value) = value else { return Staging::Unknown };
        let name = Path::new(value).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with("next-index-") && name.ends_with(".lock") {
            Staging::Partial
        } else if name.ends_with(".lock") {
            Staging::Updated
        } else {
            Staging::AsIs
        }
    }
}

/// What of the rejected command is repeated.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Carried {
    /// Options in their order, spelled out in full (not yet quoted).
    pub options: Vec<String>,
    /// Paths, in their order (after `--` in the advice).
    pub paths: Vec<String>,
    pub amend: bool,
    /// Whether the command can be repeated as it was (not: a pathspec read from standard input,
    /// an option this reading does not know).
    pub exact: bool,
    /// The index these options make git commit from.
    pub staging: Option<Staging>,
}

/// How an option of `git commit` takes a value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arg {
    None,
    /// `--opt value` or `--opt=value`.
    Required,
    /// Only `--opt=value`.
    Optional,
}

/// `git commit`'s long options (`git commit --git-completion-helper-all`, git 2.47), how each
/// takes a value, and whether the advice repeats it. The `no-` forms follow.
const LONG: &[(&str, Arg, bool)] = &[
    ("quiet", Arg::None, false),
    ("verbose", Arg::None, false),
    ("file", Arg::Required, false),
    ("author", Arg::Required, true),
    ("date", Arg::Required, true),
    ("message", Arg::Required, false),
    ("reedit-message", Arg::Required, false),
    ("reuse-message", Arg::Required, false),
    ("fixup", Arg::Required, false),
    ("squash", Arg::Required, false),
    ("reset-author", Arg::None, true),
    ("trailer", Arg::Required, false),
    ("signoff", Arg::None, false),
    ("template", Arg::Required, false),
    ("edit", Arg::None, false),
    ("cleanup", Arg::Required, true),
    ("status", Arg::None, false),
    ("gpg-sign", Arg::Optional, true),
    ("all", Arg::None, true),
    ("include", Arg::None, true),
    ("interactive", Arg::None, true),
    ("patch", Arg::None, true),
    ("only", Arg::None, true),
    ("no-verify", Arg::None, false),
    ("verify", Arg::None, false),
    ("dry-run", Arg::None, false),
    ("short", Arg::None, false),
    ("branch", Arg::None, false),
    ("ahead-behind", Arg::None, false),
    ("porcelain", Arg::None, false),
    ("long", Arg::None, false),
    ("null", Arg::None, false),
    ("amend", Arg::None, true),
    ("no-post-rewrite", Arg::None, false),
    ("post-rewrite", Arg::None, false),
    ("untracked-files", Arg::Optional, false),
    ("pathspec-from-file", Arg::Required, true),
    ("pathspec-file-nul", Arg::None, true),
    ("allow-empty", Arg::None, true),
    ("allow-empty-message", Arg::None, true),
];

/// Options whose `--no-` form git accepts too (those already starting `no-` or paired with one
/// above have none).
fn negatable(name: &str) -> bool {
    !matches!(name, "no-verify" | "verify" | "no-post-rewrite" | "post-rewrite")
}

/// The option a `--name` (perhaps abbreviated, perhaps `--no-…`) means, as git's parse-options
/// resolves it: an exact name, else the one option it abbreviates. `(name, negated, arg, carry)`.
fn long_option(given: &str) -> Option<(&'static str, bool, Arg, bool)> {
    let mut forms: Vec<(String, &'static str, bool, Arg, bool)> = Vec::new();
    for &(name, arg, carry) in LONG {
        forms.push((name.to_string(), name, false, arg, carry));
        if negatable(name) {
            forms.push((format!("no-{name}"), name, true, Arg::None, carry));
        }
    }
    if let Some(f) = forms.iter().find(|f| f.0 == given) {
        return Some((f.1, f.2, f.3, f.4));
    }
    let mut matches = forms.iter().filter(|f| f.0.starts_with(given));
    let first = matches.next()?;
    // Ambiguous: git would have refused the command before any hook ran.
    if matches.any(|f| f.1 != first.1 || f.2 != first.2) {
        return None;
    }
    Some((first.1, first.2, first.3, first.4))
}

/// The arguments after `commit` in `git [global options] commit …` (or `git-commit …`), with a
/// `git <alias>` expanded when the alias runs `commit` (`alias` reads the configuration).
pub(super) fn commit_args(args: &[String], alias: impl Fn(&str) -> Option<String>) -> Option<Vec<String>> {
    let program = args.first()?;
    let name = Path::new(program).file_name()?.to_string_lossy();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    if name == "git-commit" {
        return Some(args[1..].to_vec());
    }
    if name != "git" {
        return None;
    }
    // Global options before the subcommand; those taking a separate value.
    let mut i = 1;
    while i < args.len() && args[i].starts_with('-') {
        i += if matches!(args[i].as_str(), "-c" | "-C" | "--git-dir" | "--work-tree" | "--namespace" | "--exec-path") {
            2
        } else {
            1
        };
    }
    let sub = args.get(i)?;
    if sub == "commit" {
        return Some(args[i + 1..].to_vec());
    }
    // An alias of `commit` with options (`ci = commit -v`); a shell alias (`!…`) is opaque.
    let expansion = alias(sub)?;
    let words = split_alias(&expansion)?;
    if words.first().map(String::as_str) != Some("commit") {
        return None;
    }
    Some(words[1..].iter().chain(&args[i + 1..]).cloned().collect())
}

/// An alias's words as git splits them (`split_cmdline`: blanks, single and double quotes, a
/// backslash escaping the next character); `None` for a shell alias or unbalanced quotes.
fn split_alias(text: &str) -> Option<Vec<String>> {
    if text.trim_start().starts_with('!') {
        return None;
    }
    let (mut words, mut word, mut quote, mut escaped, mut started) = (Vec::new(), String::new(), None, false, false);
    for c in text.chars() {
        if escaped {
            word.push(c);
            escaped = false;
        } else if c == '\\' && quote != Some('\'') {
            escaped = true;
            started = true;
        } else if Some(c) == quote {
            quote = None;
        } else if quote.is_none() && (c == '\'' || c == '"') {
            quote = Some(c);
            started = true;
        } else if quote.is_none() && c.is_whitespace() {
            if started {
                words.push(std::mem::take(&mut word));
                started = false;
            }
        } else {
            word.push(c);
            started = true;
        }
    }
    if quote.is_some() || escaped {
        return None;
    }
    if started {
        words.push(word);
    }
    Some(words)
}

/// What the advice repeats of `git commit`'s arguments (those after `commit`).
pub(super) fn carried(rest: &[String]) -> Carried {
    let mut c = Carried { exact: true, ..Carried::default() };
    // The last of `--x`/`--no-x` wins, as in git.
    let (mut all, mut include, mut only, mut interactive, mut from_file) = (false, false, false, false, false);
    let mut i = 0;
    while i < rest.len() {
        let a = rest[i].as_str();
        i += 1;
        if a == "--" {
            c.paths.extend(rest[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (given, stuck) = long.split_once('=').map_or((long, None), |(n, v)| (n, Some(v.to_string())));
            let Some((name, negated, arg, carry)) = long_option(given) else {
                c.exact = false;
                continue;
            };
            let value = match (arg, stuck) {
                (_, Some(v)) => Some(v),
                (Arg::Required, None) => {
                    i += 1;
                    rest.get(i - 1).cloned()
                }
                _ => None,
            };
            let on = !negated;
            match name {
                "all" => all = on,
                "include" => include = on,
                "only" => only = on,
                "interactive" | "patch" => interactive = on,
                "amend" => c.amend = on,
                "pathspec-from-file" => {
                    from_file = on;
                    // Standard input was read once, by git.
                    if value.as_deref() == Some("-") {
                        c.exact = false;
                    }
                }
                _ => {}
            }
            if carry {
                let spelled = match (negated, value) {
                    (true, _) => format!("--no-{name}"),
                    (false, Some(v)) => format!("--{name}={v}"),
                    (false, None) => format!("--{name}"),
                };
                c.options.push(spelled);
            }
        } else if a.len() > 1 && a.starts_with('-') {
            let shorts = &a[1..];
            for (at, ch) in shorts.char_indices() {
                let tail = &shorts[at + ch.len_utf8()..];
                match ch {
                    'a' => {
                        all = true;
                        c.options.push("-a".into());
                    }
                    'i' => {
                        include = true;
                        c.options.push("--include".into());
                    }
                    'o' => {
                        only = true;
                        c.options.push("--only".into());
                    }
                    'p' => {
                        interactive = true;
                        c.options.push("--patch".into());
                    }
                    // An optional value, only stuck to the letter.
                    'S' => {
                        c.options.push(if tail.is_empty() { "-S".into() } else { format!("--gpg-sign={tail}") });
                        break;
                    }
                    'u' => break,
                    // A value: the rest of the word, or the next argument.
                    'm' | 'F' | 'C' | 'c' | 't' => {
                        if tail.is_empty() {
                            i += 1;
                        }
                        break;
                    }
                    'q' | 'v' | 's' | 'e' | 'n' | 'z' => {}
                    _ => c.exact = false,
                }
            }
        } else {
            // git takes non-options anywhere as paths.
            c.paths.push(a.to_string());
        }
    }
    let named = !c.paths.is_empty() || from_file;
    c.staging = Some(if all || interactive || (include && named) {
        Staging::Updated
    } else if only || named {
        Staging::Partial
    } else {
        Staging::AsIs
    });
    c
}

/// A word as POSIX `sh` reads it back: bare when it is safe, else in single quotes.
pub(super) fn quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The saved message's path as the user's shell sees it: git runs hooks at the top of the work
/// tree, the user typed `git commit` in `GIT_PREFIX` (set by git for hooks), and `-F` reads a
/// path relative to where the command runs.
pub(super) fn from_prefix(file: &str, prefix: Option<&str>) -> String {
    let up = prefix.map_or(0, |p| p.split('/').filter(|s| !s.is_empty()).count());
    if up == 0 || Path::new(file).is_absolute() {
        return file.to_string();
    }
    format!("{}{file}", "../".repeat(up))
}

/// The command to commit again: `git commit <options> -e -F <file> [-- <paths>]`, and a note
/// when some of it could not be known. `carried` is what the command line said (when it could
/// be read); `staging` what `GIT_INDEX_FILE` said; `amend` the older reading of `--amend`.
pub(super) fn advice(
    carried: Option<&Carried>,
    staging: Staging,
    amend: Option<bool>,
    file: &str,
    rebasing: bool,
) -> (String, Option<String>) {
    let file = quote(file);
    // The command line counts when the index git named agrees with it.
    let known = carried.filter(|c| c.exact && (staging == Staging::Unknown || c.staging == Some(staging)));
    let (mut command, note) = match known {
        Some(c) => {
            let mut words: Vec<String> = vec!["git".into(), "commit".into()];
            words.extend(c.options.iter().map(|o| quote(o)));
            words.extend(["-e".into(), "-F".into(), file]);
            if !c.paths.is_empty() {
                words.push("--".into());
                words.extend(c.paths.iter().map(|p| quote(p)));
            }
            (words.join(" "), None)
        }
        None => {
            let amend = carried.map(|c| c.amend).or(amend);
            let flag = if amend == Some(true) { "--amend " } else { "" };
            let what = match staging {
                Staging::Updated => {
                    "this is for `git commit -a`; if you used `-i <paths>` or `-p`, repeat those instead"
                }
                Staging::Partial => "name the paths again",
                Staging::AsIs | Staging::Unknown => "",
            };
            let command = match staging {
                Staging::Updated => format!("git commit -a {flag}-e -F {file}"),
                Staging::Partial => format!("git commit {flag}-e -F {file} -- <the paths you named>"),
                Staging::AsIs | Staging::Unknown => format!("git commit {flag}-e -F {file}"),
            };
            // A rebase stopped on a pick or a reword commits anew: nothing to amend.
            let unsure = amend.is_none() && !rebasing;
            let note = match (what.is_empty(), unsure) {
                (true, false) => None,
                (true, true) => {
                    Some("add `--amend` if you were amending, `--allow-empty` if the commit was empty".into())
                }
                (false, false) => Some(format!("plan-lint could not read your command: {what}")),
                (false, true) => Some(format!(
                    "plan-lint could not read your command: {what}, and add `--amend` if you were amending"
                )),
            };
            (command, note)
        }
    };
    if rebasing {
        command.push_str(" && git rebase --continue");
    }
    (command, note)
}

/// The command line of the `git commit` whose hook this is: the nearest `git` process above this
/// one (`/proc/<pid>/cmdline`, parents from `/proc/<pid>/stat`), at most a few levels up. `None`
/// where there is no `/proc`, or the nearest `git` is not committing (`git rebase`, whose
/// sequencer commits in-process).
pub(super) fn git_command_line() -> Option<Vec<String>> {
    #[cfg(unix)]
    {
        let mut pid = std::os::unix::process::parent_id();
        // The hook script, a hook manager, its launchers and shells (lefthook from PyPI: the hook
        // script, pyenv's shims, Python, lefthook, `sh -c`): a handful of levels, bounded.
        for _ in 0..16 {
            if pid <= 1 {
                return None;
            }
            let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let args: Vec<String> = raw
                .split(|&b| b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let program = args.first().and_then(|p| Path::new(p).file_name()).map(|n| n.to_string_lossy().into_owned());
            if program.is_some_and(|p| matches!(p.as_str(), "git" | "git.exe" | "git-commit")) {
                return Some(args);
            }
            pid = parent_of(pid)?;
        }
        None
    }
    #[cfg(not(unix))]
    None
}

/// A process's parent, from `/proc/<pid>/stat` (`pid (name) state ppid …`; the name may hold
/// spaces and parentheses, so the fields are read after the last `)`).
#[cfg(unix)]
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    fn carry(s: &str) -> Carried {
        carried(&args(s))
    }

    #[test]
    fn staging_options_are_carried_in_order() {
        let c = carry("-a --amend -m x");
        assert_eq!(c.options, ["-a", "--amend"]);
        assert_eq!((c.amend, c.staging, c.exact), (true, Some(Staging::Updated), true));
        let c = carry("-qam x");
        assert_eq!((c.options.clone(), c.staging), (vec!["-a".to_string()], Some(Staging::Updated)));
        let c = carry("-m x --only a.txt -- -b.txt");
        assert_eq!((c.options.clone(), c.paths.clone()), (vec!["--only".to_string()], args("a.txt -b.txt")));
        assert_eq!(c.staging, Some(Staging::Partial));
        let c = carry("src -m msg -i");
        assert_eq!((c.paths.clone(), c.staging), (args("src"), Some(Staging::Updated)));
        let c = carry("--allow-empty -F -a");
        assert_eq!((c.options.clone(), c.staging), (vec!["--allow-empty".to_string()], Some(Staging::AsIs)));
        // Abbreviations as git resolves them; the last of -a/--no-all wins.
        let c = carry("--am --allow-empty-m --incl p -mx --no-incl");
        assert_eq!(c.options, ["--amend", "--allow-empty-message", "--include", "--no-include"]);
        assert_eq!((c.amend, c.staging, c.exact), (true, Some(Staging::Partial), true));
        assert!(!carry("--al -m x").exact, "ambiguous (all, allow-empty): git refuses it");
        let c = carry("--author A -SKEY --date=now -C HEAD");
        assert_eq!(c.options, ["--author=A", "--gpg-sign=KEY", "--date=now"]);
        assert!(!carry("--pathspec-from-file=- -m x").exact);
        assert!(!carry("--a -m x").exact, "ambiguous: git refuses it");
    }

    #[test]
    fn the_command_line_of_commit_and_its_aliases() {
        let none = |_: &str| None;
        assert_eq!(commit_args(&args("git -C dir -c a=b commit -a"), none), Some(args("-a")));
        assert_eq!(commit_args(&args("/usr/lib/git-core/git-commit --amend"), none), Some(args("--amend")));
        assert_eq!(commit_args(&args("git rebase --continue"), none), None);
        let alias = |name: &str| (name == "ci").then(|| "commit -v --author='A B <a@b>'".to_string());
        assert_eq!(
            commit_args(&args("git ci -a"), alias),
            Some(vec!["-v".into(), "--author=A B <a@b>".into(), "-a".into()])
        );
        assert_eq!(commit_args(&args("git ci -a"), |_: &str| Some("!git commit".to_string())), None);
    }

    #[test]
    fn the_advice_is_exact_when_both_signals_agree() {
        let file = ".git/plan-lint/COMMIT_MSG";
        let c = carry("-a --amend -m x");
        assert_eq!(
            advice(Some(&c), Staging::Updated, Some(true), file, false).0,
            format!("git commit -a --amend -e -F {file}")
        );
        let c = carry("-m x it's.txt");
        assert_eq!(
            advice(Some(&c), Staging::Partial, Some(false), file, false).0,
            format!("git commit -e -F {file} -- 'it'\\''s.txt'")
        );
        // They disagree (an alias the reading missed): what the index says, and a note.
        let c = carry("-m x");
        let (command, note) = advice(Some(&c), Staging::Updated, Some(false), file, false);
        assert_eq!(command, format!("git commit -a -e -F {file}"));
        assert!(note.unwrap().contains("could not read your command"));
        let (command, note) = advice(None, Staging::AsIs, None, file, false);
        assert_eq!(command, format!("git commit -e -F {file}"));
        assert!(note.unwrap().contains("--amend"));
        let (command, note) = advice(None, Staging::AsIs, None, file, true);
        assert_eq!((command, note), (format!("git commit -e -F {file} && git rebase --continue"), None));
        assert_eq!(from_prefix(file, Some("sub/d/")), format!("../../{file}"));
        assert_eq!(from_prefix("/abs/COMMIT_MSG", Some("sub/")), "/abs/COMMIT_MSG");
        assert_eq!(Staging::from_env(Some(OsStr::new("/r/.git/next-index-12.lock"))), Staging::Partial);
        assert_eq!(Staging::from_env(Some(OsStr::new("/r/.git/index.lock"))), Staging::Updated);
        assert_eq!(Staging::from_env(Some(OsStr::new(".git/index"))), Staging::AsIs);
    }
}
