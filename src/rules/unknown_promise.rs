//! `unknown-promise`: a plan, an issue, a pull request or a commit names a promise id that
//! promises.toml does not declare.

use super::{not_listed, push_listed, Category, Check, Ctx, Rule, Sink, LISTED_PER_COMMIT};
use crate::code::{Code, Level};
use crate::facts::{Body, CommitFacts, Readings};
use crate::finding::Finding;
use crate::registry::Parts;
use crate::scan::markdown::{Plan, Scope};
use crate::source::Label;
use std::ops::Range;

pub(crate) static RULE: Rule = Rule {
    code: Code::UnknownPromise,
    default: Level::Deny,
    category: Category::Mistraced,
    summary: "a plan or commit names a promise id that is not in the registry",
    doc: "\
What it does: flags every promise id in a plan item, section, document or commit trailer that \
promises.toml does not declare, and suggests the closest declared id.

Why: a trace to a promise that does not exist is no trace at all. Typos (`find-and-by`) silently \
disconnect work from the outcome it was meant to move.

Fails:
    - [ ] typo-tolerant search (Promise: find-and-by)

Fix: name a declared id, or declare the promise in promises.toml:
    - [ ] typo-tolerant search (Promise: find-and-buy)

A commit gets at most 100 of these findings: the first 100 unknown ids it names are listed, and \
one more finding counts the rest and points at the first of them. A message of thousands of \
unknown ids is one mistake (a pasted list, a generated message), and its findings would \
otherwise cost more than the rest of the history.",
    reads: Parts::IDS.or(Parts::STATUS),
    checks: &[
        Check::Plan(plan),
        Check::Issue(body),
        Check::PullRequest(body),
        Check::Commit(commit),
        Check::Readings(readings),
    ],
};

/// The one wording of this diagnostic: `what` names the place (`item`, `commit 1a2b3c4`).
pub(crate) fn finding(ctx: &Ctx, what: &str, id: &str, span: Range<usize>) -> Finding {
    let defined = ctx.registry.definitions(id);
    if let [first, rest @ ..] = defined.as_slice() {
        // A short id two scopes define, neither of them this one: name each definition.
        let others: Vec<String> = rest.iter().map(|d| format!("`{d}`")).collect();
        return Finding::new(
            Code::UnknownPromise,
            format!("{what} names promise `{id}`, which {} scopes define", defined.len()),
        )
        .label(Label::new(span, "ambiguous"))
        .help(format!("did you mean `{first}` or {}? name the promise with its scope", others.join(" or ")))
        .promises([id.to_string()]);
    }
    Finding::new(Code::UnknownPromise, format!("{what} names unknown promise `{id}`"))
        .label(Label::new(span, "not in promises.toml"))
        .help(super::unknown_id_help(ctx.registry, id))
        .promises([id.to_string()])
}

fn plan(ctx: &Ctx, plan: &Plan, sink: &mut Sink) {
    for r in plan.refs.iter().filter(|r| ctx.registry.promise(&r.id).is_none()) {
        let scope = match r.scope {
            Scope::Document => "document",
            Scope::Section => "section",
            Scope::Item => "item",
            Scope::Hypothesis => "hypothesis",
        };
        sink.push(finding(ctx, scope, &r.id, r.span.clone()));
    }
}

fn body(ctx: &Ctx, body: &Body, sink: &mut Sink) {
    for r in body.refs.iter().filter(|r| ctx.registry.promise(&r.id).is_none()) {
        sink.push(finding(ctx, &body.what, &r.id, r.span.clone()));
    }
}

fn commit(ctx: &Ctx, c: &CommitFacts, sink: &mut Sink) {
    if c.exempt.is_some() || (c.promises.is_empty() && c.exception.is_some()) {
        return;
    }
    let unknown = c.promises.iter().filter(|(id, _)| ctx.registry.promise(id).is_none());
    push_listed(
        sink,
        unknown,
        |(id, span)| finding(ctx, &c.name, id, span.clone()).commit_opt(c.sha.as_deref()),
        |n, (_, span)| {
            let help = format!(
                "only the first {LISTED_PER_COMMIT} unknown ids of a commit are listed; name declared ids (promises in \
                 play: {})",
                super::in_play_list(ctx.registry)
            );
            not_listed(Code::UnknownPromise, c, n, "unknown promises", span.clone(), help)
        },
    );
}

fn readings(ctx: &Ctx, readings: &Readings, sink: &mut Sink) {
    for r in readings.rows.iter().filter(|r| ctx.registry.promise(&r.promise).is_none()) {
        let mut found = finding(ctx, &format!("a reading of {}", r.date), &r.promise, r.span.clone());
        found.source = Some(readings.source);
        sink.push(found);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn a_misspelt_id_is_named_with_the_closest_one() {
        let found = plan_findings("- [ ] search (Promise: find-and-by)\n");
        assert_eq!(codes(&found), ["unknown-promise"]);
        assert_eq!(found[0].message, "item names unknown promise `find-and-by`");
        assert!(found[0].help.as_deref().unwrap().starts_with("did you mean `find-and-buy`?"));
        let found = commit_findings("Add search\n\nPromise: find-and-by\n");
        assert_eq!(codes(&found), ["unknown-promise"]);
    }

    #[test]
    fn a_commit_lists_the_first_hundred_unknown_ids_and_counts_the_rest() {
        // Known ids among them are not counted.
        let ids: Vec<String> = (0..25_000).map(|i| format!("nope{i}")).collect();
        let message = format!("Work\n\nPromise: find-and-buy, {}\nPromise: secure-by-default\n", ids.join(", "));
        let found = commit_findings(&message);
        assert_eq!(found.len(), 101);
        assert!(found.iter().all(|f| f.code.name() == "unknown-promise"));
        assert_eq!(found[99].message, "this commit names unknown promise `nope99`");
        assert_eq!(found[100].message, "this commit names 24,900 more unknown promises");
        let label = &found[100].labels[0];
        assert_eq!(&message[label.span.clone()], "nope100");
        assert_eq!(label.text.as_deref(), Some("24,900 more from here, not listed"));
        assert!(found[100].help.as_deref().unwrap().starts_with("only the first 100 unknown ids"));
        // Exactly the limit: no count.
        let message = format!("Work\n\nPromise: {}\n", ids[..100].join(", "));
        assert_eq!(commit_findings(&message).len(), 100);
    }
}
