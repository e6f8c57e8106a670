//! Rules about commits: `untraced-commit`, `unknown-promise` and `not-in-play` on trailers, and
//! `malformed-trailer` for text meant as a trailer that git does not read as one.

use super::{in_play_list, unknown_id_help, Code};
use crate::facts::{CommitFacts, Facts};
use crate::finding::Finding;
use crate::registry::Registry;
use crate::registry::Status;
use crate::source::Label;
use crate::suggest::distance;

/// Commits are judged as they are read (see [`crate::facts::read_commits`]); here their findings
/// join the rest.
pub(super) fn check(facts: &Facts, out: &mut Vec<Finding>) {
    if let Some(commits) = &facts.commits {
        out.extend(commits.findings.iter().cloned());
    }
}

/// Judge one commit. The findings' labels are spans in `c.text`; the caller attaches the source.
pub fn check_commit(c: &CommitFacts, registry: &Registry, out: &mut Vec<Finding>) {
    let text = c.text.as_str();
    malformed(c, text, out);
    if c.exempt.is_some() {
        return;
    }
    match &c.exception {
        Some((reason, _)) if c.promises.is_empty() && !reason.is_empty() => return,
        Some((_, span)) if c.promises.is_empty() => {
            out.push(
                Finding::new(Code::UntracedCommit, format!("{} declares an exception without a reason", c.name))
                    .label(Label::new(span.clone(), "no reason given"))
                    .commit_opt(c.sha.as_deref())
                    .help("say why it serves no promise (`Untraced: <reason>`), or name the promise it serves"),
            );
            return;
        }
        _ => {}
    }
    if c.promises.is_empty() {
        let subject_end = c.body_offset + c.subject.len();
        let suggestion = registry.in_play().next().map_or("<id>", |p| p.id.as_str());
        out.push(
            Finding::new(Code::UntracedCommit, format!("{} has no Promise trailer", c.name))
                .label(Label::new(c.body_offset..subject_end.min(text.len()), "which promise does this serve?"))
                .commit_opt(c.sha.as_deref())
                .help(format!(
                    "end the message with a blank line and `Promise: {suggestion}` (promises in play: {})",
                    in_play_list(registry)
                )),
        );
        return;
    }
    for (id, span) in &c.promises {
        match registry.promise(id) {
            None => out.push(
                Finding::new(Code::UnknownPromise, format!("{} names unknown promise `{id}`", c.name))
                    .label(Label::new(span.clone(), "not in promises.toml"))
                    .commit_opt(c.sha.as_deref())
                    .help(unknown_id_help(registry, id))
                    .promises([id.clone()]),
            ),
            Some(p) if p.status != Status::InPlay => out.push(
                Finding::new(Code::NotInPlay, format!("{} is work on `{id}`, which is {}", c.name, p.status))
                    .label(Label::new(span.clone(), format!("{id} is {}", p.status)))
                    .commit_opt(c.sha.as_deref())
                    .help(format!(
                        "trace the work to a promise in play ({}), or put `{id}` in play within the limit",
                        in_play_list(registry)
                    ))
                    .promises([id.clone()]),
            ),
            Some(_) => {}
        }
    }
}

/// Lines a person meant as a Promise trailer that git does not read as one.
fn malformed(c: &CommitFacts, text: &str, out: &mut Vec<Finding>) {
    let trailer_starts: Vec<usize> = c.block.trailers.iter().map(|t| t.span.start).collect();
    let mut off = 0;
    for line in text.split('\n') {
        let start = off;
        off += line.len() + 1;
        if start < c.body_offset {
            continue;
        }
        let Some((key, _)) = line.split_once(':').filter(|(k, _)| k.len() <= 16) else {
            continue;
        };
        let key_trimmed = key.trim();
        if key_trimmed.is_empty() || key_trimmed.contains(char::is_whitespace) {
            continue;
        }
        let is_promise = key_trimmed.eq_ignore_ascii_case("promise");
        // Only keys that could be a misspelling are measured (this runs on every line of history).
        let misspelled = !is_promise && (5..=10).contains(&key_trimmed.len()) && distance(key_trimmed, "promise") <= 2;
        if !is_promise && !misspelled {
            continue;
        }
        let line_span = start..start + line.trim_end().len();
        let is_trailer = trailer_starts.contains(&start);
        if misspelled && (is_trailer || c.block.range.contains(&start)) {
            out.push(
                Finding::new(Code::MalformedTrailer, format!("trailer key `{key_trimmed}` is not `Promise`"))
                    .label(Label::new(start..start + key.len(), "misspelled key"))
                    .commit_opt(c.sha.as_deref())
                    .help(format!(
                        "git matches the key exactly (ignoring case): write `Promise:{}`",
                        &line[key.len() + 1..]
                    )),
            );
        } else if is_promise && !is_trailer {
            let why = if start < c.body_offset + c.subject.len() + 1 {
                "the subject line is never a trailer"
            } else {
                "git reads trailers only from the last paragraph of the message"
            };
            out.push(
                Finding::new(Code::MalformedTrailer, "this Promise line is not a trailer git will read")
                    .label(Label::new(line_span, why))
                    .commit_opt(c.sha.as_deref())
                    .help("move it into the final paragraph, after a blank line, with only trailer lines around it"),
            );
        }
    }
    if let Some(span) = &c.hiding_divider {
        out.push(
            Finding::new(
                Code::MalformedTrailer,
                "a `---` line hides the trailers from `git interpret-trailers` and `git am`",
            )
            .label(Label::new(span.clone(), "everything after this line is treated as a patch"))
            .commit_opt(c.sha.as_deref())
            .help("remove the `---` line or move the trailers above it"),
        );
    }
}
