//! `plan-lint measure`: record a reading of an outcome in the readings file (`outcomes.csv`, or
//! `[outcomes] file`), checked against promises.toml first: the promise exists, the metric is
//! one of its outcomes, the value is in the unit of the outcome's baseline and target. An
//! import (`--import FILE`, `-` for standard input, CSV with the file's header) checks every
//! row before writing anything and skips readings already recorded. The file stays sorted by
//! date, keeps the columns plan-lint does not read (`notes`), and is replaced atomically under
//! a lock, so runs at once all keep their readings. It is written only inside the work tree.

use super::Ctx;
use crate::error::{Error, Result};
use crate::files::{FileSource, Files};
use crate::outcomes::{self, Reading, Table};
use crate::registry::Registry;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

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

/// How long `measure` waits for another `measure` recording readings in the same file.
const LOCK_WAIT: Duration = Duration::from_secs(30);

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let repo = crate::git::Repo::discover(&ctx.dir);
    let root = repo.as_ref().and_then(|r| r.root()).unwrap_or_else(|| ctx.dir.clone());
    let files = Files::open(&FileSource::WorkTree, &root, repo.as_ref())?;
    let Some((registry, _)) = crate::files::read_registry(&files, None, crate::files::Absent::Fails)? else {
        return Err(Error::new("no promise registry"));
    };
    let file = registry.outcomes_file.as_str();
    // Written where it is read, never through a link out of the work tree.
    let path = files.resolve_inside(file).map_err(|why| {
        Error::new(format!("cannot record readings: {why}")).with_help(
            "`[outcomes] file` is read and written inside the repository's work tree: make it a directory there",
        )
    })?;
    let (new, columns) = new_readings(&registry, &args)?;
    // Read, merge and replace under a lock: two runs at once both keep their readings.
    let lock = Lock::acquire(&lock_path(repo.as_ref(), &path), LOCK_WAIT)?;
    let mut table = match files.read_inside(file) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| {
                Error::new(format!("{file} is not valid UTF-8")).with_help("save the readings as UTF-8 CSV")
            })?;
            outcomes::parse_table(&text).map_err(|errors| {
                let all =
                    errors.into_iter().map(|e| Error::new(format!("{file}:{}: {}: {}", e.line, e.column, e.message)));
                Error::many(all.collect()).expect("an error").with_help("fix the file before recording more")
            })?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Table::default(),
        Err(e) => return Err(Error::io(format!("could not read {}", files.describe(file)), &e)),
    };
    // Readings already recorded (or twice in an import) are skipped, however their unit is
    // spelled (`4.8KB` is `4.8 kB`).
    let mut new = new;
    spell_as_recorded(&table, &mut new);
    let (added, skipped) = table.merge(new, &columns);
    if !added.is_empty() {
        super::install::write_new(&path, outcomes::render_table(&table).as_bytes())?;
    }
    drop(lock);
    let esc = |s: &str| crate::escape::line(s).into_owned();
    let mut out = String::new();
    for r in &added {
        let outcome = registry
            .promise(&r.promise)
            .and_then(|p| p.outcomes.iter().find(|o| o.metric.as_deref() == Some(&r.metric)));
        let progress = outcome.and_then(|o| outcomes::progress(o.baseline.as_deref()?, o.target.as_deref()?, &r.value));
        let how = match (progress, outcome.and_then(|o| o.target.as_deref())) {
            (Some(p), Some(t)) => format!(", {:.0}% of the way to {}", p * 100.0, esc(t)),
            _ => String::new(),
        };
        let (metric, promise, value) = (esc(&r.metric), esc(&r.promise), esc(&r.value));
        out.push_str(&format!("recorded {metric} of {promise} on {}: {value}{how}\n", r.date));
    }
    if skipped > 0 {
        out.push_str(&format!("{} already recorded, skipped\n", crate::report::plural(skipped, "reading")));
    }
    out.push_str(&format!("{} in {}\n", crate::report::plural(table.rows.len(), "reading"), esc(file)));
    super::emit(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The readings to record, each checked against the registry (an import whole, before anything
/// is written), and the names of the import's columns beyond [`outcomes::HEADER`], which
/// `Reading::extra` follows.
fn new_readings(registry: &Registry, args: &Args) -> Result<(Vec<Reading>, Vec<String>)> {
    if let Some(file) = &args.import {
        let bytes = crate::files::read_input(file, "a CSV of readings")?;
        let text = String::from_utf8(bytes).map_err(|_| Error::new("the readings are not UTF-8"))?;
        let shown = if file.as_os_str() == "-" { "standard input".to_string() } else { file.display().to_string() };
        let table = outcomes::parse_table(&text).map_err(|errors| {
            let all = errors
                .into_iter()
                .map(|e| Error::new(format!("{shown}: row {}, column `{}`: {}", e.line, e.column, e.message)));
            Error::many(all.collect()).expect("an error").with_help("nothing was written")
        })?;
        let errors: Vec<Error> = table
            .rows
            .iter()
            .filter_map(|r| {
                check(registry, r).err().map(|e| {
                    let help = format!("{} (nothing was written)", e.help.unwrap_or_default());
                    Error::new(format!("{shown}: row {}: {}", r.line, e.message)).with_help(help)
                })
            })
            .collect();
        if let Some(e) = Error::many(errors) {
            return Err(e);
        }
        return Ok((table.rows, table.extra));
    }
    let date = match &args.date {
        Some(d) => {
            d.parse().map_err(|_| Error::new(format!("`{d}` is not a date")).with_help("write it as YYYY-MM-DD"))?
        }
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
        extra: Vec::new(),
    };
    check(registry, &reading)?;
    Ok((vec![reading], Vec::new()))
}

/// Give each new reading whose value is a quantity already recorded (or read earlier in this
/// import) for the same day, promise, metric and source, the spelling recorded first: the same
/// number in the same unit, whatever its case and spaces (`4.8KB`, `4.8 kB`, `4.80 kb`), is
/// the same reading, and the merge then skips it rather than keeping two.
fn spell_as_recorded(table: &Table, new: &mut [Reading]) {
    type Key = (jiff::civil::Date, String, String, String, u64, String);
    let key = |r: &Reading| -> Option<Key> {
        let q = outcomes::quantity(&r.value)?;
        Some((r.date, r.promise.clone(), r.metric.clone(), r.source.clone(), q.number.to_bits(), q.unit))
    };
    let mut first: std::collections::HashMap<Key, String> = std::collections::HashMap::new();
    for r in &table.rows {
        if let Some(k) = key(r) {
            first.entry(k).or_insert_with(|| r.value.clone());
        }
    }
    for r in new.iter_mut() {
        if let Some(k) = key(r) {
            r.value = first.entry(k).or_insert_with(|| r.value.clone()).clone();
        }
    }
}

/// The lock of the readings at `path`: in the repository's git directory (nothing new in the
/// work tree), else beside the file.
fn lock_path(repo: Option<&crate::git::Repo>, path: &Path) -> PathBuf {
    match repo {
        Some(r) => r.git_dir().join("plan-lint").join("outcomes.lock"),
        None => {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            path.with_file_name(format!(".{name}.lock"))
        }
    }
}

/// An advisory lock (`flock`) on a file of its own, held while the readings are read, merged
/// and replaced. The kernel releases it when the process ends, however it ends, so a killed run
/// never leaves it held.
struct Lock {
    _file: std::fs::File,
}

impl Lock {
    /// Take the lock, waiting at most `wait` for another run to release it.
    fn acquire(path: &Path, wait: Duration) -> Result<Lock> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("could not create {}", dir.display()), &e))?;
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| Error::io(format!("could not open the lock {}", path.display()), &e))?;
        let deadline = Instant::now() + wait;
        loop {
            match try_lock(&file) {
                Ok(true) => return Ok(Lock { _file: file }),
                Ok(false) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                Ok(false) => {
                    return Err(Error::new(format!(
                        "another plan-lint measure has held {} for {} s: readings are recorded one run at a time",
                        path.display(),
                        wait.as_secs_f32()
                    ))
                    .with_help("nothing was written; record the reading again when the other run is done"))
                }
                Err(e) => return Err(Error::io(format!("could not lock {}", path.display()), &e)),
            }
        }
    }
}

