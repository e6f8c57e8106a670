//! Readings of outcomes over time: `outcomes.csv` (`date,promise,metric,value,source`), and the
//! values in it and in promises.toml (`8%`, `12`, `1,000 a day`, `2.5 s`, `€4.10`).
//!
//! Data and parsing only: `plan-lint measure` writes the file, the engine reads it as a source,
//! the outcome rules judge the readings, the board shows them.

use jiff::civil::Date;

/// The columns of the readings file, in order.
pub const HEADER: [&str; 5] = ["date", "promise", "metric", "value", "source"];

/// A number with a unit, as people write outcomes.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    pub number: f64,
    /// What surrounds the number, lowercased and with single spaces: `%`, `a day`, `€`, `` (none).
    pub unit: String,
}

/// Read `8%`, `12`, `1,000 a day`, `2.5 s`, `€4.10`, `-3`: one number (thousands separated by
/// commas, a decimal point), with a prefix and a suffix as its unit. `None` when there is no
/// number, or more than one.
pub fn quantity(text: &str) -> Option<Quantity> {
    let t = text.trim();
    let start = t.find(|c: char| c.is_ascii_digit())?;
    let mut end = start;
    let b = t.as_bytes();
    while end < b.len()
        && (b[end].is_ascii_digit()
            || b[end] == b'.'
            || (b[end] == b',' && b.get(end + 1).is_some_and(u8::is_ascii_digit)))
    {
        end += 1;
    }
    let (mut prefix, digits, suffix) = (&t[..start], &t[start..end], &t[end..]);
    let negative = prefix.ends_with('-');
    if negative {
        prefix = &prefix[..prefix.len() - 1];
    }
    if suffix.contains(|c: char| c.is_ascii_digit()) || prefix.contains(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let number: f64 = digits.replace(',', "").parse().ok()?;
    // Too many digits for a double: infinity is no reading (a board would draw it as `inf`).
    if !number.is_finite() {
        return None;
    }
    // A bound written with the target (`under 20 ms`, `at least 60%`, `< 2 s`) is not part of
    // the unit.
    let mut prefix = prefix.trim().to_lowercase();
    for bound in [
        "at most",
        "at least",
        "less than",
        "more than",
        "up to",
        "under",
        "over",
        "below",
        "above",
        "about",
        "≤",
        "≥",
        "<",
        ">",
        "~",
    ] {
        if let Some(rest) = prefix.strip_prefix(bound) {
            prefix = rest.trim().to_string();
            break;
        }
    }
    let unit = format!("{prefix} {}", suffix.trim()).split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    Some(Quantity { number: if negative { -number } else { number }, unit })
}

/// How far a value has moved from `baseline` toward `target`: 0 at the baseline, 1 at the
/// target, below 0 the wrong way. `None` unless all three are numbers in one unit and the
/// target differs from the baseline.
pub fn progress(baseline: &str, target: &str, value: &str) -> Option<f64> {
    let (b, t, v) = (quantity(baseline)?, quantity(target)?, quantity(value)?);
    if b.unit != t.unit || v.unit != b.unit || t.number == b.number {
        return None;
    }
    // Halved first, so the differences of numbers near the largest double stay finite.
    let p = (v.number / 2.0 - b.number / 2.0) / (t.number / 2.0 - b.number / 2.0);
    // Shown as a percentage: a progress of 1e307 would be infinite there.
    (p * 100.0).is_finite().then_some(p)
}

/// Whether `value` reaches `expect`, going the way the outcome improves (from `baseline` toward
/// `target`): for a higher-is-better outcome at or above it, for a lower-is-better one at or
/// below it. `None` unless all four are numbers in one unit and the target differs from the
/// baseline (the direction cannot be told otherwise).
pub fn reaches(baseline: &str, target: &str, expect: &str, value: &str) -> Option<bool> {
    let (b, t, e, v) = (quantity(baseline)?, quantity(target)?, quantity(expect)?, quantity(value)?);
    if [&t.unit, &e.unit, &v.unit].iter().any(|u| **u != b.unit) || t.number == b.number {
        return None;
    }
    Some(if t.number > b.number { v.number >= e.number } else { v.number <= e.number })
}

/// Whether `value` reaches a bounded `target` (`under 20 ms`, `at least 60%`, `< 2 s`), both
/// numbers in one unit; `None` when the target has no bound or they do not compare.
pub fn reaches_bound(target: &str, value: &str) -> Option<bool> {
    let t = target.trim().to_lowercase();
    let below = ["at most", "less than", "up to", "under", "below", "<", "≤"];
    let above = ["at least", "more than", "over", "above", ">", "≥"];
    let lower = if below.iter().any(|b| t.starts_with(b)) {
        true
    } else if above.iter().any(|b| t.starts_with(b)) {
        false
    } else {
        return None;
    };
    let (t, v) = (quantity(target)?, quantity(value)?);
    if t.unit != v.unit {
        return None;
    }
    Some(if lower { v.number <= t.number } else { v.number >= t.number })
}

/// Why an expected value cannot be judged against an outcome with this baseline and target:
/// `None` when it can (see [`reaches`]).
pub fn unjudgeable(baseline: Option<&str>, target: Option<&str>, expect: &str) -> Option<String> {
    let Some(e) = quantity(expect) else { return Some(format!("`{expect}` is not a number")) };
    let (Some(b), Some(t)) = (baseline.and_then(quantity), target.and_then(quantity)) else {
        return Some("the outcome needs a baseline and a target, both numbers, to tell which way is better".into());
    };
    if b.unit != t.unit || t.number == b.number {
        return Some("the outcome's baseline and target do not tell which way is better".into());
    }
    (e.unit != b.unit).then(|| format!("`{expect}` is in `{}`, but the outcome is measured in `{}`", e.unit, b.unit))
}

/// Where a hypothesis stands ([`judge`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Judgement<'r> {
    /// Its date has not passed (or the calendar is unknown) and no reading since it says more.
    Pending,
    /// A reading on or after its date reached the expectation (the first that did).
    Confirmed(&'r Reading),
    /// Readings on or after its date, none reaching the expectation: how many, and the latest
    /// [`REFUTING_KEPT`] of them by date.
    Refuted { count: usize, latest: Vec<&'r Reading> },
    /// Its date has passed and nothing was measured since.
    Unjudged,
}

impl<'r> Judgement<'r> {
    /// `pending`, `confirmed`, `refuted`, `unjudged`.
    pub fn name(&self) -> &'static str {
        match self {
            Judgement::Pending => "pending",
            Judgement::Confirmed(_) => "confirmed",
            Judgement::Refuted { .. } => "refuted",
            Judgement::Unjudged => "unjudged",
        }
    }

    /// The readings that judged it: the one that confirmed it, or the latest that refuted it.
    pub fn readings(&self) -> &[&'r Reading] {
        match self {
            Judgement::Confirmed(r) => std::slice::from_ref(r),
            Judgement::Refuted { latest, .. } => latest,
            Judgement::Pending | Judgement::Unjudged => &[],
        }
    }
}

/// Judge a hypothesis ("`expect` by `by`") on an outcome from `baseline` to `target`, from the
/// readings of its metric, as of `today` (`None`: the calendar is unknown, so a date passed with
/// nothing measured cannot be told; readings after `today` are not counted). Readings in another
/// unit do not count. `None` when the expectation cannot be judged ([`unjudgeable`]).
pub fn judge<'r>(
    baseline: &str,
    target: &str,
    expect: &str,
    by: Date,
    today: Option<Date>,
    readings: impl IntoIterator<Item = &'r Reading>,
) -> Option<Judgement<'r>> {
    unjudgeable(Some(baseline), Some(target), expect).is_none().then_some(())?;
    // One pass, memory bounded whatever the number of readings: the first that reached it, how
    // many fell short, and the latest of those.
    let key = |r: &Reading| (r.date, r.line);
    let (mut first, mut short, mut latest) = (None::<&Reading>, 0usize, Vec::<&Reading>::new());
    for r in readings.into_iter().filter(|r| r.date >= by && today.is_none_or(|t| r.date <= t)) {
        match reaches(baseline, target, expect, &r.value) {
            Some(true) if first.is_none_or(|f| key(r) < key(f)) => first = Some(r),
            Some(false) => {
                short += 1;
                let at = latest.partition_point(|l| key(l) <= key(r));
                latest.insert(at, r);
                if latest.len() > REFUTING_KEPT {
                    latest.remove(0);
                }
            }
            _ => {}
        }
    }
    if let Some(r) = first {
        return Some(Judgement::Confirmed(r));
    }
    if short > 0 {
        return Some(Judgement::Refuted { count: short, latest });
    }
    Some(if today.is_some_and(|t| t > by) { Judgement::Unjudged } else { Judgement::Pending })
}

