//! The shape of the code, checked: the top-level modules import each other without a cycle,
//! each imports only what ARCHITECTURE.md's table ("Modules and what they may import") allows
//! (the table is read from the document, so the document is what is checked), and the one-way
//! flow holds (sources → facts → rules → sink → reporters): only the engine gathers facts and
//! calls the rules; rules never touch git, files or reporters; scanners and codes import nothing
//! that judges or reads. No module but `git/` names git2, and the engine stays an orchestrator
//! (engine.rs under 600 lines, no function in it or engine/ over 80).
//!
//! The source is parsed (syn), not searched: every `use` tree (groups and renames included), every
//! path in code and types, and the paths inside macro bodies; `super::` and `self::` are resolved
//! against the file's module; `lib.rs` is read (its items and inline modules are the crate
//! root, `lib`); only items carrying `#[cfg(test)]` are left out. The checker runs over a map of
//! texts, so the tests below also run it over copies of the source with violations injected and
//! assert that it reports each one: a check that cannot see its bug fails here.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use syn::visit::{self, Visit};

/// The source files under `src/`: path relative to it, with `/` separators → text.
type Sources = BTreeMap<String, String>;

fn read_sources() -> Sources {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Sources::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(&src).unwrap();
                let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.insert(rel.join("/"), std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

/// A path the code names (outside tests).
#[derive(Debug, Clone)]
struct Named {
    /// The file it is in (`git/mod.rs`).
    file: String,
    /// As written, segments joined by `::` (a leading `::` kept).
    written: String,
    /// Its segments as written.
    segments: Vec<String>,
    /// From the crate root, when the path is the crate's (`crate::`, `super::`, `self::`, or any
    /// path at the root): `super::super::engine` in `git::walk` is `["engine"]`.
    absolute: Option<Vec<String>>,
}

/// What the checker read of the crate.
#[derive(Debug, Default)]
struct Scan {
    /// Top-level module (`lib` for the crate root) → the top-level modules it names → where.
    graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    /// Every path named outside tests.
    named: Vec<Named>,
    /// Struct literals outside tests: (file, the struct's path as written).
    literals: Vec<(String, String)>,
    /// Files that could not be read as Rust, or use what this checker does not follow.
    errors: Vec<String>,
}

/// The crate root's view: its file modules and the names it re-exports.
#[derive(Default)]
struct Root {
    /// Top-level modules with files of their own (`mod git;`).
    modules: BTreeSet<String>,
    /// Names `lib.rs` re-exports (`pub use error::Error`) → the module they come from.
    reexports: BTreeMap<String, String>,
}

/// The top-level module a file belongs to: `git/walk.rs` → `git`, `lib.rs` → `lib`.
fn node_of(file: &str) -> String {
    let first = file.split('/').next().unwrap();
    first.strip_suffix(".rs").unwrap_or(first).to_string()
}

/// The module path of a file: `git/walk.rs` → `[git, walk]`, `git/mod.rs` → `[git]`, `lib.rs` → `[]`.
fn module_of(file: &str) -> Vec<String> {
    if file == "lib.rs" {
        return Vec::new();
    }
    let mut parts: Vec<String> = file.split('/').map(str::to_string).collect();
    let last = parts.pop().unwrap();
    if last != "mod.rs" {
        parts.push(last.strip_suffix(".rs").unwrap().to_string());
    }
    parts
}

/// Whether the attributes hold `#[cfg(test)]` (exactly: `cfg(not(test))` and `cfg(any(test,
/// …))` are compiled outside tests, so their items are read).
fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test"))
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item::*;
    match item {
        Const(i) => &i.attrs,
        Enum(i) => &i.attrs,
        ExternCrate(i) => &i.attrs,
        Fn(i) => &i.attrs,
        ForeignMod(i) => &i.attrs,
        Impl(i) => &i.attrs,
        Macro(i) => &i.attrs,
        Mod(i) => &i.attrs,
        Static(i) => &i.attrs,
        Struct(i) => &i.attrs,
        Trait(i) => &i.attrs,
        TraitAlias(i) => &i.attrs,
        Type(i) => &i.attrs,
        Union(i) => &i.attrs,
        Use(i) => &i.attrs,
        _ => &[],
    }
}

/// Files declared as test modules (`#[cfg(test)] mod tests;`, at any depth): never read.
fn test_files(module: &[String], items: &[syn::Item], out: &mut Vec<String>) {
    for item in items {
        if let syn::Item::Mod(m) = item {
            let mut path = module.to_vec();
            path.push(m.ident.to_string());
            match &m.content {
                None if is_test(&m.attrs) => out.push(path.join("/")),
                Some((_, inner)) if !is_test(&m.attrs) => test_files(&path, inner, out),
                _ => {}
            }
        }
    }
}

struct Visitor<'a> {
    file: &'a str,
    node: String,
    /// The module being read (inline modules push onto the file's).
    module: Vec<String>,
    root: &'a Root,
    scan: &'a mut Scan,
}

