//! A commit message as `git commit` will store it: the cleanup the commit-msg hook must apply
//! before it can know which trailers the new commit will have.
//!
//! git cleans the edited message before committing: it cuts at the scissors line of
//! `git commit -v` (and everything after it, the diff), strips comment lines (`strip` mode), trims
//! trailing white space, collapses runs of blank lines and drops leading and trailing ones. Which
//! of these apply depends on `commit.cleanup`; the comment string on `core.commentChar`. The
//! `stripspace` step is held to `git stripspace` by the tests.

use super::trailers::is_space;

/// `commit.cleanup` (and `git commit --cleanup`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cleanup {
    /// Comments stripped, white space cleaned (git's default when an editor is used).
    Strip,
    /// White space cleaned, comments kept.
    Whitespace,
    /// As whitespace, and everything from the scissors line on is removed.
    Scissors,
    /// Nothing changed.
    Verbatim,
}

impl Cleanup {
    /// git's rule (builtin/commit.c): `default` strips comments only when an editor is used;
    /// `scissors` cuts only when an editor is used, else it is `whitespace`.
    pub fn of(mode: CleanupMode, editor: bool) -> Cleanup {
        match mode {
            CleanupMode::Verbatim => Cleanup::Verbatim,
            CleanupMode::Whitespace => Cleanup::Whitespace,
            CleanupMode::Scissors if editor => Cleanup::Scissors,
            CleanupMode::Scissors => Cleanup::Whitespace,
            CleanupMode::Strip => Cleanup::Strip,
            CleanupMode::Default if editor => Cleanup::Strip,
            CleanupMode::Default => Cleanup::Whitespace,
        }
    }
}

/// A cleanup mode as `commit.cleanup` and `git commit --cleanup` name it; what it does can
/// depend on whether an editor is used ([`Cleanup::of`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CleanupMode {
    /// `default` (or unset).
    #[default]
    Default,
    Strip,
    Whitespace,
    Verbatim,
    Scissors,
}

impl CleanupMode {
    /// The mode git's name gives. A name git does not know reads as `default` (git refuses it
    /// and commits nothing, so no reading is wrong).
    pub fn parse(name: &str) -> CleanupMode {
        match name {
            "strip" => CleanupMode::Strip,
            "whitespace" => CleanupMode::Whitespace,
            "verbatim" => CleanupMode::Verbatim,
            "scissors" => CleanupMode::Scissors,
            _ => CleanupMode::Default,
        }
    }
}

/// Whether git opened an editor on this message: it writes its instructions as comment lines
/// (`# Please enter the commit message…`, or the scissors line of `-v`), which a `-m` or `-F`
/// message never has. Only a fallback: git tells hooks (`GIT_EDITOR=:` when there is none).
pub fn was_edited(message: &[u8]) -> bool {
    template_comment(message).is_some()
}

/// The comment character of git's template lines in `message`, if any.
fn template_comment(message: &[u8]) -> Option<u8> {
    message.split(|&c| c == b'\n').find_map(|line| {
        let (&first, rest) = line.split_first()?;
        let template = rest.starts_with(b" Please enter the commit message")
            || rest.starts_with(b" ------------------------ >8 ------------------------");
        (template && CANDIDATES.contains(&first)).then_some(first)
    })
}

/// The characters `core.commentChar=auto` chooses from, in git's order.
const CANDIDATES: &[u8] = b"#;@!$%^&|:";

/// What a commit-msg hook knows of how `git commit` runs: what git tells it and what the
/// configuration says. The `-v` and `--cleanup` flags themselves are invisible to a hook.
#[derive(Clone, Debug, Default)]
pub struct Invocation {
    /// Whether an editor was opened (`GIT_EDITOR=:` in the hook's environment when not);
    /// `None` when unknown (the hook run by hand), then read from git's template lines.
    pub editor: Option<bool>,
    /// `--cleanup`, else `commit.cleanup`.
    pub cleanup: CleanupMode,
    /// `commit.verbose`, or `-v` on the command line.
    pub verbose: bool,
    /// Whether `verbose` and `cleanup` are known for certain.
    pub flags: Flags,
    /// `commit.status` (git writes its template, and the `-v` diff, only when it is true).
    pub status: bool,
    /// `core.commentChar`.
    pub comment_char: Option<String>,
}

