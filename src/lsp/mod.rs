//! `plan-lint lsp`: the Language Server Protocol over stdio, an entry point like any other.
//!
//! The server keeps the editor's open documents and, on every change, describes them to the
//! engine as [`engine::Inputs`] (unsaved texts in place of the files, [`PlanScope::Only`] the
//! documents open, the commit message being written): the same rules, codes, severities,
//! messages and spans as `plan-lint check`. Nothing here judges. A keystroke never walks history
//! (`Inputs::suggestions` is off) and never lists the work tree; finding references and renaming
//! list the plan documents once per request.
//!
//! Documents are of three kinds: the registry (`promises.toml` at a root), commit messages
//! (`COMMIT_EDITMSG`, `MERGE_MSG`, or the `git-commit`/`gitcommit` language), and every other
//! file, judged when the registry's `[plans]`/`[issues]` patterns select it. A root is the git
//! work tree holding the document (else the nearest directory with a promises.toml).
//!
//! The transport is the server's own ([`transport`]): a message over 64 MiB
//! ([`transport::MAX_MESSAGE_BYTES`]) is refused before its body is read (exit 2), and edits
//! that arrive together are judged once, after the last of them.

mod features;
mod text;
mod transport;

use crate::engine::{self, Absent, CommitFlags, CommitSelection, Inputs, PlanScope, RegistryRules, Suggestions};
use crate::error::Error;
use crate::files::FileSource;
use crate::finding::Finding;
use crate::git::Repo;
use crate::registry;
use crate::source::{Source, SourceKind};
use crossbeam_channel::Sender;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::Notification as Notify;
use lsp_types::request::Request as LspRequest;
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, PublishDiagnosticsParams,
    Uri,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
pub(crate) use text::{path_to_uri, uri_to_path, Doc, Encoding, Lines};

/// Serve on stdin/stdout until `exit`; the process's exit code: 0 after `shutdown` then `exit`,
/// 1 for an `exit` without `shutdown` or a client gone. Input that is not the protocol (a
/// malformed header, a message that is not JSON-RPC, a `Content-Length` over
/// [`transport::MAX_MESSAGE_BYTES`], 64 MiB) is an error (exit 2), refused before its body is
/// read.
pub(crate) fn serve() -> Result<i32, Error> {
    let stdio = transport::stdio();
    let connection = Connection { sender: stdio.sender.clone(), receiver: stdio.receiver.clone() };
    let code = serve_on(&connection);
    drop(connection);
    match stdio.finish() {
        Some(why) => Err(Error::new(format!("the editor's input is not the protocol: {why}")).with_help(format!(
            "plan-lint lsp reads Language Server Protocol messages (Content-Length framed, each at most {} MiB) \
             on its standard input",
            transport::MAX_MESSAGE_BYTES >> 20
        ))),
        None => Ok(code),
    }
}

