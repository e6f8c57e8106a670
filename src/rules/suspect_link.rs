//! `suspect-link`: an open plan item serves a promise whose contract (statement, customer, an
//! outcome's target) changed in the registry's history, and nobody has reviewed the work
//! against the promise as it is now.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::ContractChange;
use crate::finding::Finding;
use crate::registry::{Parts, Promise, Status};
use crate::scan::markdown::{Item, Plan};
use crate::source::Label;
use std::collections::HashMap;

pub(crate) static RULE: Rule = Rule {
    code: Code::SuspectLink,
    default: Level::Warn,
    category: Category::Drift,
    summary: "an open plan item serves a promise whose contract changed since, unreviewed",
    doc: "\
What it does: flags each open task item (`- [ ]`) serving a promise in play or proposed whose \
statement, customer or an outcome's target value changed in promises.toml's git history (after the \
revision that first wrote the promise down), unless the promise records that its open work was \
reviewed against the contract as it is now: `reviewed = \"<fingerprint>\"`, the 8 hex digits \
the finding gives (a hash of the statement, the customer and the targets). A `reviewed` that no \
longer matches is suspect too: the contract changed since the review. The history is that of the \
registry judging the plan (a team's own `teams/search/promises.toml` in a scoped repository), \
read along the first-parent line, back at most 20,000 commits for `check`. The pre-commit hook reads no \
history: when the staged promises.toml changes a promise's statement, customer or a target against \
HEAD's, it lists the open items under that promise in every plan, staged or not (the finding ends \
`(staged)`): with scoped registries, in every scope's plans, wherever an item names it by an id \
that resolves to it there (the short id in its own folder, the qualified id anywhere), each \
finding in the scope of its document. It notes each local branch HEAD has not merged whose own \
commits (at most 5,000 read) name the promise, their ids read as the commit-msg hook reads them \
(a short id two teams define is the one whose folder the commit changes): impact analysis before \
the commit lands. A `reviewed` of the new fingerprint \
staged in the same commit lists nothing.

Why: the work was planned against what the promise said then. When the promise changes (a \
raised target, a new customer), the items under it may no longer be the right work: they are \
suspect until someone looks, as requirement links are in Doorstop.

Fails (the target of `checkout completion` was raised from 70% to 75% in a commit):
    ## Checkout
    Promise: checkout

    - [ ] Saved cards

Fix: review the open items against the promise (change, drop or keep them), then record the \
review on the promise:
    [promises.checkout]
    reviewed = \"1a2b3c4d\"",
    // Judged where the engine read the registry's history (check, ci, report, the editor
    // server), and by the pre-commit hook against a staged contract change only: it is not
    // among the plan checks whose reads make the hook judge plans again (`plan_reads`), so a
    // staged target change re-judges only the documents with open work under that promise.
    reads: Parts::STATUS,
    checks: &[Check::PlanHistory(plan)],
};

/// Why a promise's open work is suspect, if it is: the change in the registry's history, or a
/// review recorded against another contract.
fn suspect(changes: &HashMap<String, ContractChange>, p: &Promise) -> Option<String> {
    let change = changes.get(&p.id);
    // Neither changed nor reviewed: nothing to compare (and no fingerprint to compute, for
    // each of a large plan's items).
    if !matches!(p.status, Status::InPlay | Status::Proposed) || (change.is_none() && p.reviewed.is_none()) {
        return None;
    }
    let fingerprint = p.fingerprint();
    if p.reviewed.as_deref() == Some(fingerprint.as_str()) {
        return None;
    }
    match (change, &p.reviewed) {
        (Some(ContractChange { commit: Some((id, time)), what }), _) => {
            Some(format!("its {what} in commit {} ({})", id.get(..7).unwrap_or(id), crate::when::date(*time)))
        }
        (Some(ContractChange { commit: None, what }), _) => Some(format!("its {what} (staged)")),
        (None, Some(_)) => Some("its contract changed since the review recorded".to_string()),
        (None, None) => None,
    }
}

fn plan(ctx: &Ctx, plan: &Plan, changes: &HashMap<String, ContractChange>, sink: &mut Sink) {
    let open = |i: &&Item| !i.done && i.exception.is_none() && !i.promises.is_empty();
    for item in plan.items.iter().filter(open) {
        for &r in &item.promises {
            let Some(p) = plan.refs.get(r).and_then(|r| ctx.registry.promise(&r.id)) else { continue };
            if let Some(why) = suspect(changes, p) {
                sink.push(finding(ctx, p, item, &why));
            }
        }
    }
}

