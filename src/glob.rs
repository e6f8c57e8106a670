//! Path patterns for `[plans] include`: `*` within a path segment, `**` across segments, `?` one
//! character. Matched against paths relative to the repository root with `/` separators. A few
//! lines over `regex` instead of another dependency.

use regex::Regex;

#[derive(Clone, Debug)]
pub struct Glob {
    re: Regex,
}

impl Glob {
    pub fn new(pattern: &str) -> Result<Glob, String> {
        if pattern.is_empty() {
            return Err("the pattern is empty".into());
        }
        if pattern.starts_with('/') || pattern.split('/').any(|s| s == "..") {
            return Err("patterns are relative to the repository root and stay inside it".into());
        }
        let mut re = String::from("^");
        let mut rest = pattern;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("**/") {
                re.push_str("(?:[^/]+/)*");
                rest = after;
            } else if let Some(after) = rest.strip_prefix("**") {
                re.push_str(".*");
                rest = after;
            } else {
                match c {
                    '*' => re.push_str("[^/]*"),
                    '?' => re.push_str("[^/]"),
                    _ => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
                }
                rest = &rest[c.len_utf8()..];
            }
        }
        re.push('$');
        Regex::new(&re).map(|re| Glob { re }).map_err(|e| e.to_string())
    }

    pub fn is_match(&self, path: &str) -> bool {
        self.re.is_match(path)
    }
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
        assert!(Glob::new("").is_err());
    }
}