impl Visitor<'_> {
    /// A path from the crate root, when it is one of the crate's.
    fn absolute(&self, segments: &[String]) -> Option<Vec<String>> {
        let first = segments.first()?;
        match first.as_str() {
            "crate" => Some(segments[1..].to_vec()),
            "self" | "super" => {
                let mut at = self.module.clone();
                let mut rest = segments;
                if rest[0] == "self" {
                    rest = &rest[1..];
                }
                while rest.first().is_some_and(|s| s == "super") {
                    // Above the crate root rustc rejects; count it as the root.
                    if at.pop().is_none() {
                        return Some(Vec::new());
                    }
                    rest = &rest[1..];
                }
                Some(at.into_iter().chain(rest.iter().cloned()).collect())
            }
            // At the crate root a name is the root's (a top-level module, or what lib.rs defines
            // or imports); elsewhere it is an extern crate or the module's own.
            _ if self.module.is_empty() => Some(segments.to_vec()),
            _ => None,
        }
    }

    /// The top-level module a path from the crate root lands in: a module, the module a root
    /// re-export comes from, or else the crate root itself (`lib`: its items, inline modules).
    fn target(&self, absolute: &[String]) -> String {
        match absolute.first() {
            Some(m) if self.root.modules.contains(m) => m.clone(),
            Some(name) => self.root.reexports.get(name).cloned().unwrap_or_else(|| "lib".to_string()),
            None => "lib".to_string(),
        }
    }

    fn record(&mut self, segments: Vec<String>, leading_colon: bool) {
        if segments.is_empty() {
            return;
        }
        let written = format!("{}{}", if leading_colon { "::" } else { "" }, segments.join("::"));
        let absolute = if leading_colon { None } else { self.absolute(&segments) };
        if let Some(abs) = &absolute {
            let target = self.target(abs);
            if target != self.node {
                let site = format!("src/{}: {written}", self.file);
                self.scan.graph.entry(self.node.clone()).or_default().entry(target).or_default().insert(site);
            }
        }
        self.scan.named.push(Named { file: self.file.to_string(), written, segments, absolute });
    }

    /// Each import of a `use` tree, as a path (`x::{self}` is `x`, a glob its prefix).
    fn use_tree(&mut self, mut prefix: Vec<String>, tree: &syn::UseTree, leading_colon: bool) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree, leading_colon);
            }
            syn::UseTree::Name(n) => {
                if n.ident != "self" {
                    prefix.push(n.ident.to_string());
                }
                self.record(prefix, leading_colon);
            }
            syn::UseTree::Rename(r) => {
                if r.ident != "self" {
                    prefix.push(r.ident.to_string());
                }
                self.record(prefix, leading_colon);
            }
            syn::UseTree::Glob(_) => self.record(prefix, leading_colon),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix.clone(), t, leading_colon);
                }
            }
        }
    }

    /// A macro body is tokens, not syntax: every run `a::b::c` in it (through nested groups) is
    /// read as a path, and `a::{…}` as a `use` tree. `$crate::x` is `crate::x`.
    fn tokens(&mut self, stream: TokenStream) {
        let tts: Vec<TokenTree> = stream.into_iter().collect();
        let colons = |at: usize| {
            matches!((tts.get(at), tts.get(at + 1)), (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                if a.as_char() == ':' && b.as_char() == ':')
        };
        let mut i = 0;
        while i < tts.len() {
            match &tts[i] {
                TokenTree::Group(g) => {
                    self.tokens(g.stream());
                    i += 1;
                }
                TokenTree::Ident(first) => {
                    let leading_colon = i >= 2 && colons(i - 2);
                    let mut segments = vec![first.to_string()];
                    let mut at = i + 1;
                    while colons(at) {
                        match tts.get(at + 2) {
                            Some(TokenTree::Ident(next)) => {
                                segments.push(next.to_string());
                                at += 3;
                            }
                            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                                let parser =
                                    syn::punctuated::Punctuated::<syn::UseTree, syn::Token![,]>::parse_terminated;
                                match syn::parse::Parser::parse2(parser, g.stream()) {
                                    Ok(trees) => {
                                        for t in &trees {
                                            self.use_tree(segments.clone(), t, leading_colon);
                                        }
                                    }
                                    Err(e) => {
                                        self.scan.errors.push(format!("src/{}: a macro's `{{…}}`: {e}", self.file))
                                    }
                                }
                                segments.clear();
                                at += 3;
                                break;
                            }
                            Some(TokenTree::Punct(p)) if p.as_char() == '*' => {
                                at += 3;
                                break;
                            }
                            _ => break,
                        }
                    }
                    // `pub(crate)`, `pub(super)`: a visibility, not a path.
                    if !matches!(&segments[..], [one] if one == "crate" || one == "super" || one == "self") {
                        self.record(segments, leading_colon);
                    }
                    i = at;
                }
                TokenTree::Punct(_) | TokenTree::Literal(_) => i += 1,
            }
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    fn visit_item(&mut self, i: &'ast syn::Item) {
        if !is_test(item_attrs(i)) {
            visit::visit_item(self, i);
        }
    }

    fn visit_item_mod(&mut self, i: &'ast syn::ItemMod) {
        if i.attrs.iter().any(|a| a.path().is_ident("path")) {
            self.scan.errors.push(format!("src/{}: `#[path]` on mod {}: not followed", self.file, i.ident));
        }
        if let Some((_, items)) = &i.content {
            self.module.push(i.ident.to_string());
            for item in items {
                self.visit_item(item);
            }
            self.module.pop();
        }
    }

    fn visit_item_use(&mut self, i: &'ast syn::ItemUse) {
        self.use_tree(Vec::new(), &i.tree, i.leading_colon.is_some());
    }

    /// `extern crate git2 as g;` names the crate (and `g::…` after it would not).
    fn visit_item_extern_crate(&mut self, i: &'ast syn::ItemExternCrate) {
        self.record(vec![i.ident.to_string()], true);
    }

    fn visit_impl_item(&mut self, i: &'ast syn::ImplItem) {
        let attrs: &[syn::Attribute] = match i {
            syn::ImplItem::Const(c) => &c.attrs,
            syn::ImplItem::Fn(f) => &f.attrs,
            syn::ImplItem::Type(t) => &t.attrs,
            syn::ImplItem::Macro(m) => &m.attrs,
            _ => &[],
        };
        if !is_test(attrs) {
            visit::visit_impl_item(self, i);
        }
    }

    fn visit_trait_item(&mut self, i: &'ast syn::TraitItem) {
        let attrs: &[syn::Attribute] = match i {
            syn::TraitItem::Const(c) => &c.attrs,
            syn::TraitItem::Fn(f) => &f.attrs,
            syn::TraitItem::Type(t) => &t.attrs,
            syn::TraitItem::Macro(m) => &m.attrs,
            _ => &[],
        };
        if !is_test(attrs) {
            visit::visit_trait_item(self, i);
        }
    }

    fn visit_local(&mut self, i: &'ast syn::Local) {
        if !is_test(&i.attrs) {
            visit::visit_local(self, i);
        }
    }

    fn visit_stmt_macro(&mut self, i: &'ast syn::StmtMacro) {
        if !is_test(&i.attrs) {
            visit::visit_stmt_macro(self, i);
        }
    }

    fn visit_field(&mut self, i: &'ast syn::Field) {
        if !is_test(&i.attrs) {
            visit::visit_field(self, i);
        }
    }

    fn visit_variant(&mut self, i: &'ast syn::Variant) {
        if !is_test(&i.attrs) {
            visit::visit_variant(self, i);
        }
    }

    fn visit_arm(&mut self, i: &'ast syn::Arm) {
        if !is_test(&i.attrs) {
            visit::visit_arm(self, i);
        }
    }

    /// Attributes name `cfg`, `derive`, `doc` and the like, none of them the crate's.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    /// `pub(crate)`, `pub(in crate::x)`: who may see an item, not what it imports.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.record(segments, p.leading_colon.is_some());
        // Generic arguments hold paths of their own.
        visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.visit_path(&m.path);
        self.tokens(m.tokens.clone());
    }

    fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
        let path: Vec<String> = e.path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.scan.literals.push((self.file.to_string(), path.join("::")));
        visit::visit_expr_struct(self, e);
    }
}

