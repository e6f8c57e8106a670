//! Path patterns for `[plans] include` and `[issues] include`, compiled once with globset.
//!
//! globset compiles every pattern of a set into one regex automaton, so matching a path is
//! linear in its length whatever the patterns (no backtracking: a crafted `**/a/**/a/…` cannot
//! hang a hook or CI), and it supports what users expect of a glob: `*` within a segment, `**`
//! across segments, `?`, classes (`[ab]`), brace sets (`{plans,roadmap}`). Patterns are matched
//! against paths relative to the repository root with `/` separators. The number and length of
//! patterns are bounded, each problem reported with the pattern it is about.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// The most patterns one `include` list may hold.
pub const MAX_PATTERNS: usize = 256;
/// The longest pattern, in bytes.
pub const MAX_PATTERN_LEN: usize = 1024;

/// A set of validated patterns, with their text (for messages and comparison), compiled into
/// one automaton on first use: a hook that never lists documents (commit-msg) never pays for
/// compiling it.
#[derive(Clone, Debug, Default)]
pub struct Patterns {
    texts: Vec<String>,
    /// Where each pattern is written in promises.toml (empty for the defaults).
    spans: Vec<std::ops::Range<usize>>,
    globs: Vec<globset::Glob>,
    /// Each pattern's shape, for [`Patterns::may_match_under`], asked once per directory of a
    /// listing (thousands on a large index).
    shapes: Vec<Shape>,
    set: std::sync::OnceLock<GlobSet>,
}

/// What decides which directories can hold a match of one pattern.
#[derive(Clone, Debug, Default)]
struct Shape {
    /// The leading segments without glob syntax.
    literal: Vec<String>,
    /// How many segments the pattern has.
    segments: usize,
    /// Whether a `**` segment lets it match at any depth.
    deep: bool,
}

impl Shape {
    fn of(pattern: &str) -> Shape {
        let is_glob = |s: &str| s.contains(['*', '?', '[', '{', '\\']);
        let literal = pattern.split('/').take_while(|s| !is_glob(s)).map(str::to_string).collect();
        Shape { literal, segments: pattern.split('/').count(), deep: pattern.split('/').any(|s| s == "**") }
    }
}

impl PartialEq for Patterns {
    fn eq(&self, other: &Patterns) -> bool {
        self.texts == other.texts
    }
}

