//! `--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
//!
//! One rule per code, with its summary and full documentation; one result per finding. Code
//! scanning rejects a result without a physical location, and a commit or tracker body is not a
//! file: such findings are placed on the first line of the registry (the contract they break),
//! and name the commit in the message and in `properties.commit`. Results carry a
//! `partialFingerprints` entry (code, place and message, hashed) so alerts stay one alert across
//! runs. Valid against the official schema; `tests/it/ci.rs` checks it with a real validator.
//!
//! With a baseline, every result has a `baselineState`: `new`; `unchanged` for a finding the
//! baseline records (with an external suppression, so viewers do not show it as a problem); and
//! `absent`, a note, for each baseline entry that matched nothing.

use crate::code::Level;
use crate::facts::Facts;
use crate::finding::{Finding, Severity};
use crate::rules::RULES;
use serde_json::{json, Value};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Write the SARIF log, streaming the results.
pub fn write<'a>(out: &mut dyn std::io::Write, facts: &'a Facts, findings: &'a [Finding]) -> std::io::Result<()> {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code.name(),
                "name": pascal(r.code.name()),
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.doc },
                "defaultConfiguration": { "level": level(r.default) },
                "properties": { "tags": ["plan-lint"] }
            })
        })
        .collect();
    let each = |f: &'a Finding, state: Option<&str>| -> Value {
        {
            let index = RULES.iter().position(|r| r.code == f.code).unwrap_or(0);
            let mut text = f.message.clone();
            let mut properties = serde_json::Map::new();
            let placed = super::place(facts, f);
            let region = match placed.region {
                Some((line, col, end_line, end_col)) => {
                    json!({ "startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col })
                }
                None => json!({ "startLine": 1 }),
            };
            if let Some(about) = &placed.about {
                text = format!("{text} ({about})");
            }
            let path = placed.path;
            if let Some(sha) = &f.commit {
                properties.insert("commit".into(), json!(sha));
            }
            if !f.promises.is_empty() {
                properties.insert("promises".into(), json!(f.promises));
            }
            if let Some(help) = &f.help {
                text = format!("{text}\nhelp: {help}");
            }
            let fingerprint = super::fingerprint(f, &path);
            let mut result = json!({
                "ruleId": f.code.name(),
                "ruleIndex": index,
                "level": match f.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&path), "uriBaseId": "%SRCROOT%" },
                        "region": region
                    }
                }],
                "partialFingerprints": { "planLint/v1": fingerprint }
            });
            if !properties.is_empty() {
                result["properties"] = Value::Object(properties);
            }
            if let Some(state) = state {
                result["baselineState"] = json!(state);
            }
            if state == Some("unchanged") {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!("recorded in {}", crate::baseline::FILE_NAME)
                }]);
            }
            result
        }
    };
    let absent = |key: &crate::baseline::Key, count: usize| -> Value {
        use crate::baseline::Place;
        use crate::source::SourceKind;
        // A file's entry on the file's first line; a commit's on the registry's, as `place` does.
        let path = match (&key.place, &facts.sources.get(facts.registry_source).kind) {
            (Place::File { path, .. }, _) | (_, SourceKind::File { path }) => path.clone(),
            _ => crate::registry::FILE_NAME.to_string(),
        };
        let times = if count > 1 { format!(" ({count} times)") } else { String::new() };
        json!({
            "ruleId": key.code.name(),
            "ruleIndex": RULES.iter().position(|r| r.code == key.code).unwrap_or(0),
            "level": "note",
            "message": { "text": format!(
                "recorded in {} but no longer found{times}: {}\nhelp: `plan-lint baseline --update` drops it",
                crate::baseline::FILE_NAME,
                key.describe()
            ) },
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(&path), "uriBaseId": "%SRCROOT%" },
                    "region": { "startLine": 1 }
                }
            }],
            "partialFingerprints": { "planLint/v1": format!("{:016x}", super::fnv1a(&format!("absent\0{key:?}"))) },
            "baselineState": "absent"
        })
    };
    let results = Results { facts, findings, each: &each, absent: &absent };
    let tool = json!({ "driver": {
        "name": "plan-lint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "informationUri": "https://github.com/plan-lint/plan-lint",
        "rules": rules
    }});
    // Keys in the order serde_json gives a map (sorted), as before streaming.
    #[derive(serde::Serialize)]
    struct Log<'s, 'a> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        runs: [Run<'s, 'a>; 1],
        version: &'static str,
    }
    #[derive(serde::Serialize)]
    struct Run<'s, 'a> {
        #[serde(rename = "columnKind")]
        column_kind: &'static str,
        results: Results<'s, 'a>,
        tool: Value,
    }
    let log = Log { schema: SCHEMA, runs: [Run { column_kind: "unicodeCodePoints", results, tool }], version: "2.1.0" };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &log).map_err(std::io::Error::from)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)
}

/// The results, streamed: the findings, then (with a baseline) those it absorbed and its
/// entries that matched nothing.
struct Results<'s, 'a> {
    facts: &'a Facts,
    findings: &'a [Finding],
    each: &'s dyn Fn(&'a Finding, Option<&str>) -> Value,
    absent: &'s dyn Fn(&crate::baseline::Key, usize) -> Value,
}

impl serde::Serialize for Results<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let baseline = self.facts.baseline.as_ref();
        let new = self.findings.iter().map(|f| (self.each)(f, baseline.map(|_| "new")));
        let unchanged = baseline.into_iter().flat_map(|b| &b.baselined).map(|f| (self.each)(f, Some("unchanged")));
        let absent = baseline.into_iter().flat_map(|b| &b.absent).map(|(k, n)| (self.absent)(k, *n));
        s.collect_seq(new.chain(unchanged).chain(absent))
    }
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "none",
    }
}

/// `unknown-promise` -> `UnknownPromise` (SARIF's rule `name` is an identifier).
fn pascal(name: &str) -> String {
    name.split('-').map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect()
}

/// A relative path as a URI reference.
fn uri(path: &str) -> String {
    crate::escape::uri_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal("too-many-in-play"), "TooManyInPlay");
        assert_eq!(uri("plans/q3 roadmap#1.md"), "plans/q3%20roadmap%231.md");
        assert_eq!(uri("é.md"), "%C3%A9.md");
        assert_ne!(super::super::fnv1a("a"), super::super::fnv1a("b"));
    }
}
