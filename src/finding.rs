//! A finding: what a rule says about one place. Data, not an error: a run that finds problems
//! still succeeded, and only the reporters and the exit code care how bad it is.

use crate::code::Code;
pub use crate::code::Severity;
use crate::source::{Label, SourceId};
use std::sync::Arc;

/// What one rule says about one place.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule's code.
    pub code: Code,
    /// Set where findings are collected, from the levels in force.
    pub severity: Severity,
    /// One line.
    pub message: String,
    /// What to do about it.
    pub help: Option<Arc<str>>,
    /// The text the labels point into (a file, a commit message, a body).
    pub source: Option<SourceId>,
    /// The first label is the primary location.
    pub labels: Vec<Label>,
    /// The full commit id, when the finding is about a commit.
    pub commit: Option<String>,
    /// The promise ids the finding is about.
    pub promises: Vec<String>,
}

impl Finding {
    /// A finding of `code` with this message (severity set later, where levels apply).
    pub fn new(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: Severity::Error,
            message: message.into(),
            help: None,
            source: None,
            labels: Vec::new(),
            commit: None,
            promises: Vec::new(),
        }
    }

    /// Point at a span of a source.
    pub fn at(mut self, source: SourceId, label: Label) -> Finding {
        self.source = Some(source);
        self.labels.push(label);
        self
    }

    /// Add a label in the finding's source.
    pub fn label(mut self, label: Label) -> Finding {
        self.labels.push(label);
        self
    }

    /// Add what to do about it.
    pub fn help(mut self, help: impl Into<Arc<str>>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// The commit the finding is about.
    pub fn commit(mut self, sha: &str) -> Finding {
        self.commit = Some(sha.to_string());
        self
    }

    /// The commit the finding is about, if any.
    pub fn commit_opt(mut self, sha: Option<&str>) -> Finding {
        self.commit = sha.map(str::to_string);
        self
    }

    /// The promise ids the finding is about.
    pub fn promises<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Finding {
        self.promises.extend(ids.into_iter().map(Into::into));
        self
    }
}