/// Whether the hook read the `git commit` command line it runs for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flags {
    /// Read: `-v` and `--cleanup` are known for certain.
    Read,
    /// Not read (a hook manager in between, no `/proc`): `-v` or `--cleanup=scissors` may have
    /// been given unseen.
    #[default]
    Unseen,
}

/// The message `git commit` will store for this message file. Git cuts at the scissors line
/// only with `-v` or in scissors mode; a hook cannot see `-v`, so when it cannot tell from git's
/// own writing there are two readings, cut and uncut, and both are returned (the cut one
/// first). Otherwise one.
pub fn readings(file: &[u8], how: &Invocation) -> Vec<Vec<u8>> {
    let editor = how.editor.unwrap_or_else(|| was_edited(file));
    let comment = match how.comment_char.as_deref() {
        Some("auto") => vec![auto_comment(file, editor)],
        Some(s) if !s.is_empty() => s.as_bytes().to_vec(),
        _ => b"#".to_vec(),
    };
    let mut mode = Cleanup::of(how.cleanup, editor);
    let Some(cut) = scissors(file, &comment) else { return vec![clean(file, mode, &comment)] };
    // A cut line at the head of git's template is scissors mode's, whatever the hook was told.
    if editor
        && how.status
        && how.flags == Flags::Unseen
        && cut_line_in_template(file, comment[0])
        && !verbose_block_at_end(file, comment[0])
    {
        mode = Cleanup::Scissors;
    }
    // With an editor and the template on, git writes a cut line itself exactly when it will
    // cut: `-v` appends its block (the cut line, two instruction lines, the diff) at the very
    // end, scissors mode puts a cut line at the head of its template. A cut line that is not
    // git's own is content.
    let verbose = if how.verbose || mode == Cleanup::Scissors {
        Some(true)
    } else if how.flags == Flags::Read {
        Some(false)
    } else if editor && how.status {
        Some(verbose_block_at_end(file, comment[0]) || cut_line_in_template(file, comment[0]))
    } else {
        None
    };
    match verbose {
        Some(true) => vec![clean(&file[..cut], mode, &comment)],
        Some(false) => vec![clean(file, mode, &comment)],
        None => vec![clean(&file[..cut], mode, &comment), clean(file, mode, &comment)],
    }
}

/// Whether the message ends with the block `git commit -v` appends: its cut line, two
/// instruction lines (translated, so only their comment character is checked), then the diff.
fn verbose_block_at_end(file: &[u8], c: u8) -> bool {
    let mut cut_line = vec![c];
    cut_line.extend_from_slice(b" ------------------------ >8 ------------------------");
    let lines: Vec<&[u8]> = file.split(|&b| b == b'\n').collect();
    let Some(at) = lines.iter().rposition(|l| *l == cut_line.as_slice()) else { return false };
    let instructions = lines.get(at + 1..at + 3).is_some_and(|l| l.iter().all(|l| l.first() == Some(&c)));
    let diff = |l: &&[u8]| {
        l.is_empty()
            || [
                &b"diff "[..],
                b"index ",
                b"--- ",
                b"+++ ",
                b"@@",
                b"+",
                b"-",
                b" ",
                b"\\",
                b"new ",
                b"deleted ",
                b"old ",
                b"similarity ",
                b"dissimilarity ",
                b"rename ",
                b"copy ",
                b"Binary files ",
            ]
            .iter()
            .any(|p| l.starts_with(p))
    };
    instructions && lines[(at + 3).min(lines.len())..].iter().all(diff)
}

/// Whether git's template (the trailing run of comment and blank lines) holds a cut line, as
/// scissors mode writes one at its head.
fn cut_line_in_template(file: &[u8], c: u8) -> bool {
    let mut cut_line = vec![c];
    cut_line.extend_from_slice(b" ------------------------ >8 ------------------------");
    let lines: Vec<&[u8]> = file.split(|&b| b == b'\n').collect();
    lines.iter().rev().take_while(|l| l.is_empty() || l.first() == Some(&c)).any(|l| *l == cut_line.as_slice())
}

