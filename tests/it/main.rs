//! The integration tests, one binary (as cargo and ripgrep keep theirs): each module is one
//! surface driven through the real binary and real tools; `support` holds what they share.
//! Three suites stay binaries of their own: `tests/scaling.rs`, whose time ratios need the cores
//! to themselves, `tests/memory.rs`, whose peak-memory bounds need a small parent process, and
//! `tests/tools.rs`, which prints past the harness (no capture).

mod support;

mod action;
mod adoption;
mod advice;
mod architecture;
mod baseline;
mod check;
mod ci;
mod commit_msg_git;
mod editor_neovim;
mod errors;
mod flow;
mod formats;
mod gfm_differential;
mod gitlab;
mod history_cache;
mod hooks;
mod hostile;
mod hypotheses;
mod idle;
mod impact_scopes;
mod index_git;
mod javascript;
mod lefthook;
mod lsp;
mod org_board;
mod org_fanout;
mod outcomes;
mod packaging;
mod pre_commit_framework;
mod properties;
mod readme_claims;
mod report;
mod scopes;
mod scopes_hostile;
mod server;
mod suggest;
mod trailers_cli;
mod trailers_git;
mod walk_git;
