//! GitHub's JSON: the webhook event a workflow runs for (`GITHUB_EVENT_PATH`), and issues
//! exported with `gh issue view --json` / `gh issue list --json`.
//!
//! Only the fields plan-lint needs are read, leniently: GitHub adds fields all the time, and an
//! event that lacks one plan-lint needs is a clear error, not a panic. What to check is decided
//! here, as data ([`Plan`]); `plan-lint ci` carries it out.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
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

/// What a ticket is, for how findings name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketKind {
    PullRequest,
    /// GitLab's name for a pull request.
    MergeRequest,
    Issue,
}

impl TicketKind {
    pub fn label(self) -> &'static str {
        match self {
            TicketKind::PullRequest => "pull request",
            TicketKind::MergeRequest => "merge request",
            TicketKind::Issue => "issue",
        }
    }
}

/// A ticket's fields as GitHub's webhooks and `gh … --json` write them. Every field is optional
/// and read leniently: one of an unexpected type is as absent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TicketJson {
    #[serde(deserialize_with = "lenient")]
    number: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    title: Option<String>,
    /// A webhook sends `null` for an empty body.
    #[serde(deserialize_with = "lenient")]
    body: Option<String>,
    /// `gh` exports `state: "OPEN"`; webhooks `"open"`.
    #[serde(deserialize_with = "lenient")]
    state: Option<String>,
    #[serde(deserialize_with = "lenient")]
    html_url: Option<String>,
    #[serde(deserialize_with = "lenient")]
    url: Option<String>,
}

impl From<TicketJson> for Ticket {
    fn from(t: TicketJson) -> Ticket {
        Ticket {
            number: t.number,
            title: t.title.unwrap_or_default(),
            body: t.body.unwrap_or_default(),
            open: t.state.is_none_or(|s| s.eq_ignore_ascii_case("open")),
            url: t.html_url.or(t.url),
        }
    }
}

impl Ticket {
    /// The ticket a JSON object describes; `None` for anything but an object.
    fn from_json(v: &Value) -> Option<Ticket> {
        object::<TicketJson>(v).map(Ticket::from)
    }

    /// `issue #12`, or `issue` when the number is unknown.
    pub fn what(&self, kind: TicketKind) -> String {
        // GitLab writes merge requests `!12`.
        let sign = if kind == TicketKind::MergeRequest { '!' } else { '#' };
        match self.number {
            Some(n) => format!("{} {sign}{n}", kind.label()),
            None => kind.label().to_string(),
        }
    }
}

/// A field of the expected type, else absent (`null`, another type).
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> std::result::Result<Option<T>, D::Error> {
    Ok(T::deserialize(Value::deserialize(d)?).ok())
}

/// A field holding an object of the expected shape, else absent.
fn lenient_object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> std::result::Result<Option<T>, D::Error> {
    Ok(object(&Value::deserialize(d)?))
}

/// `T` from a JSON object whose fields are all optional; `None` for anything but an object.
fn object<T: DeserializeOwned>(v: &Value) -> Option<T> {
    v.is_object().then(|| T::deserialize(v).ok()).flatten()
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

/// The CI system a run is on, for what it calls things and how it fetches history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forge {
    GitHub,
    GitLab,
}

impl Forge {
    /// How to get the full history on this CI system, for the help when a commit is missing.
    pub fn fix(self) -> &'static str {
        match self {
            Forge::GitHub => "actions/checkout with `fetch-depth: 0`",
            Forge::GitLab => "set `GIT_DEPTH: 0` in the job's `variables`",
        }
    }

    /// What it calls a proposed change.
    pub fn change(self) -> TicketKind {
        match self {
            Forge::GitHub => TicketKind::PullRequest,
            Forge::GitLab => TicketKind::MergeRequest,
        }
    }
}