/// The one wording of a suspect item. Another scope's promise is reviewed in its own file.
fn finding(ctx: &Ctx, p: &Promise, item: &Item, why: &str) -> Finding {
    let table = match ctx.registry.index_has(&p.id) {
        true => format!("[promises.{}]", p.id),
        false => {
            let (scope, short) = p.id.rsplit_once('/').unwrap_or(("", &p.id));
            let file = crate::registry::Scopes::qualify(scope, crate::registry::FILE_NAME);
            format!("[promises.{short}] in {file}")
        }
    };
    Finding::new(
        Code::SuspectLink,
        format!("open item planned against an earlier `{}`: {why}: {}", p.id, item.text),
    )
    .label(Label::new(item.span.clone(), "suspect: review it against the promise"))
    .help(format!(
        "review the open items under `{}` against its statement, customer and targets, then record it: \
         `reviewed = \"{}\"` under {table}",
        p.id,
        p.fingerprint(),
    ))
    .promises([p.id.clone()])
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::facts::ContractChange;
    use std::collections::HashMap;

    fn judged(extra: &str, changed: &[&str], plan: &str) -> Vec<crate::finding::Finding> {
        let registry = registry(extra);
        let changes: HashMap<String, ContractChange> = changed
            .iter()
            .map(|id| {
                let what = "target of search-to-purchase conversion 10% → 12%".to_string();
                (id.to_string(), ContractChange { commit: Some(("1a2b3c4d5e".into(), 86_400 * 20_000)), what })
            })
            .collect();
        let plan = crate::scan::markdown::scan(plan);
        judge_with(&registry, |ctx, sink| {
            super::plan(ctx, &plan, &changes, sink)
        })
    }

    const PLAN: &str = "## Search\nPromise: find-and-buy\n\n- [ ] rank\n- [x] index\n- [ ] tiers (Untraced: infra)\n";

    #[test]
    fn open_items_under_a_changed_promise_are_suspect_until_reviewed() {
        let found = judged("", &["find-and-buy"], PLAN);
        assert_eq!(codes(&found), ["suspect-link"], "the open item only, not the done one or the exception");
        assert_eq!(
            found[0].message,
            "open item planned against an earlier `find-and-buy`: its target of search-to-purchase conversion \
             10% → 12% in commit 1a2b3c4 (2024-10-04): rank"
        );
        assert_eq!(found[0].severity, crate::code::Severity::Warning);
        let fingerprint = registry("").promise("find-and-buy").unwrap().fingerprint();
        assert!(help(&found[0]).contains(&format!("`reviewed = \"{fingerprint}\"`")), "{}", help(&found[0]));

        // Reviewed against the contract as it is: nothing; against another one: suspect again.
        let reviewed = |fp: &str| {
            REGISTRY.replace(
                "[promises.secure-by-default]",
                &format!("reviewed = \"{fp}\"\n[promises.secure-by-default]"),
            )
        };
        let fixture = |fp: &str| -> Vec<crate::finding::Finding> {
            let registry = crate::registry::Registry::parse(&crate::source::Source::file("promises.toml", reviewed(fp)))
                .expect("registry");
            let changes = HashMap::new();
            let plan = crate::scan::markdown::scan(PLAN);
            judge_with(&registry, |ctx, sink| {
                super::plan(ctx, &plan, &changes, sink)
            })
        };
        assert!(fixture(&fingerprint).is_empty());
        assert_eq!(codes(&fixture("00000000")), ["suspect-link"]);
        // No change in the history and no review: nothing to suspect.
        assert!(judged("", &[], PLAN).is_empty());
        // Work under a done or dropped promise is other rules' business.
        assert!(judged("", &["checkout"], "Promise: checkout\n\n- [ ] more\n").is_empty());
    }

    #[test]
    fn the_fingerprint_is_the_statement_customer_and_targets() {
        let r = registry("");
        let p = r.promise("find-and-buy").unwrap();
        assert_eq!(p.fingerprint().len(), 8);
        let retargeted = crate::registry::Registry::parse(&crate::source::Source::file(
            "promises.toml",
            REGISTRY.replace("target = \"12%\"", "target = \"13%\""),
        ))
        .unwrap();
        assert_ne!(retargeted.promise("find-and-buy").unwrap().fingerprint(), p.fingerprint());
        let retitled = crate::registry::Registry::parse(&crate::source::Source::file(
            "promises.toml",
            REGISTRY.replacen("status = \"in-play\"", "status = \"in-play\"\ntitle = \"Find\"", 1),
        ))
        .unwrap();
        assert_eq!(retitled.promise("find-and-buy").unwrap().fingerprint(), p.fingerprint(), "a title is no contract");
    }
}
