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
    /// From the config value. For `default` (or unset) git strips comments only when the message
    /// was written in an editor; `edited` says whether it was (see [`was_edited`]).
    pub fn from_config(value: Option<&str>, edited: bool) -> Cleanup {
        match value {
            Some("verbatim") => Cleanup::Verbatim,
            Some("whitespace") => Cleanup::Whitespace,
            Some("scissors") => Cleanup::Scissors,
            Some("strip") => Cleanup::Strip,
            _ if edited => Cleanup::Strip,
            _ => Cleanup::Whitespace,
        }
    }
}

/// Whether git opened an editor on this message: it writes its instructions as comment lines
/// (`# Please enter the commit message…`, or the scissors line of `-v`), which a `-m` or `-F`
/// message never has. A hook cannot ask git, so it reads git's own handwriting.
pub fn was_edited(message: &[u8]) -> bool {
    template_comment(message).is_some()
}

/// The comment character of git's template lines in `message`, if any.
fn template_comment(message: &[u8]) -> Option<u8> {
    message.split(|&c| c == b'\n').find_map(|line| {
        let (&first, rest) = line.split_first()?;
        let template = rest.starts_with(b" Please enter the commit message")
            || rest.starts_with(b" ------------------------ >8 ------------------------");
        (template && b"#;@!$%^&|:".contains(&first)).then_some(first)
    })
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

/// The message `git commit` will store for this edited message.
pub fn clean(input: &[u8], mode: Cleanup, comment: &[u8]) -> Vec<u8> {
    if mode == Cleanup::Verbatim {
        return input.to_vec();
    }
    // A scissors line is only ever there from `git commit -v` or scissors mode: git cuts there.
    let cut = scissors(input, comment).unwrap_or(input.len());
    let input = &input[..cut];
    match mode {
        Cleanup::Strip => stripspace(input, Some(comment)),
        _ => stripspace(input, None),
    }
}

/// The comment string in force: `core.commentChar` as configured; for `auto`, the character git
/// chose, read back from the template's comment lines it wrote (`; Please enter the commit
/// message…` or the scissors line), else `#`.
pub fn comment_string(config: Option<&str>, message: &[u8]) -> Vec<u8> {
    match config {
        Some("auto") => vec![template_comment(message).unwrap_or(b'#')],
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
        assert_eq!(clean(msg, Cleanup::Strip, b"#"), b"Subject\n\nbody\n");
        assert_eq!(clean(msg, Cleanup::Whitespace, b"#"), b"Subject\n\n# comment\nbody\n");
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
        assert_eq!(Cleanup::from_config(None, false), Cleanup::Whitespace);
        assert_eq!(Cleanup::from_config(Some("default"), true), Cleanup::Strip);
    }
}
