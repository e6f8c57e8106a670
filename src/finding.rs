//! A finding: what a rule says about one place. Data, not an error: a run that finds problems
//! still succeeded, and only the reporters and the exit code care how bad it is.

use crate::rules::{Code, Level};
use crate::source::{Label, SourceId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub code: Code,
    /// The level that applies when the user set none for this code. Usually the rule's default;
    /// `not-in-play` is softer for plan items than for commits.
    pub default_level: Level,
    /// Set once levels are applied ([`crate::rules::Levels::apply`]).
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub source: Option<SourceId>,
    /// The first label is the primary location.
    pub labels: Vec<Label>,
    /// The full commit id, when the finding is about a commit.
    pub commit: Option<String>,
    /// The promise ids the finding is about.
    pub promises: Vec<String>,
}

impl Finding {
    pub fn new(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            default_level: code.rule().default,
            severity: Severity::Error,
            message: message.into(),
            help: None,
            source: None,
            labels: Vec::new(),
            commit: None,
            promises: Vec::new(),
        }
    }

    pub fn at(mut self, source: SourceId, label: Label) -> Finding {
        self.source = Some(source);
        self.labels.push(label);
        self
    }

    pub fn label(mut self, label: Label) -> Finding {
        self.labels.push(label);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn commit(mut self, sha: &str) -> Finding {
        self.commit = Some(sha.to_string());
        self
    }

    pub fn commit_opt(mut self, sha: Option<&str>) -> Finding {
        self.commit = sha.map(str::to_string);
        self
    }

    pub fn promises<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Finding {
        self.promises.extend(ids.into_iter().map(Into::into));
        self
    }

    pub fn default_level(mut self, level: Level) -> Finding {
        self.default_level = level;
        self
    }
}
