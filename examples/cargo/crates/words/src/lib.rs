// SPDX-License-Identifier: MIT
//! Word helpers: the second member of the example workspace.

/// Counts the words of `text`.
///
/// ```
/// assert_eq!(offload_words::count("two words"), 2);
/// ```
///
/// ```ignore
/// this block is not Rust and never runs
/// ```
pub fn count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Makes the first letter of `word` upper case.
///
/// ```
/// assert_eq!(offload_words::capitalize("rust"), "Rust");
/// ```
pub fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_words() {
        assert_eq!(count(" a  b c "), 3);
    }

    mod capitals {
        #[test]
        fn leaves_an_empty_word_empty() {
            assert_eq!(super::super::capitalize(""), "");
        }
    }
}