impl Patterns {
    /// Compile `patterns`; the error names the first invalid one (its index and why).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Patterns, (usize, String)> {
        if patterns.len() > MAX_PATTERNS {
            return Err((MAX_PATTERNS, format!("more than {MAX_PATTERNS} patterns")));
        }
        let mut globs = Vec::with_capacity(patterns.len());
        for (i, p) in patterns.iter().enumerate() {
            globs.push(compile(p.as_ref()).map_err(|why| (i, why))?);
        }
        let texts: Vec<String> = patterns.iter().map(|p| p.as_ref().to_string()).collect();
        let shapes = texts.iter().map(|t| Shape::of(t)).collect();
        Ok(Patterns { texts, spans: Vec::new(), globs, shapes, set: std::sync::OnceLock::new() })
    }

    /// The same patterns, with where each is written.
    pub fn with_spans(mut self, spans: Vec<std::ops::Range<usize>>) -> Patterns {
        self.spans = spans;
        self
    }

    /// Where pattern `i` is written, when it is.
    pub fn span(&self, i: usize) -> Option<std::ops::Range<usize>> {
        self.spans.get(i).cloned()
    }

    /// Whether any pattern matches the relative `/`-separated `path`.
    pub fn is_match(&self, path: &str) -> bool {
        self.set().is_match(path)
    }

    /// The indices of the patterns that match `path`.
    pub fn matching(&self, path: &str) -> Vec<usize> {
        self.set().matches(path)
    }

    fn set(&self) -> &GlobSet {
        self.set.get_or_init(|| {
            let mut builder = GlobSetBuilder::new();
            for g in &self.globs {
                builder.add(g.clone());
            }
            // Each glob compiled alone when validated, so the set compiles too; an empty set
            // is the fallback that can never be reached.
            builder.build().unwrap_or_else(|_| GlobSet::empty())
        })
    }

    /// Whether a file under the directory `dir` (relative, `/`-separated, no trailing `/`) can
    /// match some pattern: its literal leading segments agree with `dir`'s, and a pattern
    /// without `**` is deep enough. Walking only such directories lets a listing skip the rest
    /// of a large work tree (`plans/**/*.md` never looks inside `src/`).
    pub fn may_match_under(&self, dir: &str) -> bool {
        // Bytes, not chars: asked for every directory of a large index.
        let segments = || dir.as_bytes().split(|&b| b == b'/').filter(|s| !s.is_empty());
        let depth = segments().count();
        self.shapes.iter().any(|shape| {
            if !shape.deep && depth >= shape.segments {
                return false;
            }
            segments().zip(&shape.literal).all(|(d, s)| d == s.as_bytes())
        })
    }

    /// The same patterns under the folder `folder` (a listed member's, relative to the root):
    /// each matches `folder/` and then what it matched. The folder is a name, not a pattern: a
    /// team's folder `teams/[ab]` or `teams/x{y` is matched as written, and its length does not
    /// count against [`MAX_PATTERN_LEN`] (each pattern was bounded when its own registry was read).
    pub fn under(&self, folder: &str) -> Result<Patterns, (usize, String)> {
        let escaped = globset::escape(folder);
        let mut globs = Vec::with_capacity(self.texts.len());
        for (i, t) in self.texts.iter().enumerate() {
            let glob = GlobBuilder::new(&format!("{escaped}/{t}"))
                .literal_separator(true)
                .backslash_escape(true)
                .empty_alternates(true)
                .build()
                .map_err(|e| (i, e.kind().to_string()))?;
            globs.push(glob);
        }
        let shapes = self
            .shapes
            .iter()
            .map(|s| Shape {
                literal: folder.split('/').map(str::to_string).chain(s.literal.iter().cloned()).collect(),
                segments: folder.split('/').count() + s.segments,
                deep: s.deep,
            })
            .collect();
        Ok(Patterns {
            texts: self.texts.iter().map(|t| format!("{folder}/{t}")).collect(),
            spans: self.spans.clone(),
            globs,
            shapes,
            set: std::sync::OnceLock::new(),
        })
    }

    /// The patterns' text, as written.
    pub fn texts(&self) -> &[String] {
        &self.texts
    }
}

