// SPDX-License-Identifier: MIT
//! A command-line front end with unit tests of its own.

fn parse(arg: &str) -> Option<i64> {
    arg.trim().parse().ok()
}

fn main() {
    let sum: i64 = std::env::args().skip(1).filter_map(|a| parse(&a)).sum();
    println!("{}", offload_cargo_example::add(sum, 0));
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_numbers() {
        assert_eq!(parse(" 42 "), Some(42));
    }

    #[test]
    fn rejects_words() {
        assert_eq!(parse("forty-two"), None);
    }
}
