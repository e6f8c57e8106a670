#!/usr/bin/env node
// plan-lint's launcher on npm, as biome and esbuild ship: the binary comes in one optional
// dependency per platform (npm installs only the one whose `os`, `cpu` and `libc` match), and this
// script runs it with the same arguments, standard streams and exit code.
"use strict";

const { spawnSync } = require("child_process");

const PLATFORMS = {
  "darwin arm64": "@plan-lint/cli-darwin-arm64",
  "darwin x64": "@plan-lint/cli-darwin-x64",
  "linux arm64": "@plan-lint/cli-linux-arm64",
  "linux x64": "@plan-lint/cli-linux-x64",
  "win32 x64": "@plan-lint/cli-win32-x64",
};

function fail(message) {
  process.stderr.write(`plan-lint: ${message}\n`);
  process.exit(2);
}

function binaryPath() {
  // A binary of one's own (a local build, an unusual platform) wins.
  if (process.env.PLAN_LINT_BINARY) {
    return process.env.PLAN_LINT_BINARY;
  }
  const platform = `${process.platform} ${process.arch}`;
  const pkg = PLATFORMS[platform];
  if (!pkg) {
    fail(
      `no prebuilt binary for ${platform}; install from source with ` +
        "`cargo install --locked plan-lint` and set PLAN_LINT_BINARY to its path",
    );
  }
  const exe = process.platform === "win32" ? "plan-lint.exe" : "plan-lint";
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch {
    fail(
      `the package ${pkg} holding the binary for ${platform} is not installed; ` +
        "reinstall without --omit=optional (or --no-optional)",
    );
  }
}

const binary = binaryPath();
const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
if (result.error) {
  fail(`could not run ${binary}: ${result.error.message}`);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status === null ? 2 : result.status);