/// Validate and compile one pattern.
fn compile(pattern: &str) -> Result<globset::Glob, String> {
    if pattern.is_empty() {
        return Err("the pattern is empty".into());
    }
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!("the pattern is longer than {MAX_PATTERN_LEN} bytes"));
    }
    if pattern.starts_with('/') || pattern.split('/').any(|s| s == "..") {
        return Err("patterns are relative to the repository root and stay inside it".into());
    }
    if pattern.split('/').any(|s| s.contains("**") && s != "**") {
        return Err("`**` must be a whole path segment, as in `plans/**/*.md`".into());
    }
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .empty_alternates(true)
        .build()
        .map_err(|e| e.kind().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(p: &str) -> Patterns {
        Patterns::new(&[p]).unwrap()
    }

    #[test]
    fn directories_that_can_hold_a_match() {
        let p = Patterns::new(&["ROADMAP.md", "plans/**/*.md", "docs/*/plan.md"]).unwrap();
        for (dir, may) in [
            ("", true),
            ("src", false),
            ("plans", true),
            ("plans/q1/deep", true),
            ("docs", true),
            ("docs/a", true),
            ("docs/a/b", false),
            ("other/plans", false),
        ] {
            assert_eq!(p.may_match_under(dir), may, "{dir}");
        }
        assert!(one("**/*.md").may_match_under("anything/at/all"));
        assert!(one("{plans,roadmap}/*.md").may_match_under("roadmap"));
        assert!(!one("{plans,roadmap}/*.md").may_match_under("roadmap/deeper"));
    }

    /// A member's folder is matched as named, glob characters and all, and walked into only
    /// where it is.
    #[test]
    fn under_a_folder_named_with_glob_characters() {
        let p = Patterns::new(&["ROADMAP.md", "plans/**/*.md"]).unwrap().under("teams/[ab]").unwrap();
        assert_eq!(p.texts(), ["teams/[ab]/ROADMAP.md", "teams/[ab]/plans/**/*.md"]);
        assert!(p.is_match("teams/[ab]/ROADMAP.md") && p.is_match("teams/[ab]/plans/q/x.md"));
        assert!(!p.is_match("teams/a/ROADMAP.md") && !p.is_match("teams/[ab]/src/x.md"));
        assert!(p.may_match_under("teams/[ab]/plans/q") && p.may_match_under("teams"));
        assert!(!p.may_match_under("teams/a") && !p.may_match_under("teams/[ab]/src"));
        let long = vec!["x".repeat(300); 5].join("/");
        assert!(Patterns::new(&["*.md"]).unwrap().under(&long).unwrap().is_match(&format!("{long}/a.md")));
    }

    #[test]
    fn patterns() {
        let g = one("plans/**/*.md");
        assert!(g.is_match("plans/a.md"));
        assert!(g.is_match("plans/q1/b.md"));
        assert!(!g.is_match("plans/a.txt"));
        assert!(!g.is_match("other/plans/a.md"));
        let g = one("ROADMAP.md");
        assert!(g.is_match("ROADMAP.md"));
        assert!(!g.is_match("ROADMAPxmd"));
        assert!(Patterns::new(&["../x"]).is_err());
        assert!(Patterns::new(&["a/**x/b"]).is_err());
        let g = one("**/*.md");
        assert!(g.is_match("a.md") && g.is_match("x/y/a.md") && !g.is_match("x/y/a.mdx"));
        let g = one("docs/plan-?.md");
        assert!(g.is_match("docs/plan-1.md") && !g.is_match("docs/plan-12.md"));
        assert!(Patterns::new(&[""]).is_err());
        // `*` stays within a segment.
        assert!(!one("plans/*.md").is_match("plans/q1/a.md"));
    }

    #[test]
    fn brace_sets_and_classes_are_globs_not_literals() {
        let g = Patterns::new(&["{plans,roadmap}/**/*.md", "notes/[ab].md"]).unwrap();
        for yes in ["plans/x.md", "roadmap/q1/y.md", "notes/a.md", "notes/b.md"] {
            assert!(g.is_match(yes), "{yes}");
        }
        for no in ["{plans,roadmap}/x.md", "notes/[ab].md", "notes/c.md", "other/x.md"] {
            assert!(!g.is_match(no), "{no}");
        }
    }

    #[test]
    fn an_invalid_pattern_is_named() {
        let (i, why) = Patterns::new(&["ok/*.md", "bad/[a.md"]).unwrap_err();
        assert_eq!(i, 1);
        assert!(why.contains("unclosed"), "{why}");
        let many: Vec<String> = (0..=MAX_PATTERNS).map(|i| format!("p{i}.md")).collect();
        assert!(Patterns::new(&many).is_err());
        assert!(Patterns::new(&["a".repeat(MAX_PATTERN_LEN + 1)]).is_err());
    }

    #[test]
    fn crafted_double_star_patterns_match_in_linear_time() {
        // The pattern that took minutes with a backtracking matcher (issue 14).
        let pattern = format!("{}b.md", "**/a/".repeat(12));
        let path = format!("{}x.md", "a/".repeat(40));
        assert!(!one(&pattern).is_match(&path));
        assert!(one(&pattern).is_match(&format!("{}b.md", "a/".repeat(12))));
    }
}