/// A file's syntax tree, parsed once per text on each test's thread (syn's trees are not `Sync`;
/// the tests below scan the same source many times with one file changed).
fn parse(text: &str) -> syn::Result<std::rc::Rc<syn::File>> {
    thread_local! {
        static PARSED: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<syn::File>>> =
            Default::default();
    }
    if let Some(ast) = PARSED.with(|p| p.borrow().get(text).cloned()) {
        return Ok(ast);
    }
    let ast = std::rc::Rc::new(syn::parse_file(text)?);
    PARSED.with(|p| p.borrow_mut().insert(text.to_string(), ast.clone()));
    Ok(ast)
}

/// Read the crate: `lib.rs` and every other file under `src/` but `main.rs` (the binary, a crate
/// of its own that calls `plan_lint::main`) and files declared `#[cfg(test)] mod x;`.
fn scan(sources: &Sources) -> Scan {
    let mut out = Scan::default();
    let mut parsed = BTreeMap::new();
    for (file, text) in sources {
        match parse(text) {
            Ok(ast) => {
                parsed.insert(file.clone(), ast);
            }
            Err(e) => out.errors.push(format!("src/{file}: does not parse: {e}")),
        }
    }
    let Some(lib) = parsed.get("lib.rs") else {
        out.errors.push("src/lib.rs: missing".into());
        return out;
    };
    let mut root = Root::default();
    for item in &lib.items {
        if let syn::Item::Mod(m) = item {
            if m.content.is_none() && !is_test(&m.attrs) {
                root.modules.insert(m.ident.to_string());
            }
        }
    }
    // Re-exports: what `crate::Name` means when `Name` is lib.rs's `pub use module::…`.
    for item in &lib.items {
        if let syn::Item::Use(u) = item {
            let mut leaves = Vec::new();
            fn leaves_of(prefix: Vec<String>, tree: &syn::UseTree, out: &mut Vec<(String, Vec<String>)>) {
                match tree {
                    syn::UseTree::Path(p) => {
                        let mut prefix = prefix;
                        prefix.push(p.ident.to_string());
                        leaves_of(prefix, &p.tree, out);
                    }
                    syn::UseTree::Name(n) => out.push((n.ident.to_string(), prefix)),
                    syn::UseTree::Rename(r) => out.push((r.rename.to_string(), prefix)),
                    syn::UseTree::Glob(_) => {}
                    syn::UseTree::Group(g) => g.items.iter().for_each(|t| leaves_of(prefix.clone(), t, out)),
                }
            }
            leaves_of(Vec::new(), &u.tree, &mut leaves);
            for (name, prefix) in leaves {
                let first = prefix.iter().find(|s| *s != "crate" && *s != "self");
                if let Some(m) = first.filter(|m| root.modules.contains(*m)) {
                    root.reexports.insert(name, m.clone());
                }
            }
        }
    }
    let mut skipped = Vec::new();
    for (file, ast) in &parsed {
        test_files(&module_of(file), &ast.items, &mut skipped);
    }
    for (file, ast) in &parsed {
        let module = module_of(file);
        let joined = module.join("/");
        if file == "main.rs" || skipped.iter().any(|s| joined == *s || joined.starts_with(&format!("{s}/"))) {
            continue;
        }
        if file != "lib.rs" && !root.modules.contains(&node_of(file)) {
            out.errors.push(format!("src/{file}: not under a module lib.rs declares"));
        }
        let mut v = Visitor { file, node: node_of(file), module, root: &root, scan: &mut out };
        v.visit_file(ast);
    }
    out
}