/// The protocol on one connection. Changes are judged when a request arrives or when the
/// transport marks the end of what arrived together ([`transport::IDLE`]); an in-memory
/// connection sends that notification itself.
pub(crate) fn serve_on(connection: &Connection) -> i32 {
    let Some((id, params)) = initialize(connection) else { return 1 };
    let params: lsp_types::InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.clone()).unwrap_or_default();
    let encoding = if offered.iter().any(|e| e.as_str() == "utf-8") { Encoding::Utf8 } else { Encoding::Utf16 };
    let result = lsp_types::InitializeResult {
        capabilities: features::capabilities(encoding),
        server_info: Some(lsp_types::ServerInfo {
            name: "plan-lint".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    if connection.sender.send(Response::new_ok(id, result).into()).is_err() {
        return 1;
    }
    let mut server = Server::new(connection.sender.clone(), encoding);
    server.watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let mut shut_down = false;
    // Edits that arrive together (fast typing, a paste, a client that sends one change per
    // character) are applied together and judged once, at the transport's idle mark; a request
    // sees every edit before it judged.
    while let Ok(message) = connection.receiver.recv() {
        match message {
            Message::Notification(n) if n.method == transport::IDLE => server.judge_pending(),
            Message::Request(req) if shut_down => {
                server.reply(Response::new_err(
                    req.id,
                    ErrorCode::InvalidRequest as i32,
                    "the server is shut down".into(),
                ));
            }
            Message::Request(req) if req.method == <lsp_types::request::Shutdown as LspRequest>::METHOD => {
                server.judge_pending();
                shut_down = true;
                server.reply(Response::new_ok(req.id, ()));
            }
            Message::Request(req) => {
                server.judge_pending();
                server.request(req);
            }
            Message::Notification(n) if n.method == <lsp_types::notification::Exit as Notify>::METHOD => {
                return if shut_down { 0 } else { 1 }
            }
            Message::Notification(n) => server.notify(n),
            Message::Response(_) => {}
        }
    }
    // The client went away without `exit`.
    1
}

/// Wait for `initialize`: its id and parameters; `None` when the client exits or goes first.
/// Other requests before it are refused (ServerNotInitialized), notifications dropped, as the
/// protocol asks; `initialized` is an ordinary notification after it.
fn initialize(connection: &Connection) -> Option<(lsp_server::RequestId, serde_json::Value)> {
    loop {
        match connection.receiver.recv().ok()? {
            Message::Request(req) if req.method == <lsp_types::request::Initialize as LspRequest>::METHOD => {
                return Some((req.id, req.params))
            }
            Message::Request(req) => {
                let refused = Response::new_err(
                    req.id,
                    ErrorCode::ServerNotInitialized as i32,
                    format!("{} before initialize", req.method),
                );
                connection.sender.send(refused.into()).ok()?;
            }
            Message::Notification(n) if n.method == <lsp_types::notification::Exit as Notify>::METHOD => return None,
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
}

/// What a document is to plan-lint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Registry,
    Message,
    /// Judged when the registry's patterns select it.
    Document,
}

struct Open {
    doc: Doc,
    kind: Kind,
    /// The work tree (or directory with a promises.toml) it belongs to, and its path there.
    root: Option<(PathBuf, String)>,
}

pub(crate) struct Server {
    sender: Sender<Message>,
    encoding: Encoding,
    docs: HashMap<String, Open>,
    /// Per root, the URIs last given diagnostics (to clear the ones fixed).
    published: HashMap<PathBuf, HashSet<String>>,
    /// Documents changed since they were last judged, in order.
    pending: Vec<String>,
    /// Whether the client watches files for the server when asked (`initialized` asks it to
    /// watch every `promises.toml`: a branch switched re-judges the open plans).
    watch: bool,
}

impl Server {
    fn new(sender: Sender<Message>, encoding: Encoding) -> Server {
        Server { sender, encoding, docs: HashMap::new(), published: HashMap::new(), pending: Vec::new(), watch: false }
    }

    fn reply(&self, response: Response) {
        let _ = self.sender.send(response.into());
    }

    fn send_notification(&self, method: &str, params: impl serde::Serialize) {
        let _ = self.sender.send(Notification::new(method.to_string(), params).into());
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        let response = match features::answer(self, &req.method, req.params) {
            Some(Ok(value)) => Response::new_ok(id, value),
            Some(Err(message)) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
            None => Response::new_err(id, ErrorCode::MethodNotFound as i32, format!("unknown request {}", req.method)),
        };
        self.reply(response);
    }

    fn notify(&mut self, n: Notification) {
        use lsp_types::notification::{
            DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
        };
        /// The notification's parameters when it is `N` (its method and parameter type from
        /// lsp-types), else the notification back.
        fn cast<N: Notify>(n: Notification) -> Result<Option<N::Params>, Notification> {
            if n.method == N::METHOD {
                Ok(serde_json::from_value(n.params).ok())
            } else {
                Err(n)
            }
        }
        let n = match cast::<DidOpenTextDocument>(n) {
            Ok(Some(p)) => return self.did_open(p),
            Ok(None) => return,
            Err(n) => n,
        };
        let n = match cast::<DidChangeTextDocument>(n) {
            Ok(Some(p)) => return self.did_change(p),
            Ok(None) => return,
            Err(n) => n,
        };
        let n = match cast::<DidSaveTextDocument>(n) {
            Ok(Some(p)) => return self.did_save(p),
            Ok(None) => return,
            Err(n) => n,
        };
        let n = match cast::<DidCloseTextDocument>(n) {
            Ok(Some(p)) => return self.did_close(p),
            Ok(None) => return,
            Err(n) => n,
        };
        let n = match cast::<lsp_types::notification::Initialized>(n) {
            Ok(_) => return self.ask_to_watch(),
            Err(n) => n,
        };
        if let Ok(Some(p)) = cast::<lsp_types::notification::DidChangeWatchedFiles>(n) {
            self.files_changed(p);
        }
    }

    /// Ask a client that can (dynamic registration) to tell of every `promises.toml` changed,
    /// created or deleted on disk: a registry that changes under the editor (`git switch`,
    /// `git pull`) is not open, and the open plans would keep what the old one said.
    fn ask_to_watch(&self) {
        if !self.watch {
            return;
        }
        let watchers = vec![lsp_types::FileSystemWatcher {
            glob_pattern: lsp_types::GlobPattern::String(format!("**/{}", registry::FILE_NAME)),
            kind: None,
        }];
        let options = lsp_types::DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = lsp_types::RegistrationParams {
            registrations: vec![lsp_types::Registration {
                id: "plan-lint/registries".to_string(),
                method: <lsp_types::notification::DidChangeWatchedFiles as Notify>::METHOD.to_string(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        let request = Request::new(
            "plan-lint/watch".to_string().into(),
            <lsp_types::request::RegisterCapability as LspRequest>::METHOD.to_string(),
            params,
        );
        let _ = self.sender.send(request.into());
    }

    /// A registry changed on disk: each work tree it is in judges its open documents again
    /// (an open registry's unsaved text still wins over the file).
    fn files_changed(&mut self, p: lsp_types::DidChangeWatchedFilesParams) {
        let mut roots: Vec<PathBuf> = Vec::new();
        for change in p.changes {
            let Some(path) = uri_to_path(change.uri.as_str()).map(|p| lexical(&p)) else { continue };
            if path.file_name().is_none_or(|n| n != registry::FILE_NAME) {
                continue;
            }
            for (root, _) in self.docs.values().filter_map(|o| o.root.as_ref()) {
                if path.starts_with(root) && !roots.contains(root) {
                    roots.push(root.clone());
                }
            }
        }
        for root in roots {
            self.judge_root(&root, RegistryRules::Judged);
        }
    }

    fn did_open(&mut self, p: lsp_types::DidOpenTextDocumentParams) {
        let d = p.text_document;
        let path = uri_to_path(d.uri.as_str()).map(|p| lexical(&p));
        let doc = Doc { text: d.text, version: d.version, language: d.language_id, path };
        let (kind, root) = classify(&doc);
        let key = d.uri.as_str().to_string();
        self.docs.insert(key.clone(), Open { doc, kind, root });
        self.changed(&key);
    }

    fn did_change(&mut self, p: lsp_types::DidChangeTextDocumentParams) {
        let key = p.text_document.uri.as_str().to_string();
        let Some(open) = self.docs.get_mut(&key) else { return };
        open.doc.apply(p.content_changes, self.encoding);
        open.doc.version = p.text_document.version;
        self.changed(&key);
    }

    fn did_save(&mut self, p: lsp_types::DidSaveTextDocumentParams) {
        let key = p.text_document.uri.as_str().to_string();
        if let (Some(text), Some(open)) = (p.text, self.docs.get_mut(&key)) {
            open.doc.text = text;
        }
        self.changed(&key);
    }

    fn did_close(&mut self, p: lsp_types::DidCloseTextDocumentParams) {
        let key = p.text_document.uri.as_str().to_string();
        self.pending.retain(|k| *k != key);
        if let Some(open) = self.docs.remove(&key) {
            // What was shown for it goes: a closed document is not judged.
            for shown in self.published.values_mut() {
                shown.remove(&key);
            }
            self.publish(&key, Vec::new(), None);
            // A closed registry is read from disk again: the open plans are judged by it.
            if open.kind == Kind::Registry {
                if let Some((root, _)) = &open.root {
                    self.judge_root(root, RegistryRules::Judged);
                }
            }
        }
    }

    /// A document changed: judged with the next batch.
    fn changed(&mut self, key: &str) {
        if !self.pending.iter().any(|k| k == key) {
            self.pending.push(key.to_string());
        }
    }

    /// Judge what the changed documents can change: a registry change judges its root's open
    /// documents (once for all of them).
    fn judge_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let registry_roots: Vec<PathBuf> = pending
            .iter()
            .filter_map(|k| self.docs.get(k))
            .filter(|o| o.kind == Kind::Registry)
            .filter_map(|o| o.root.as_ref().map(|(r, _)| r.clone()))
            .collect();
        for key in &pending {
            let covered = self.docs.get(key).is_some_and(|o| {
                o.kind != Kind::Registry && o.root.as_ref().is_some_and(|(r, _)| registry_roots.contains(r))
            });
            if !covered {
                self.judge(key);
            }
        }
    }

    fn judge(&mut self, key: &str) {
        let Some(open) = self.docs.get(key) else { return };
        let Some((root, _)) = open.root.clone() else { return };
        match open.kind {
            Kind::Registry => self.judge_root(&root, RegistryRules::Judged),
            Kind::Message => self.judge_message(key),
            Kind::Document => self.judge_documents(&root, &[key.to_string()], RegistryRules::Skipped),
        }
    }

    /// The registry changed (or closed): judge it and everything open under it.
    fn judge_root(&mut self, root: &Path, registry_rules: RegistryRules) {
        let keys = self.open_under(root, Kind::Document);
        self.judge_documents(root, &keys, registry_rules);
        for key in self.open_under(root, Kind::Message) {
            self.judge_message(&key);
        }
    }

    /// The open documents of `kind` under `root`.
    fn open_under(&self, root: &Path, kind: Kind) -> Vec<String> {
        self.docs
            .iter()
            .filter(|(_, o)| o.kind == kind && o.root.as_ref().is_some_and(|(r, _)| r == root))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// The unsaved texts under `root`, by relative path (commit messages are not files the
    /// engine reads).
    fn unsaved(&self, root: &Path) -> crate::files::Unsaved {
        self.docs
            .values()
            .filter(|o| o.kind != Kind::Message)
            .filter_map(|o| {
                let (r, rel) = o.root.as_ref()?;
                (r == root).then(|| (rel.clone(), o.doc.text.clone()))
            })
            .collect::<BTreeMap<_, _>>()
            .into()
    }

    /// The URI of `rel` under `root` as the client spells it (the key of the open document
    /// that is that file), else the file's own.
    fn uri_of(&self, root: &Path, rel: &str) -> String {
        let is = |o: &Open| o.kind != Kind::Message && o.root.as_ref().is_some_and(|(r, p)| r == root && p == rel);
        self.docs.iter().find(|(_, o)| is(o)).map_or_else(|| path_to_uri(&root.join(rel)), |(k, _)| k.clone())
    }

    /// The scopes the root's registry lists, as the editor has it (unsaved) or else as saved.
    fn members(&self, root: &Path) -> Vec<String> {
        let repo = Repo::discover(root);
        let Ok(files) = crate::files::Files::open(&FileSource::WorkTree, root, repo.as_ref()) else {
            return Vec::new();
        };
        let files = files.with_unsaved(self.unsaved(root));
        let registry = crate::files::read_registry(&files, None, Absent::NotUsing).ok().flatten();
        registry.map(|(r, _)| r.scopes.members).unwrap_or_default()
    }

    /// `keys` grouped by the scope that governs each (by relative path); with the registry's
    /// rules, every open registry's scope and the root's too, to judge each registry.
    fn by_scope(&self, root: &Path, keys: &[String], registry_rules: RegistryRules) -> Vec<(String, Vec<String>)> {
        let members = self.members(root);
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        fn add(groups: &mut Vec<(String, Vec<String>)>, scope: &str, rel: Option<String>) {
            let at = groups.iter().position(|(s, _)| s == scope).unwrap_or_else(|| {
                groups.push((scope.to_string(), Vec::new()));
                groups.len() - 1
            });
            groups[at].1.extend(rel);
        }
        for rel in keys.iter().filter_map(|k| self.docs.get(k)?.root.as_ref().map(|(_, rel)| rel.clone())) {
            add(&mut groups, registry::Scopes::governing(&members, &rel), Some(rel));
        }
        if registry_rules == RegistryRules::Judged || groups.is_empty() {
            add(&mut groups, "", None);
        }
        if registry_rules == RegistryRules::Judged {
            for key in self.open_under(root, Kind::Registry) {
                let Some((_, rel)) = self.docs.get(&key).and_then(|o| o.root.as_ref()) else { continue };
                add(&mut groups, registry::Scopes::governing(&members, rel), None);
            }
        }
        groups
    }

    fn judge_documents(&mut self, root: &Path, keys: &[String], registry_rules: RegistryRules) {
        let groups = self.by_scope(root, keys, registry_rules);
        let inputs = Inputs {
            registry_rules,
            no_registry: Absent::NotUsing,
            suggestions: Suggestions::Off,
            unsaved: self.unsaved(root),
            ..Inputs::new(root)
        };
        let mut by_uri: BTreeMap<String, Vec<Diagnostic>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        if registry_rules == RegistryRules::Judged {
            // Each registry judged, and every open one, start clear.
            let files = groups.iter().map(|(s, _)| registry::Scopes::qualify(s, registry::FILE_NAME));
            for uri in files.map(|f| self.uri_of(root, &f)).chain(self.open_under(root, Kind::Registry)) {
                by_uri.entry(uri).or_default();
            }
        }
        // Each document with the registry nearest to it (its scope's).
        let judge = || -> crate::error::Result<Option<engine::Run>> {
            let mut runs = Vec::new();
            for (scope, rels) in groups {
                let inputs = Inputs { scope, plans: PlanScope::Only(rels), ..inputs.clone() };
                runs.extend(engine::run(&inputs)?);
            }
            Ok(engine::merge(runs))
        };
        let registry_uri = self.uri_of(root, registry::FILE_NAME);
        match crate::panic::catch(judge) {
            Ok(Ok(Some(run))) => {
                let mut places: HashMap<String, Place> = HashMap::new();
                for f in &run.findings {
                    let source = f.source.map(|id| run.facts.sources.get(id));
                    let uri = match source.map(|s| &s.kind) {
                        Some(SourceKind::File { path }) => self.uri_of(root, path),
                        _ => registry_uri.clone(),
                    };
                    let place = places.entry(uri.clone()).or_insert_with(|| self.place(&uri, None));
                    let diagnostic = self.diagnostic(f, source, &uri, place);
                    by_uri.entry(uri).or_default().push(diagnostic);
                }
            }
            Ok(Ok(None)) => {}
            // A registry does not read: say why there, and judge nothing against it.
            Ok(Err(error)) => {
                for (uri, diagnostics) in self.error_diagnostics(&error, root) {
                    by_uri.entry(uri).or_default().extend(diagnostics);
                }
            }
            Err(panic) => {
                let d = plain_diagnostic(format!("plan-lint failed: {panic}"));
                by_uri.entry(registry_uri).or_default().push(d);
            }
        }
        for (uri, diagnostics) in by_uri {
            self.publish(&uri, diagnostics, Some(root));
        }
    }

    fn judge_message(&mut self, key: &str) {
        let Some(open) = self.docs.get(key) else { return };
        let Some((root, _)) = open.root.clone() else { return };
        let Some(repo) = Repo::discover(&root) else { return };
        let shown = open
            .doc
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(|| "COMMIT_EDITMSG".to_string(), |n| n.to_string_lossy().into_owned());
        let inputs = Inputs {
            files: FileSource::IndexOrWorkTree(repo.index_path(&root)),
            commits: CommitSelection::Message {
                bytes: open.doc.text.clone().into_bytes(),
                shown,
                flags: CommitFlags { editor: Some(true), ..CommitFlags::default() },
            },
            registry_rules: RegistryRules::Skipped,
            no_registry: Absent::NotUsing,
            suggestions: Suggestions::Off,
            unsaved: self.unsaved(&root),
            ..Inputs::new(&root)
        };
        let mut diagnostics = Vec::new();
        match crate::panic::catch(|| engine::run_in(Some(&repo), &inputs)) {
            Ok(Ok(Some(run))) => {
                let raw = open.doc.text.as_str();
                for f in &run.findings {
                    let source = f.source.map(|id| run.facts.sources.get(id));
                    let place = self.place(key, source.map(|s| message_lines(&s.text, raw)));
                    diagnostics.push(self.diagnostic(f, source, key, &place));
                }
            }
            Ok(Ok(None)) => {}
            Ok(Err(error)) => {
                for (uri, diagnostics) in self.error_diagnostics(&error, &root) {
                    self.publish(&uri, diagnostics, Some(&root));
                }
            }
            Err(panic) => diagnostics.push(plain_diagnostic(format!("plan-lint failed: {panic}"))),
        }
        self.publish(key, diagnostics, Some(&root));
    }

    /// Publish (an empty list clears), remembering what is shown per root.
    fn publish(&mut self, uri: &str, diagnostics: Vec<Diagnostic>, root: Option<&Path>) {
        if let Some(root) = root {
            let shown = self.published.entry(root.to_path_buf()).or_default();
            if diagnostics.is_empty() && !shown.remove(uri) && !self.docs.contains_key(uri) {
                // Nothing shown there, nothing to clear.
                return;
            }
            if !diagnostics.is_empty() {
                shown.insert(uri.to_string());
            }
        }
        let Ok(parsed) = Uri::from_str(uri) else { return };
        let version = self.docs.get(uri).map(|o| o.doc.version);
        self.send_notification(
            "textDocument/publishDiagnostics",
            PublishDiagnosticsParams { uri: parsed, diagnostics, version },
        );
    }

    /// The text the client has for `uri` (open, else on disk), to place the engine's spans in.
    fn place(&self, uri: &str, map: Option<Vec<usize>>) -> Place {
        let text = match self.docs.get(uri) {
            Some(o) => o.doc.text.clone(),
            None => uri_to_path(uri)
                .and_then(|p| std::fs::read(p).ok())
                .map(|b| engine::decode(&b).unwrap_or_else(|| String::from_utf8_lossy(&b).into_owned()))
                .unwrap_or_default(),
        };
        Place { lines: Lines::new(&text), text, map, encoding: self.encoding }
    }

    fn diagnostic(&self, f: &Finding, source: Option<&Source>, uri: &str, place: &Place) -> Diagnostic {
        let severity = match f.severity {
            crate::code::Severity::Error => DiagnosticSeverity::ERROR,
            crate::code::Severity::Warning => DiagnosticSeverity::WARNING,
        };
        let (range, related) = match source {
            Some(s) if !f.labels.is_empty() => {
                let range = place.range(s, f.labels[0].span.clone());
                let related: Vec<DiagnosticRelatedInformation> = f.labels[1..]
                    .iter()
                    .filter_map(|l| {
                        Some(DiagnosticRelatedInformation {
                            location: Location { uri: Uri::from_str(uri).ok()?, range: place.range(s, l.span.clone()) },
                            message: l.text.as_deref().unwrap_or("here").to_string(),
                        })
                    })
                    .collect();
                (range, related)
            }
            _ => (lsp_types::Range::default(), Vec::new()),
        };
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        Diagnostic {
            range,
            severity: Some(severity),
            code: Some(NumberOrString::String(f.code.to_string())),
            source: Some("plan-lint".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Diagnostic::default()
        }
    }

    /// A run that could not happen (a registry or the readings do not read), as diagnostics
    /// by URI: each error at its place in the registry it names (a member's too), the others
    /// at the top of the root's.
    fn error_diagnostics(&self, error: &Error, root: &Path) -> BTreeMap<String, Vec<Diagnostic>> {
        let registry_uri = self.uri_of(root, registry::FILE_NAME);
        let errors: Vec<&Error> = if error.related.is_empty() { vec![error] } else { error.related.iter().collect() };
        let mut out: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
        for e in errors {
            let mut d = plain_diagnostic(e.message.clone());
            if let Some(help) = &e.help {
                d.message.push_str("\nhelp: ");
                d.message.push_str(help);
            }
            let mut uri = registry_uri.clone();
            if let Some(snippet) = &e.snippet {
                let (source, label) = &**snippet;
                if let SourceKind::File { path } = &source.kind {
                    if path == registry::FILE_NAME || path.ends_with(&format!("/{}", registry::FILE_NAME)) {
                        uri = self.uri_of(root, path);
                        d.range = self.place(&uri, None).range(source, label.span.clone());
                    }
                }
            }
            out.entry(uri).or_default().push(d);
        }
        out
    }
}

/// A text as the client has it, to place the engine's spans in.
struct Place {
    text: String,
    lines: Lines,
    /// For a cleaned commit message: the client's line of each line the engine read.
    map: Option<Vec<usize>>,
    encoding: Encoding,
}

impl Place {
    /// The protocol range of a byte span of `source`. The engine's text may differ from the
    /// client's (CRLF read as LF, a byte-order mark dropped, a message cleaned): spans go by
    /// line and character, and `map` moves lines.
    fn range(&self, source: &Source, span: std::ops::Range<usize>) -> lsp_types::Range {
        let at = |offset: usize| {
            let (line, col) = source.line_col(offset.min(source.text.len()));
            let line = self.map.as_ref().and_then(|m| m.get(line - 1).copied()).unwrap_or(line - 1);
            let text = self.lines.line(&self.text, line);
            let byte = text::byte_of_char(text, col - 1);
            lsp_types::Position { line: line as u32, character: text::units(&text[..byte], self.encoding) as u32 }
        };
        lsp_types::Range { start: at(span.start), end: at(span.end) }
    }
}

fn plain_diagnostic(message: String) -> Diagnostic {
    Diagnostic {
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some("plan-lint".into()),
        message,
        ..Diagnostic::default()
    }
}

/// What a document is, and the root it belongs to with its path there.
fn classify(doc: &Doc) -> (Kind, Option<(PathBuf, String)>) {
    let Some(path) = &doc.path else { return (Kind::Document, None) };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let message = matches!(name.as_str(), "COMMIT_EDITMSG" | "MERGE_MSG" | "SQUASH_MSG" | "TAG_EDITMSG")
        || matches!(doc.language.as_str(), "git-commit" | "gitcommit");
    let dir = path.parent().unwrap_or(Path::new("/"));
    let root = Repo::discover(dir)
        .and_then(|r| r.root())
        .or_else(|| dir.ancestors().find(|d| d.join(registry::FILE_NAME).is_file()).map(Path::to_path_buf));
    let Some(root) = root else { return (if message { Kind::Message } else { Kind::Document }, None) };
    let root = root.components().collect::<PathBuf>();
    let rel = path.strip_prefix(&root).ok().map(|r| r.to_string_lossy().replace('\\', "/")).or_else(|| {
        // Through a link to the work tree: the file, else (not saved yet) its folder, resolved.
        let r = root.canonicalize().ok()?;
        let p =
            path.canonicalize().ok().or_else(|| Some(path.parent()?.canonicalize().ok()?.join(path.file_name()?)))?;
        Some(p.strip_prefix(&r).ok()?.to_string_lossy().replace('\\', "/"))
    });
    if message {
        return (Kind::Message, Some((root, rel.unwrap_or(name))));
    }
    match rel {
        // The root's registry, or a member's (`teams/a/promises.toml`).
        Some(rel) if is_registry(&rel) => (Kind::Registry, Some((root, rel))),
        Some(rel) => (Kind::Document, Some((root, rel))),
        None => (Kind::Document, None),
    }
}

/// Whether `rel` (relative to the root) is a registry's path: the root's, or a folder's.
fn is_registry(rel: &str) -> bool {
    rel.rsplit('/').next() == Some(registry::FILE_NAME)
}

/// `path` with `.` and `..` taken out, as a URI's path reads (`plans/../teams/a` is `teams/a`):
/// a document's scope is told from it.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// For each line of a cleaned commit message, the line of the client's text it came from: git's
/// cleanup drops comment lines, the scissors and what follows, and trailing spaces, and joins
/// blank lines, so each kept line is the next raw line that reads the same.
fn message_lines(cleaned: &str, raw: &str) -> Vec<usize> {
    let raw: Vec<&str> = raw.split('\n').map(|l| l.trim_end()).collect();
    let mut next = 0;
    cleaned
        .split('\n')
        .map(|line| {
            let line = line.trim_end();
            match raw[next.min(raw.len())..].iter().position(|r| *r == line) {
                Some(i) => {
                    next += i + 1;
                    next - 1
                }
                None => next.min(raw.len().saturating_sub(1)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64: the same seed, the same documents.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// Random lines of ids, trace keywords and characters of every width: curly quotes and
    /// accents before and after ids, emoji (two UTF-16 units), combining marks, CR.
    fn unicode_lines(rng: &mut Rng, lines: usize, cr: bool) -> String {
        const PIECES: &[&str] = &[
            "search",
            "serch",
            "wishlist",
            "check-out",
            "Promise: ",
            "Promises: ",
            "(Promise: ",
            ")",
            "“",
            "”",
            "é",
            "café",
            "😀",
            "中文",
            "\u{301}",
            "\u{200d}",
            " ",
            "-",
            "_",
            "- [ ] ",
            "# ",
            "\t",
            ":",
            ",",
            "[",
            "]",
            "\"",
            "ß",
            "İ",
            "𝔘",
            "\u{10ffff}",
            "a",
            ".",
        ];
        let mut out = String::new();
        for _ in 0..lines {
            for _ in 0..rng.below(9) {
                out.push_str(PIECES[rng.below(PIECES.len())]);
            }
            if cr && rng.below(4) == 0 {
                out.push('\r');
            }
            out.push('\n');
        }
        out
    }

    /// Every range in an answer lies in the text it is about (the request's document, or the
    /// URI it is given with), start before end.
    fn ranges_are_in_their_texts(
        value: &serde_json::Value,
        uri: &str,
        text_of: &dyn Fn(&str) -> String,
        enc: Encoding,
    ) {
        use serde_json::Value;
        match value {
            Value::Array(items) => items.iter().for_each(|v| ranges_are_in_their_texts(v, uri, text_of, enc)),
            Value::Object(map) => {
                let uri = map.get("uri").and_then(Value::as_str).unwrap_or(uri);
                for (key, v) in map {
                    match key.as_str() {
                        "changes" => {
                            for (u, edits) in v.as_object().unwrap() {
                                ranges_are_in_their_texts(edits, u, text_of, enc);
                            }
                        }
                        "range" | "selectionRange" => {
                            let text = text_of(uri);
                            let lines = Lines::new(&text);
                            let at = |p: &Value| {
                                let (line, character) = (p["line"].as_u64().unwrap(), p["character"].as_u64().unwrap());
                                let written = lines.line(&text, line as usize);
                                assert!(line as usize <= text.matches('\n').count(), "line {line} of {text:?}");
                                assert!(character as usize <= text::units(written, enc), "{p} in {written:?}");
                                (line, character)
                            };
                            assert!(at(&v["start"]) <= at(&v["end"]), "{v}");
                        }
                        // The client's own diagnostics, echoed in a code action.
                        "diagnostics" => {}
                        _ => ranges_are_in_their_texts(v, uri, text_of, enc),
                    }
                }
            }
            _ => {}
        }
    }

    /// Every position-taking request at every position (and past the ends, and inside
    /// multi-unit characters) of random Unicode documents of each kind, in both encodings:
    /// answered, never a panic, every range inside its text, and an id's range is the id.
    #[test]
    fn every_position_of_random_unicode_documents_is_answered_sanely() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let registry_text = "[promises.search]\nstatement = \"s\"\nstatus = \"in-play\"\noutcomes = [{ metric = \"m\", target = \"t\" }]\n\n[promises.wishlist]\nstatement = \"w\"\nstatus = \"proposed\"\n\n[plans]\ninclude = [\"**/*.md\"]\n";
        std::fs::write(root.join("promises.toml"), registry_text).unwrap();
        std::fs::create_dir_all(root.join("plans")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        let mut rng = Rng(0x0dd_c0ffee);
        let mut requests = 0;
        for round in 0..2 {
            // On disk too: references and rename read the plans that are not open.
            std::fs::write(root.join("plans/disk.md"), unicode_lines(&mut rng, 4, true)).unwrap();
            let comments: String = unicode_lines(&mut rng, 4, false).lines().map(|l| format!("# {l}\n")).collect();
            let docs = [
                (root.join("plans/open.md"), "markdown", unicode_lines(&mut rng, 6, true)),
                (root.join("promises.toml"), "toml", format!("{comments}{registry_text}")),
                (root.join(".git/COMMIT_EDITMSG"), "git-commit", unicode_lines(&mut rng, 5, false)),
            ];
            for enc in [Encoding::Utf16, Encoding::Utf8] {
                let (sender, _receiver) = crossbeam_channel::unbounded();
                let mut server = Server::new(sender, enc);
                for (path, language, text) in &docs {
                    let doc = Doc {
                        text: text.clone(),
                        version: 1,
                        language: language.to_string(),
                        path: Some(path.clone()),
                    };
                    let (kind, root) = classify(&doc);
                    assert!(root.is_some(), "{path:?}");
                    server.docs.insert(path_to_uri(path), Open { doc, kind, root });
                }
                let text_of = |uri: &str| match server.docs.get(uri) {
                    Some(o) => o.doc.text.clone(),
                    None => std::fs::read_to_string(uri_to_path(uri).unwrap()).unwrap().replace("\r\n", "\n"),
                };
                for (path, _, text) in &docs {
                    let uri = path_to_uri(path);
                    let lines = Lines::new(text);
                    for line in 0..text.split('\n').count() as u32 + 1 {
                        let width = text::units(lines.line(text, line as usize), enc) as u32;
                        for character in 0..width + 3 {
                            let position = serde_json::json!({"line": line, "character": character});
                            let at = serde_json::json!({"textDocument": {"uri": uri}, "position": position});
                            let range = serde_json::json!({"start": position, "end": position});
                            let diagnostics: Vec<serde_json::Value> = ["unknown-promise", "untraced-item", "untraced-commit"]
                                .iter()
                                .map(|code| serde_json::json!({"range": range, "code": code, "source": "plan-lint", "message": "m"}))
                                .collect();
                            let mut references = at.clone();
                            references["context"] = serde_json::json!({"includeDeclaration": true});
                            let mut rename = at.clone();
                            rename["newName"] = "renamed".into();
                            for (method, params) in [
                                ("textDocument/hover", at.clone()),
                                ("textDocument/definition", at.clone()),
                                ("textDocument/references", references),
                                ("textDocument/prepareRename", at.clone()),
                                ("textDocument/rename", rename),
                                ("textDocument/completion", at.clone()),
                                (
                                    "textDocument/codeAction",
                                    serde_json::json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": diagnostics}}),
                                ),
                            ] {
                                requests += 1;
                                let what = format!("{method} at {position} ({enc:?}, round {round}) in {text:?}");
                                let answer = match features::answer(&server, method, params) {
                                    Some(Ok(answer)) => answer,
                                    Some(Err(e)) if method == "textDocument/rename" => {
                                        assert!(e.contains("no promise id") || e.contains("exists"), "{what}: {e}");
                                        continue;
                                    }
                                    other => panic!("{what}: {other:?}"),
                                };
                                let sane = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    ranges_are_in_their_texts(&answer, &uri, &text_of, enc)
                                }));
                                assert!(sane.is_ok(), "{what}: {answer}");
                                // An id's range is the id.
                                let id_range = match method {
                                    "textDocument/hover" => Some(&answer["range"]),
                                    "textDocument/prepareRename" => Some(&answer["range"]),
                                    _ => None,
                                };
                                if let Some(r) = id_range.filter(|r| !r.is_null()) {
                                    let offset = |p: &serde_json::Value| {
                                        let p: lsp_types::Position = serde_json::from_value(p.clone()).unwrap();
                                        lines.offset(text, p, enc)
                                    };
                                    let id = &text[offset(&r["start"])..offset(&r["end"])];
                                    assert!(["search", "wishlist"].contains(&id), "{what}: {id:?}");
                                }
                            }
                            // An edit there applies, and leaves valid text.
                            let mut doc = Doc { text: text.clone(), version: 1, language: String::new(), path: None };
                            let p: lsp_types::Position = serde_json::from_value(position.clone()).unwrap();
                            doc.apply(
                                vec![lsp_types::TextDocumentContentChangeEvent {
                                    range: Some(lsp_types::Range {
                                        start: p,
                                        end: lsp_types::Position { line: p.line + 1, character: 1 },
                                    }),
                                    range_length: None,
                                    text: "é😀".into(),
                                }],
                                enc,
                            );
                            assert!(doc.text.contains("é😀"), "{position}");
                        }
                    }
                    // Byte offset → position → byte offset, at every character boundary (not
                    // between a CR and its LF, which is no position).
                    for (o, _) in text.char_indices().filter(|&(o, _)| !text[..o].ends_with('\r')) {
                        assert_eq!(lines.offset(text, lines.position(text, o, enc), enc), o, "{o} in {text:?}");
                    }
                }
            }
        }
        assert!(requests > 5000, "{requests}");
    }

    #[test]
    fn the_handshake_refuses_requests_before_initialize() {
        use lsp_server::RequestId;
        let (server, client) = Connection::memory();
        let serving = std::thread::spawn(move || serve_on(&server));
        let request = |id: i32, method: &str, params: serde_json::Value| {
            Message::Request(Request::new(RequestId::from(id), method.to_string(), params))
        };
        let notification = |method: &str, params: serde_json::Value| {
            Message::Notification(Notification::new(method.to_string(), params))
        };
        let send = |m: Message| client.sender.send(m).unwrap();
        send(request(1, "textDocument/hover", serde_json::json!({})));
        send(notification(transport::IDLE, serde_json::json!(null)));
        send(request(2, "initialize", serde_json::json!({"capabilities": {}})));
        let Message::Response(early) = client.receiver.recv().unwrap() else { panic!("a response") };
        assert_eq!(early.id, RequestId::from(1));
        assert_eq!(early.response_result.unwrap_err().code, ErrorCode::ServerNotInitialized as i32);
        let Message::Response(init) = client.receiver.recv().unwrap() else { panic!("a response") };
        assert_eq!(init.id, RequestId::from(2));
        assert_eq!(init.response_result.unwrap()["serverInfo"]["name"], "plan-lint");
        send(notification("initialized", serde_json::json!({})));
        // An untitled document (no root): nothing to judge, and the server carries on.
        let open = serde_json::json!({"textDocument": {"uri": "untitled:1", "languageId": "markdown", "version": 1, "text": "- [ ] x\n"}});
        send(notification("textDocument/didOpen", open));
        send(notification(transport::IDLE, serde_json::json!(null)));
        send(request(3, "shutdown", serde_json::json!(null)));
        let Message::Response(shutdown) = client.receiver.recv().unwrap() else { panic!("a response") };
        assert_eq!(shutdown.id, RequestId::from(3));
        send(notification("exit", serde_json::json!(null)));
        assert_eq!(serving.join().unwrap(), 0);

        // `exit` before `initialize`: 1, at once.
        let (server, client) = Connection::memory();
        client.sender.send(notification("exit", serde_json::json!(null))).unwrap();
        assert_eq!(serve_on(&server), 1);
    }

    #[test]
    fn cleaned_message_lines_map_to_the_lines_written() {
        let raw = "\n\nAdd search  \n\n\n# a comment\nBody\n\nPromise: x\n# Please enter\n";
        let cleaned = "Add search\n\nBody\n\nPromise: x\n";
        assert_eq!(message_lines(cleaned, raw), [2, 3, 6, 7, 8, 10]);
    }
}
