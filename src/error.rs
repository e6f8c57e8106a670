//! Why a run could not happen (exit 2): usage, configuration, I/O, git.
//!
//! Findings are data, not errors: a run that finds problems succeeded. An [`Error`] is for the
//! other case, and it carries a snippet when it can, so a broken registry shows the exact key or
//! value (line and column) and what to write instead.

use crate::source::{Label, Source};
use std::fmt;
use std::sync::Arc;

/// Why plan-lint could not run (exit 2): a message, help, and where in a source, with any
/// further errors found in the same pass.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Error {
    /// One line.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The source and the label pointing at the problem.
    pub snippet: Option<Box<(Source, Label)>>,
    /// Further problems found in the same pass (every registry error at once, not one per run).
    pub related: Vec<Error>,
    /// The underlying error (I/O, git), for [`std::error::Error::source`]. The message already
    /// says what it says, for people; programs can walk the chain.
    cause: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Error {
        Error { message: message.into(), help: None, snippet: None, related: Vec::new(), cause: None }
    }

    /// Add what to do about it.
    pub fn with_help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }

    /// Point at a span of a source.
    pub fn at(mut self, source: &Source, label: Label) -> Error {
        self.snippet = Some(Box::new((source.clone(), label)));
        self
    }

    /// One error standing for many: the first, with the rest as related.
    pub fn many(mut errors: Vec<Error>) -> Option<Error> {
        if errors.is_empty() {
            return None;
        }
        let mut first = errors.remove(0);
        first.related.extend(errors);
        Some(first)
    }

    /// An I/O error while doing `what`, keeping the cause.
    pub fn io(what: impl fmt::Display, err: &std::io::Error) -> Error {
        let cause = std::io::Error::new(err.kind(), err.to_string());
        Error { cause: Some(Arc::new(cause)), ..Error::new(format!("{what}: {err}")) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl Error {
    /// Keep `cause` as the underlying error.
    pub(crate) fn caused_by(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.cause = Some(Arc::new(cause));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn the_cause_is_kept_as_the_source() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = Error::io("could not read promises.toml", &io);
        assert_eq!(e.to_string(), "could not read promises.toml: gone");
        let source = e.source().expect("a source");
        assert_eq!(source.to_string(), "gone");
        assert!(Error::new("plain").source().is_none());
    }
}
