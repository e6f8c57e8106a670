//! The one parser of a raw commit object's header: parents, author e-mail, committer time and
//! where the message starts. The history walk parses each commit once with it and hands the
//! result on, so no later stage reads the header again.

use git2::Oid;
use std::ops::Range;

/// What plan-lint reads from a commit's header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// The commit's tree.
    pub tree: Option<Oid>,
    /// Parent ids, in order (the walk takes them; [`Header::parent_count`] and
    /// [`Header::first_parent`] stay).
    pub parents: Vec<Oid>,
    /// The first parent, if any.
    pub first_parent: Option<Oid>,
    /// How many parents: more than one is a merge.
    pub parent_count: usize,
    /// Committer date, Unix seconds (0 when unreadable, as git shows it).
    pub time: i64,
    /// The author's e-mail address, as a byte range of the object.
    pub author: Range<usize>,
    /// Where the message starts (after the blank line ending the header).
    pub message: usize,
}

impl Header {
    /// Parse the header of a raw commit object.
    pub fn parse(data: &[u8]) -> Header {
        let mut h = Header { message: data.len(), ..Header::default() };
        let mut pos = 0;
        while pos < data.len() {
            let end = data[pos..].iter().position(|&c| c == b'\n').map_or(data.len(), |i| pos + i);
            let line = &data[pos..end];
            if line.is_empty() {
                h.message = (end + 1).min(data.len());
                break;
            }
            let oid = |hex: &[u8]| std::str::from_utf8(hex).ok().and_then(|h| Oid::from_str(h.trim()).ok());
            if let Some(hex) = line.strip_prefix(b"tree ") {
                h.tree = oid(hex);
            } else if let Some(hex) = line.strip_prefix(b"parent ") {
                h.parent_count += 1;
                if let Some(oid) = oid(hex) {
                    h.first_parent = h.first_parent.or(Some(oid));
                    h.parents.push(oid);
                }
            } else if let Some(rest) = line.strip_prefix(b"author ") {
                let lt = rest.iter().rposition(|&c| c == b'<');
                let gt = rest.iter().rposition(|&c| c == b'>');
                if let (Some(lt), Some(gt)) = (lt, gt) {
                    if lt < gt {
                        let start = pos + b"author ".len();
                        h.author = start + lt + 1..start + gt;
                    }
                }
            } else if let Some(rest) = line.strip_prefix(b"committer ") {
                // "Name <email> 1700000000 +0000": the time follows the last '>'.
                if let Some(gt) = rest.iter().rposition(|&c| c == b'>') {
                    let fields = std::str::from_utf8(&rest[gt + 1..]).unwrap_or("");
                    h.time = fields.split_whitespace().next().and_then(|t| t.parse().ok()).unwrap_or(0);
                }
            }
            pos = end + 1;
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields() {
        let data = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
parent 1111111111111111111111111111111111111111\n\
parent 2222222222222222222222222222222222222222\n\
author A U Thor <a@example.com> 1700000000 +0100\n\
committer C O Mitter <c@example.com> 1700000123 +0000\n\
\n\
Subject\n\nBody\n";
        let h = Header::parse(data);
        assert_eq!((h.parents.len(), h.parent_count), (2, 2));
        assert_eq!(h.tree.unwrap().to_string(), "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
        assert_eq!(h.first_parent, Some(h.parents[0]));
        assert_eq!(h.time, 1_700_000_123);
        assert_eq!(&data[h.author.clone()], b"a@example.com");
        assert_eq!(&data[h.message..], b"Subject\n\nBody\n");
        // No message, no blank line: the message is empty.
        let h = Header::parse(b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n");
        assert_eq!(h.message, 46);
        assert!(h.parents.is_empty());
    }
}
