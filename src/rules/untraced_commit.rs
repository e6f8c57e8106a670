//! `untraced-commit`: a commit has no `Promise:` trailer, is not exempt and declares no
//! exception with a reason. A pull request body that traces its commits
//! (`[pull-requests] body-traces-commits`) stands in for their trailers.

use super::{in_play_list, Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::{BeforeAdoption, CommitFacts};
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;

pub(crate) static RULE: Rule = Rule {
    code: Code::UntracedCommit,
    default: Level::Deny,
    category: Category::Untraced,
    summary: "a commit has no Promise trailer and is not exempt",
    doc: "\
What it does: flags commits in the checked range whose message has no `Promise:` trailer, as \
`git log --format=%(trailers)` reads it. Merge commits, fixup!/squash!/amend! commits, release \
tools' commits (a version alone as `npm version` writes it, `chore(release): …` of \
semantic-release, `Version Packages` of changesets, `chore(main): release …` of release-please, \
`chore: Release …` of cargo release; off with `[commits] exempt-releases = false`) and subjects \
matching `[commits] exempt-subjects` are exempt. A commit that knowingly serves no \
promise declares an exception with a reason, `Untraced: <reason>`, which `plan-lint report` \
lists and `[limits] exception-budget` caps. In a repository with no adoption point \
(`[commits] since`), the untraced commits made before promises.toml existed are one finding, \
which names the commit to set it to.

Why: the commit is where work happens; a trailer is the cheapest, most durable way to say \
which promise it serves, and git tooling can query it.

Fails:
    Add PayPal button

Fix: end the message with a trailer block (a blank line, then the trailer):
    Add PayPal button

    Promise: find-and-buy",
    reads: Parts::STATUS.or(Parts::COMMITS),
    checks: &[Check::Commit(commit), Check::History(history)],
};

/// The untraced history from before promises.toml existed: one finding naming the adoption
/// point to set, not one per commit (years-old commits cannot be given a trailer).
fn history(ctx: &Ctx, b: &BeforeAdoption, sink: &mut Sink) {
    if b.count == 0 || ctx.registry.since.is_some() {
        return;
    }
    let short = |sha: &str| sha.chars().take(7).collect::<String>();
    let message = if b.count == 1 {
        format!("commit {} predates promises.toml and has no Promise trailer", short(&b.newest))
    } else {
        let (n, oldest, newest) = (crate::number::count(b.count), short(&b.oldest), short(&b.newest));
        format!("{n} commits, {oldest} to {newest}, predate promises.toml and have no Promise trailer")
    };
    let help = match &b.added_by {
        Some(sha) => format!(
            "they are history from before adoption: add `since = \"{sha}\"` under `[commits]` in promises.toml \
             (the commit that added it) to judge only work since then, or record them with `plan-lint baseline`"
        ),
        None => "they are history from before adoption: commit promises.toml, then add `since = \"<that commit>\"` \
                 under `[commits]` in it (`plan-lint init` does both), or record them with `plan-lint baseline`"
            .to_string(),
    };
    sink.push(Finding::new(Code::UntracedCommit, message).commit_opt(Some(b.newest.as_str())).help(help));
}

fn commit(ctx: &Ctx, c: &CommitFacts, sink: &mut Sink) {
    if c.exempt.is_some() || !c.promises.is_empty() || !ctx.traced_by_body.is_empty() {
        return;
    }
    match &c.exception {
        Some((reason, _)) if !reason.is_empty() => {}
        Some((_, span)) => sink.push(
            Finding::new(Code::UntracedCommit, format!("{} declares an exception without a reason", c.name))
                .label(Label::new(span.clone(), "no reason given"))
                .commit_opt(c.sha.as_deref())
                .help("say why it serves no promise (`Untraced: <reason>`), or name the promise it serves"),
        ),
        None => {
            let subject_end = (c.body_offset + c.subject.len()).min(c.text.len());
            // Name the likely promise when something says which (the branch, the pull request,
            // the range's other commits, the paths it touches); otherwise no guess: the first
            // promise in play is as likely wrong as right.
            let help = match &c.likely_promise {
                Some(likely) => format!(
                    "end the message with a blank line and `Promise: {}` ({}; promises in play: {})",
                    likely.id,
                    likely.why,
                    ctx.in_play_for(&c.scopes)
                )
                .into(),
                // Upkeep (a `chore:` subject, only lockfiles changed) most likely serves no
                // promise: the exception, or an exemption for such subjects, is the answer.
                None if c.maintenance.is_some() => format!(
                    "it looks like upkeep ({}): if it serves no promise, end the message with a blank line and \
                     `Untraced: <reason>`, or exempt such subjects with `[commits] exempt-subjects` in promises.toml; \
                     if it serves one, `Promise: <id>` (promises in play: {})",
                    c.maintenance.as_deref().unwrap_or_default(),
                    ctx.in_play_for(&c.scopes)
                )
                .into(),
                // Work from before adoption is not work the team can trace now.
                None if c.before_adoption && ctx.registry.since.is_none() => ctx.shared("untraced-commit-before", || {
                    "this commit predates promises.toml: to judge only work since adoption, set `[commits] since` \
                     in promises.toml to the commit that added it (`git log --diff-filter=A --format=%h -- promises.toml`)"
                        .to_string()
                }),
                // Nothing says which: it may serve none (tooling, upkeep, a fix to finished work),
                // and the exception is the honest answer then.
                None => {
                    let help = |list: &str| {
                        format!(
                            "end the message with a blank line and `Promise: <id>`, naming the promise it serves: {list}; \
                             work that serves none (tooling, upkeep, a fix to finished work) says why instead: \
                             `Untraced: <reason>`"
                        )
                    };
                    if c.scopes.is_empty() {
                        ctx.shared("untraced-commit", || help(&in_play_list(ctx.registry)))
                    } else {
                        help(&ctx.in_play_for(&c.scopes)).into()
                    }
                }
            };
            sink.push(
                Finding::new(Code::UntracedCommit, format!("{} has no Promise trailer", c.name))
                    .label(Label::new(c.body_offset..subject_end, "which promise does this serve?"))
                    .commit_opt(c.sha.as_deref())
                    .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn a_commit_needs_a_trailer_or_a_reason() {
        assert_eq!(codes(&commit_findings("Add PayPal\n")), ["untraced-commit"]);
        assert!(commit_findings("Add PayPal\n\nPromise: find-and-buy\n").is_empty());
        assert!(commit_findings("Bump deps\n\nUntraced: dependency upkeep\n").is_empty());
        let found = commit_findings("Bump deps\n\nUntraced:\n");
        assert_eq!(found[0].message, "this commit declares an exception without a reason");
        assert!(commit_findings("fixup! Add PayPal\n").is_empty());
        // Nothing names a likely promise: the help offers the exception too (issue 24).
        let help = commit_findings("Add PayPal\n")[0].help.clone().unwrap();
        assert!(help.ends_with("says why instead: `Untraced: <reason>`"), "{help}");
    }
}