/// How many of the readings that refute a hypothesis it keeps (the latest; the rest counted).
pub const REFUTING_KEPT: usize = 3;

/// Why `value` is no reading although it is written as a number: `inf`, `NaN%`, `-Infinity`,
/// or more digits than a double holds (`1` and 400 zeros). `None` for anything else, numbers
/// and words alike (whether a word is a number in the outcome's unit is the registry's to say).
pub fn not_finite(value: &str) -> Option<String> {
    let words = value.split(|c: char| !c.is_alphabetic());
    if words.into_iter().any(|w| ["inf", "infinity", "nan"].iter().any(|n| w.eq_ignore_ascii_case(n))) {
        return Some(format!("`{}` is not a finite number", shown(value)));
    }
    let digits = value.trim().trim_start_matches(|c: char| !c.is_ascii_digit());
    let digits: String = digits.chars().take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.').collect();
    let number: f64 = digits.replace(',', "").parse().unwrap_or(0.0);
    (!number.is_finite()).then(|| format!("`{}` is too large a number (more than 308 digits)", shown(value)))
}

/// A value in a message: at most 40 characters of it.
fn shown(value: &str) -> String {
    match value.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &value[..i]),
        None => value.to_string(),
    }
}

/// One row of the readings file.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// 1-based line in the file (0 for a reading not from a file).
    pub line: usize,
    /// The row's bytes in the file (its first line), for findings to point at.
    pub span: std::ops::Range<usize>,
    pub date: Date,
    pub promise: String,
    pub metric: String,
    pub value: String,
    pub source: String,
    /// The row's values in the columns plan-lint does not read ([`Table::extra`]), as written.
    pub extra: Vec<String>,
}

