//! The baseline applied to a run, once, after judging (the model is [`crate::baseline`]).

use super::{Gather, PlanScope, RegistryRules};
use crate::baseline::{Baseline, Place};
use crate::code::Level;
use crate::error::{Error, Result};
use crate::rules;
use std::collections::HashSet;

impl Gather<'_> {
    /// The baseline, if the repository keeps one (read from where the registry came from), applied
    /// once to the run's findings: what it records leaves the findings (fails nothing), and of its
    /// entries that matched nothing, those this run judged in full are kept as absent: files when
    /// the registry and every plan were judged (a rule that needs a window only with one), commits
    /// when the range walked holds them (or they are gone from a full clone). A code allowed in
    /// this run matches nothing, and is not absent for it.
    pub(super) fn baseline(&mut self) -> Result<()> {
        let (files, inputs, read) = (self.files, self.inputs, &mut self.read);
        let path = crate::baseline::FILE_NAME;
        let bytes = match files.read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(format!("could not read {}", files.describe(path)), &e)),
        };
        let recorded = Baseline::parse(path, &bytes)?;
        let found = std::mem::take(&mut read.findings);
        let (findings, mut applied) = crate::baseline::apply(recorded, found, &read.sources);
        read.findings = findings;
        let all_files = inputs.registry_rules == RegistryRules::Judged && inputs.plans == PlanScope::All;
        let wanted: Vec<&str> = applied
            .absent
            .iter()
            .filter_map(|(k, _)| match &k.place {
                Place::Commit(sha) => Some(sha.as_str()),
                _ => None,
            })
            .collect();
        let in_range: HashSet<String> = match (self.repo, &read.walked) {
            (Some(repo), Some(range)) => repo.reached_or_gone(range, &wanted),
            _ => HashSet::new(),
        };
        applied.absent.retain(|(key, _)| {
            self.levels.get(key.code) != Level::Allow
                && match &key.place {
                    Place::Commit(sha) => in_range.contains(sha.as_str()),
                    _ => all_files && (inputs.window.is_some() || !rules::needs_window(key.code)),
                }
        });
        applied.at_start = self.baseline_at_window_start(path);
        self.read.baseline = Some(applied);
        Ok(())
    }

    /// With a time window, what the baseline recorded when the window began (the file in the
    /// commit HEAD's first-parent line had then): the debt's trend. A file that did not exist or
    /// does not read then has none.
    fn baseline_at_window_start(&self, path: &str) -> Option<(usize, usize)> {
        let (repo, window) = (self.repo?, self.inputs.window?);
        let commit = repo.first_parent_at(window.since, WINDOW_START_LOOKBACK)?;
        let blob = repo.file_in_commit(commit, path).ok()?;
        let bytes = repo.blob(blob, crate::files::MAX_PLAN_BYTES).ok()??;
        let then = Baseline::parse(path, &bytes).ok()?;
        Some((then.total() - then.commits(), then.commits()))
    }
}

/// How many first-parent commits back the window's start is looked for.
const WINDOW_START_LOOKBACK: usize = 100_000;
