//! `plan-lint rules` and `plan-lint explain CODE`, from the declarations in [`crate::rules`].

use crate::code::Code;
use crate::error::Result;
use crate::rules::{rule, RULES};
use std::process::ExitCode;

pub fn list() -> Result<ExitCode> {
    let width = RULES.iter().map(|r| r.code.name().len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in RULES {
        out.push_str(&format!("{:width$}  {:5}  {}\n", r.code.name(), r.default.as_str(), r.summary));
    }
    for (alias, codes) in Code::aliases() {
        let codes: Vec<&str> = codes.iter().map(|c| c.name()).collect();
        out.push_str(&format!("\n`{alias}` in [rules] and --allow/--warn/--deny sets {}.\n", codes.join(" and ")));
    }
    super::emit(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

pub fn explain(name: &str) -> Result<ExitCode> {
    let codes = Code::resolve(name).ok_or_else(|| super::check::unknown_code(name))?;
    let mut text = String::new();
    for code in codes {
        let r = rule(code);
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!("{} (default: {})\n\n{}\n\n{}\n", code, r.default.as_str(), r.summary, r.doc));
    }
    super::emit(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
