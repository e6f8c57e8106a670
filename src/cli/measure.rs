//! `plan-lint measure`: record a reading of an outcome in the readings file (`outcomes.csv`, or
//! `[outcomes] file`), checked against promises.toml first: the promise exists, the metric is
//! one of its outcomes, the value is in the unit of the outcome's baseline and target. An
//! import (`--import FILE`, `-` for standard input, CSV with the file's header) checks every
//! row before writing anything and skips readings already recorded. The file stays sorted by
//! date and is replaced atomically.

use super::Ctx;
use crate::error::{Error, Result};
use crate::files::{FileSource, Files};
use crate::outcomes::{self, Reading};
use crate::registry::Registry;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The promise measured, as promises.toml names it.
    #[arg(required_unless_present = "import")]
    pub promise: Option<String>,
    /// The outcome's metric, as promises.toml writes it.
    #[arg(required_unless_present = "import")]
    pub metric: Option<String>,
    /// The reading: a number with the outcome's unit (`9.1%`, `1,200 a day`, `2.4 s`).
    #[arg(required_unless_present = "import", allow_hyphen_values = true)]
    pub value: Option<String>,
    /// The day it was measured (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Where the number comes from (a dashboard, a query, a survey).
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,
    /// Import readings from CSV (`date,promise,metric,value,source`; `-` reads standard input).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["promise", "metric", "value", "date", "source"])]
    pub import: Option<std::path::PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let repo = crate::git::Repo::discover(&ctx.dir);
    let root = repo.as_ref().and_then(|r| r.root()).unwrap_or_else(|| ctx.dir.clone());
    let files = Files::open(&FileSource::WorkTree, &root, repo.as_ref())?;
    let Some((registry, _)) = crate::files::read_registry(&files, None, false)? else {
        return Err(Error::new("no promise registry"));
    };
    let path = root.join(&registry.outcomes_file);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => outcomes::parse(&text).map_err(|errors| {
            let all = errors
                .into_iter()
                .map(|e| Error::new(format!("{}:{}: {}: {}", registry.outcomes_file, e.line, e.column, e.message)));
            Error::many(all.collect()).expect("an error").with_help("fix the file before recording more")
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io(format!("could not read {}", path.display()), &e)),
    };
    let new: Vec<Reading> = match &args.import {
        Some(file) => {
            let bytes = crate::files::read_input(file, "a CSV of readings")?;
            let text = String::from_utf8(bytes).map_err(|_| Error::new("the readings are not UTF-8"))?;
            let shown = if file.as_os_str() == "-" { "standard input".to_string() } else { file.display().to_string() };
            let rows = outcomes::parse(&text).map_err(|errors| {
                let all = errors
                    .into_iter()
                    .map(|e| Error::new(format!("{shown}: row {}, column `{}`: {}", e.line, e.column, e.message)));
                Error::many(all.collect()).expect("an error").with_help("nothing was written")
            })?;
            let errors: Vec<Error> = rows
                .iter()
                .filter_map(|r| {
                    check(&registry, r).err().map(|e| {
                        let help = format!("{} (nothing was written)", e.help.unwrap_or_default());
                        Error::new(format!("{shown}: row {}: {}", r.line, e.message)).with_help(help)
                    })
                })
                .collect();
            if let Some(e) = Error::many(errors) {
                return Err(e);
            }
            rows
        }
        None => {
            let date = match &args.date {
                Some(d) => d
                    .parse()
                    .map_err(|_| Error::new(format!("`{d}` is not a date")).with_help("write it as YYYY-MM-DD"))?,
                None => jiff::Zoned::now().date(),
            };
            let reading = Reading {
                line: 0,
                span: 0..0,
                date,
                promise: args.promise.clone().unwrap_or_default(),
                metric: args.metric.clone().unwrap_or_default(),
                value: args.value.clone().unwrap_or_default().trim().to_string(),
                source: args.source.clone().unwrap_or_default(),
            };
            check(&registry, &reading)?;
            vec![reading]
        }
    };
    let same = |a: &Reading, b: &Reading| {
        (a.date, &a.promise, &a.metric, &a.value, &a.source) == (b.date, &b.promise, &b.metric, &b.value, &b.source)
    };
    let mut all = existing;
    let (mut added, mut skipped) = (Vec::new(), 0);
    for r in new {
        if all.iter().any(|e| same(e, &r)) {
            skipped += 1;
        } else {
            added.push(r.clone());
            all.push(r);
        }
    }
    if !added.is_empty() {
        super::install::write_new(&path, outcomes::render(&all).as_bytes())?;
    }
    let mut out = String::new();
    for r in &added {
        let outcome = registry
            .promise(&r.promise)
            .and_then(|p| p.outcomes.iter().find(|o| o.metric.as_deref() == Some(&r.metric)));
        let progress = outcome.and_then(|o| outcomes::progress(o.baseline.as_deref()?, o.target.as_deref()?, &r.value));
        let how = match (progress, outcome.and_then(|o| o.target.as_deref())) {
            (Some(p), Some(t)) => format!(", {:.0}% of the way to {t}", p * 100.0),
            _ => String::new(),
        };
        out.push_str(&format!("recorded {} of {} on {}: {}{how}\n", r.metric, r.promise, r.date, r.value));
    }
    if skipped > 0 {
        out.push_str(&format!("{skipped} reading{} already recorded, skipped\n", if skipped == 1 { "" } else { "s" }));
    }
    out.push_str(&format!("{} in {}\n", crate::report::plural(all.len(), "reading"), registry.outcomes_file));
    super::emit(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// A reading checked against the registry: a known promise, one of its metrics, its unit.
fn check(registry: &Registry, r: &Reading) -> Result<()> {
    let Some(p) = registry.promise(&r.promise) else {
        return Err(Error::new(format!("unknown promise `{}`", r.promise))
            .with_help(crate::rules::unknown_id_help(registry, &r.promise)));
    };
    let metrics: Vec<&str> = p.outcomes.iter().filter_map(|o| o.metric.as_deref()).collect();
    let Some(outcome) = p.outcomes.iter().find(|o| o.metric.as_deref() == Some(r.metric.as_str())) else {
        let guess = crate::suggest::closest(&r.metric, metrics.iter().copied());
        let list = if metrics.is_empty() {
            "none yet: add an outcome to promises.toml".to_string()
        } else {
            metrics.join(", ")
        };
        let help = match guess {
            Some(g) => format!("did you mean `{g}`? `{}` measures: {list}", p.id),
            None => format!("`{}` measures: {list}", p.id),
        };
        return Err(Error::new(format!("`{}` is not a metric of `{}`", r.metric, p.id)).with_help(help));
    };
    let expected =
        [outcome.target.as_deref(), outcome.baseline.as_deref()].into_iter().flatten().find_map(outcomes::quantity);
    if let Some(expected) = expected {
        match outcomes::quantity(&r.value) {
            Some(q) if q.unit == expected.unit => {}
            Some(q) => {
                return Err(Error::new(format!(
                    "`{}` is in {}, but `{}` is measured in {}",
                    r.value,
                    unit_name(&q.unit),
                    r.metric,
                    unit_name(&expected.unit)
                ))
                .with_help(format!(
                    "write it as the target is written: {}",
                    outcome.target.as_deref().unwrap_or_default()
                )))
            }
            None => {
                return Err(Error::new(format!("`{}` is not a number", r.value)).with_help(format!(
                    "write it as the target is written: {}",
                    outcome.target.as_deref().unwrap_or_default()
                )))
            }
        }
    }
    Ok(())
}

fn unit_name(unit: &str) -> String {
    if unit.is_empty() {
        "a plain number".to_string()
    } else {
        format!("`{unit}`")
    }
}
