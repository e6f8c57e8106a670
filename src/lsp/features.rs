//! What the server answers besides diagnostics: completion, hover, definition, references,
//! rename, document symbols and code actions. Read-only views of the registry and the plans
//! (scanned with the same scanners the engine uses); nothing here judges.

use super::text::{self, Encoding, Lines};
use super::{Kind, Open, Server};
use crate::files::{Absent, Descend, FileSource, Files, Scoped};
use crate::git::Repo;
use crate::registry::{self, Registry, Scopes, Status};
use crate::scan::{body, markdown, trailers};
use lsp_types::request::Request;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CompletionItem, CompletionItemKind,
    CompletionParams, CompletionResponse, CompletionTextEdit, DocumentSymbol, DocumentSymbolParams,
    DocumentSymbolResponse, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams, Location,
    MarkupContent, MarkupKind, NumberOrString, Position, PrepareRenameResponse, Range, ReferenceParams, RenameParams,
    ServerCapabilities, SymbolKind, TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit,
};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

/// What the server can do.
pub(super) fn capabilities(encoding: Encoding) -> ServerCapabilities {
    use lsp_types::{
        CodeActionOptions, CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, OneOf,
        PositionEncodingKind, RenameOptions, SaveOptions, TextDocumentSyncCapability, TextDocumentSyncKind,
        TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
    };
    ServerCapabilities {
        position_encoding: Some(if encoding == Encoding::Utf8 {
            PositionEncodingKind::UTF8
        } else {
            PositionEncodingKind::UTF16
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(true) })),
            ..TextDocumentSyncOptions::default()
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some([":", " ", ",", "\"", "-"].map(String::from).to_vec()),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// A request on its way to its handler, dispatched by lsp-types' request types (their method,
/// parameters and result), as rust-analyzer's dispatcher does.
struct Dispatch<'a> {
    server: &'a Server,
    method: &'a str,
    params: Option<Value>,
    answer: Option<Result<Value, String>>,
}

impl Dispatch<'_> {
    /// Answer with `handle` when the request is `R`.
    fn on<R: Request>(mut self, handle: impl FnOnce(&Server, R::Params) -> Result<R::Result, String>) -> Self {
        if self.answer.is_none() && self.method == R::METHOD {
            let params = self.params.take().unwrap_or(Value::Null);
            let answer = serde_json::from_value::<R::Params>(params)
                .map_err(|e| format!("invalid parameters: {e}"))
                .and_then(|p| handle(self.server, p))
                .and_then(|r| serde_json::to_value(r).map_err(|e| e.to_string()));
            self.answer = Some(answer);
        }
        self
    }
}

/// The answer to a request, `None` for a method the server does not know.
pub(super) fn answer(server: &Server, method: &str, params: Value) -> Option<Result<Value, String>> {
    use lsp_types::request::{
        CodeActionRequest, Completion, DocumentSymbolRequest, GotoDefinition, HoverRequest, PrepareRenameRequest,
        References, Rename,
    };
    Dispatch { server, method, params: Some(params), answer: None }
        .on::<Completion>(|s, p| Ok(completion(s, &p)))
        .on::<HoverRequest>(|s, p| Ok(hover(s, &p)))
        .on::<GotoDefinition>(|s, p| Ok(definition(s, &p)))
        .on::<References>(|s, p| Ok(references(s, &p)))
        .on::<PrepareRenameRequest>(|s, p| Ok(prepare_rename(s, &p)))
        .on::<Rename>(|s, p| rename(s, &p))
        .on::<DocumentSymbolRequest>(|s, p| Ok(symbols(s, &p)))
        .on::<CodeActionRequest>(|s, p| Ok(code_actions(s, &p)))
        .answer
}

/// The registries of a work tree as the engine reads them ([`Scoped`]: the root's and every
/// listed member's, the editor's unsaved texts in place of the files), a `promises.toml` that
/// links out of the work tree or into `.git` refused as `check` refuses it: never read, never
/// shown. `None` when there is none or one does not read.
fn scoped(server: &Server, root: &Path) -> Option<Scoped> {
    let repo = Repo::discover(root);
    let files = Files::open(&FileSource::WorkTree, root, repo.as_ref()).ok()?.with_unsaved(server.unsaved(root));
    let (registry, source) = crate::files::read_registry(&files, None, Absent::NotUsing).ok()??;
    Scoped::read(&files, registry, source).ok()
}

