// SPDX-License-Identifier: MIT
#include "cargo_factory.hpp"

#include "cargo_framework.hpp"

#include <offload/plugin.hpp>

#include <iterator>

namespace offload::plugins {
namespace {

constexpr offload_option k_options[] = {
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "package", nullptr,
     "Package whose tests run (cargo -p); default: cargo's choice for working_dir"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "features", "[]",
     "Cargo features to enable (cargo --features)"},
    {sizeof(offload_option), OFFLOAD_OPTION_BOOLEAN, 0, 0, "include_ignored", "false",
     "Also run #[ignore] tests; when false they are reported as skipped"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "working_dir", nullptr,
     "Directory holding Cargo.toml (the package or workspace); default: the current directory"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "cargo", "\"cargo\"",
     "The cargo command, split like shell words (e.g. \"cargo +nightly\")"},
};

// Runs as written in any cargo package or workspace.
constexpr const char* k_config_template = R"toml(# Rust tests. With cargo-nextest installed they run through `cargo nextest`;
# otherwise the test binaries are built once by `cargo test --no-run` and
# each batch runs them directly; doctests run through `cargo test --doc`.
# Test IDs are "<binary ID> <test name>", e.g. "my-crate tests::adds",
# "my-crate::integration it_works" or "my-crate::doctest src/lib.rs - add (line 5)".
# Group filters work like `cargo test` arguments: name substrings, --exact,
# --skip NAME, --lib, --doc, --bin NAME, --test NAME.
cargo = "cargo"
# package = "my-crate"
features = []
include_ignored = false
)toml";

} // namespace

const offload_factory& cargo_factory() noexcept {
  static const offload_factory factory = {
      sizeof(offload_factory),
      OFFLOAD_KIND_FRAMEWORK,
      "cargo",
      "Rust tests through cargo test or cargo-nextest",
      static_cast<uint32_t>(std::size(k_options)),
      0,
      k_options,
      k_config_template,
      sdk::framework_table<CargoFramework>(),
      &sdk::create_instance<CargoFramework>,
  };
  return factory;
}

} // namespace offload::plugins
