//! The message of the commit being made (the commit-msg hook).

use super::commits::{class, needs_then};
use super::suggest::{promise_from_paths, upkeep, SUGGESTION_PATHS};
use super::{CommitFlags, Gather, Suggestions};
use crate::code::Severity;
use crate::facts::Commits;
use crate::files;
use crate::git::Repo;
use crate::rules::{self, Sink};
use crate::scan::{commit, message};
use crate::source::{Source, SourceKind};
use crate::tally::{Class, Tally};

impl Gather<'_> {
    /// The message of the commit being made (the commit-msg hook): cleaned as `git commit` will
    /// clean it (`commit.cleanup`, `core.commentChar`, the scissors line), read as `git log` will
    /// read it, and judged with HEAD's registry as the registry it was written against. When the
    /// hook cannot tell whether git will cut at a scissors line (`-v` is invisible to it), both
    /// readings are judged and the commit passes only if both do.
    pub(super) fn message(
        &mut self,
        repo: &Repo,
        bytes: &[u8],
        shown: &str,
        flags: &CommitFlags,
    ) -> crate::error::Result<(Commits, String)> {
        let ctx = self.ctx;
        let (how, log_comment) = invocation(repo, flags);
        let parents = if repo.is_merging() { 2 } else { 1 };
        let branch_promise = repo.branch_name().and_then(|b| ctx.registry.promise_of_branch(&b).map(|p| p.id.clone()));
        let (mut staged, mut from_paths) = (None, None);
        // With scopes: the scopes the staged paths touch resolve short ids and own the findings.
        // An amend replaces HEAD: its scopes are against HEAD's parent.
        let amend = flags.command_line.as_ref().is_some_and(|c| c.amend);
        let touched = match (ctx.registry.scopes.any(), self.files.index()) {
            (false, _) => None,
            (true, Some(index)) => Some(
                repo.scopes_staged(index, &ctx.registry.scopes.members, amend)
                    .ok_or_else(|| super::scopes::untold("the staged change"))?,
            ),
            (true, None) => Some(Vec::new()),
        };
        let mut judged = Vec::new();
        for cleaned in message::readings(bytes, &how) {
            let exempt = ctx.registry.exempt_subjects.for_subject(&commit::subject(&cleaned));
            let mut facts = commit::read(None, parents, &cleaned, exempt, &log_comment);
            facts.likely_promise =
                branch_promise.clone().map(|id| commit::Likely { id, why: "the branch names it".to_string() });
            if self.inputs.suggestions == Suggestions::FromHistory
                && facts.likely_promise.is_none()
                && class(&facts, ctx) == Class::Untraced
            {
                // Looked up once, and only for a commit about to be refused; upkeep is offered
                // the exception instead of a guess from its paths.
                let paths = staged.get_or_insert_with(|| repo.staged_against_head(SUGGESTION_PATHS));
                facts.maintenance = upkeep(&facts.subject, paths);
                if facts.maintenance.is_none() {
                    let likely = from_paths.get_or_insert_with(|| {
                        promise_from_paths(repo, ctx.registry, repo.head_commit(), paths, &log_comment)
                    });
                    facts.likely_promise = likely.clone();
                }
            }
            // A commit that takes a promise out of play (marks it done) is still work on it: in
            // play in HEAD's registry is in play enough.
            if let Some(touched) = &touched {
                super::scopes::canonical(ctx.registry, &mut facts);
                super::scopes::resolve(ctx.registry, &mut facts, touched);
                facts.scopes.clone_from(touched);
            }
            if needs_then(ctx.registry, &facts) {
                facts.in_play_then = match (&touched, repo.head_commit()) {
                    (Some(_), Some(head)) => Some(super::walk::StatusThen::in_play_in_scopes(repo, head, ctx.registry)),
                    _ => {
                        let before = repo.head_tree().and_then(|t| files::registry_in_tree(repo, &t));
                        before.map(|r| r.in_play().map(|p| p.id.clone()).collect())
                    }
                };
            }
            let mut sink = Sink::new(self.levels);
            rules::judge_commit(ctx, &facts, &mut sink);
            let found = match &touched {
                Some(touched) => super::scopes::attribute(ctx.registry, sink.take(), touched),
                None => sink.take(),
            };
            judged.push((facts, found));
        }
        // The reading that fails, if one does: git may store it.
        let pick =
            judged.iter().position(|(_, found)| found.iter().any(|f| f.severity == Severity::Error)).unwrap_or(0);
        let (facts, found) = judged.swap_remove(pick);
        let mut tally = Tally::default();
        tally.add(&class(&facts, ctx), 0, "", 1);
        let text = facts.text.clone();
        if !found.is_empty() {
            self.keep(Source::new(SourceKind::Message { path: shown.to_string() }, facts.text), found);
        }
        Ok((Commits { describe: "the commit being made".into(), count: 1, tally }, text))
    }
}

/// How git cleans this commit's message (the command line's flags, else the configuration), and
/// the comment string `git log` will read the stored message with.
fn invocation(repo: &Repo, flags: &CommitFlags) -> (message::Invocation, Vec<u8>) {
    let comment_char = repo.config_string("core.commentChar");
    let given = flags.command_line.as_ref();
    let how = message::Invocation {
        editor: flags.editor,
        cleanup: given
            .and_then(|c| c.cleanup)
            .or_else(|| repo.config_string("commit.cleanup").map(|v| message::CleanupMode::parse(&v)))
            .unwrap_or_default(),
        verbose: given.and_then(|c| c.verbose).unwrap_or_else(|| repo.config_bool("commit.verbose").unwrap_or(false)),
        flags: if given.is_some() { message::Flags::Read } else { message::Flags::Unseen },
        status: repo.config_bool("commit.status").unwrap_or(true),
        comment_char: comment_char.clone(),
    };
    // The stored message is read later by `git log`, with the configuration as it is then: a
    // `git -c core.commentChar=…` given to this commit alone does not apply.
    let log_comment = message::log_comment_string(repo.config_string_stored("core.commentChar").as_deref());
    (how, log_comment)
}
