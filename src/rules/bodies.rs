//! Rules about pull request and issue bodies, and issue files kept in the repository.
//!
//! An issue is a work item: it must name a promise (`untraced-item`), the promise must exist
//! (`unknown-promise`), and an open issue under a done or dropped promise is a warning
//! (`not-in-play`, as for open plan items). A pull request body is a traced source like a
//! commit message: the promises it names must exist and be in play (errors, as for commits);
//! a body that names none is not itself a finding, the commits carry the trace.

use super::{in_play_list, unknown_id_help, Code, Level};
use crate::finding::Finding;
use crate::registry::{Registry, Status};
use crate::scan::body::{first_line, BodyRef};
use crate::source::Label;

/// Judge an issue (`what` names it in messages: `issue #12`, `issues/0007-search.md`). The
/// labels are spans in `text`; the caller attaches the source.
pub fn check_issue(what: &str, text: &str, refs: &[BodyRef], open: bool, registry: &Registry, out: &mut Vec<Finding>) {
    if refs.is_empty() {
        out.push(
            Finding::new(Code::UntracedItem, format!("{what} names no promise"))
                .label(Label::new(first_line(text), "which promise does this serve?"))
                .help(format!(
                    "end it with a blank line and `Promise: <id>`, or add `promise: <id>` front matter; \
                     promises in play: {}",
                    in_play_list(registry)
                )),
        );
    }
    for r in refs {
        match registry.promise(&r.id) {
            None => out.push(unknown(what, r, registry)),
            Some(p) if open && matches!(p.status, Status::Done | Status::Dropped) => out.push(
                Finding::new(Code::NotInPlay, format!("{what} is open work on `{}`, which is {}", p.id, p.status))
                    .default_level(Level::Warn)
                    .label(Label::new(r.span.clone(), format!("{} is {}", p.id, p.status)))
                    .help(format!(
                        "close the issue, trace it to a promise in play ({}), or put `{}` back in play",
                        in_play_list(registry),
                        p.id
                    ))
                    .promises([p.id.clone()]),
            ),
            Some(_) => {}
        }
    }
}

/// Judge a pull request body.
pub fn check_pull_request(what: &str, refs: &[BodyRef], registry: &Registry, out: &mut Vec<Finding>) {
    for r in refs {
        match registry.promise(&r.id) {
            None => out.push(unknown(what, r, registry)),
            Some(p) if p.status != Status::InPlay => out.push(
                Finding::new(Code::NotInPlay, format!("{what} is work on `{}`, which is {}", p.id, p.status))
                    .label(Label::new(r.span.clone(), format!("{} is {}", p.id, p.status)))
                    .help(format!(
                        "trace the work to a promise in play ({}), or put `{}` in play within the limit",
                        in_play_list(registry),
                        p.id
                    ))
                    .promises([p.id.clone()]),
            ),
            Some(_) => {}
        }
    }
}

fn unknown(what: &str, r: &BodyRef, registry: &Registry) -> Finding {
    Finding::new(Code::UnknownPromise, format!("{what} names unknown promise `{}`", r.id))
        .label(Label::new(r.span.clone(), "not in promises.toml"))
        .help(unknown_id_help(registry, &r.id))
        .promises([r.id.clone()])
}
