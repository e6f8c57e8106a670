//! `--format junit`: JUnit XML for CI systems that show test reports (Jenkins, Azure Pipelines,
//! CircleCI, Buildkite, GitLab's `reports: junit`). A test suite per rule that found something, a
//! test case per finding, named by where it is; an error is a `<failure>`, a warning a passing
//! case with the finding in `<system-out>`. Valid against the JUnit schema Jenkins' xUnit plugin
//! publishes (`tests/schemas/junit-10.xsd`). Every piece of text is escaped for XML, and
//! characters XML 1.0 cannot carry at all become U+FFFD.

use crate::facts::Facts;
use crate::finding::{Finding, Severity};
use std::io::Write;

/// Text for an XML attribute or element: markup escaped, characters XML 1.0 forbids replaced,
/// and the controls no medium prints raw ([`crate::escape::stand_in`]).
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            // XML carries them, but CI pages show them to people: C1 and bidi controls as well.
            c => out.push(crate::escape::stand_in(c).unwrap_or(c)),
        }
    }
    out
}

/// Write the report: findings grouped into one suite per code, in the order codes first appear.
pub fn write(out: &mut dyn Write, facts: &Facts, findings: &[Finding]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    let mut codes: Vec<crate::code::Code> = Vec::new();
    for f in findings {
        if !codes.contains(&f.code) {
            codes.push(f.code);
        }
    }
    let failures = findings.iter().filter(|f| f.severity == Severity::Error).count();
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(out, "<testsuites name=\"plan-lint\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">", findings.len())?;
    for code in codes {
        let of_code = || findings.iter().filter(move |f| f.code == code);
        let failed = of_code().filter(|f| f.severity == Severity::Error).count();
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\">",
            code.name(),
            of_code().count()
        )?;
        for f in of_code() {
            let placed = super::place(facts, f);
            let at = match (placed.region, &placed.about) {
                (Some((line, col, ..)), _) => format!("{}:{line}:{col}", placed.path),
                (None, Some(about)) => about.clone(),
                (None, None) => placed.path.clone(),
            };
            let mut detail = format!("{}: {}", at, f.message);
            if let Some(help) = &f.help {
                detail.push_str(&format!("\nhelp: {help}"));
            }
            writeln!(out, "    <testcase name=\"{}\" classname=\"plan-lint.{}\">", xml(&at), code.name())?;
            match f.severity {
                Severity::Error => writeln!(
                    out,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    code.name(),
                    xml(&f.message),
                    xml(&detail)
                )?,
                Severity::Warning => writeln!(out, "      <system-out>warning: {}</system-out>", xml(&detail))?,
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("nul\0esc\u{1b}"), "nul\u{FFFD}esc\u{FFFD}");
        assert_eq!(xml("line\nnext"), "line&#10;next");
    }
}
