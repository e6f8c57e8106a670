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
    Some((v.number - b.number) / (t.number - b.number))
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
}

/// Why a row could not be read: 1-based line, column name, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub column: &'static str,
    pub message: String,
}

/// Read CSV text with the [`HEADER`] columns (any order, extra columns ignored): every row, or
/// every problem (a row is never half read).
pub fn parse(text: &str) -> Result<Vec<Reading>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![RowError { line: 1, column: "date", message: format!("not CSV: {e}") }]),
    };
    let index = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let mut columns = [0usize; 5];
    let mut errors = Vec::new();
    for (i, name) in HEADER.iter().enumerate() {
        match index(name) {
            Some(c) => columns[i] = c,
            None if *name == "source" => columns[i] = usize::MAX,
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
    let mut rows = Vec::new();
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
        let field = |i: usize| record.get(columns[i]).unwrap_or("").trim().to_string();
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
        rows.push(Reading { line, span, date, promise, metric, value, source: field(4) });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The file's text: the header, then every reading sorted by date (stable: readings of one
/// day keep their order), quoted only where CSV needs it.
pub fn render(readings: &[Reading]) -> String {
    let mut sorted: Vec<&Reading> = readings.iter().collect();
    sorted.sort_by_key(|r| r.date);
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let _ = w.write_record(HEADER);
    for r in sorted {
        let date = r.date.to_string();
        let _ = w.write_record([date.as_str(), &r.promise, &r.metric, &r.value, &r.source]);
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
}