/// An open document with what judges it: its root, every scope's registries, and the registry
/// of the scope that governs it (which knows the other scopes' promises by qualified id).
struct Judged<'s> {
    open: &'s Open,
    root: &'s Path,
    scoped: Scoped,
    registry: Registry,
}

fn judged<'s>(server: &'s Server, uri: &Uri) -> Option<Judged<'s>> {
    let open = server.docs.get(uri.as_str())?;
    let (root, rel) = open.root.as_ref()?;
    let scoped = scoped(server, root)?;
    let scope = Scopes::governing(scoped.members(), rel).to_string();
    let (registry, _) = scoped.registry(&scope).ok()?;
    Some(Judged { open, root, scoped, registry })
}

/// A promise's id as any scope names it: qualified with its scope's folder (`teams/a/x`; a
/// root promise's is bare). `promise` is one `registry` resolved: its own, or another scope's
/// (whose id is qualified already).
fn qualified(registry: &Registry, promise: &registry::Promise) -> String {
    if registry.promises.as_ptr_range().contains(&std::ptr::from_ref(promise)) {
        Scopes::qualify(&registry.scopes.path, &promise.id)
    } else {
        promise.id.clone()
    }
}

/// The scope a qualified id's promise is declared in, and its id there.
fn declared_in<'q>(scoped: &Scoped, qualified: &'q str) -> (String, &'q str) {
    let scope = Scopes::governing(scoped.members(), qualified);
    let short = if scope.is_empty() { qualified } else { &qualified[scope.len() + 1..] };
    (scope.to_string(), short)
}

/// The open document a position is in, when it has a root.
fn open_at<'s>(server: &'s Server, uri: &Uri) -> Option<&'s Open> {
    server.docs.get(uri.as_str()).filter(|o| o.root.is_some())
}

/// What an id (or a misspelling of one) is made of, `/` for another scope's qualified id
/// (`teams/a/x`); `.` is not: it separates TOML keys.
fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/')
}

/// The id-like word at `offset` (a byte offset on a character boundary, else `None`) and its
/// span. The character before the word may be any character (`“search”`, `café`).
fn word_at(text: &str, offset: usize) -> Option<(String, std::ops::Range<usize>)> {
    if !text.is_char_boundary(offset) {
        return None;
    }
    let start = text[..offset].trim_end_matches(is_id_char).len();
    let end = text[offset..].find(|c: char| !is_id_char(c)).map_or(text.len(), |i| offset + i);
    let word = &text[start..end];
    (!word.is_empty()).then(|| (word.to_string(), start..start + word.len()))
}

/// The promise id under the cursor, if the word there is one.
fn promise_at<'r>(
    server: &Server,
    pos: &TextDocumentPositionParams,
    registry: &'r Registry,
) -> Option<(&'r registry::Promise, std::ops::Range<usize>)> {
    let open = server.docs.get(pos.text_document.uri.as_str())?;
    let text = &open.doc.text;
    let offset = Lines::new(text).offset(text, pos.position, server.encoding);
    let (word, span) = word_at(text, offset)?;
    Some((registry.promise(&word)?, span))
}

