// SPDX-License-Identifier: MIT
//! A tiny library whose tests show every verdict offload reports for Rust:
//! passing, failing on purpose, ignored and expected panics.

/// Adds two numbers.
///
/// ```
/// assert_eq!(offload_cargo_example::add(2, 2), 4);
/// ```
pub fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Divides, refusing a zero divisor.
///
/// ```should_panic
/// offload_cargo_example::divide(1, 0);
/// ```
///
/// A doctest that fails on purpose, so a lost doctest would show:
///
/// ```
/// assert_eq!(offload_cargo_example::divide(7, 2), 4);
/// ```
pub fn divide(a: i64, b: i64) -> i64 {
    if b == 0 {
        panic!("division by zero");
    }
    a / b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_small_numbers() {
        assert_eq!(add(2, 3), 5);
    }

    #[test]
    fn adds_negative_numbers() {
        assert_eq!(add(-2, -3), -5);
    }

    #[test]
    fn divides() {
        assert_eq!(divide(9, 3), 3);
    }

    #[test]
    #[should_panic(expected = "division by zero")]
    fn divide_by_zero_panics() {
        divide(1, 0);
    }

    #[test]
    fn fails_on_purpose() {
        println!("about to compare 2 + 2 with 5");
        assert_eq!(add(2, 2), 5, "this test fails on purpose");
    }

    #[test]
    #[ignore = "slow; run with include_ignored"]
    fn ignored_slow_check() {
        assert_eq!(add(40, 2), 42);
    }

    mod nested {
        #[test]
        fn reads_a_file_relative_to_the_package() {
            // Cargo runs tests in the package directory; offload must too.
            let text = std::fs::read_to_string("Cargo.toml").expect("Cargo.toml in the working directory");
            assert!(text.contains("offload-cargo-example"));
        }
    }
}
