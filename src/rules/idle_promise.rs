//! `idle-promise`: over a window reaching back `[limits] idle-days`, a promise in play had no
//! commit naming it and no commit changing a plan document that holds its items.

use super::{Category, Check, Ctx, Rule, Sink};
use crate::code::{Code, Level};
use crate::facts::WindowFacts;
use crate::finding::Finding;
use crate::registry::Parts;
use crate::source::Label;
use crate::tally::Tally;
use crate::when::{date, DAY};

pub(crate) static RULE: Rule = Rule {
    code: Code::IdlePromise,
    default: Level::Warn,
    category: Category::Drift,
    summary: "a promise in play has had no commit and no plan activity for `[limits] idle-days`",
    doc: "\
What it does: over a time window of at least `[limits] idle-days` days (default 14) ending now, \
flags each promise in play with no commit naming it and no commit changing a plan document \
that holds its items. A promise whose plan items are all done is delivered, awaiting its \
outcome, not idle.

Why: a promise in play takes a slot of the WIP limit. If nobody works on it, it blocks a promise \
that would be worked on, and the board overstates what the team is doing.

Fails:
    status = \"in-play\"   # and nothing traced to it for three weeks

Fix: park it (`status = \"proposed\"`) to free the slot, or pick it up.",
    reads: Parts::IDS.or(Parts::STATUS).or(Parts::LIMITS),
    checks: &[Check::Window(window)],
};

fn window(ctx: &Ctx, w: &WindowFacts, tally: &Tally, sink: &mut Sink) {
    if !w.covers_idle {
        return;
    }
    let registry = ctx.registry;
    let idle_since = w.window.until - i64::from(registry.idle_days) * DAY;
    for p in registry.in_play() {
        let last_commit = tally.promises.get(&p.id).map_or(i64::MIN, |work| work.last);
        let last_plan = w.last_activity.get(&p.id).copied().unwrap_or(i64::MIN);
        let last = last_commit.max(last_plan);
        // Delivered (every item done): the work is over and the outcome is awaited, not idle.
        if last >= idle_since || w.plan_activity.contains(&p.id) || w.delivered.contains(&p.id) {
            continue;
        }
        let since = if last == i64::MIN {
            format!("in the whole window ({})", w.describe())
        } else {
            format!("since {} ({} days)", date(last), (w.window.until - last) / DAY)
        };
        sink.push(
            Finding::new(Code::IdlePromise, format!("`{}` is in play but has had no commit or plan change {since}", p.id))
                .at(ctx.registry_source, Label::new(p.status_span.clone(), format!("idle for over {} days", registry.idle_days)))
                .help(format!(
                    "park it (`status = \"proposed\"`) to free a slot of the WIP limit, or pick it up; \
                     `[limits] idle-days` is {}",
                    registry.idle_days
                ))
                .promises([p.id.clone()]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::code::Code;

    #[test]
    fn a_promise_in_play_with_no_work_in_the_window_is_idle() {
        // find-and-buy was worked on 3 days ago; secure-by-default never, then 20 days ago.
        let found = only(window_findings("", &window(28), &tally(&traced("find-and-buy", 2, 3))), Code::IdlePromise);
        assert_eq!(codes(&found), ["idle-promise"]);
        assert_eq!(
            found[0].message,
            "`secure-by-default` is in play but has had no commit or plan change in the whole window (2026-03-03 to \
             2026-03-31)"
        );
        assert_eq!(found[0].promises, ["secure-by-default"]);
        assert!(help(&found[0]).starts_with("park it (`status = \"proposed\"`)"), "{}", help(&found[0]));
        assert!(help(&found[0]).ends_with("`[limits] idle-days` is 14"), "{}", help(&found[0]));
        let mut commits = traced("find-and-buy", 1, 3);
        commits.extend(traced("secure-by-default", 1, 20));
        let found = only(window_findings("", &window(28), &tally(&commits)), Code::IdlePromise);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.ends_with("since 2026-03-11 (20 days)"), "{}", found[0].message);
    }

    #[test]
    fn recent_work_plan_activity_or_a_short_window_is_not_idle() {
        let mut commits = traced("find-and-buy", 1, 3);
        commits.extend(traced("secure-by-default", 1, 13));
        assert!(only(window_findings("", &window(28), &tally(&commits)), Code::IdlePromise).is_empty());
        // A plan change counts as activity.
        let mut w = window(28);
        w.plan_activity.insert("secure-by-default".to_string());
        assert!(only(window_findings("", &w, &tally(&traced("find-and-buy", 1, 3))), Code::IdlePromise).is_empty());
        w.plan_activity.clear();
        w.last_activity.insert("secure-by-default".to_string(), days_ago(2));
        assert!(only(window_findings("", &w, &tally(&traced("find-and-buy", 1, 3))), Code::IdlePromise).is_empty());
        // Delivered: every item done, the outcome awaited.
        let mut w = window(28);
        w.delivered.insert("secure-by-default".to_string());
        assert!(only(window_findings("", &w, &tally(&traced("find-and-buy", 1, 3))), Code::IdlePromise).is_empty());
        // A window shorter than `idle-days` cannot tell.
        assert!(only(window_findings("", &window(7), &tally(&[])), Code::IdlePromise).is_empty());
    }
}
