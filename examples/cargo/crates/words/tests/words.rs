// SPDX-License-Identifier: MIT
//! Integration tests of the second crate: "offload-words::words".

#[test]
fn capitalizes_each_counted_word() {
    let words: Vec<String> = "a b".split(' ').map(offload_words::capitalize).collect();
    assert_eq!(words, ["A", "B"]);
    assert_eq!(offload_words::count(&words.join(" ")), 2);
}
