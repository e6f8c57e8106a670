//! Path patterns for `[plans] include`: `*` within a path segment, `**` across segments, `?` one
//! character. Matched against paths relative to the repository root with `/` separators. A small
//! matcher over path segments instead of another dependency or a regex per pattern (which every
//! hook run would have to compile).

#[derive(Clone, Debug)]
pub struct Glob {
    segments: Vec<String>,
}

impl Glob {
    pub fn new(pattern: &str) -> Result<Glob, String> {
        if pattern.is_empty() {
            return Err("the pattern is empty".into());
        }
        if pattern.starts_with('/') || pattern.split('/').any(|s| s == "..") {
            return Err("patterns are relative to the repository root and stay inside it".into());
        }
        if pattern.split('/').any(|s| s.contains("**") && s != "**") {
            return Err("`**` must be a whole path segment, as in `plans/**/*.md`".into());
        }
        Ok(Glob { segments: pattern.split('/').map(str::to_string).collect() })
    }

    pub fn is_match(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        match_segments(&self.segments, &parts)
    }
}

fn match_segments(pattern: &[String], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => (0..=path.len()).any(|skip| match_segments(rest, &path[skip..])),
        Some((first, rest)) => {
            !path.is_empty() && match_segment(first.as_bytes(), path[0].as_bytes()) && match_segments(rest, &path[1..])
        }
    }
}

/// `*` and `?` within one segment (no `/` to cross), by backtracking over the last `*`.
fn match_segment(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let g = Glob::new("plans/**/*.md").unwrap();
        assert!(g.is_match("plans/a.md"));
        assert!(g.is_match("plans/q1/b.md"));
        assert!(!g.is_match("plans/a.txt"));
        assert!(!g.is_match("other/plans/a.md"));
        let g = Glob::new("ROADMAP.md").unwrap();
        assert!(g.is_match("ROADMAP.md"));
        assert!(!g.is_match("ROADMAPxmd"));
        assert!(Glob::new("../x").is_err());
        assert!(Glob::new("a/**x/b").is_err());
        let g = Glob::new("**/*.md").unwrap();
        assert!(g.is_match("a.md") && g.is_match("x/y/a.md") && !g.is_match("x/y/a.mdx"));
        let g = Glob::new("docs/plan-?.md").unwrap();
        assert!(g.is_match("docs/plan-1.md") && !g.is_match("docs/plan-12.md"));
        assert!(Glob::new("").is_err());
    }
}
