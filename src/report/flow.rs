//! The board's Flow section (issue 26), from the registry's history: when each promise was
//! proposed, entered play, left play, was reopened; its time in play; lead times from proposed
//! to done and to kept; the number in play after each revision against the limit, and where it
//! went over; the window's commits by customer. Data only: the board's writers lay it out.

use super::board::{short, PromiseCard};
use crate::facts::{Facts, RegistryChange, Window};
use crate::registry::Status;
use crate::when::{date, DAY};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Default, Serialize)]
pub struct Flow {
    /// The registry's history was read to its first revision (not cut short): with `false`,
    /// dates before the oldest revision read are unknown.
    pub complete: bool,
    /// Promises with a history, by the date they were first written down.
    pub promises: Vec<FlowPromise>,
    /// The number in play after each revision of the registry up to the window's end, oldest
    /// first, with the limit then.
    pub in_play: Vec<InPlayPoint>,
    /// Each revision that took the number in play over the limit (from at or under it).
    pub breaches: Vec<InPlayPoint>,
    /// Lead times (days) of the promises done, proposed → done, and of those kept, → kept.
    pub lead_days_done: Vec<i64>,
    pub lead_days_kept: Vec<i64>,
    /// The window's traced commits by the customer of the promise they name.
    pub customers: Vec<CustomerShare>,
}

#[derive(Debug, Serialize)]
pub struct FlowPromise {
    pub promise: String,
    /// Its status now.
    pub status: Status,
    /// First written down.
    pub proposed: String,
    /// First in play.
    pub entered_play: Option<String>,
    /// Last left play, and for what (done or dropped); none while in play.
    pub left_play: Option<String>,
    /// Times it came back into play after it was done or dropped.
    pub reopened: usize,
    /// Days in play, all time, up to the window's end.
    pub days_in_play: i64,
    /// Days from written down to done (its last move to done), when done (not when it was
    /// written down already done).
    pub lead_days_done: Option<i64>,
    /// When it was shown kept (the team's verdict, else the latest reading that met its
    /// outcomes), and days from written down to then (when its move to done is known).
    pub kept: Option<String>,
    pub lead_days_kept: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InPlayPoint {
    pub date: String,
    pub commit: String,
    pub in_play: usize,
    pub limit: usize,
}

#[derive(Debug, Serialize)]
pub struct CustomerShare {
    /// The customer id, or `none`.
    pub customer: String,
    pub commits: usize,
    /// Of the commits naming a promise, rounded to 4 decimals.
    pub share: f64,
}

/// A promise's history as the revisions tell it.
#[derive(Default)]
struct Track {
    proposed: i64,
    entered: Option<i64>,
    since: Option<i64>,
    seconds: i64,
    left: Option<i64>,
    reopened: usize,
    done: Option<i64>,
}

impl Flow {
    pub fn new(facts: &Facts, window: Window, cards: &[PromiseCard]) -> Flow {
        let Some(history) = facts.window.as_ref().map(|w| &w.history) else { return Flow::default() };
        let mut tracks: HashMap<&str, Track> = HashMap::new();
        let mut order: Vec<&str> = Vec::new();
        let mut flow = Flow { complete: history.complete, ..Flow::default() };
        let mut over = false;
        for r in history.revisions.iter().take_while(|r| r.time <= window.until) {
            let t = r.time;
            for c in &r.changes {
                let Some(id) = c.promise() else { continue };
                let track = tracks.entry(id).or_insert_with(|| {
                    order.push(id);
                    Track { proposed: t, ..Track::default() }
                });
                let (from, to) = match c {
                    RegistryChange::Added { status, .. } => (None, Some(*status)),
                    RegistryChange::Status { from, to, .. } => (Some(*from), Some(*to)),
                    RegistryChange::Removed { .. } => (track.since.map(|_| Status::InPlay), None),
                    _ => continue,
                };
                if from == Some(Status::InPlay) {
                    track.seconds += t - track.since.take().unwrap_or(t);
                    track.left = Some(t);
                }
                if to == Some(Status::InPlay) {
                    track.entered.get_or_insert(t);
                    track.since = Some(t);
                    track.left = None;
                    if matches!(from, Some(Status::Done | Status::Dropped)) {
                        track.reopened += 1;
                    }
                }
                // Done is its last move to done (reopening it starts over); a promise written
                // down already done has no lead time to tell.
                track.done = (to == Some(Status::Done) && from.is_some()).then_some(t);
            }
            let point =
                InPlayPoint { date: date(t), commit: r.commit.clone(), in_play: r.in_play.len(), limit: r.limit };
            let now_over = point.in_play > point.limit;
            if now_over && !over {
                flow.breaches.push(point.clone());
            }
            over = now_over;
            flow.in_play.push(point);
        }
        let days = |secs: i64| secs.max(0) / DAY;
        // Lead times count calendar days (UTC) between the two dates shown.
        let between = |from: i64, to: i64| (to.div_euclid(DAY) - from.div_euclid(DAY)).max(0);
        for id in order {
            let track = &tracks[id];
            let Some(card) = cards.iter().find(|c| c.id == id) else { continue };
            let in_play = track.seconds + track.since.map_or(0, |s| window.until - s);
            let kept = kept_on(facts, card);
            let lead_done = track.done.map(|d| between(track.proposed, d));
            let lead_kept = kept.filter(|_| track.done.is_some()).map(|k| between(track.proposed, k));
            flow.lead_days_done.extend(lead_done);
            flow.lead_days_kept.extend(lead_kept);
            flow.promises.push(FlowPromise {
                promise: id.to_string(),
                status: card.status,
                proposed: date(track.proposed),
                entered_play: track.entered.map(date),
                left_play: track.left.map(date),
                reopened: track.reopened,
                days_in_play: days(in_play),
                lead_days_done: lead_done,
                kept: kept.map(date),
                lead_days_kept: lead_kept,
            });
        }
        flow.customers = customers(cards);
        flow
    }

