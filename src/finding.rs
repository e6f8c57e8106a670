//! A finding: what a rule says about one place. Data, not an error: a run that finds problems
//! still succeeded, and only the reporters and the exit code care how bad it is.

use crate::code::Code;
pub use crate::code::Severity;
use crate::source::{Label, SourceId};
use std::sync::Arc;

/// What one rule says about one place. Read through its methods: only rules make findings, and
/// only the engine sets the severity, from the levels in force (once).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Finding {
    /// The rule's code.
    pub(crate) code: Code,
    /// Set where findings are collected, from the levels in force.
    pub(crate) severity: Severity,
    /// One line.
    pub(crate) message: String,
    /// What to do about it.
    pub(crate) help: Option<Arc<str>>,
    /// The text the labels point into (a file, a commit message, a body).
    pub(crate) source: Option<SourceId>,
    /// The first label is the primary location.
    pub(crate) labels: Vec<Label>,
    /// The full commit id, when the finding is about a commit.
    pub(crate) commit: Option<String>,
    /// The promise ids the finding is about.
    pub(crate) promises: Vec<String>,
    /// The scope it belongs to (a listed member's folder); `None` for the root scope.
    pub(crate) scope: Option<std::sync::Arc<str>>,
}

/// What another program reads of a finding (the builders below are the rules').
impl Finding {
    /// The rule's code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// How bad it is, from the levels in force (an allowed code is never reported).
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// One line.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do about it, if the rule says.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// The labels in its source ([`crate::Checked::source`]); the first is the primary location
    /// ([`crate::Checked::position`]).
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// The full commit id, when the finding is about a commit.
    pub fn commit_id(&self) -> Option<&str> {
        self.commit.as_deref()
    }

    /// The promise ids the finding is about.
    pub fn promise_ids(&self) -> &[String] {
        &self.promises
    }

    /// The scope it belongs to (a listed member's folder, `teams/search`); `None` for the root.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
}

impl Finding {
    /// A finding of `code` with this message (severity set later, where levels apply).
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: Severity::Error,
            message: message.into(),
            help: None,
            source: None,
            labels: Vec::new(),
            commit: None,
            promises: Vec::new(),
            scope: None,
        }
    }

    /// Point at a span of a source.
    pub(crate) fn at(mut self, source: SourceId, label: Label) -> Finding {
        self.source = Some(source);
        self.labels.push(label);
        self
    }

    /// Add a label in the finding's source.
    pub(crate) fn label(mut self, label: Label) -> Finding {
        self.labels.push(label);
        self
    }

    /// Add what to do about it.
    pub(crate) fn help(mut self, help: impl Into<Arc<str>>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// The commit the finding is about.
    #[allow(dead_code)] // the rules' builder, beside `commit_opt`; none calls it today
    pub(crate) fn commit(mut self, sha: &str) -> Finding {
        self.commit = Some(sha.to_string());
        self
    }

    /// The commit the finding is about, if any.
    pub(crate) fn commit_opt(mut self, sha: Option<&str>) -> Finding {
        self.commit = sha.map(str::to_string);
        self
    }

    /// The promise ids the finding is about.
    pub(crate) fn promises<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Finding {
        self.promises.extend(ids.into_iter().map(Into::into));
        self
    }
}
