//! "Did you mean …?": the closest known name to a misspelled one.
//!
//! Diagnostics should help people do the right thing quickly; for an unknown promise id the right
//! thing is almost always the id they meant. Optimal string alignment distance (Levenshtein plus
//! transpositions, so `promsie` is one edit from `promise`), compared case-insensitively.

/// Edit distance with adjacent transpositions, on characters.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut prev2 = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be what was meant: within a third
/// of the word's length (at least one edit), or the word is a prefix of it (`find` for
/// `find-and-buy`).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter_map(|c| {
            let d = distance(word, c);
            let prefix = lower.len() >= 3 && c.starts_with(&lower);
            (d <= limit || prefix).then_some((d, c))
        })
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("promise", "promsie"), 1);
        assert_eq!(distance("Promise", "promise"), 0);
        assert_eq!(distance("find-and-by", "find-and-buy"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn closest_names() {
        let ids = ["find-and-buy", "promote-products", "track-orders"];
        assert_eq!(closest("find-and-by", ids), Some("find-and-buy"));
        assert_eq!(closest("find", ids), Some("find-and-buy"));
        assert_eq!(closest("Track_Orders", ids), Some("track-orders"));
        assert_eq!(closest("checkout", ids), None);
    }
}
