//! Drift rules: where the team's work over a time window departs from its plan. They need a
//! window (`plan-lint report`, `check --since`), so they are silent without one.
//!
//! - `shadow-work`: commits trace to a promise that is not in play;
//! - `idle-promise`: a promise in play had no commit and no plan activity for `[limits] idle-days`;
//! - `over-budget`: declared exceptions above `[limits] exception-budget`.
//!
//! (`done-with-open-items` needs no window; it is judged with the plans.) Each finding points at
//! the registry, where the decision to change lives.

use super::{in_play_list, Code};
use crate::facts::Facts;
use crate::finding::Finding;
use crate::registry::Status;
use crate::source::Label;
use crate::when::{date, DAY};

pub(super) fn check(facts: &Facts, out: &mut Vec<Finding>) {
    let (Some(w), Some(commits)) = (&facts.window, &facts.commits) else { return };
    let registry = &facts.registry;
    let tally = &commits.tally;
    let at = facts.registry_source;
    let window = format!("{} to {}", date(w.window.since), date(w.window.until));

    for p in &registry.promises {
        let Some(work) = tally.promises.get(&p.id) else { continue };
        if p.status != Status::InPlay {
            // Work done while the promise was still in play is not shadow work.
            let n = match w.left_play.get(&p.id) {
                Some(&left) => work.times.iter().filter(|&&t| t > left).count(),
                None => work.commits,
            };
            if n == 0 {
                continue;
            }
            let commits = if n == 1 { "1 commit traces".to_string() } else { format!("{n} commits trace") };
            out.push(
                Finding::new(Code::ShadowWork, format!("{commits} to `{}` from {window}, which is {}", p.id, p.status))
                    .at(at, Label::new(p.status_span.clone(), format!("{} is {}", p.id, p.status)))
                    .help(format!(
                        "put `{}` in play (within the limit of {}, parking another), or stop the work; in play: {}",
                        p.id,
                        registry.in_play_limit,
                        in_play_list(registry)
                    ))
                    .promises([p.id.clone()]),
            );
        }
    }

    if w.covers_idle {
        let idle_since = w.window.until - i64::from(registry.idle_days) * DAY;
        for p in registry.in_play() {
            let last_commit = tally.promises.get(&p.id).map_or(i64::MIN, |work| work.last);
            let last_plan = w.last_activity.get(&p.id).copied().unwrap_or(i64::MIN);
            let last = last_commit.max(last_plan);
            if last >= idle_since || w.plan_activity.contains(&p.id) {
                continue;
            }
            let since = if last == i64::MIN {
                format!("in the whole window ({window})")
            } else {
                format!("since {} ({} days)", date(last), (w.window.until - last) / DAY)
            };
            out.push(
                Finding::new(
                    Code::IdlePromise,
                    format!("`{}` is in play but has had no commit or plan change {since}", p.id),
                )
                .at(at, Label::new(p.status_span.clone(), format!("idle for over {} days", registry.idle_days)))
                .help(format!(
                    "park it (`status = \"proposed\"`) to free a slot of the WIP limit, or pick it up; \
                         `[limits] idle-days` is {}",
                    registry.idle_days
                ))
                .promises([p.id.clone()]),
            );
        }
    }

    if let Some((budget, span)) = &registry.exception_budget {
        // The work that needs a trace: traced, untraced and declared exceptions.
        let work = tally.commits.saturating_sub(tally.exempt);
        if work > 0 {
            let share = tally.exceptions as f64 / work as f64;
            if share > *budget {
                out.push(
                    Finding::new(
                        Code::OverBudget,
                        format!(
                            "{} of {work} commits from {window} are declared exceptions ({:.0}%), over the budget of {:.0}%",
                            tally.exceptions,
                            share * 100.0,
                            budget * 100.0
                        ),
                    )
                    .at(at, Label::new(span.clone(), "the budget"))
                    .help("trace that work to the promises it serves, declare a promise for it, or raise the budget deliberately"),
                );
            }
        }
    }
}
