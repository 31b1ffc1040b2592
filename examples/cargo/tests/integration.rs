// SPDX-License-Identifier: MIT
//! Integration tests: a separate test binary, seen by offload as
//! "offload-cargo-example::integration".

use offload_cargo_example::{add, divide};

#[test]
fn add_then_divide() {
    assert_eq!(divide(add(4, 6), 5), 2);
}

#[test]
fn sees_the_manifest_dir() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set");
    assert!(std::path::Path::new(&dir).join("Cargo.toml").is_file());
}