/// The character `core.commentChar=auto` chose, read back from the message file as git wrote
/// it. git picks the first of `#;@!$%^&|:` that starts no line of the message, then writes its
/// template (and `-v` block) with it after the message: so the character of the trailing comment
/// block (or of the `-v` cut line), provided no earlier line starts with it; without a template,
/// git's rule applied to the message itself.
fn auto_comment(file: &[u8], editor: bool) -> u8 {
    let lines: Vec<&[u8]> = file.split(|&b| b == b'\n').collect();
    if editor {
        for &c in CANDIDATES {
            if verbose_block_at_end(file, c) {
                return c;
            }
        }
        // The trailing run of comment lines (blank lines allowed) all starting with one character.
        let mut end = lines.len();
        while end > 0 && lines[end - 1].is_empty() {
            end -= 1;
        }
        if let Some(&c) = lines.get(end.wrapping_sub(1)).and_then(|l| l.first()).filter(|c| CANDIDATES.contains(c)) {
            let mut start = end;
            while start > 0 && (lines[start - 1].is_empty() || lines[start - 1].first() == Some(&c)) {
                start -= 1;
            }
            if !lines[..start].iter().any(|l| l.first() == Some(&c)) {
                return c;
            }
        }
    }
    // git's adjust_comment_line_char, on the message itself.
    if !file.contains(&b'#') {
        return b'#';
    }
    let used: Vec<u8> = lines.iter().filter_map(|l| l.first().copied()).collect();
    CANDIDATES.iter().copied().find(|c| !used.contains(c)).unwrap_or(b'#')
}

/// The comment string `git log` reads history with: `core.commentChar`, with `auto` meaning
/// `#` outside of `git commit`.
pub fn log_comment_string(config: Option<&str>) -> Vec<u8> {
    match config {
        Some(s) if !s.is_empty() && s != "auto" => s.as_bytes().to_vec(),
        _ => b"#".to_vec(),
    }
}

/// git's `strbuf_stripspace`: trailing white space removed from every line, runs of blank lines
/// collapsed to one, leading and trailing blank lines removed, every line ended with a newline;
/// with `comment`, lines starting with it are removed.
pub fn stripspace(input: &[u8], comment: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + 1);
    let mut empties = 0;
    for line in input.split_inclusive(|&c| c == b'\n') {
        if comment.is_some_and(|c| !c.is_empty() && line.starts_with(c)) {
            continue;
        }
        let len = line.iter().rposition(|&c| !is_space(c)).map_or(0, |i| i + 1);
        if len == 0 {
            empties += 1;
            continue;
        }
        if empties > 0 && !out.is_empty() {
            out.push(b'\n');
        }
        empties = 0;
        out.extend_from_slice(&line[..len]);
        out.push(b'\n');
    }
    out
}

/// Where the scissors line starts (`# ------------------------ >8 ------------------------`),
/// as git's `wt_status_locate_end` finds it.
pub fn scissors(input: &[u8], comment: &[u8]) -> Option<usize> {
    let mut pattern = comment.to_vec();
    pattern.extend_from_slice(b" ------------------------ >8 ------------------------\n");
    if input.starts_with(&pattern) {
        return Some(0);
    }
    let mut nl_pattern = vec![b'\n'];
    nl_pattern.extend_from_slice(&pattern);
    input.windows(nl_pattern.len()).position(|w| w == nl_pattern.as_slice()).map(|p| p + 1)
}

/// git's cleanup of a message already cut (see [`readings`]): `strip` removes comment lines
/// and cleans white space, `whitespace` and `scissors` clean white space, `verbatim` nothing.
pub fn clean(input: &[u8], mode: Cleanup, comment: &[u8]) -> Vec<u8> {
    match mode {
        Cleanup::Verbatim => input.to_vec(),
        Cleanup::Strip => stripspace(input, Some(comment)),
        _ => stripspace(input, None),
    }
}