fn completion(server: &Server, p: &CompletionParams) -> Option<CompletionResponse> {
    let open = open_at(server, &p.text_document_position.text_document.uri)?;
    let text = &open.doc.text;
    let lines = Lines::new(text);
    let pos = p.text_document_position.position;
    let offset = lines.offset(text, pos, server.encoding);
    let line_start = offset - text[..offset].rfind('\n').map_or(offset, |i| offset - i - 1);
    let before = &text[line_start..offset];
    let partial_len = before.len() - before.trim_end_matches(|c: char| is_id_char(c)).len();
    let replace = lines.range(text, offset - partial_len..offset, server.encoding);
    let item = |label: String, detail: Option<String>, doc: Option<String>, sort: String, kind| CompletionItem {
        label: label.clone(),
        kind: Some(kind),
        detail,
        documentation: doc
            .map(|value| lsp_types::Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })),
        sort_text: Some(sort),
        filter_text: Some(label.clone()),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit { range: replace, new_text: label })),
        ..CompletionItem::default()
    };
    if open.kind == Kind::Registry {
        let key = before.trim_start().split('=').next()?.trim();
        let value = before.split_once('=')?.1.trim_start();
        if !value.starts_with('"') || value[1..].contains('"') {
            return None;
        }
        let values: Vec<(String, Option<String>)> = match key {
            "status" => ["in-play", "proposed", "done", "dropped"].iter().map(|s| (s.to_string(), None)).collect(),
            "priority" => ["must", "should", "could"].iter().map(|s| (s.to_string(), None)).collect(),
            "customer" => customers_in(text),
            _ => return None,
        };
        let items = values
            .into_iter()
            .enumerate()
            .map(|(i, (v, d))| item(v, d, None, format!("{i:03}"), CompletionItemKind::ENUM_MEMBER))
            .collect();
        return Some(CompletionResponse::Array(items));
    }
    if !wants_promise(text, line_start, before, partial_len) {
        return None;
    }
    // The scope's own promises by their ids, then the other scopes' by their qualified ids.
    let registry = judged(server, &p.text_document_position.text_document.uri)?.registry;
    let items = registry
        .promises
        .iter()
        .chain(registry.others())
        .enumerate()
        .map(|(i, promise)| {
            let first = if promise.status == Status::InPlay { 0 } else { 1 };
            let detail =
                format!("{} · {}", promise.status.as_str(), promise.title.as_deref().unwrap_or(&promise.statement));
            item(
                promise.id.clone(),
                Some(detail),
                Some(describe(promise)),
                format!("{first}{i:04}"),
                CompletionItemKind::REFERENCE,
            )
        })
        .collect();
    Some(CompletionResponse::Array(items))
}

/// Whether the cursor is where a promise id goes: after `Promise:`/`Promises:` (any case,
/// `(Promise:` too, earlier ids separated by commas), or in front matter after `promise:` /
/// `promises:` or in their list.
fn wants_promise(text: &str, line_start: usize, before: &str, partial_len: usize) -> bool {
    let head = &before[..before.len() - partial_len];
    let lower = head.to_ascii_lowercase();
    if let Some(at) = lower.rfind("promise") {
        let rest = &lower[at + "promise".len()..];
        let rest = rest.strip_prefix('s').unwrap_or(rest);
        if let Some(after) = rest.trim_start().strip_prefix(':') {
            // Earlier ids, each one word, separated by commas.
            let after = after.trim_start().trim_start_matches('[');
            let word = |part: &str| part.trim().trim_matches(['"', '\'']).chars().all(is_id_char);
            if after.split(',').all(word) {
                return true;
            }
        }
    }
    // A list item under `promises:` in front matter.
    if text.starts_with("---") && head.trim_start().starts_with("- ") && head.trim() == "-" {
        let above = &text[..line_start];
        let in_front_matter = above.lines().skip(1).all(|l| l.trim_end() != "---");
        let key = above.lines().rev().find(|l| !l.trim_start().starts_with("- "));
        return in_front_matter
            && key.is_some_and(|k| matches!(k.trim().to_ascii_lowercase().as_str(), "promise:" | "promises:"));
    }
    false
}

/// `[customers.<id>]` tables, read from the text as written (the registry may not parse while
/// it is being typed).
fn customers_in(text: &str) -> Vec<(String, Option<String>)> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("[customers.")?.strip_suffix(']').map(|id| id.trim().trim_matches('"')))
        .filter(|id| registry::is_slug(id))
        .map(|id| (id.to_string(), None))
        .collect()
}

