//! GitHub's JSON: the webhook event a workflow runs for (`GITHUB_EVENT_PATH`), and issues
//! exported with `gh issue view --json` / `gh issue list --json`.
//!
//! Only the fields plan-lint needs are read, leniently: GitHub adds fields all the time, and an
//! event that lacks one plan-lint needs is a clear error, not a panic. What to check is decided
//! here, as data ([`Plan`]); `plan-lint ci` carries it out.

use crate::error::{Error, Result};
use serde_json::Value;

/// An issue or pull request as a tracker shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    pub number: Option<u64>,
    pub title: String,
    pub body: String,
    pub open: bool,
    pub url: Option<String>,
}

impl Ticket {
    fn from_json(v: &Value) -> Option<Ticket> {
        let obj = v.as_object()?;
        // `gh` exports `state: "OPEN"`; webhooks `"open"`.
        let open = obj.get("state").and_then(Value::as_str).is_none_or(|s| s.eq_ignore_ascii_case("open"));
        Some(Ticket {
            number: obj.get("number").and_then(Value::as_u64),
            title: obj.get("title").and_then(Value::as_str).unwrap_or_default().to_string(),
            // A webhook sends `null` for an empty body.
            body: obj.get("body").and_then(Value::as_str).unwrap_or_default().to_string(),
            open,
            url: obj.get("html_url").or_else(|| obj.get("url")).and_then(Value::as_str).map(str::to_string),
        })
    }

    /// `issue #12`, or `issue` when the number is unknown.
    pub fn what(&self, kind: &str) -> String {
        // GitLab writes merge requests `!12`.
        let sign = if kind == "merge request" { '!' } else { '#' };
        match self.number {
            Some(n) => format!("{kind} {sign}{n}"),
            None => kind.to_string(),
        }
    }
}

/// Issues given to `check --issue`: a `gh` JSON export (one object with a `body`, or an array of
/// them), else the text itself is the body.
pub fn tickets_from_export(text: &str) -> Vec<Ticket> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Object(o)) if o.contains_key("body") => {
                return Ticket::from_json(&Value::Object(o)).into_iter().collect();
            }
            Ok(Value::Array(items)) if items.iter().all(|i| i.get("body").is_some()) && !items.is_empty() => {
                return items.iter().filter_map(Ticket::from_json).collect();
            }
            _ => {}
        }
    }
    vec![Ticket { number: None, title: String::new(), body: text.to_string(), open: true, url: None }]
}

/// A git revision range to check, as `base..head` (base excluded with its ancestry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Commits {
    /// `base..head`.
    Range { base: String, head: String },
    /// `head`'s commits that are not on the default branch (a new branch, or a forced push over
    /// a tip this clone lacks): `origin/<default>..head`.
    NewOn { head: String },
    /// Nothing to check (a deleted branch).
    Nothing,
    /// The current branch as `check` sees it.
    Branch,
}

/// What a run checks, decided from the event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The event's name, for messages.
    pub event: String,
    pub commits: Commits,
    /// Whether the registry and plan documents are checked (not for an issue event).
    pub files: bool,
    pub pull_request: Option<Ticket>,
    pub issue: Option<Ticket>,
    /// The repository's default branch, when the event says.
    pub default_branch: Option<String>,
    /// How to get the full history on this CI system, for the help when a commit is missing.
    pub fix: &'static str,
    /// Something the run could not check, for the log.
    pub note: Option<String>,
}

/// The help for a clone that lacks history, on GitHub Actions.
pub const GITHUB_FIX: &str = "actions/checkout with `fetch-depth: 0`";
/// The same on GitLab CI.
pub const GITLAB_FIX: &str = "set `GIT_DEPTH: 0` in the job's `variables`";

/// Decide what to check from GitLab CI's predefined variables (`GITLAB_CI=true`): a merge
/// request pipeline checks `CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA` and the description
/// as a pull request body; a push pipeline `CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA` (all zeros: a
/// new branch, what the default branch lacks); anything else the branch, as `check`.
pub fn gitlab_plan(var: &dyn Fn(&str) -> Option<String>) -> Result<Plan> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty());
    let source = var("CI_PIPELINE_SOURCE").unwrap_or_default();
    let head = var("CI_COMMIT_SHA").ok_or_else(|| {
        Error::new("CI_COMMIT_SHA is not set: this does not look like a GitLab CI job")
            .with_help("outside GitLab CI, pass --base (and --head)")
    })?;
    let mut plan = Plan {
        event: source.clone(),
        commits: Commits::Branch,
        files: true,
        pull_request: None,
        issue: None,
        default_branch: var("CI_DEFAULT_BRANCH"),
        fix: GITLAB_FIX,
        note: None,
    };
    if let Some(base) = var("CI_MERGE_REQUEST_DIFF_BASE_SHA") {
        plan.event = "merge request".into();
        plan.commits = Commits::Range { base, head };
        let iid = var("CI_MERGE_REQUEST_IID").and_then(|n| n.parse().ok());
        let url = match (var("CI_MERGE_REQUEST_PROJECT_URL"), iid) {
            (Some(project), Some(n)) => Some(format!("{project}/-/merge_requests/{n}")),
            _ => None,
        };
        // GitLab cuts long descriptions in this variable; the trailer block at the end is what
        // gets cut, so a cut description is not judged (and the run says so).
        if var("CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED").is_some_and(|t| t == "true") {
            plan.event = "merge request".into();
            plan.note = Some(
                "the merge request's description was cut short by GitLab (CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED), so its Promise trailer was not checked".into(),
            );
        } else {
            plan.pull_request = Some(Ticket {
                number: iid,
                title: var("CI_MERGE_REQUEST_TITLE").unwrap_or_default(),
                body: var("CI_MERGE_REQUEST_DESCRIPTION").unwrap_or_default(),
                open: true,
                url,
            });
        }
    } else if source == "push" {
        plan.event = "push".into();
        plan.commits = match var("CI_COMMIT_BEFORE_SHA") {
            Some(before) if before.bytes().any(|b| b != b'0') => Commits::Range { base: before, head },
            _ => Commits::NewOn { head },
        };
    }
    Ok(plan)
}

