//! plan-lint: a Git-native plan-as-code linter.
//!
//! A team keeps its customer promises in `promises.toml`, its plan in Markdown and the promise
//! behind each commit in a `Promise:` trailer. plan-lint cross-references the three and reports
//! every break of the practice (untraced work, work off the promises in play, too many promises
//! in play, promises with no measurable outcome) as a precise diagnostic.
//!
//! Data flows one way: [`facts::collect`] reads the registry, the plans and the commits;
//! [`rules::evaluate`] turns facts into [`finding::Finding`]s; a [`report`] prints them; the CLI
//! maps them to an exit code.

pub mod cache;
pub mod cli;
pub mod error;
pub mod escape;
pub mod event;
pub mod facts;
pub mod finding;
#[doc(hidden)]
pub mod fuzzing;
pub mod git;
pub mod glob;
pub mod history;
pub mod progress;
pub mod registry;
pub mod report;
pub mod rules;
pub mod scan;
pub mod schema;
pub mod source;
pub mod suggest;
pub mod tally;
pub mod when;
