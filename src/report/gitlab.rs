//! `--format gitlab`: a GitLab Code Quality report (`artifacts: reports: codequality:`), the JSON
//! array GitLab's merge request widget and diff annotations read: `description`, `check_name`,
//! `fingerprint` (stable across runs), `severity`, `location.path` and `location.lines.begin`.
//! Findings about commits and bodies are placed as SARIF places them, on the registry's first
//! line, naming the commit. Errors are `major`, warnings `minor`. Valid against the schema
//! GitLab's own parser validates with (`tests/schemas/gitlab-codeclimate.json`).

use crate::facts::Facts;
use crate::finding::{Finding, Severity};
use serde_json::{json, Value};

/// Write the report, streaming the entries.
pub fn write<'a>(out: &mut dyn std::io::Write, facts: &'a Facts, findings: &'a [Finding]) -> std::io::Result<()> {
    let each = |f: &'a Finding| -> Value {
        let placed = super::place(facts, f);
        let mut description = f.message.clone();
        if let Some(about) = &placed.about {
            description = format!("{description} ({about})");
        }
        let begin = placed.region.map_or(1, |(line, ..)| line);
        let end = placed.region.map_or(1, |(_, _, end_line, _)| end_line);
        json!({
            "type": "issue",
            "description": description,
            "check_name": f.code.name(),
            "fingerprint": super::fingerprint(f, &placed.path),
            "severity": match f.severity { Severity::Error => "major", Severity::Warning => "minor" },
            "categories": ["Style"],
            "location": { "path": placed.path, "lines": { "begin": begin, "end": end } },
        })
    };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &super::Stream::new(findings, &each)).map_err(std::io::Error::from)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)
}