/// Why a row could not be read: 1-based line, column name, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub column: &'static str,
    pub message: String,
}

/// The readings file whole: the readings, and the columns plan-lint does not read (`notes`,
/// `owner`), kept as the team wrote them so that recording a reading loses nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The header, column by column, as the file has it.
    columns: Vec<Column>,
    /// The names of the other columns, in the file's order; each reading's `extra` follows it.
    pub extra: Vec<String>,
    pub rows: Vec<Reading>,
}

/// A column of the file: one of [`HEADER`] (its index there) or another one (its index in
/// [`Table::extra`]).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Column {
    Known(usize),
    Extra(usize),
}

impl Default for Table {
    /// No readings, the [`HEADER`] columns.
    fn default() -> Table {
        Table { columns: (0..HEADER.len()).map(Column::Known).collect(), extra: Vec::new(), rows: Vec::new() }
    }
}

impl Table {
    /// The file's columns plus any of `names` it lacks (appended, every row empty there), and
    /// where each of `names` lands in [`Table::extra`], to carry another table's rows over.
    pub fn adopt_columns(&mut self, names: &[String]) -> Vec<usize> {
        names
            .iter()
            .map(|name| match self.extra.iter().position(|e| e == name) {
                Some(i) => i,
                None => {
                    self.extra.push(name.clone());
                    self.columns.push(Column::Extra(self.extra.len() - 1));
                    for r in &mut self.rows {
                        r.extra.push(String::new());
                    }
                    self.extra.len() - 1
                }
            })
            .collect()
    }

