//! Which external reference tools this machine has, printed in `cargo test`'s own output (this
//! binary has no harness, so nothing captures it). A test whose tool is missing skips that
//! check and says so; this makes the skips visible in one place. Under `.ci/run`, which sets
//! every `PLAN_LINT_REQUIRE_*` variable, a missing tool fails here too.

#[path = "it/support/mod.rs"]
mod support;

fn main() {
    let mut missing = Vec::new();
    for &(name, _, var, install) in support::TOOLS {
        let required = std::env::var_os(var).is_some();
        // tool_available panics when a required tool is missing: report it as a failure here.
        let found = std::panic::catch_unwind(|| support::tool_available(name, var)).unwrap_or(false);
        println!("tool {name:<18} {}", if found { "installed" } else { "MISSING" });
        if !found {
            missing.push((name, install, required));
        }
    }
    if missing.is_empty() {
        println!("\ntools: all {} reference tools installed; no check was skipped\n", support::TOOLS.len());
        return;
    }
    let names: Vec<&str> = missing.iter().map(|m| m.0).collect();
    println!(
        "\ntools: {} of {} MISSING ({}): the checks that need them were SKIPPED; .ci/run installs them\n",
        missing.len(),
        support::TOOLS.len(),
        names.join(", ")
    );
    for (name, install, _) in &missing {
        println!("  {name}: {install}");
    }
    if missing.iter().any(|m| m.2) {
        eprintln!("a required tool is missing");
        std::process::exit(1);
    }
}
