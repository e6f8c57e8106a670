//! `plan-lint rules` and `plan-lint explain CODE`, from the declarations in [`crate::rules`].

use crate::error::Result;
use crate::rules::{Code, RULES};
use std::process::ExitCode;

pub fn list() -> Result<ExitCode> {
    let width = RULES.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in RULES {
        out.push_str(&format!("{:width$}  {:5}  {}\n", r.name, r.default.as_str(), r.summary));
    }
    super::emit(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

pub fn explain(name: &str) -> Result<ExitCode> {
    let code = Code::from_name(name).ok_or_else(|| super::check::unknown_code(name))?;
    let r = code.rule();
    let text = format!("{} (default: {})\n\n{}\n\n{}\n", r.name, r.default.as_str(), r.summary, r.doc);
    super::emit(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
