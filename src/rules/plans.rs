//! Rules about plan documents: `unknown-promise` on references, `untraced-item` (an item with a
//! declared exception and a reason is not untraced), `not-in-play` for open items under a
//! dropped promise and `done-with-open-items` under a done one.

use super::{unknown_id_help, Code, Level};
use crate::facts::Facts;
use crate::finding::Finding;
use crate::registry::Registry;
use crate::registry::Status;
use crate::scan::markdown::{Plan, Scope};
use crate::source::Label;

/// Plan documents are judged as they are scanned (see [`crate::facts::read_plans`]); here their
/// findings join the rest.
pub(super) fn check(facts: &Facts, out: &mut Vec<Finding>) {
    out.extend(facts.plans.findings.iter().cloned());
}

/// Judge one plan document. The findings' labels are spans in its text; the caller attaches the
/// source.
pub fn check_plan(plan: &Plan, registry: &Registry, out: &mut Vec<Finding>) {
    {
        for r in &plan.refs {
            let scope = match r.scope {
                Scope::Document => "document",
                Scope::Section => "section",
                Scope::Item => "item",
            };
            match registry.promise(&r.id) {
                None => out.push(
                    Finding::new(Code::UnknownPromise, format!("{scope} names unknown promise `{}`", r.id))
                        .label(Label::new(r.span.clone(), "not in promises.toml"))
                        .help(unknown_id_help(registry, &r.id))
                        .promises([r.id.clone()]),
                ),
                Some(p) if matches!(p.status, Status::Done | Status::Dropped) => {
                    // One finding per reference, however many open items it covers.
                    let idx = plan.refs.iter().position(|x| std::ptr::eq(x, r)).expect("own ref");
                    let open = plan.items.iter().filter(|i| !i.done && i.promises.contains(&idx)).count();
                    if open == 0 {
                        continue;
                    }
                    let what =
                        if open == 1 { "1 open item serves".to_string() } else { format!("{open} open items serve") };
                    let finding = if p.status == Status::Done {
                        Finding::new(Code::DoneWithOpenItems, format!("{what} `{}`, which is done", p.id))
                            .label(Label::new(r.span.clone(), format!("{} is done", p.id)))
                            .help(format!(
                                "close the items (`- [x]`), move them to a promise in play ({}), or reopen `{}`",
                                super::in_play_list(registry),
                                p.id
                            ))
                    } else {
                        Finding::new(Code::NotInPlay, format!("{what} `{}`, which is {}", p.id, p.status))
                            .default_level(Level::Warn)
                            .label(Label::new(r.span.clone(), format!("{} is {}", p.id, p.status)))
                            .help(format!(
                                "close or move the open work, or put `{}` back in play; promises in play: {}",
                                p.id,
                                super::in_play_list(registry)
                            ))
                    };
                    out.push(finding.promises([p.id.clone()]));
                }
                Some(_) => {}
            }
        }
        for item in plan.items.iter().filter(|i| i.promises.is_empty()) {
            match item.exception.as_deref() {
                Some("") => {
                    out.push(
                        Finding::new(
                            Code::UntracedItem,
                            format!("work item declares an exception without a reason: {}", item.text),
                        )
                        .label(Label::new(item.span.clone(), "no reason given"))
                        .help("say why it serves no promise: `(Untraced: <reason>)`, or name the promise it serves"),
                    );
                    continue;
                }
                Some(_) => continue,
                None => {}
            }
            out.push(
                Finding::new(Code::UntracedItem, format!("work item names no promise: {}", item.text))
                    .label(Label::new(item.span.clone(), "untraced"))
                    .help(format!(
                        "end the item with `(Promise: <id>)`, or put a `Promise: <id>` line right under its heading; \
                         promises in play: {}",
                        super::in_play_list(registry)
                    )),
            );
        }
    }
}