/// The event a run checks: what decides the commits, and how messages name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// GitHub's `pull_request`.
    PullRequest,
    /// GitHub's `pull_request_target` (the base branch's workflow; the head must be checked out).
    PullRequestTarget,
    /// A push (GitHub's `push`, GitLab's `push` pipeline).
    Push,
    /// GitHub's `merge_group`.
    MergeGroup,
    /// GitHub's `issues`.
    Issues,
    /// A GitLab merge request pipeline.
    MergeRequest,
    /// Anything else (`workflow_dispatch`, a GitLab pipeline source, `range`, `local`): checked
    /// as the branch, named as given.
    Other(String),
}

impl Event {
    /// The event a CI system's name gives.
    pub fn from_name(name: &str) -> Event {
        match name {
            "pull_request" => Event::PullRequest,
            "pull_request_target" => Event::PullRequestTarget,
            "push" => Event::Push,
            "merge_group" => Event::MergeGroup,
            "issues" => Event::Issues,
            "merge request" => Event::MergeRequest,
            other => Event::Other(other.to_string()),
        }
    }

    /// Its name in messages: as the CI system gives it.
    pub fn name(&self) -> &str {
        match self {
            Event::PullRequest => "pull_request",
            Event::PullRequestTarget => "pull_request_target",
            Event::Push => "push",
            Event::MergeGroup => "merge_group",
            Event::Issues => "issues",
            Event::MergeRequest => "merge request",
            Event::Other(name) => name,
        }
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a run checks, decided from the event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub event: Event,
    pub forge: Forge,
    pub commits: Commits,
    /// Whether the registry and plan documents are checked (not for an issue event).
    pub files: bool,
    pub pull_request: Option<Ticket>,
    pub issue: Option<Ticket>,
    /// The repository's default branch, when the event says.
    pub default_branch: Option<String>,
    /// Something the run could not check, for the log.
    pub note: Option<String>,
}

impl Plan {
    /// The current branch, as `check` sees it: nothing from an event yet.
    pub fn branch(event: Event, forge: Forge) -> Plan {
        Plan {
            event,
            forge,
            commits: Commits::Branch,
            files: true,
            pull_request: None,
            issue: None,
            default_branch: None,
            note: None,
        }
    }
}

/// Decide what to check from GitLab CI's predefined variables (`GITLAB_CI=true`): a merge
/// request pipeline checks `CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA` and the description
/// as a pull request body; a push pipeline `CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA` (all zeros: a
/// new branch, what the default branch lacks); anything else the branch, as `check`.
pub fn gitlab_plan(var: &dyn Fn(&str) -> Option<String>) -> Result<Plan> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty());
    let source = Event::from_name(&var("CI_PIPELINE_SOURCE").unwrap_or_default());
    let head = var("CI_COMMIT_SHA").ok_or_else(|| {
        Error::new("CI_COMMIT_SHA is not set: this does not look like a GitLab CI job")
            .with_help("outside GitLab CI, pass --base (and --head)")
    })?;
    let mut plan = Plan { default_branch: var("CI_DEFAULT_BRANCH"), ..Plan::branch(source.clone(), Forge::GitLab) };
    if let Some(base) = var("CI_MERGE_REQUEST_DIFF_BASE_SHA") {
        plan.event = Event::MergeRequest;
        plan.commits = Commits::Range { base, head };
        let iid = var("CI_MERGE_REQUEST_IID").and_then(|n| n.parse().ok());
        let url = match (var("CI_MERGE_REQUEST_PROJECT_URL"), iid) {
            (Some(project), Some(n)) => Some(format!("{project}/-/merge_requests/{n}")),
            _ => None,
        };
        // GitLab cuts long descriptions in this variable; the trailer block at the end is what
        // gets cut, so a cut description is not judged (and the run says so).
        if var("CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED").is_some_and(|t| t == "true") {
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
    } else if source == Event::Push {
        plan.commits = match var("CI_COMMIT_BEFORE_SHA") {
            Some(before) if before.bytes().any(|b| b != b'0') => Commits::Range { base: before, head },
            _ => Commits::NewOn { head },
        };
    }
    Ok(plan)
}

