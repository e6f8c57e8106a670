//! The baseline applied to a run, once, after judging (the model is [`crate::baseline`]).

use super::{Inputs, PlanScope};
use crate::baseline::{Applied, Baseline, Place};
use crate::code::Level;
use crate::error::{Error, Result};
use crate::files::Files;
use crate::finding::Finding;
use crate::git::{RangeSpec, Repo};
use crate::rules::{self, Levels};
use crate::source::Sources;
use std::collections::HashSet;

/// The baseline, if the repository keeps one (read from where the registry came from), applied
/// once to the run's findings: what it records leaves the findings (fails nothing), and of its
/// entries that matched nothing, those this run judged in full are kept as absent: files when
/// the registry and every plan were judged (a rule that needs a window only with one), commits
/// when the range walked holds them (or they are gone from a full clone). A code allowed in
/// this run matches nothing, and is not absent for it.
#[allow(clippy::too_many_arguments)]
pub(super) fn apply(
    files: &Files,
    repo: Option<&Repo>,
    inputs: &Inputs,
    levels: &Levels,
    walked: Option<&RangeSpec>,
    sources: &Sources,
    findings: Vec<Finding>,
) -> Result<(Vec<Finding>, Option<Applied>)> {
    let path = crate::baseline::FILE_NAME;
    let bytes = match files.read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((findings, None)),
        Err(e) => return Err(Error::io(format!("could not read {}", files.describe(path)), &e)),
    };
    let recorded = Baseline::parse(path, &bytes)?;
    let (findings, mut applied) = crate::baseline::apply(recorded, findings, sources);
    let all_files = inputs.judge_registry && inputs.plans == PlanScope::All;
    let wanted: Vec<git2::Oid> = applied
        .absent
        .iter()
        .filter_map(|(k, _)| match &k.place {
            Place::Commit(sha) => git2::Oid::from_str(sha).ok(),
            _ => None,
        })
        .collect();
    let in_range = match (repo, walked) {
        (Some(repo), Some(range)) => commits_in(repo, range, wanted),
        _ => HashSet::new(),
    };
    applied.absent.retain(|(key, _)| {
        levels.get(key.code) != Level::Allow
            && match &key.place {
                Place::Commit(sha) => git2::Oid::from_str(sha).is_ok_and(|oid| in_range.contains(&oid)),
                _ => all_files && (inputs.window.is_some() || !rules::needs_window(key.code)),
            }
    });
    Ok((findings, Some(applied)))
}

/// Which of `wanted` the walk of `range` reaches, or, in a full clone, no longer exist (history
/// rewritten): one walk of the range, stopped once every commit is found, and only when some
/// entry of the baseline is unmatched.
fn commits_in(repo: &Repo, range: &RangeSpec, wanted: Vec<git2::Oid>) -> HashSet<git2::Oid> {
    let shallow = repo.repo.is_shallow();
    let (mut left, mut found): (HashSet<git2::Oid>, HashSet<git2::Oid>) =
        wanted.into_iter().partition(|oid| shallow || repo.repo.find_commit(*oid).is_ok());
    if left.is_empty() {
        return found;
    }
    let Ok(mut walk) = repo.repo.revwalk() else { return found };
    for &(oid, hidden) in &range.tips {
        let _ = if hidden { walk.hide(oid) } else { walk.push(oid) };
    }
    for oid in walk.flatten() {
        if left.is_empty() {
            break;
        }
        if left.remove(&oid) {
            found.insert(oid);
        }
    }
    found
}