/// ARCHITECTURE.md, the document the table is read from.
fn read_doc() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).unwrap()
}

/// ARCHITECTURE.md's table, "Modules and what they may import", as the document states it.
#[derive(Debug, Default)]
struct Table {
    /// Each top-level module and the crate modules it may name.
    may: BTreeMap<String, BTreeSet<String>>,
    /// Entry points ("as `cli/`", "anything but …"): they may name any module (cli's one limit,
    /// no judging, is checked by name).
    entry_points: BTreeSet<String>,
}

/// The names in backticks in a cell, as top-level modules: `scan/` is `scan`, `rules::judge_*`
/// is `rules`.
fn ticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(|name| name.trim_end_matches('/').split("::").next().unwrap_or("").to_string())
        .collect()
}

/// A cell without its notes in parentheses: "`rules` (declarations, for SARIF)" is "`rules` ".
fn without_notes(cell: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in cell.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The table, read from the document's section "Modules and what they may import"; what it
/// cannot read is an error naming the row.
fn table(doc: &str) -> Result<Table, String> {
    let section = doc
        .split("\n## Modules and what they may import")
        .nth(1)
        .ok_or("no section \"Modules and what they may import\"")?;
    let section = section.split("\n## ").next().unwrap_or("");
    let rows: Vec<&str> = section.lines().filter(|l| l.trim_start().starts_with('|')).collect();
    if rows.len() < 3 || !rows[1].contains("---") {
        return Err("no table (a header, a separator, rows)".into());
    }
    let mut table = Table::default();
    let mut above: Vec<String> = Vec::new();
    for row in &rows[2..] {
        let cells: Vec<&str> = row.trim().trim_matches('|').split('|').map(str::trim).collect();
        let [modules, _job, may] = cells[..] else { return Err(format!("not three cells: {row}")) };
        let modules = ticked(modules);
        if modules.is_empty() || modules.iter().any(String::is_empty) {
            return Err(format!("no module in the first cell: {row}"));
        }
        let deps: Option<Vec<String>> = if may.starts_with("nothing") {
            Some(Vec::new())
        } else if may == "everything above" {
            Some(above.clone())
        } else if may.starts_with("as `") || may.starts_with("anything but ") {
            None
        } else {
            let named = ticked(&without_notes(may));
            let rest = without_notes(may).split('`').step_by(2).collect::<String>();
            if named.is_empty() || rest.chars().any(|c| c != ',' && !c.is_whitespace()) {
                return Err(format!("the last cell is not a list of modules: {row}"));
            }
            Some(named)
        };
        for m in modules {
            if table.may.contains_key(&m) || table.entry_points.contains(&m) {
                return Err(format!("`{m}` has two rows"));
            }
            match &deps {
                Some(deps) => {
                    table.may.insert(m.clone(), deps.iter().cloned().collect());
                }
                None => {
                    table.entry_points.insert(m.clone());
                }
            }
            above.push(m);
        }
    }
    // A module a row may import is a module of the table (a typo would allow nothing).
    for (m, deps) in &table.may {
        if let Some(d) = deps.iter().find(|d| !table.may.contains_key(*d) && !table.entry_points.contains(*d)) {
            return Err(format!("`{m}` may import `{d}`, which has no row"));
        }
    }
    Ok(table)
}

fn cycle(graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut c = path[at..].to_vec();
            c.push(node.to_string());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for dep in graph.get(node).into_iter().flat_map(|d| d.keys()) {
            if let Some(c) = visit(dep, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// Every break of the module map the checker finds, one line each, naming where, against
/// ARCHITECTURE.md as it stands.
fn violations(sources: &Sources) -> Vec<String> {
    violations_against(sources, &read_doc())
}

/// [`violations`] against the table in `doc`.
fn violations_against(sources: &Sources, doc: &str) -> Vec<String> {
    let scan = scan(sources);
    let mut out = scan.errors.clone();
    let graph = &scan.graph;
    let sites = |from: &str, to: &str| -> String { graph[from][to].iter().cloned().collect::<Vec<_>>().join(", ") };
    if let Some(c) = cycle(graph) {
        let steps: Vec<String> =
            c.windows(2).map(|w| format!("{} → {} ({})", w[0], w[1], sites(&w[0], &w[1]))).collect();
        out.push(format!("import cycle: {}", steps.join("; ")));
    }
    // The text's rules, stated on their own (the table implies them; they name the why).
    for from in ["rules", "facts", "scan"] {
        for to in ["git", "files", "engine", "report", "cli"] {
            if graph.get(from).is_some_and(|d| d.contains_key(to)) {
                out.push(format!("{from} imports {to}: {}", sites(from, to)));
            }
        }
    }
    for to in ["engine", "git", "files", "cli"] {
        if graph.get("report").is_some_and(|d| d.contains_key(to)) {
            out.push(format!("report imports {to}: {}", sites("report", to)));
        }
    }
    // The table.
    let table = match table(doc) {
        Ok(table) => table,
        Err(e) => {
            out.push(format!("ARCHITECTURE.md's table does not read: {e}"));
            return out;
        }
    };
    let declared: BTreeSet<&String> = graph.keys().chain(graph.values().flat_map(|d| d.keys())).collect();
    for module in declared {
        if table.entry_points.contains(module) {
            continue;
        }
        let Some(may) = table.may.get(module) else {
            out.push(format!("{module}: not in ARCHITECTURE.md's table"));
            continue;
        };
        for to in graph.get(module).into_iter().flat_map(|d| d.keys()) {
            if !may.contains(to) {
                out.push(format!("{module} may not import {to} (ARCHITECTURE.md's table): {}", sites(module, to)));
            }
        }
    }
    // Only the engine gathers facts and calls the rules (the CLI lists their declarations for
    // `rules` and `explain`, reporters read them for SARIF, but neither judges).
    let judging = |file: &str| file == "engine.rs" || file.starts_with("engine/") || file.starts_with("rules/");
    for (file, path) in &scan.literals {
        if !judging(file) && path.rsplit("::").next() == Some("Facts") {
            out.push(format!("src/{file} builds `Facts` by hand: only the engine gathers facts"));
        }
    }
    for n in &scan.named {
        if judging(&n.file) {
            continue;
        }
        let judge = n.segments.windows(2).any(|w| w[0] == "rules" && w[1].starts_with("judge"))
            || n.absolute.as_ref().is_some_and(|a| a.len() >= 2 && a[0] == "rules" && a[1].starts_with("judge"))
            || n.segments.iter().any(|s| s == "Sink" || s == "Levels");
        if judge {
            out.push(format!("src/{} names `{}`: only the engine calls the rules", n.file, n.written));
        }
    }
    out
}

#[test]
fn the_module_map_holds() {
    let sources = read_sources();
    let scan = scan(&sources);
    assert!(scan.graph.len() > 15, "the module map was not read: {:#?}", scan.graph);
    // git/mod.rs has a `#[cfg(test)]` item near its top; what follows it is read.
    assert!(
        scan.named.iter().any(|n| n.file == "git/mod.rs" && n.written == "crate::error::Error")
            && scan.named.iter().filter(|n| n.file == "git/mod.rs").count() > 200,
        "git/mod.rs was not read whole"
    );
    let found = violations(&sources);
    assert!(found.is_empty(), "the module map is broken:\n  {}", found.join("\n  "));
}

/// The table is the document's: rows with several modules, notes in parentheses, "nothing",
/// "everything above" and the entry points' forms all read as the text says.
#[test]
fn the_table_is_read_from_the_document() {
    let table = table(&read_doc()).unwrap_or_else(|e| panic!("ARCHITECTURE.md's table does not read: {e}"));
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<String>>();
    assert_eq!(table.entry_points, set(&["cli", "fuzzing", "lib", "lsp"]));
    for helper in ["escape", "suggest", "when", "patterns", "progress", "code", "scan"] {
        assert_eq!(table.may[helper], set(&[]), "{helper}");
    }
    assert_eq!(table.may["panic"], set(&["escape"]));
    assert_eq!(table.may["cache"], set(&["git", "atomic"]), "a note in parentheses is not a module");
    assert!(table.may["report"].contains("rules") && !table.may["report"].contains("engine"));
    let above = &table.may["engine"];
    assert!(above.contains("git") && above.contains("cache") && above.contains("panic"), "{above:?}");
    assert!(!above.contains("report") && !above.contains("cli"), "only the rows above: {above:?}");
}

/// The document with `from` replaced by `to` (which must occur).
fn doc_with(from: &str, to: &str) -> String {
    let doc = read_doc();
    assert!(doc.contains(from), "ARCHITECTURE.md has no {from:?}");
    doc.replacen(from, to, 1)
}

#[test]
fn a_table_that_is_wrong_fails() {
    let sources = read_sources();
    // A module without a row.
    let cache_row = read_doc().lines().find(|l| l.starts_with("| `cache` |")).unwrap().to_string() + "\n";
    let found = violations_against(&sources, &doc_with(&cache_row, ""));
    assert!(found.iter().any(|f| f == "cache: not in ARCHITECTURE.md's table"), "{found:#?}");
    // A row that allows less than the code does.
    let found = violations_against(
        &sources,
        &doc_with(
            "| `error`, `git`, `registry`, `source`, `patterns` |",
            "| `error`, `registry`, `source`, `patterns` |",
        ),
    );
    assert!(
        found.iter().any(|f| f.starts_with("files may not import git (ARCHITECTURE.md's table): src/files.rs")),
        "{found:#?}"
    );
    // A row it cannot read, and a module named that has no row.
    let found = violations_against(
        &sources,
        &doc_with("| helper: the panic guard | `escape` |", "| helper: the panic guard | `escape` only |"),
    );
    assert!(found.iter().any(|f| f.contains("does not read: the last cell is not a list of modules")), "{found:#?}");
    let found = violations_against(
        &sources,
        &doc_with(
            "`registry`, `scan`, `source`, `tally`, `when`, `outcomes`, `baseline` |",
            "`registry`, `scan`, `source`, `taly`, `when`, `outcomes`, `baseline` |",
        ),
    );
    assert!(found.iter().any(|f| f.contains("`facts` may import `taly`, which has no row")), "{found:#?}");
    // No section at all.
    let found = violations_against(&sources, &doc_with("## Modules and what they may import", "## Modules"));
    assert!(found.iter().any(|f| f.contains("does not read: no section")), "{found:#?}");
}

/// The source with `text` appended to one file (or a new file).
fn injected(file: &str, text: &str) -> Sources {
    let mut sources = read_sources();
    let entry = sources.entry(file.to_string()).or_default();
    entry.push('\n');
    entry.push_str(text);
    entry.push('\n');
    sources
}

#[track_caller]
fn assert_reports(sources: &Sources, wants: &[&str]) {
    let found = violations(sources);
    for want in wants {
        assert!(
            found.iter().any(|f| f.contains(want)),
            "expected a violation containing {want:?}, found:\n  {}",
            found.join("\n  ")
        );
    }
}

#[test]
fn an_injected_cycle_is_reported_wherever_it_hides() {
    // After git/mod.rs's first `#[cfg(test)]` (line 10): the old check cut the file there.
    let text = &read_sources()["git/mod.rs"];
    assert!(text.find("#[cfg(test)]").is_some_and(|at| at < text.len() / 2));
    assert_reports(
        &injected("git/mod.rs", "use crate::engine::run as _;"),
        &["import cycle:", "src/git/mod.rs: crate::engine::run", "git may not import engine"],
    );
    // `super::super::` from git::walk is the crate root.
    assert_reports(
        &injected("git/walk.rs", "#[allow(unused_imports)]\nuse super::super::engine;"),
        &["src/git/walk.rs: super::super::engine", "import cycle:"],
    );
    // Deeper: an inline module of git::walk, three levels up.
    assert_reports(
        &injected("git/walk.rs", "mod nested { pub fn f() { super::super::super::engine::run; } }"),
        &["src/git/walk.rs: super::super::super::engine::run", "import cycle:"],
    );
    // A grouped import with a rename, in a scanner.
    assert_reports(
        &injected("scan/mod.rs", "use crate::{code, engine as _};"),
        &["scan imports engine: src/scan/mod.rs: crate::engine"],
    );
    // A path expression and a type, no `use`.
    assert_reports(
        &injected("rules/mod.rs", "fn sneak(_: crate::files::Documents) { let _ = crate::git::Repo::discover; }"),
        &["rules imports git: src/rules/mod.rs: crate::git::Repo::discover", "rules imports files"],
    );
    // Inside a macro's arguments, and `$crate` in a macro definition.
    assert_reports(
        &injected("facts.rs", "fn sneak() { println!(\"{:?}\", crate::engine::run as usize); }"),
        &["facts imports engine: src/facts.rs: crate::engine::run"],
    );
    assert_reports(
        &injected("report/mod.rs", "macro_rules! sneak { () => { $crate::git::Repo::discover }; }"),
        &["report imports git: src/report/mod.rs: crate::git::Repo::discover"],
    );
    // `self::` at the crate root, through lib.rs's inline module: git → lib → engine → git.
    let mut sources = injected("lib.rs", "mod inner { pub use self::super::engine as e; }");
    sources.get_mut("git/mod.rs").unwrap().push_str("\nuse crate::inner::e as _;\n");
    assert_reports(&sources, &["src/git/mod.rs: crate::inner::e", "import cycle:"]);
    // A re-export of the root names its module: `crate::Registry` is `registry`.
    assert_reports(
        &injected("code.rs", "use crate::Registry as _;"),
        &["code may not import registry (ARCHITECTURE.md's table): src/code.rs: crate::Registry"],
    );
    // A new file is read.
    assert_reports(&injected("scan/sneak.rs", "use crate::report as _;"), &["scan imports report: src/scan/sneak.rs"]);
    // `#[cfg(not(test))]` is compiled: read.
    assert_reports(&injected("scan/mod.rs", "#[cfg(not(test))]\nuse crate::cli as _;"), &["scan imports cli"]);
}

#[test]
fn only_test_items_are_left_out() {
    // An item marked `#[cfg(test)]` (here, after ordinary code) may reach anywhere...
    let sources = injected(
        "git/walk.rs",
        "#[cfg(test)]\nuse crate::engine::run as _;\n#[cfg(test)]\nmod more_tests { use crate::engine as _; }",
    );
    assert_eq!(violations(&sources), Vec::<String>::new());
    // ...and only it: the item after it is read.
    let sources = injected("git/walk.rs", "#[cfg(test)]\nfn t() {}\nfn after() { crate::engine::run; }");
    assert_reports(&sources, &["src/git/walk.rs: crate::engine::run"]);
    // A file declared as a test module is not read; the same file declared plainly is.
    let mut sources = injected("git/walk.rs", "#[cfg(test)]\nmod walk_tests;");
    sources.insert("git/walk/walk_tests.rs".into(), "use crate::engine as _;\n".into());
    assert_eq!(violations(&sources), Vec::<String>::new());
    let mut sources = injected("git/walk.rs", "mod walk_more;");
    sources.insert("git/walk/walk_more.rs".into(), "use crate::engine as _;\n".into());
    assert_reports(&sources, &["src/git/walk/walk_more.rs: crate::engine"]);
}

#[test]
fn only_the_engine_gathers_facts_and_calls_the_rules() {
    assert_reports(
        &injected("cli/check.rs", "fn sneak() { let _ = crate::facts::Facts { ..Default::default() }; }"),
        &["src/cli/check.rs builds `Facts` by hand"],
    );
    assert_reports(
        &injected("cli/check.rs", "use crate::rules::{Sink as S};"),
        &["src/cli/check.rs names `crate::rules::Sink`"],
    );
    assert_reports(
        &injected("report/mod.rs", "#[cfg(test)]\nfn t() {}\nfn sneak() { crate::rules::judge_commit; }"),
        &["src/report/mod.rs names `crate::rules::judge_commit`"],
    );
    assert_reports(
        &injected("lsp/mod.rs", "fn sneak() { let _ = format!(\"{:?}\", Levels::new); }"),
        &["src/lsp/mod.rs names `Levels::new`"],
    );
}

fn git2_outside_git(sources: &Sources) -> BTreeSet<String> {
    scan(sources)
        .named
        .iter()
        .filter(|n| !n.file.starts_with("git/") && n.segments.first().is_some_and(|s| s == "git2"))
        .map(|n| n.file.clone())
        .collect()
}

/// ARCHITECTURE.md: `git/` holds everything that touches git2. Every other module goes through
/// `git`'s own API (object ids as `git::Oid`, re-exported there); a path that starts with
/// `git2` anywhere else (a `use`, a type, an expression, a macro's tokens) fails.
#[test]
fn git2_stays_behind_git() {
    let found = git2_outside_git(&read_sources());
    assert!(found.is_empty(), "git2 named outside git/ in {found:?}: go through `crate::git`");
    // Positive controls: every way of naming it is seen, in any module but git/.
    for (file, text) in [
        ("report/mod.rs", "fn f(_: ::git2::Oid) {}"),
        ("engine.rs", "use git2::Repository as _;"),
        ("cli/hook.rs", "fn f() { let _ = git2::Oid::zero(); }"),
        ("files.rs", "fn f() { println!(\"{}\", git2::Oid::zero()); }"),
        ("engine/sneak.rs", "use git2::{Oid as _};"),
        ("lsp/mod.rs", "extern crate git2 as sneaky;"),
    ] {
        assert!(git2_outside_git(&injected(file, text)).contains(file), "{file}: {text}");
    }
    // Inside git/ it is the point.
    assert!(git2_outside_git(&injected("git/walk.rs", "use git2::Repository as _;")).is_empty());
}

/// issue 29: the engine only orchestrates. engine.rs stays under this many lines...
const ENGINE_MAX_LINES: usize = 600;
/// ...and no function in engine.rs or engine/ is longer than this (from `fn` to its closing brace).
const ENGINE_MAX_FN_LINES: usize = 80;

/// Where the engine is too big: engine.rs's length, and each function over the limit, by name.
fn engine_size(sources: &Sources) -> Vec<String> {
    struct Fns<'a> {
        file: &'a str,
        out: Vec<String>,
    }
    impl Fns<'_> {
        fn check(&mut self, name: &syn::Ident, start: proc_macro2::Span, end: proc_macro2::Span) {
            let lines = end.end().line + 1 - start.start().line;
            if lines > ENGINE_MAX_FN_LINES {
                self.out.push(format!("src/{}: fn {name} is {lines} lines (at most {ENGINE_MAX_FN_LINES})", self.file));
            }
        }
    }
    impl<'ast> Visit<'ast> for Fns<'_> {
        fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
            self.check(&f.sig.ident, f.sig.fn_token.span, f.block.brace_token.span.close());
            visit::visit_item_fn(self, f);
        }
        fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
            self.check(&f.sig.ident, f.sig.fn_token.span, f.block.brace_token.span.close());
            visit::visit_impl_item_fn(self, f);
        }
    }
    let mut out = Vec::new();
    let engine = sources.get("engine.rs").map_or(0, |t| t.lines().count());
    if engine >= ENGINE_MAX_LINES {
        out.push(format!("src/engine.rs is {engine} lines (under {ENGINE_MAX_LINES})"));
    }
    for (file, text) in sources.iter().filter(|(f, _)| *f == "engine.rs" || f.starts_with("engine/")) {
        match syn::parse_file(text) {
            Ok(ast) => {
                let mut fns = Fns { file, out: Vec::new() };
                fns.visit_file(&ast);
                out.extend(fns.out);
            }
            Err(e) => out.push(format!("src/{file}: {e}")),
        }
    }
    out
}

