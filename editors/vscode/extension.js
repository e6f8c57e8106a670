// The whole extension: start `plan-lint lsp` for Markdown, TOML and commit messages. Every
// feature (diagnostics, completion, hover, definition, references, rename, symbols, quick
// fixes) comes from the server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("plan-lint").get("path") || "plan-lint";
  client = new LanguageClient(
    "plan-lint",
    "plan-lint",
    { command, args: ["lsp"] },
    {
      documentSelector: [
        { scheme: "file", language: "markdown" },
        { scheme: "file", language: "toml" },
        { scheme: "file", pattern: "**/promises.toml" },
        { scheme: "file", language: "git-commit" },
      ],
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