    /// Add a reading whose `extra` follows another table's columns, `map` from
    /// [`Table::adopt_columns`]; the columns it has no value for stay empty.
    pub fn push(&mut self, mut reading: Reading, map: &[usize]) {
        let mut extra = vec![String::new(); self.extra.len()];
        for (value, &at) in reading.extra.drain(..).zip(map) {
            extra[at] = value;
        }
        reading.extra = extra;
        self.rows.push(reading);
    }

    /// Add the readings not recorded yet (the same date, promise, metric, value and source),
    /// each once, their `extra` following `columns` (see [`Table::push`]): the ones added, and
    /// how many were skipped. One hash look-up per reading, so an import of 200,000 rows into
    /// a file of as many takes no longer than reading them.
    pub fn merge(&mut self, readings: Vec<Reading>, columns: &[String]) -> (Vec<Reading>, usize) {
        type Key = (Date, String, String, String, String);
        let key =
            |r: &Reading| -> Key { (r.date, r.promise.clone(), r.metric.clone(), r.value.clone(), r.source.clone()) };
        let mut seen: std::collections::HashSet<Key> = self.rows.iter().map(key).collect();
        let map = self.adopt_columns(columns);
        let (mut added, mut skipped) = (Vec::new(), 0);
        for r in readings {
            if seen.insert(key(&r)) {
                added.push(r.clone());
                self.push(r, &map);
            } else {
                skipped += 1;
            }
        }
        (added, skipped)
    }
}

/// Read CSV text with the [`HEADER`] columns (any order, extra columns ignored): every row, or
/// every problem (a row is never half read).
pub fn parse(text: &str) -> Result<Vec<Reading>, Vec<RowError>> {
    parse_table(text).map(|t| t.rows)
}

