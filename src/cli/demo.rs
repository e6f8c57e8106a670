//! `plan-lint demo` (placeholder until the fixture lands in the next step).
use super::Ctx;
use crate::error::Result;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_ctx: &Ctx, _args: Args) -> Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