#[test]
fn the_engine_only_orchestrates() {
    let found = engine_size(&read_sources());
    assert!(found.is_empty(), "the engine grew:\n  {}", found.join("\n  "));
    // Positive controls: a long function (in a submodule, in an impl) and a long engine.rs.
    let body = "    let _ = 1;\n".repeat(ENGINE_MAX_FN_LINES);
    let long = format!("fn sprawling() {{\n{body}}}");
    assert!(engine_size(&injected("engine/window.rs", &long)).iter().any(|f| f.contains("fn sprawling is 82 lines")));
    let method = format!("struct S;\nimpl S {{\n    fn sprawling(&self) {{\n{body}}}\n}}");
    assert!(engine_size(&injected("engine.rs", &method)).iter().any(|f| f.contains("src/engine.rs: fn sprawling")));
    let padding = "// …\n".repeat(ENGINE_MAX_LINES);
    assert!(engine_size(&injected("engine.rs", &padding)).iter().any(|f| f.starts_with("src/engine.rs is ")));
}

/// What the `cli` feature (on by default) brings in: the command line and the editor server. A
/// program that calls `plan_lint::check` with `default-features = false` builds none of them.
const CLI_ONLY: &[&str] = &["clap", "clap_complete", "clap_mangen", "lsp-server", "lsp-types", "crossbeam-channel"];