/// Decide what to check from a GitHub event (`GITHUB_EVENT_NAME`, the JSON at
/// `GITHUB_EVENT_PATH`).
pub fn plan(name: &str, payload: &Value) -> Result<Plan> {
    let str_at = |path: &[&str]| -> Option<String> {
        let mut v = payload;
        for key in path {
            v = v.get(key)?;
        }
        v.as_str().map(str::to_string)
    };
    let need = |path: &[&str]| -> Result<String> {
        str_at(path).ok_or_else(|| {
            Error::new(format!("the `{name}` event has no `{}`", path.join(".")))
                .with_help("is GITHUB_EVENT_PATH the event this workflow runs for?")
        })
    };
    let mut plan = Plan {
        event: name.to_string(),
        commits: Commits::Branch,
        files: true,
        pull_request: None,
        issue: None,
        default_branch: str_at(&["repository", "default_branch"]),
        fix: GITHUB_FIX,
        note: None,
    };
    match name {
        // The PR's own commits: never the test merge commit GitHub checks out by default.
        "pull_request" | "pull_request_target" => {
            let pr = payload
                .get("pull_request")
                .ok_or_else(|| Error::new(format!("the `{name}` event has no pull_request")))?;
            plan.commits = Commits::Range {
                base: need(&["pull_request", "base", "sha"])?,
                head: need(&["pull_request", "head", "sha"])?,
            };
            plan.pull_request = Ticket::from_json(pr);
        }
        "push" => {
            let deleted = payload.get("deleted").and_then(Value::as_bool).unwrap_or(false);
            let after = need(&["after"])?;
            let before = str_at(&["before"]).unwrap_or_default();
            plan.commits = if deleted || is_zero(&after) {
                Commits::Nothing
            } else if before.is_empty() || is_zero(&before) {
                Commits::NewOn { head: after }
            } else {
                // A forced push whose old tip this clone no longer has falls back to NewOn when
                // the range is resolved (see `plan-lint ci`).
                Commits::Range { base: before, head: after }
            };
        }
        "merge_group" => {
            plan.commits =
                Commits::Range { base: need(&["merge_group", "base_sha"])?, head: need(&["merge_group", "head_sha"])? };
        }
        "issues" => {
            let issue = payload.get("issue").ok_or_else(|| Error::new("the `issues` event has no issue"))?;
            plan.commits = Commits::Nothing;
            plan.files = false;
            plan.issue = Ticket::from_json(issue);
        }
        // workflow_dispatch, schedule, release, …: the checked-out branch, as `check` does.
        _ => {}
    }
    Ok(plan)
}

/// An all-zero object id: git's "no commit" in push events.
fn is_zero(sha: &str) -> bool {
    !sha.is_empty() && sha.bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pull_request_checks_its_own_commits_and_body() {
        let ev = json!({"action": "opened", "pull_request": {"number": 7, "title": "T", "body": null, "state": "open",
            "base": {"sha": "aaa"}, "head": {"sha": "bbb"}}});
        let p = plan("pull_request", &ev).unwrap();
        assert_eq!(p.commits, Commits::Range { base: "aaa".into(), head: "bbb".into() });
        let pr = p.pull_request.unwrap();
        assert_eq!((pr.number, pr.body.as_str(), pr.what("pull request")), (Some(7), "", "pull request #7".into()));
        assert!(plan("pull_request", &json!({})).is_err());
    }

    #[test]
    fn push_new_branch_deleted_and_update() {
        let z = "0000000000000000000000000000000000000000";
        let new = plan("push", &json!({"before": z, "after": "b", "repository": {"default_branch": "main"}})).unwrap();
        assert_eq!(new.commits, Commits::NewOn { head: "b".into() });
        assert_eq!(new.default_branch.as_deref(), Some("main"));
        let del = plan("push", &json!({"before": "a", "after": z, "deleted": true})).unwrap();
        assert_eq!(del.commits, Commits::Nothing);
        let upd = plan("push", &json!({"before": "a", "after": "b"})).unwrap();
        assert_eq!(upd.commits, Commits::Range { base: "a".into(), head: "b".into() });
    }

    #[test]
    fn issues_and_exports() {
        let p =
            plan("issues", &json!({"action": "edited", "issue": {"number": 3, "body": "x", "state": "open"}})).unwrap();
        assert_eq!((p.commits, p.files, p.issue.unwrap().number), (Commits::Nothing, false, Some(3)));
        assert_eq!(plan("workflow_dispatch", &json!({})).unwrap().commits, Commits::Branch);

        let one = tickets_from_export(r#"{"body": "Promise: a", "number": 4, "state": "CLOSED"}"#);
        assert_eq!((one[0].number, one[0].open), (Some(4), false));
        assert_eq!(tickets_from_export(r#"[{"body": "a"}, {"body": "b"}]"#).len(), 2);
        let text = tickets_from_export("{not json}\n\nPromise: x");
        assert_eq!(text[0].body, "{not json}\n\nPromise: x");
        assert_eq!(tickets_from_export(r#"{"title": "no body"}"#)[0].body, r#"{"title": "no body"}"#);
    }
}