/// A promise in Markdown, its registry text escaped.
fn describe(p: &registry::Promise) -> String {
    let esc = crate::report::markdown::escape;
    let mut out = String::new();
    if let Some(title) = &p.title {
        out.push_str(&format!("**{}** ", esc(title)));
    }
    out.push_str(&format!("`{}`\n\n{}\n\n", p.id, esc(&p.statement)));
    out.push_str(&format!("- status: {}\n", p.status.as_str()));
    if let Some(priority) = p.priority {
        out.push_str(&format!("- priority: {}\n", format!("{priority:?}").to_lowercase()));
    }
    if let Some(customer) = &p.customer {
        out.push_str(&format!("- customer: {}\n", esc(customer)));
    }
    if let Some(owner) = &p.owner {
        out.push_str(&format!("- owner: {}\n", esc(owner)));
    }
    if !p.outcomes.is_empty() {
        out.push_str("- outcomes:\n");
        for o in &p.outcomes {
            let part = |v: &Option<String>| v.as_deref().map(esc).unwrap_or_else(|| "?".into());
            out.push_str(&format!("  - {}: {} → {}\n", part(&o.metric), part(&o.baseline), part(&o.target)));
        }
    }
    out
}

fn hover(server: &Server, p: &HoverParams) -> Option<Hover> {
    let pos = &p.text_document_position_params;
    let Judged { open, registry, .. } = judged(server, &pos.text_document.uri)?;
    let (promise, span) = promise_at(server, pos, &registry)?;
    let range = Lines::new(&open.doc.text).range(&open.doc.text, span, server.encoding);
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: describe(promise) }),
        range: Some(range),
    })
}

/// Where a promise (by its qualified id) is declared: its `[promises.<id>]` key in its scope's
/// registry.
fn declaration(server: &Server, root: &Path, scoped: &Scoped, qualified: &str) -> Option<Location> {
    let (scope, short) = declared_in(scoped, qualified);
    let (registry, source) = scoped.registry(&scope).ok()?;
    let promise = registry.promises.iter().find(|p| p.id == short)?;
    let text = &source.text;
    let span = promise.id_span.clone();
    let written = text.get(span.clone())?;
    let start = span.start + written.find(short).unwrap_or(0);
    let uri = Uri::from_str(&server.uri_of(root, &registry.file_path())).ok()?;
    let range = Lines::new(text).range(text, start..start + short.len(), server.encoding);
    Some(Location { uri, range })
}

fn definition(server: &Server, p: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let pos = &p.text_document_position_params;
    let judged = judged(server, &pos.text_document.uri)?;
    let (promise, _) = promise_at(server, pos, &judged.registry)?;
    let id = qualified(&judged.registry, promise);
    Some(GotoDefinitionResponse::Scalar(declaration(server, judged.root, &judged.scoped, &id)?))
}

/// The ids a plan document or issue file names, with their spans in `text` (as the engine
/// reads it: CRLF read as LF).
fn named_in(registry: &Registry, path: &str, text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    if !registry.issue_globs.is_match(path) {
        return markdown::scan(text).refs.into_iter().map(|r| (r.id, r.span)).collect();
    }
    let normalized = body::normalize(text);
    let refs = body::references(&normalized);
    // Back to the text as written: CRLF was read as LF.
    let source = crate::source::Source::file(path, normalized);
    let lines = Lines::new(text);
    let at = |o: usize| {
        let (line, col) = source.line_col(o);
        lines.start(text, line - 1) + text::byte_of_char(lines.line(text, line - 1), col - 1)
    };
    refs.into_iter().map(|r| (r.id, at(r.span.start)..at(r.span.end))).collect()
}