/// The packages the library needs at run time with these `cargo tree` arguments (normal edges
/// only: build and dev dependencies left out), by name, read from the lock file offline.
fn normal_dependencies(args: &[&str]) -> BTreeSet<String> {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["tree", "--locked", "--offline", "-e", "normal", "--prefix", "none", "--format", "{p}"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "cargo tree {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    stdout.lines().filter_map(|line| line.split_whitespace().next()).map(str::to_string).collect()
}

/// issue 29: a library without the command line. `.ci/run` also builds it (`cargo check
/// --no-default-features`, which skips the binary: it requires `cli`).
#[test]
fn the_library_builds_without_the_command_line() {
    let library = normal_dependencies(&["--no-default-features"]);
    let leaked: Vec<_> = CLI_ONLY.iter().filter(|name| library.contains(**name)).collect();
    assert!(leaked.is_empty(), "without `cli` the library still depends on {leaked:?}: make them optional, in `cli`");
    // What it checks from still builds: the engine's own dependencies are there.
    for name in ["git2", "pulldown-cmark", "toml"] {
        assert!(library.contains(name), "{name} missing from {library:?}");
    }
    // Positive control: with the default features every one of them is seen (the names are right).
    let binary = normal_dependencies(&[]);
    let missing: Vec<_> = CLI_ONLY.iter().filter(|name| !binary.contains(**name)).collect();
    assert!(missing.is_empty(), "the default build lacks {missing:?}: is the list stale?");
}

/// The names a public field's type may use: the standard library's and the library's own public
/// types. A third-party type there (`toml::Spanned`, `regex::Regex`, a crate-private `Patterns`)
/// would make a major bump of that crate a breaking change for plan-lint's users.
const FIELD_TYPES: &[&str] = &[
    "Option",
    "Vec",
    "String",
    "str",
    "bool",
    "usize",
    "u32",
    "u64",
    "f64",
    "Box",
    "Arc",
    "Cow",
    "Range",
    "PathBuf",
    "std",
    "sync",
    "ops",
    "borrow",
    "path",
    "static",
    "Code",
    "Level",
    "Severity",
    "Error",
    "Finding",
    "Summary",
    "Source",
    "SourceKind",
    "SourceId",
    "Label",
    "Registry",
    "Promise",
    "Outcome",
    "Customer",
    "Status",
    "Priority",
];

/// Where the library's public structs (lib.rs's own and what it re-exports with `pub use`) show
/// public fields but are not `#[non_exhaustive]`, or show a field whose type names anything but
/// [`FIELD_TYPES`].
fn public_surface(sources: &Sources) -> Vec<String> {
    let lib = syn::parse_file(&sources["lib.rs"]).expect("lib.rs parses");
    // (file, item name) for every public item the crate root names.
    let mut items: Vec<(String, String)> = Vec::new();
    for item in &lib.items {
        match item {
            syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_)) => {
                let syn::UseTree::Path(p) = &u.tree else { continue };
                let module = p.ident.to_string();
                let file = if sources.contains_key(&format!("{module}.rs")) {
                    format!("{module}.rs")
                } else {
                    format!("{module}/mod.rs")
                };
                let mut names = Vec::new();
                match &*p.tree {
                    syn::UseTree::Name(n) => names.push(n.ident.to_string()),
                    syn::UseTree::Group(g) => names.extend(g.items.iter().filter_map(|t| match t {
                        syn::UseTree::Name(n) => Some(n.ident.to_string()),
                        _ => None,
                    })),
                    _ => {}
                }
                items.extend(names.into_iter().map(|n| (file.clone(), n)));
            }
            syn::Item::Struct(s) if matches!(s.vis, syn::Visibility::Public(_)) => {
                items.push(("lib.rs".into(), s.ident.to_string()))
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (file, name) in &items {
        let Some(text) = sources.get(file) else {
            out.push(format!("lib.rs re-exports {name} from {file}, which is not there"));
            continue;
        };
        let ast = syn::parse_file(text).unwrap_or_else(|e| panic!("src/{file}: {e}"));
        for s in ast.items.iter().filter_map(|i| match i {
            syn::Item::Struct(s) if s.ident == name => Some(s),
            _ => None,
        }) {
            // A struct with no public field cannot be built outside the crate anyway (`SourceId`).
            let open = s.fields.iter().any(|f| matches!(f.vis, syn::Visibility::Public(_)));
            if open && !s.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
                out.push(format!("src/{file}: pub struct {name} is not #[non_exhaustive]"));
            }
            for field in s.fields.iter().filter(|f| matches!(f.vis, syn::Visibility::Public(_))) {
                let mut names = TypeNames(Vec::new());
                names.visit_type(&field.ty);
                let names = names.0;
                let field_name = field.ident.as_ref().map_or("0".to_string(), ToString::to_string);
                for n in names.iter().filter(|n| !FIELD_TYPES.contains(&n.as_str())) {
                    out.push(format!("src/{file}: {name}.{field_name} is public and its type names `{n}`"));
                }
            }
        }
    }
    out
}

/// Every name a type is written with (paths' segments, generic arguments, lifetimes).
struct TypeNames(Vec<String>);

impl<'ast> Visit<'ast> for TypeNames {
    fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
        self.0.push(ident.to_string());
    }
}

/// issue 29: the library's public structs can grow without breaking a caller, and show no
/// third-party type (the registry's `Spanned`, `Regex` and `Patterns` are the crate's own).
#[test]
fn the_library_surface_is_its_own() {
    let found = public_surface(&read_sources());
    assert!(found.is_empty(), "the library's public surface:\n  {}", found.join("\n  "));
    // Positive controls: a leaked field, a struct that is not non_exhaustive, one defined in lib.rs.
    let leaked =
        injected("registry.rs", "#[non_exhaustive]\npub struct Registry { pub since: Option<toml::Spanned<String>> }");
    assert_eq!(
        public_surface(&leaked),
        [
            "src/registry.rs: Registry.since is public and its type names `toml`",
            "src/registry.rs: Registry.since is public and its type names `Spanned`"
        ]
    );
    let open = injected("report/mod.rs", "pub struct Summary { pub errors: usize }");
    assert_eq!(public_surface(&open), ["src/report/mod.rs: pub struct Summary is not #[non_exhaustive]"]);
    let root = injected("lib.rs", "pub struct Options { pub patterns: Vec<regex::Regex> }");
    assert!(public_surface(&root).iter().any(|f| f.contains("Options.patterns") && f.contains("`regex`")), "{root:?}");
}