/// Read CSV text with the [`HEADER`] columns (any order) and any others, kept: every row, or
/// every problem (a row is never half read). A value that is not a finite number (`inf`,
/// `NaN%`, 400 digits) is a problem: no board draws it.
pub fn parse_table(text: &str) -> Result<Table, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![RowError { line: 1, column: "date", message: format!("not CSV: {e}") }]),
    };
    let index = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let mut known = [0usize; 5];
    let mut errors = Vec::new();
    for (i, name) in HEADER.iter().enumerate() {
        match index(name) {
            Some(c) => known[i] = c,
            None if *name == "source" => known[i] = usize::MAX,
            None => errors.push(RowError {
                line: 1,
                column: name,
                message: format!("no `{name}` column: the header is {}", HEADER.join(",")),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut table = Table { columns: Vec::new(), ..Table::default() };
    let mut extra_at = Vec::new();
    for (c, name) in headers.iter().enumerate() {
        match known.iter().position(|&k| k == c) {
            Some(i) => table.columns.push(Column::Known(i)),
            None => {
                table.columns.push(Column::Extra(table.extra.len()));
                table.extra.push(name.to_string());
                extra_at.push(c);
            }
        }
    }
    if known[4] == usize::MAX {
        table.columns.push(Column::Known(4));
    }
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.push(RowError { line, column: "date", message: format!("not CSV: {e}") });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let start = record.position().map_or(0, |p| p.byte() as usize).min(text.len());
        let span = start..text[start..].find(['\n', '\r']).map_or(text.len(), |i| start + i);
        let field = |i: usize| record.get(known[i]).unwrap_or("").trim().to_string();
        let date = field(0);
        let date = match date.parse::<Date>() {
            Ok(d) => d,
            Err(_) => {
                errors.push(RowError { line, column: "date", message: format!("`{date}` is not a date (YYYY-MM-DD)") });
                continue;
            }
        };
        let (promise, metric, value) = (field(1), field(2), field(3));
        for (name, v) in [("promise", &promise), ("metric", &metric), ("value", &value)] {
            if v.is_empty() {
                let column = HEADER.iter().find(|h| **h == name).copied().unwrap_or("value");
                errors.push(RowError { line, column, message: format!("no {name}") });
            }
        }
        if promise.is_empty() || metric.is_empty() || value.is_empty() {
            continue;
        }
        if let Some(why) = not_finite(&value) {
            errors.push(RowError { line, column: "value", message: why });
            continue;
        }
        let extra = extra_at.iter().map(|&c| record.get(c).unwrap_or("").to_string()).collect();
        table.rows.push(Reading { line, span, date, promise, metric, value, source: field(4), extra });
    }
    if errors.is_empty() {
        Ok(table)
    } else {
        Err(errors)
    }
}

/// The file's text: the header, then every reading sorted by date (stable: readings of one
/// day keep their order), quoted only where CSV needs it.
pub fn render(readings: &[Reading]) -> String {
    let rows = readings.iter().map(|r| Reading { extra: Vec::new(), ..r.clone() }).collect();
    render_table(&Table { rows, ..Table::default() })
}

/// [`render`] with the table's own columns, in its order, the other columns' values kept.
pub fn render_table(table: &Table) -> String {
    let mut sorted: Vec<&Reading> = table.rows.iter().collect();
    sorted.sort_by_key(|r| r.date);
    let mut w =
        csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let columns = &table.columns;
    let name = |c: &Column| match *c {
        Column::Known(i) => HEADER[i],
        Column::Extra(i) => table.extra[i].as_str(),
    };
    let _ = w.write_record(columns.iter().map(name));
    for r in sorted {
        let date = r.date.to_string();
        let cell = |c: &Column| match *c {
            Column::Known(0) => date.as_str(),
            Column::Known(1) => r.promise.as_str(),
            Column::Known(2) => r.metric.as_str(),
            Column::Known(3) => r.value.as_str(),
            Column::Known(_) => r.source.as_str(),
            Column::Extra(i) => r.extra.get(i).map_or("", String::as_str),
        };
        let _ = w.write_record(columns.iter().map(cell));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_as_people_write_them() {
        let q = |t: &str| quantity(t).map(|q| (q.number, q.unit));
        assert_eq!(q("8%"), Some((8.0, "%".into())));
        assert_eq!(q("12"), Some((12.0, "".into())));
        assert_eq!(q("1,000 a day"), Some((1000.0, "a day".into())));
        assert_eq!(q("2.5 s"), Some((2.5, "s".into())));
        assert_eq!(q("€4.10"), Some((4.1, "€".into())));
        assert_eq!(q("-3"), Some((-3.0, "".into())));
        assert_eq!(q("about 41 per 1,000 orders"), None, "two numbers");
        assert_eq!(q("fewer calls"), None);
        assert_eq!(q("under 20 ms"), Some((20.0, "ms".into())), "a bound is not a unit");
        assert_eq!(q("at least 60%"), Some((60.0, "%".into())));
    }

    #[test]
    fn progress_runs_from_baseline_to_target_either_way() {
        assert_eq!(progress("8%", "12%", "10%"), Some(0.5));
        assert_eq!(progress("41", "25", "33"), Some(0.5), "lower is better");
        assert_eq!(progress("41", "25", "45"), Some(-0.25), "the wrong way");
        assert_eq!(progress("8%", "12%", "10"), None, "another unit");
        assert_eq!(progress("", "12%", "10%"), None, "no baseline");
    }

    #[test]
    fn expectations_are_reached_the_way_the_outcome_improves() {
        assert_eq!(reaches("61%", "75%", "70%", "70%"), Some(true));
        assert_eq!(reaches("61%", "75%", "70%", "69.9%"), Some(false));
        assert_eq!(reaches("41", "25", "30", "29"), Some(true), "lower is better");
        assert_eq!(reaches("41", "25", "30", "31"), Some(false));
        assert_eq!(reaches("41", "25", "30", "31 a day"), None, "another unit");
        assert_eq!(reaches("41", "41", "30", "20"), None, "no direction");
        assert_eq!(unjudgeable(Some("61%"), Some("75%"), "70%"), None);
        assert!(unjudgeable(Some("61%"), Some("75%"), "70 a day").unwrap().contains("measured in `%`"));
        assert!(unjudgeable(None, Some("75%"), "70%").unwrap().contains("needs a baseline"));
        assert!(unjudgeable(Some("61%"), Some("75%"), "more").unwrap().contains("not a number"));
    }

    #[test]
    fn hypotheses_are_judged_by_readings_since_their_date() {
        let rows = parse(
            "date,promise,metric,value\n2027-02-01,a,m,72%\n2027-03-02,a,m,66%\n2027-03-09,a,m,71%\n2027-04-01,a,m,80%\n",
        )
        .unwrap();
        let by: Date = "2027-03-01".parse().unwrap();
        let day = |d: &str| Some(d.parse::<Date>().unwrap());
        let judged = |today| judge("61%", "75%", "70%", by, today, &rows).unwrap();
        // Before the date a reading past the expectation does not count: the date is the test.
        assert_eq!(judged(day("2027-02-15")), Judgement::Pending);
        assert_eq!(judged(day("2027-03-05")), Judgement::Refuted { count: 1, latest: vec![&rows[1]] });
        assert_eq!(judged(day("2027-03-31")), Judgement::Confirmed(&rows[2]));
        assert_eq!(judged(None), Judgement::Confirmed(&rows[2]));
        assert_eq!(judge("61%", "75%", "70%", by, day("2027-03-01"), &rows[..1]), Some(Judgement::Pending));
        assert_eq!(judge("61%", "75%", "70%", by, day("2027-03-02"), &rows[..1]), Some(Judgement::Unjudged));
        assert_eq!(judge("61%", "75%", "70%", by, None, &rows[..1]), Some(Judgement::Pending), "no calendar");
        assert_eq!(judge("61%", "75%", "70 a day", by, None, &rows), None);
        // However many readings refute it, the latest few are kept, in date order, the rest
        // counted; the first reading to reach it confirms it whatever the file's order.
        let mut text = String::from("date,promise,metric,value\n");
        for day in (1..=28).rev() {
            text.push_str(&format!("2027-03-{day:02},a,m,65%\n"));
        }
        let many = parse(&text).unwrap();
        let Some(Judgement::Refuted { count, latest }) = judge("61%", "75%", "70%", by, None, &many) else {
            panic!("refuted")
        };
        let dates: Vec<String> = latest.iter().map(|r| r.date.to_string()).collect();
        assert_eq!((count, dates), (28, vec!["2027-03-26".into(), "2027-03-27".into(), "2027-03-28".into()]));
        text.push_str("2027-03-20,a,m,71%\n2027-03-09,a,m,70%\n");
        let confirmed = parse(&text).unwrap();
        let judged = judge("61%", "75%", "70%", by, None, &confirmed);
        assert_eq!(judged.map(|j| j.readings()[0].date.to_string()), Some("2027-03-09".into()));
    }

    #[test]
    fn csv_round_trip_sorted_and_errors_by_row() {
        let text = "date,promise,metric,value,source\n2026-03-02,a,conversion,9%,\"GA, weekly\"\n2026-01-05,a,conversion,8%,\n";
        let rows = parse(text).unwrap();
        assert_eq!(rows[0].source, "GA, weekly");
        assert_eq!(rows[0].line, 2);
        let out = render(&rows);
        assert_eq!(out, "date,promise,metric,value,source\n2026-01-05,a,conversion,8%,\n2026-03-02,a,conversion,9%,\"GA, weekly\"\n");
        assert_eq!(parse(&out).unwrap().len(), 2);
        let bad = parse("date,promise,metric,value\n2026-13-01,a,m,1\n2026-01-01,,m,1\n").unwrap_err();
        assert_eq!(bad.iter().map(|e| (e.line, e.column)).collect::<Vec<_>>(), [(2, "date"), (3, "promise")]);
    }

    #[test]
    fn other_columns_are_kept_in_place_and_new_rows_are_empty_there() {
        let text = "Date,notes,promise,metric,value\n2026-01-05,\"first, v2\",a,m,1\n";
        let mut table = parse_table(text).unwrap();
        assert_eq!(
            (table.extra.clone(), table.rows[0].extra.clone()),
            (vec!["notes".to_string()], vec!["first, v2".to_string()])
        );
        let import =
            parse_table("date,promise,metric,value,owner\n2026-01-06,a,m,2,ada\n2026-01-05,a,m,1,bob\n").unwrap();
        let (added, skipped) = table.merge(import.rows, &import.extra);
        assert_eq!((added.len(), skipped), (1, 1), "the second row is recorded already");
        assert_eq!(
            render_table(&table),
            "date,notes,promise,metric,value,source,owner\n2026-01-05,\"first, v2\",a,m,1,,\n2026-01-06,,a,m,2,,ada\n"
        );
        let again = parse_table(&render_table(&table)).unwrap();
        let extras = |t: &Table| t.rows.iter().map(|r| r.extra.clone()).collect::<Vec<_>>();
        assert_eq!((&again.extra, extras(&again)), (&table.extra, extras(&table)), "read back as written");
        assert_eq!(render(&table.rows), "date,promise,metric,value,source\n2026-01-05,a,m,1,\n2026-01-06,a,m,2,\n");
    }

    /// Issue 23: duplicates were found by comparing each reading with every one before it, so
    /// 230,000 rows took minutes. One hash look-up each: 200,000 readings, then all of them again
    /// (skipped) and one more, in about two seconds of CPU in a debug build (hours before).
    #[test]
    fn merging_is_one_look_up_per_reading() {
        let date: Date = "2026-01-05".parse().unwrap();
        let reading = |i: usize| Reading {
            line: 0,
            span: 0..0,
            date,
            promise: "a".into(),
            metric: "m".into(),
            value: i.to_string(),
            source: String::new(),
            extra: Vec::new(),
        };
        let mut table = Table::default();
        let (added, skipped) = table.merge((0..200_000).map(reading).collect(), &[]);
        assert_eq!((added.len(), skipped, table.rows.len()), (200_000, 0, 200_000));
        let (added, skipped) = table.merge((0..=200_000).map(reading).collect(), &[]);
        assert_eq!((added.len(), skipped, table.rows.len()), (1, 200_000, 200_001));
        let (added, skipped) = table.merge(vec![reading(7), reading(7)], &[]);
        assert_eq!((added.len(), skipped), (0, 2));
    }

    #[test]
    fn values_that_are_not_finite_numbers() {
        for v in ["inf", "-inf", "NaN%", "€NaN", "Infinity a day", "nan"] {
            assert!(not_finite(v).is_some_and(|m| m.contains("is not a finite number")), "{v}");
        }
        let huge = format!("{}%", "9".repeat(400));
        assert!(not_finite(&huge).is_some_and(|m| m.contains("too large")), "{huge}");
        assert_eq!(quantity(&huge), None, "infinity is no quantity");
        for v in ["8%", "1,000 a day", "information", "fewer", "9".repeat(300).as_str(), "-3"] {
            assert_eq!(not_finite(v), None, "{v}");
        }
        let tiny = format!("0.{}1", "0".repeat(306));
        assert_eq!(progress("0", &tiny, &"9".repeat(300)), None, "a progress too large to show");
    }
}