/// Every place a plan document or issue file of any scope names the promise `qualified` (by
/// whatever id resolves to it in that document's scope), with the id as written there.
fn mentions(server: &Server, root: &Path, scoped: &Scoped, qualified: &str) -> Vec<(Location, String)> {
    let scopes: Vec<Registry> = std::iter::once("")
        .chain(scoped.members().iter().map(String::as_str))
        .filter_map(|scope| scoped.registry(scope).ok().map(|(r, _)| r))
        .collect();
    let repo = Repo::discover(root);
    let Ok(files) = Files::open(&FileSource::WorkTree, root, repo.as_ref()) else { return Vec::new() };
    let files = files.with_unsaved(server.unsaved(root));
    let dirs: Vec<Descend> = scopes.iter().map(crate::files::document_dirs).collect();
    let descend: Descend = std::sync::Arc::new(move |dir: &str| dirs.iter().any(|d| d(dir)));
    let (paths, _) = files.paths(&|p| scopes.iter().any(|r| r.is_document(p)), &descend);
    let mut out = Vec::new();
    for path in paths {
        let Some(registry) = scopes.iter().find(|r| r.is_document(&path)) else { continue };
        let Ok(bytes) = files.read(&path) else { continue };
        // As the engine reads it: UTF-16 and byte-order marks decoded, CRLF read as LF.
        let decoded = crate::engine::decode(&bytes).unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
        let text = markdown::normalize_line_ends(decoded);
        let names = |id: &str| registry.promise(id).is_some_and(|p| self::qualified(registry, p) == qualified);
        let spans: Vec<_> = named_in(registry, &path, &text).into_iter().filter(|(id, _)| names(id)).collect();
        if spans.is_empty() {
            continue;
        }
        let Ok(uri) = Uri::from_str(&server.uri_of(root, &path)) else { continue };
        let lines = Lines::new(&text);
        out.extend(
            spans
                .into_iter()
                .map(|(id, s)| (Location { uri: uri.clone(), range: lines.range(&text, s, server.encoding) }, id)),
        );
    }
    out
}

fn references(server: &Server, p: &ReferenceParams) -> Option<Vec<Location>> {
    let pos = &p.text_document_position;
    let judged = judged(server, &pos.text_document.uri)?;
    let (promise, _) = promise_at(server, pos, &judged.registry)?;
    let id = qualified(&judged.registry, promise);
    let mut out = Vec::new();
    if p.context.include_declaration {
        out.extend(declaration(server, judged.root, &judged.scoped, &id));
    }
    out.extend(mentions(server, judged.root, &judged.scoped, &id).into_iter().map(|(l, _)| l));
    Some(out)
}

fn prepare_rename(server: &Server, p: &TextDocumentPositionParams) -> Option<PrepareRenameResponse> {
    let Judged { open, registry, .. } = judged(server, &p.text_document.uri)?;
    let (promise, span) = promise_at(server, p, &registry)?;
    let range = Lines::new(&open.doc.text).range(&open.doc.text, span, server.encoding);
    Some(PrepareRenameResponse::RangeWithPlaceholder { range, placeholder: promise.id.clone() })
}

