//! The registry's history: the commits that changed promises.toml on the first-parent line
//! (one walk, [`Repo::revisions_of`]), each revision's registry parsed once, and what each
//! changed against the one before, promise by promise.

use crate::facts::{ContractChange, RegistryChange, RegistryHistory, RegistryRevision};
use crate::files;
use crate::git::{Oid, Repo};
use crate::registry::{self, Registry};
use std::collections::HashMap;

/// At most this many commits are read back along the first-parent line for the board.
pub(super) const LIMIT: usize = 2_000_000;

/// At most this many for a check's suspect links (rule `suspect-link`): a bounded look-back.
pub(super) const CHECK_LIMIT: usize = 20_000;

/// Whether a run needs the history for `suspect-link`: plans are judged (not only the staged
/// ones), and a promise that takes or will take work has no review of its contract as it is.
pub(super) fn wanted(registry: &Registry, plans: &super::PlanScope) -> bool {
    matches!(plans, super::PlanScope::All | super::PlanScope::Only(_))
        && registry.promises.iter().any(|p| {
            matches!(p.status, registry::Status::InPlay | registry::Status::Proposed)
                && p.reviewed.as_deref() != Some(p.fingerprint().as_str())
        })
}

/// Each promise's latest contract change (statement, customer, an outcome's target) after the
/// revision that wrote it down.
pub(super) fn contract_changes(history: &RegistryHistory) -> HashMap<String, ContractChange> {
    let mut out = HashMap::new();
    for r in &history.revisions {
        for c in &r.changes {
            let what = match c {
                RegistryChange::Statement { .. } => "statement changed".to_string(),
                RegistryChange::Customer { from, to, .. } => format!(
                    "customer changed: {} → {}",
                    from.as_deref().unwrap_or("none"),
                    to.as_deref().unwrap_or("none")
                ),
                // A target moved (an outcome added or taken away says how the promise is
                // measured, not what it promises).
                RegistryChange::Target { metric, from: Some(from), to: Some(to), .. } => {
                    format!("target of {metric} changed: {from} → {to}")
                }
                _ => continue,
            };
            if let Some(id) = c.promise() {
                out.insert(id.to_string(), ContractChange { commit: r.commit.clone(), time: r.time, what });
            }
        }
    }
    out
}

/// The registry's history on the first-parent line from `tip`, oldest first, reading at most
/// `limit` commits.
pub(super) fn registry_history(repo: &Repo, tip: Oid, limit: usize) -> RegistryHistory {
    let revisions = repo.revisions_of(tip, registry::FILE_NAME, limit);
    let mut parsed: HashMap<Oid, Option<Registry>> = HashMap::new();
    let mut before: Option<Registry> = None;
    let mut out = RegistryHistory { revisions: Vec::with_capacity(revisions.list.len()), complete: revisions.complete };
    for r in revisions.list.iter().rev() {
        let after = if r.blob.is_zero() {
            None
        } else {
            let read = parsed.entry(r.blob).or_insert_with(|| files::registry_in_blob(repo, r.blob)).clone();
            // A registry that does not read changes nothing: the one before still stands.
            if read.is_none() {
                continue;
            }
            read
        };
        let changes = match (&before, &after) {
            (_, Some(after)) => changes(before.as_ref(), after),
            (Some(gone), None) => {
                gone.promises.iter().map(|p| RegistryChange::Removed { promise: p.id.clone() }).collect()
            }
            (None, None) => Vec::new(),
        };
        let now = after.as_ref();
        out.revisions.push(RegistryRevision {
            commit: r.commit.to_string(),
            time: r.time,
            in_play: now.map(|a| a.in_play().map(|p| p.id.clone()).collect()).unwrap_or_default(),
            limit: now.map_or_else(|| before.as_ref().map_or(0, |b| b.in_play_limit), |a| a.in_play_limit),
            changes,
        });
        before = after;
    }
    out
}

/// What `after` changed against `before` (none: every promise is added), promise by promise in
/// `after`'s order, then the promises it removed, then the limit.
pub(super) fn changes(before: Option<&Registry>, after: &Registry) -> Vec<RegistryChange> {
    let mut out = Vec::new();
    for p in &after.promises {
        let id = || p.id.clone();
        let Some(b) = before.and_then(|b| b.promise(&p.id)) else {
            out.push(RegistryChange::Added { promise: id(), status: p.status });
            continue;
        };
        if b.status != p.status {
            out.push(RegistryChange::Status { promise: id(), from: b.status, to: p.status });
        }
        if b.statement.trim() != p.statement.trim() {
            out.push(RegistryChange::Statement { promise: id() });
        }
        if b.customer != p.customer {
            out.push(RegistryChange::Customer { promise: id(), from: b.customer.clone(), to: p.customer.clone() });
        }
        let metric = |o: &registry::Outcome| o.metric.clone().unwrap_or_default();
        for o in &p.outcomes {
            let old = b.outcomes.iter().find(|x| x.metric == o.metric);
            let from = old.and_then(|x| x.target.clone());
            if old.is_none() || from != o.target {
                out.push(RegistryChange::Target { promise: id(), metric: metric(o), from, to: o.target.clone() });
            }
        }
        for o in b.outcomes.iter().filter(|x| !p.outcomes.iter().any(|o| o.metric == x.metric)) {
            out.push(RegistryChange::Target { promise: id(), metric: metric(o), from: o.target.clone(), to: None });
        }
    }
    if let Some(b) = before {
        for gone in b.promises.iter().filter(|g| after.promise(&g.id).is_none()) {
            out.push(RegistryChange::Removed { promise: gone.id.clone() });
        }
        if b.in_play_limit != after.in_play_limit {
            out.push(RegistryChange::Limit { from: b.in_play_limit, to: after.in_play_limit });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Status;
    use crate::source::Source;

    fn registry(text: &str) -> Registry {
        Registry::parse(&Source::file("promises.toml", text)).expect("a registry")
    }

    #[test]
    fn a_revision_says_what_it_changed_promise_by_promise() {
        let before = registry(
            "[limits]\nin-play = 2\n[promises.a]\nstatement = \"A\"\nstatus = \"proposed\"\n\
             [[promises.a.outcomes]]\nmetric = \"m\"\nbaseline = \"1%\"\ntarget = \"5%\"\n\
             [promises.gone]\nstatement = \"G\"\nstatus = \"proposed\"\n",
        );
        let after = registry(
            "[limits]\nin-play = 3\n[promises.a]\nstatement = \"A, changed\"\nstatus = \"in-play\"\n\
             [[promises.a.outcomes]]\nmetric = \"m\"\nbaseline = \"1%\"\ntarget = \"7%\"\n\
             [promises.new]\nstatement = \"N\"\nstatus = \"in-play\"\n",
        );
        let s = |x: &str| x.to_string();
        assert_eq!(
            changes(Some(&before), &after),
            vec![
                RegistryChange::Status { promise: s("a"), from: Status::Proposed, to: Status::InPlay },
                RegistryChange::Statement { promise: s("a") },
                RegistryChange::Target { promise: s("a"), metric: s("m"), from: Some(s("5%")), to: Some(s("7%")) },
                RegistryChange::Added { promise: s("new"), status: Status::InPlay },
                RegistryChange::Removed { promise: s("gone") },
                RegistryChange::Limit { from: 2, to: 3 },
            ]
        );
        assert_eq!(changes(Some(&after), &after), vec![], "an unchanged registry changes nothing");
        assert_eq!(changes(None, &before).len(), 2, "the first revision adds every promise");
    }
}
