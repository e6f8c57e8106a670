//! The registry's own rules (`too-many-in-play`, `no-outcome`, …) and the readings of outcomes.

use super::{CommitSelection, Gather, PlanScope, RegistryRules};
use crate::error::{Error, Result};
use crate::facts::{Readings, Window};
use crate::files::Files;
use crate::git::{RangeSpec, Repo};
use crate::registry::Registry;
use crate::rules::{self, Sink};
use crate::source::{Source, Sources};

impl Gather<'_> {
    /// Judge the registry, then read and judge the readings of outcomes.
    pub(super) fn registry(&mut self) -> Result<()> {
        let mut sink = Sink::new(self.levels);
        rules::judge_registry(self.ctx, &mut sink);
        self.read.findings.extend(sink.take());
        let file = self.ctx.registry.file_path();
        let paths = [file.as_str(), self.ctx.registry.outcomes_file.as_str()];
        // The pre-commit hook reads the readings only when a commit stages them or the registry
        // (a few index and tree look-ups otherwise): what is already committed is CI's to report.
        if self.inputs.plans == PlanScope::Staged
            && !self.repo.is_some_and(|repo| super::precommit::staged_any(repo, self.files, &paths))
        {
            return Ok(());
        }
        let readings = read_readings(self.files, self.ctx.registry, self.inputs.window, &mut self.read.sources)?;
        self.read.readings_judged = readings.is_some() && self.judges_readings(&paths);
        if let Some(r) = readings.as_ref().filter(|_| self.read.readings_judged) {
            rules::judge_readings(self.ctx, r, &mut sink);
            self.read.findings.extend(sink.take());
        }
        self.read.readings = readings;
        Ok(())
    }

    /// Judge each hypothesis from the readings, once the plans are read: those of the registry
    /// and those written in the plan documents, on one path, with the open items traced to each
    /// promise. Without the registry judged (the editor server on a plan document), only the
    /// documents' hypotheses, and a readings file that does not read is left to the registry's
    /// run to report.
    pub(super) fn hypotheses(&mut self) {
        let registry_too = self.read.readings_judged;
        if !registry_too {
            if self.inputs.registry_rules == RegistryRules::Judged
                || self.read.plans.hypotheses.is_empty()
                || self.inputs.plans == PlanScope::Staged
            {
                return;
            }
            if self.read.readings.is_none() {
                let read = read_readings(self.files, self.ctx.registry, self.inputs.window, &mut self.read.sources);
                self.read.readings = read.ok().flatten();
            }
        }
        let Some(readings) = &self.read.readings else { return };
        let mut sink = Sink::new(self.levels);
        let open = self.read.plans.open.as_ref();
        for judged in readings.hypotheses(self.ctx.registry, &self.read.plans.hypotheses) {
            if registry_too || judged.source.is_some() {
                rules::judge_hypothesis(self.ctx, &judged, open, &mut sink);
            }
        }
        self.read.findings.extend(sink.take());
    }

    /// Whether the readings are judged: always, unless the inputs ask for it only when the
    /// range selected changes the readings file or the registry (`ci` on a pull request: the
    /// state of the product is not an unrelated change's doing).
    fn judges_readings(&self, paths: &[&str]) -> bool {
        let (Some(repo), true, CommitSelection::Spec(range)) =
            (self.repo, self.inputs.readings_when_changed, &self.inputs.commits)
        else {
            return true;
        };
        changed_in(repo, range, paths)
    }
}

/// Whether a range's commits change any of `paths`: the files as its included tips hold them
/// against its excluded tips (the pull request's head against its base).
fn changed_in(repo: &Repo, range: &RangeSpec, paths: &[&str]) -> bool {
    let entries = |oid| {
        let tree = repo.commit_tree(oid);
        paths.iter().map(|p| tree.as_ref().and_then(|t| t.entry(p))).collect::<Vec<_>>()
    };
    let (excluded, included): (Vec<_>, Vec<_>) = range.tips.iter().partition(|(_, excluded)| *excluded);
    let before: Vec<_> = excluded.iter().map(|&&(oid, _)| entries(oid)).collect();
    included.iter().any(|&&(oid, _)| {
        let after = entries(oid);
        before.is_empty() || before.iter().any(|b| *b != after)
    })
}

/// The readings of outcomes (`[outcomes] file`, default outcomes.csv), from where the registry
/// came from; `None` when the repository keeps none. A file that cannot be read as readings
/// stops the run, every bad row named, as a broken registry does.
fn read_readings(
    files: &Files,
    registry: &Registry,
    window: Option<Window>,
    sources: &mut Sources,
) -> Result<Option<Readings>> {
    let path = registry.outcomes_file.as_str();
    // Read as `measure` writes it: never through a link that leaves the work tree.
    let bytes = match files.read_inside(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::io(format!("could not read {}", files.describe(path)), &e)
                .with_help("`[outcomes] file` is read and written inside the repository's work tree"))
        }
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::new(format!("{path} is not valid UTF-8")).with_help("save the readings as UTF-8 CSV"))?;
    let source = Source::file(path, text);
    let rows = match crate::outcomes::parse(&source.text) {
        Ok(rows) => rows,
        Err(errors) => {
            let all = errors
                .into_iter()
                .map(|e| {
                    Error::new(format!("{path}:{}: {}: {}", e.line, e.column, e.message))
                        .with_help("fix the row, or record readings with `plan-lint measure`, which checks them")
                })
                .collect();
            return Err(Error::many(all).expect("an error"));
        }
    };
    let id = sources.add(source);
    let today = window.and_then(|w| crate::when::local_date(w.until));
    Ok(Some(Readings { path: path.to_string(), source: id, rows, today }))
}