/// The comment string in force for a message file: `core.commentChar` as configured; for
/// `auto`, the character git chose (see [`readings`]).
pub fn comment_string(config: Option<&str>, message: &[u8]) -> Vec<u8> {
    match config {
        Some("auto") => vec![auto_comment(message, was_edited(message))],
        Some(s) if !s.is_empty() => s.as_bytes().to_vec(),
        _ => b"#".to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleanup_modes() {
        let msg =
            b"\n\nSubject  \n\n\n# comment\nbody\t\n\n\n# ------------------------ >8 ------------------------\ndiff\n";
        let cut = &msg[..scissors(msg, b"#").unwrap()];
        assert_eq!(clean(cut, Cleanup::Strip, b"#"), b"Subject\n\nbody\n");
        assert_eq!(clean(cut, Cleanup::Whitespace, b"#"), b"Subject\n\n# comment\nbody\n");
        assert_eq!(clean(msg, Cleanup::Verbatim, b"#"), msg.to_vec());
        assert_eq!(clean(b"S\n; x\n", Cleanup::Strip, b";"), b"S\n");
    }

    #[test]
    fn auto_comment_char_is_read_from_the_template() {
        let msg = b"Subject\n\n; Please enter the commit message for your changes.\n";
        assert_eq!(comment_string(Some("auto"), msg), b";");
        assert_eq!(comment_string(Some("auto"), b"S\n"), b"#");
        assert_eq!(comment_string(Some(";"), b""), b";");
        assert_eq!(comment_string(None, b""), b"#");
        assert!(was_edited(msg));
        assert!(!was_edited(b"#123 Fix the build\n"));
        assert_eq!(Cleanup::of(CleanupMode::Default, false), Cleanup::Whitespace);
        assert_eq!(Cleanup::of(CleanupMode::parse("default"), true), Cleanup::Strip);
        assert_eq!(Cleanup::of(CleanupMode::parse("scissors"), false), Cleanup::Whitespace);
        assert_eq!(Cleanup::of(CleanupMode::parse("scissors"), true), Cleanup::Scissors);
        assert_eq!(CleanupMode::parse("no-such-mode"), CleanupMode::Default);
    }

    #[test]
    fn the_scissors_cut_only_with_v_or_scissors_mode() {
        let edited = Invocation { editor: Some(true), status: true, ..Invocation::default() };
        // Scissors mode (a flag the hook may not see) writes its cut line at the head of the
        // template: git cuts.
        let scissors_mode = b"Subject\n\nx\n# ------------------------ >8 ------------------------\nlate\n\n# ------------------------ >8 ------------------------\n# Do not modify.\n# Everything below.\n# Please enter the commit message.\n";
        assert_eq!(readings(scissors_mode, &edited), [b"Subject\n\nx\n".to_vec()]);
        let v = b"Subject\n\nPromise: a\n\n# Please enter the commit message.\n# ------------------------ >8 ------------------------\n# Do not modify or remove the line above.\n# Everything below it will be ignored.\ndiff --git a/x b/x\n+x\n";
        assert_eq!(readings(v, &edited), [b"Subject\n\nPromise: a\n".to_vec()]);
        // The same cut line inside a reused message, with git's template after it: no `-v`.
        let reused = b"Subject\n\nPromise: a\n# ------------------------ >8 ------------------------\n# Do not modify or remove the line above.\n# Everything below it will be ignored.\ndiff --git a/x b/x\n+x\n\n# Please enter the commit message.\n";
        assert_eq!(readings(reused, &edited), [b"Subject\n\nPromise: a\ndiff --git a/x b/x\n+x\n".to_vec()]);
        // No editor: git writes nothing, so `-v` cannot be told apart; both readings.
        let plain = Invocation { editor: Some(false), status: true, ..Invocation::default() };
        assert_eq!(readings(b"S\n\n# ------------------------ >8 ------------------------\nx\n", &plain).len(), 2);
        let scissors = Invocation { cleanup: CleanupMode::Scissors, ..edited.clone() };
        assert_eq!(readings(reused, &scissors), [b"Subject\n\nPromise: a\n".to_vec()]);
    }

    #[test]
    fn auto_comment_char_is_the_one_git_wrote_its_template_with() {
        // A `;` cut line in the message does not make `;` the comment character.
        let file = b"Subject\n; ------------------------ >8 ------------------------\nx\n\n# Please enter the commit message.\n#\n";
        assert_eq!(auto_comment(file, true), b'#');
        // A retry of a message holding an old `#` template: git chose `;` for the new one.
        let retry = b"Subject\n\n# Please enter the commit message.\n\n; Please enter the commit message.\n;\n";
        assert_eq!(auto_comment(retry, true), b';');
        assert_eq!(auto_comment(b"#1 fix\n", false), b';');
        assert_eq!(auto_comment(b"fix\n", false), b'#');
    }
}