/// Rename a promise: its declaration, and every mention in every scope (a qualified one stays
/// qualified). Refused when the new id names a promise in any scope already: a short id there
/// would then name another promise, or none.
// `Uri` caches its parsed parts inside; its hash and equality are its text's.
#[allow(clippy::mutable_key_type)]
fn rename(server: &Server, p: &RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let pos = &p.text_document_position;
    if open_at(server, &pos.text_document.uri).is_none() {
        return Ok(None);
    }
    let Some(judged) = judged(server, &pos.text_document.uri) else {
        return Err("promises.toml does not read: fix it before renaming".into());
    };
    let Some((promise, _)) = promise_at(server, pos, &judged.registry) else {
        return Err("no promise id here".into());
    };
    let new = p.new_name.trim();
    if !registry::is_slug(new) {
        return Err(format!("`{new}` is not a lowercase kebab-case slug (try `{}`)", registry::to_slug(new)));
    }
    let scoped = &judged.scoped;
    let scopes = std::iter::once("").chain(scoped.members().iter().map(String::as_str));
    let names = |(r, _): (Registry, crate::source::Source)| r.promise(new).is_some() || !r.definitions(new).is_empty();
    if scopes.filter_map(|s| scoped.registry(s).ok()).any(names) {
        return Err(format!("a promise `{new}` exists already"));
    }
    let id = qualified(&judged.registry, promise);
    let (scope, _) = declared_in(scoped, &id);
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let declared = declaration(server, judged.root, scoped, &id).map(|l| (l, String::new()));
    for (location, written) in declared.into_iter().chain(mentions(server, judged.root, scoped, &id)) {
        let new_text = if written.contains('/') { Scopes::qualify(&scope, new) } else { new.to_string() };
        changes.entry(location.uri).or_default().push(TextEdit { range: location.range, new_text });
    }
    Ok(Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }))
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out.
fn symbols(server: &Server, p: &DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let open = server.docs.get(p.text_document.uri.as_str())?;
    let text = &open.doc.text;
    let lines = Lines::new(text);
    let symbol = |name: String, detail: Option<String>, kind, span: std::ops::Range<usize>, name_span| DocumentSymbol {
        name: if name.trim().is_empty() { "(empty)".into() } else { name },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: lines.range(text, span, server.encoding),
        selection_range: lines.range(text, name_span, server.encoding),
        children: None,
    };
    match open.kind {
        Kind::Registry => {
            let (registry, _) = crate::files::parse_registry(registry::FILE_NAME, text.clone().into_bytes()).ok()?;
            // A table runs to the next table header.
            let headers: Vec<usize> = text
                .match_indices('\n')
                .map(|(i, _)| i + 1)
                .chain([0])
                .filter(|&i| text[i..].trim_start_matches([' ', '\t']).starts_with('['))
                .collect();
            let out = registry
                .promises
                .iter()
                .map(|promise| {
                    let span = promise.id_span.clone();
                    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                    let end = headers.iter().copied().filter(|&h| h > span.end).min().unwrap_or(text.len());
                    let detail = promise.title.clone().or_else(|| Some(promise.status.as_str().to_string()));
                    symbol(promise.id.clone(), detail, SymbolKind::OBJECT, start..end.max(span.end), span)
                })
                .collect();
            Some(DocumentSymbolResponse::Nested(out))
        }
        Kind::Message => None,
        Kind::Document => {
            let headings = markdown::headings(text);
            // Nest by level: each heading holds the deeper ones after it, to the next of its level.
            fn nest(
                headings: &[markdown::Heading],
                i: &mut usize,
                level: u8,
                end_of: &dyn Fn(usize) -> usize,
                make: &dyn Fn(&markdown::Heading, usize) -> DocumentSymbol,
            ) -> Vec<DocumentSymbol> {
                let mut out = Vec::new();
                while *i < headings.len() && headings[*i].level > level {
                    let at = *i;
                    *i += 1;
                    let mut symbol = make(&headings[at], end_of(at));
                    let children = nest(headings, i, headings[at].level, end_of, make);
                    if !children.is_empty() {
                        symbol.children = Some(children);
                    }
                    out.push(symbol);
                }
                out
            }
            let end_of = |at: usize| {
                headings[at + 1..].iter().find(|h| h.level <= headings[at].level).map_or(text.len(), |h| h.span.start)
            };
            let make = |h: &markdown::Heading, end: usize| {
                symbol(h.text.clone(), None, SymbolKind::NAMESPACE, h.span.start..end, h.span.clone())
            };
            let mut i = 0;
            Some(DocumentSymbolResponse::Nested(nest(&headings, &mut i, 0, &end_of, &make)))
        }
    }
}

