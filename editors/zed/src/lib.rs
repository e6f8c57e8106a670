//! The whole Zed extension: start `plan-lint lsp` (from PATH) for Markdown, TOML and commit
//! messages. Every feature comes from the server.

use zed_extension_api as zed;

struct PlanLint;

impl zed::Extension for PlanLint {
    fn new() -> Self {
        PlanLint
    }

    fn language_server_command(
        &mut self,
        _id: &zed::LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<zed::Command> {
        let command = worktree
            .which("plan-lint")
            .ok_or_else(|| "plan-lint is not on PATH: install it (see its README) and restart Zed".to_string())?;
        Ok(zed::Command { command, args: vec!["lsp".into()], env: worktree.shell_env() })
    }
}

zed::register_extension!(PlanLint);
