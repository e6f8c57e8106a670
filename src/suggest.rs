//! "Did you mean …?": the closest known name to a misspelled one.
//!
//! Diagnostics should help people do the right thing quickly; for an unknown promise id the right
//! thing is almost always the id they meant. Optimal string alignment distance (Levenshtein plus
//! transpositions, so `promsie` is one edit from `promise`; strsim's), compared case-insensitively.

/// Edit distance with adjacent transpositions (optimal string alignment, strsim's), on
/// characters, ignoring case.
pub fn distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(&a.to_lowercase(), &b.to_lowercase())
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
