#!/usr/bin/env node
// Lays out the npm package holding plan-lint's binary for one platform, ready for `npm pack` or
// `npm publish`: node npm/platform.js RUST_TARGET BINARY OUT_DIR. The version is the launcher's
// (npm/plan-lint/package.json), so the launcher's optional dependencies always match.
"use strict";

const fs = require("fs");
const path = require("path");

// Rust target -> npm package, and the `os`, `cpu` and `libc` npm selects it by.
const TARGETS = {
  "aarch64-apple-darwin": { name: "cli-darwin-arm64", os: "darwin", cpu: "arm64" },
  "x86_64-apple-darwin": { name: "cli-darwin-x64", os: "darwin", cpu: "x64" },
  "aarch64-unknown-linux-gnu": { name: "cli-linux-arm64", os: "linux", cpu: "arm64", libc: "glibc" },
  "x86_64-unknown-linux-gnu": { name: "cli-linux-x64", os: "linux", cpu: "x64", libc: "glibc" },
  "x86_64-pc-windows-msvc": { name: "cli-win32-x64", os: "win32", cpu: "x64" },
};

const [target, binary, out] = process.argv.slice(2);
const platform = TARGETS[target];
if (!platform || !binary || !out) {
  process.stderr.write(`usage: node npm/platform.js TARGET BINARY OUT_DIR (TARGET one of ${Object.keys(TARGETS).join(", ")})\n`);
  process.exit(2);
}
const launcher = JSON.parse(fs.readFileSync(path.join(__dirname, "plan-lint", "package.json"), "utf8"));
const exe = platform.os === "win32" ? "plan-lint.exe" : "plan-lint";
const manifest = {
  name: `@plan-lint/${platform.name}`,
  version: launcher.version,
  description: `plan-lint's binary for ${target} (installed by the plan-lint package)`,
  homepage: launcher.homepage,
  repository: launcher.repository,
  license: launcher.license,
  os: [platform.os],
  cpu: [platform.cpu],
  ...(platform.libc ? { libc: [platform.libc] } : {}),
  files: [`bin/${exe}`],
  preferUnplugged: true,
};
fs.mkdirSync(path.join(out, "bin"), { recursive: true });
fs.copyFileSync(binary, path.join(out, "bin", exe));
fs.chmodSync(path.join(out, "bin", exe), 0o755);
fs.writeFileSync(path.join(out, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
fs.writeFileSync(
  path.join(out, "README.md"),
  `# ${manifest.name}\n\nplan-lint's binary for ${target}. Install [plan-lint](https://www.npmjs.com/package/plan-lint) instead: it picks this package on this platform.\n`,
);
process.stdout.write(`${out}\n`);