/// A commit as GitHub's payloads name one: `{"sha": "…"}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CommitJson {
    #[serde(deserialize_with = "lenient")]
    sha: Option<String>,
}

/// The fields of a GitHub event plan-lint reads; which of them an event needs is checked by
/// [`plan`], which names what is missing.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Payload {
    #[serde(deserialize_with = "lenient_object")]
    repository: Option<RepositoryJson>,
    /// `pull_request`, `pull_request_target`.
    #[serde(deserialize_with = "lenient_object")]
    pull_request: Option<PullRequestJson>,
    /// `push`.
    #[serde(deserialize_with = "lenient")]
    deleted: Option<bool>,
    #[serde(deserialize_with = "lenient")]
    before: Option<String>,
    #[serde(deserialize_with = "lenient")]
    after: Option<String>,
    /// `merge_group`.
    #[serde(deserialize_with = "lenient_object")]
    merge_group: Option<MergeGroupJson>,
    /// `issues`.
    #[serde(deserialize_with = "lenient_object")]
    issue: Option<TicketJson>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RepositoryJson {
    #[serde(deserialize_with = "lenient")]
    default_branch: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PullRequestJson {
    #[serde(flatten)]
    ticket: TicketJson,
    #[serde(deserialize_with = "lenient_object")]
    base: Option<CommitJson>,
    #[serde(deserialize_with = "lenient_object")]
    head: Option<CommitJson>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MergeGroupJson {
    #[serde(deserialize_with = "lenient")]
    base_sha: Option<String>,
    #[serde(deserialize_with = "lenient")]
    head_sha: Option<String>,
}

/// Decide what to check from a GitHub event (`GITHUB_EVENT_NAME`, the JSON at
/// `GITHUB_EVENT_PATH`).
pub fn plan(name: &str, payload: &Value) -> Result<Plan> {
    let event = Event::from_name(name);
    let missing = |path: &str| {
        Error::new(format!("the `{name}` event has no `{path}`"))
            .with_help("is GITHUB_EVENT_PATH the event this workflow runs for?")
    };
    let need = |value: Option<String>, path: &str| value.ok_or_else(|| missing(path));
    let read: Payload = object(payload).unwrap_or_default();
    let mut plan = Plan {
        default_branch: read.repository.and_then(|r| r.default_branch),
        ..Plan::branch(event.clone(), Forge::GitHub)
    };
    match event {
        // The PR's own commits: never the test merge commit GitHub checks out by default.
        Event::PullRequest | Event::PullRequestTarget => {
            let pr = read.pull_request.ok_or_else(|| Error::new(format!("the `{name}` event has no pull_request")))?;
            plan.commits = Commits::Range {
                base: need(pr.base.and_then(|c| c.sha), "pull_request.base.sha")?,
                head: need(pr.head.and_then(|c| c.sha), "pull_request.head.sha")?,
            };
            plan.pull_request = Some(pr.ticket.into());
        }
        Event::Push => {
            let deleted = read.deleted.unwrap_or(false);
            let after = need(read.after, "after")?;
            let before = read.before.unwrap_or_default();
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
        Event::MergeGroup => {
            let group = read.merge_group.unwrap_or_default();
            plan.commits = Commits::Range {
                base: need(group.base_sha, "merge_group.base_sha")?,
                head: need(group.head_sha, "merge_group.head_sha")?,
            };
        }
        Event::Issues => {
            let issue = read.issue.ok_or_else(|| Error::new("the `issues` event has no issue"))?;
            plan.commits = Commits::Nothing;
            plan.files = false;
            plan.issue = Some(issue.into());
        }
        // workflow_dispatch, schedule, release, …: the checked-out branch, as `check` does.
        Event::MergeRequest | Event::Other(_) => {}
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
        assert_eq!(
            (pr.number, pr.body.as_str(), pr.what(TicketKind::PullRequest)),
            (Some(7), "", "pull request #7".into())
        );
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

    /// Each event names the field it lacks (exit 2), whatever shape the payload has.
    #[test]
    fn a_payload_missing_what_an_event_needs_is_a_clear_error() {
        let err = |name: &str, payload: Value| plan(name, &payload).unwrap_err().message;
        let pr = json!({"pull_request": {"number": 1, "base": {"sha": "a"}, "head": {}}});
        assert_eq!(err("pull_request_target", pr), "the `pull_request_target` event has no `pull_request.head.sha`");
        let pr = json!({"pull_request": {"base": {"sha": 5}, "head": {"sha": "b"}}});
        assert_eq!(err("pull_request", pr), "the `pull_request` event has no `pull_request.base.sha`");
        assert_eq!(err("pull_request", json!([1])), "the `pull_request` event has no pull_request");
        assert_eq!(err("push", json!({"before": "a"})), "the `push` event has no `after`");
        assert_eq!(err("push", json!("push")), "the `push` event has no `after`");
        let group = json!({"merge_group": {"base_sha": "a"}});
        assert_eq!(err("merge_group", group), "the `merge_group` event has no `merge_group.head_sha`");
        assert_eq!(err("merge_group", json!({})), "the `merge_group` event has no `merge_group.base_sha`");
        assert_eq!(err("issues", json!({"issue": "3"})), "the `issues` event has no issue");
        let help = plan("push", &json!({})).unwrap_err().help.unwrap();
        assert!(help.contains("GITHUB_EVENT_PATH"), "{help}");
        // Fields read leniently: one of another type is as absent.
        let ev = json!({"pull_request": {"number": "7", "title": null, "state": 1, "base": {"sha": "a"}, "head": {"sha": "b"},
            "html_url": "https://x/7", "url": "https://api/7"}, "repository": {"default_branch": 3}, "deleted": "yes",
            "unknown": {"deep": [1]}});
        let p = plan("pull_request", &ev).unwrap();
        let pr = p.pull_request.unwrap();
        assert_eq!((pr.number, pr.title.as_str(), pr.open, pr.url.as_deref()), (None, "", true, Some("https://x/7")));
        assert_eq!(p.default_branch, None);
    }

    #[test]
    fn events_and_forges_by_name() {
        for name in ["pull_request", "pull_request_target", "push", "merge_group", "issues", "merge request", "local"] {
            assert_eq!(Event::from_name(name).name(), name);
        }
        assert_eq!(Event::from_name("workflow_dispatch"), Event::Other("workflow_dispatch".into()));
        let ticket = Ticket { number: Some(12), title: String::new(), body: String::new(), open: true, url: None };
        assert_eq!(ticket.what(Forge::GitLab.change()), "merge request !12");
        assert_eq!(ticket.what(Forge::GitHub.change()), "pull request #12");
        assert_eq!(ticket.what(TicketKind::Issue), "issue #12");
        assert_eq!(Ticket { number: None, ..ticket }.what(TicketKind::Issue), "issue");

        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        let mr = gitlab_plan(&vars(&[
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_COMMIT_SHA", "b"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", "a"),
            ("CI_MERGE_REQUEST_IID", "4"),
        ]))
        .unwrap();
        assert_eq!(
            (mr.event, mr.forge, mr.commits),
            (Event::MergeRequest, Forge::GitLab, Commits::Range { base: "a".into(), head: "b".into() })
        );
        assert_eq!(mr.pull_request.unwrap().number, Some(4));
        let push = gitlab_plan(&vars(&[
            ("CI_PIPELINE_SOURCE", "push"),
            ("CI_COMMIT_SHA", "b"),
            ("CI_COMMIT_BEFORE_SHA", "0000"),
        ]))
        .unwrap();
        assert_eq!((push.event, push.commits), (Event::Push, Commits::NewOn { head: "b".into() }));
        let web = gitlab_plan(&vars(&[("CI_PIPELINE_SOURCE", "web"), ("CI_COMMIT_SHA", "b")])).unwrap();
        assert_eq!((web.event, web.commits), (Event::Other("web".into()), Commits::Branch));
        assert!(gitlab_plan(&vars(&[])).is_err());
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