#[allow(clippy::mutable_key_type)] // as in `rename`
fn code_actions(server: &Server, p: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let uri = &p.text_document.uri;
    let Judged { open, root, registry, .. } = judged(server, uri)?;
    let text = &open.doc.text;
    let lines = Lines::new(text);
    let mut out = Vec::new();
    let action = |title: String, d: &lsp_types::Diagnostic, edits: Vec<TextEdit>, preferred: bool| {
        CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d.clone()]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), edits)])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(preferred),
            ..CodeAction::default()
        })
    };
    let in_play: Vec<&registry::Promise> = registry.in_play().collect();
    for d in p.context.diagnostics.iter().filter(|d| d.source.as_deref() == Some("plan-lint")) {
        let Some(NumberOrString::String(code)) = &d.code else { continue };
        match code.as_str() {
            "unknown-promise" => {
                let start = lines.offset(text, d.range.start, server.encoding);
                let Some((word, span)) = word_at(text, start) else { continue };
                let ids = registry.promises.iter().chain(registry.others()).map(|p| p.id.as_str());
                let Some(best) = crate::suggest::closest(&word, ids) else { continue };
                let range = lines.range(text, span, server.encoding);
                out.push(action(
                    format!("Replace with `{best}`"),
                    d,
                    vec![TextEdit { range, new_text: best.to_string() }],
                    true,
                ));
            }
            "untraced-item" => {
                // The diagnostic's line, in the text (a stale one may be past its end).
                let start = lines.offset(text, d.range.start, server.encoding);
                let line = lines.position(text, start, server.encoding).line as usize;
                let written = lines.line(text, line);
                let end = written.trim_end().len();
                let at =
                    Position { line: line as u32, character: text::units(&written[..end], server.encoding) as u32 };
                for promise in &in_play {
                    out.push(action(
                        format!("Trace to `{}`", promise.id),
                        d,
                        vec![TextEdit {
                            range: Range { start: at, end: at },
                            new_text: format!(" (Promise: {})", promise.id),
                        }],
                        in_play.len() == 1,
                    ));
                }
            }
            "untraced-commit" if open.kind == Kind::Message => {
                let comment = Repo::discover(root)
                    .and_then(|r| r.config_string("core.commentChar"))
                    .filter(|c| !c.is_empty() && c != "auto")
                    .unwrap_or_else(|| "#".into());
                for promise in &in_play {
                    let line = format!("Promise: {}", promise.id);
                    let new = trailers::insert(text.as_bytes(), &line, comment.as_bytes());
                    let new = String::from_utf8_lossy(&new).into_owned();
                    out.push(action(
                        format!("Add `{line}` trailer"),
                        d,
                        vec![minimal_edit(text, &new, &lines, server.encoding)],
                        in_play.len() == 1,
                    ));
                }
            }
            _ => {}
        }
    }
    Some(out)
}

/// One edit turning `old` into `new`: the part between their common prefix and suffix.
fn minimal_edit(old: &str, new: &str, lines: &Lines, enc: Encoding) -> TextEdit {
    let mut prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old.bytes().rev().zip(new.bytes().rev()).take(max_suffix).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    TextEdit {
        range: lines.range(old, prefix..old.len() - suffix, enc),
        new_text: new[prefix..new.len() - suffix].to_string(),
    }
}

#[cfg(test)]
mod tests {
    /// The capabilities on the wire, as lsp-types serialises the typed ones: what clients read.
    #[test]
    fn capabilities_are_what_clients_read() {
        let want = serde_json::json!({
            "positionEncoding": "utf-16",
            "textDocumentSync": { "openClose": true, "change": 2, "save": { "includeText": true } },
            "completionProvider": { "triggerCharacters": [":", " ", ",", "\"", "-"] },
            "hoverProvider": true,
            "definitionProvider": true,
            "referencesProvider": true,
            "renameProvider": { "prepareProvider": true },
            "documentSymbolProvider": true,
            "codeActionProvider": { "codeActionKinds": ["quickfix"] },
        });
        assert_eq!(serde_json::to_value(capabilities(Encoding::Utf16)).unwrap(), want);
        let utf8 = serde_json::to_value(capabilities(Encoding::Utf8)).unwrap();
        assert_eq!(utf8["positionEncoding"], "utf-8");
    }

    use super::*;

    #[test]
    fn promise_positions() {
        let at =
            |before: &str| wants_promise(before, 0, before, before.len() - before.trim_end_matches(is_id_char).len());
        assert!(at("- [ ] Add search (Promise: fi"));
        assert!(at("Promise: "));
        assert!(at("promises: a, b"));
        assert!(at("Promises: [a, "));
        assert!(!at("- [ ] promise the world"));
        assert!(!at("Promise: a and then"));
        let fm = "---\npromises:\n  - ";
        assert!(wants_promise(fm, fm.len() - 4, "  - ", 0));
    }

    #[test]
    fn minimal_edits() {
        let old = "Subject\n\n# comment\n";
        let new = "Subject\n\nPromise: x\n\n# comment\n";
        let lines = Lines::new(old);
        let edit = minimal_edit(old, new, &lines, Encoding::Utf16);
        assert_eq!(edit.new_text, "Promise: x\n\n");
        assert_eq!(edit.range.start, Position { line: 2, character: 0 });
        assert_eq!(edit.range.end, edit.range.start);
    }
}