/// Take an exclusive `flock` without waiting: `false` when another open file holds it.
#[cfg(unix)]
fn try_lock(file: &std::fs::File) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    loop {
        // SAFETY: `flock` on a descriptor `file` owns and keeps open; no memory is passed.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(true);
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EWOULDBLOCK) => return Ok(false),
            Some(libc::EINTR) => continue,
            _ => return Err(e),
        }
    }
}

/// No advisory lock off Unix (plan-lint is released for Linux and macOS): runs at once may
/// lose a reading there.
#[cfg(not(unix))]
fn try_lock(_: &std::fs::File) -> std::io::Result<bool> {
    Ok(true)
}

/// A reading checked against the registry: a known promise, one of its metrics, its unit.
fn check(registry: &Registry, r: &Reading) -> Result<()> {
    let Some(p) = registry.promise(&r.promise) else {
        return Err(Error::new(format!("unknown promise `{}`", r.promise))
            .with_help(crate::rules::unknown_id_help(registry, &r.promise)));
    };
    // The rule `check` judges readings with (`unknown-metric`), in its wording.
    let outcome = crate::rules::unknown_metric::outcome(p, r)
        .map_err(|f| Error::new(f.message).with_help(f.help.as_deref().unwrap_or_default()))?;
    if let Some(why) = outcomes::not_finite(&r.value) {
        return Err(Error::new(why).with_help(format!(
            "record a finite number, as the target is written: {}",
            outcome.target.as_deref().unwrap_or("12%")
        )));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One run at a time: a second taker waits, and past its wait says why nothing was written;
    /// the lock is free again once the first is dropped.
    #[test]
    fn the_lock_is_taken_one_run_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan-lint").join("outcomes.lock");
        let first = Lock::acquire(&path, Duration::ZERO).unwrap();
        let Err(e) = Lock::acquire(&path, Duration::from_millis(50)) else { panic!("taken twice") };
        assert!(e.message.starts_with("another plan-lint measure has held") && e.message.contains("outcomes.lock"));
        assert!(e.help.is_some_and(|h| h.starts_with("nothing was written")));
        drop(first);
        Lock::acquire(&path, Duration::ZERO).unwrap();
    }
}