    /// `shopper 75% (6), ops 25% (2)`: each customer's share of the window's traced commits,
    /// the customer escaped by `esc` for the medium; `None` without customers.
    pub fn customer_shares(&self, esc: impl Fn(&str) -> String) -> Option<String> {
        let shares: Vec<String> = self
            .customers
            .iter()
            .map(|c| format!("{} {:.0}% ({})", esc(&c.customer), c.share * 100.0, c.commits))
            .collect();
        (!shares.is_empty()).then(|| shares.join(", "))
    }

    /// `median 42 days (3 done)`, or `none done`.
    pub fn median(days: &[i64], what: &str) -> String {
        if days.is_empty() {
            return format!("none {what}");
        }
        let mut d = days.to_vec();
        d.sort_unstable();
        let m = d.len() / 2;
        let median = if d.len() % 2 == 1 { d[m] } else { (d[m - 1] + d[m]) / 2 };
        format!("median {} ({} {what})", super::plural(median as usize, "day"), d.len())
    }

    /// `2 in play over the limit of 1 from 2026-01-05 (commit 1a2b3c4)`.
    pub fn breach_line(p: &InPlayPoint) -> String {
        format!("{} in play over the limit of {} from {} (commit {})", p.in_play, p.limit, p.date, short(&p.commit))
    }

    /// One promise's history in words: `proposed 2025-12-01 · in play 2026-01-05 · done 2026-01-12 ·
    /// 7 days in play · lead time 42 days · kept 2026-02-01 (62 days)`.
    pub fn promise_line(p: &FlowPromise) -> String {
        let mut parts = vec![format!("proposed {}", p.proposed)];
        if let Some(e) = &p.entered_play {
            parts.push(format!("in play {e}"));
        }
        if let Some(l) = &p.left_play {
            parts.push(format!("{} {l}", p.status));
        }
        if p.reopened > 0 {
            parts.push(format!("reopened {}", super::plural(p.reopened, "time")));
        }
        if p.entered_play.is_some() {
            parts.push(format!("{} in play", super::plural(p.days_in_play as usize, "day")));
        }
        if let Some(d) = p.lead_days_done {
            parts.push(format!("lead time {}", super::plural(d as usize, "day")));
        }
        match (&p.kept, p.lead_days_kept) {
            (Some(k), Some(d)) => parts.push(format!("kept {k} ({})", super::plural(d as usize, "day"))),
            (Some(k), None) => parts.push(format!("kept {k}")),
            _ => {}
        }
        parts.join(" · ")
    }
}

/// When a done promise was shown kept: the team's verdict, else the latest reading of an
/// outcome the board shows met (a promise kept by its readings).
fn kept_on(facts: &Facts, card: &PromiseCard) -> Option<i64> {
    if card.status != Status::Done {
        return None;
    }
    let p = facts.registry.promise(&card.id)?;
    if let Some(v) = &p.verdict {
        return v.kept.then(|| day_start(v.date));
    }
    if card.health.as_ref().is_some_and(|h| h.state == super::board::HealthState::Kept) {
        let latest = card.outcomes.iter().filter_map(|o| o.latest.as_ref()).map(|l| l.date.as_str()).max()?;
        return latest.parse::<jiff::civil::Date>().ok().map(day_start);
    }
    None
}

/// Midnight UTC of a day, Unix seconds.
fn day_start(d: jiff::civil::Date) -> i64 {
    super::board::day_number(&d.to_string()).map_or(0, |n| n * DAY)
}

/// The window's commits naming a promise, by its customer.
fn customers(cards: &[PromiseCard]) -> Vec<CustomerShare> {
    let mut by: Vec<(String, usize)> = Vec::new();
    for c in cards.iter().filter(|c| c.commits.count > 0) {
        let name = c.customer.clone().unwrap_or_else(|| "none".into());
        match by.iter_mut().find(|(n, _)| *n == name) {
            Some((_, n)) => *n += c.commits.count,
            None => by.push((name, c.commits.count)),
        }
    }
    let all: usize = by.iter().map(|(_, n)| n).sum();
    by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    by.into_iter()
        .map(|(customer, commits)| CustomerShare {
            customer,
            commits,
            share: if all == 0 { 0.0 } else { ((commits as f64 / all as f64) * 10_000.0).round() / 10_000.0 },
        })
        .collect()
}
