// SPDX-License-Identifier: MIT
// Pins the plugin ABI: any change that moves a field, resizes a struct or
// renumbers a constant breaks every plugin built before it, so it must fail
// here first. A deliberate change bumps OFFLOAD_ABI_MAJOR and these numbers.
#include <offload/plugin.h>
#include <offload/plugin.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

extern "C" {
extern const size_t offload_frozen_1_0_layout[];
extern const size_t offload_frozen_1_0_layout_count;
extern const unsigned offload_frozen_1_0_version;
}

static_assert(sizeof(void*) == 8, "the pinned sizes below are for LP64 targets");

TEST_SUITE_BEGIN("abi");

TEST_CASE("abi::version constants") {
  CHECK(OFFLOAD_ABI_MAJOR == 1u);
  CHECK(OFFLOAD_ABI_MINOR == 1u);
  CHECK(OFFLOAD_ABI_VERSION == 0x00010001u);
  CHECK(OFFLOAD_ABI_VERSION_MAJOR(OFFLOAD_ABI_MAKE_VERSION(3, 9)) == 3u);
  CHECK(OFFLOAD_ABI_VERSION_MINOR(OFFLOAD_ABI_MAKE_VERSION(3, 9)) == 9u);
  CHECK(std::string(OFFLOAD_PLUGIN_ENTRY_NAME) == "offload_plugin_entry");
}

TEST_CASE("abi::error codes mirror errno") {
  CHECK(OFFLOAD_OK == 0);
  CHECK(OFFLOAD_ENOENT == -2);
  CHECK(OFFLOAD_EIO == -5);
  CHECK(OFFLOAD_EAGAIN == -11);
  CHECK(OFFLOAD_ENOMEM == -12);
  CHECK(OFFLOAD_EFAULT == -14);
  CHECK(OFFLOAD_EINVAL == -22);
  CHECK(OFFLOAD_ENOTSUP == -95);
  CHECK(OFFLOAD_ETIMEDOUT == -110);
  CHECK(OFFLOAD_ECANCELED == -125);
}

TEST_CASE("abi::enumerations") {
  CHECK(OFFLOAD_KIND_PROVIDER == 1u);
  CHECK(OFFLOAD_KIND_FRAMEWORK == 2u);
  CHECK(OFFLOAD_LOG_ERROR == 1u);
  CHECK(OFFLOAD_LOG_TRACE == 5u);
  CHECK(OFFLOAD_CHANNEL_DATA == 0u);
  CHECK(OFFLOAD_CHANNEL_STDOUT == 1u);
  CHECK(OFFLOAD_CHANNEL_STDERR == 2u);
  CHECK(OFFLOAD_OPTION_STRING == 1u);
  CHECK(OFFLOAD_OPTION_STRING_TABLE == 6u);
  CHECK(OFFLOAD_OPTION_REQUIRED == 1u);
}

TEST_CASE("abi::struct sizes") {
  CHECK(sizeof(offload_sink) == 24);
  CHECK(sizeof(offload_host_v1) == 48);
  CHECK(sizeof(offload_option) == 40);
  CHECK(sizeof(offload_provider_v1) == 72);  // 64 in 1.0
  CHECK(sizeof(offload_framework_v1) == 64); // 56 in 1.0
  CHECK(sizeof(offload_factory) == 64);
  CHECK(sizeof(offload_plugin_descriptor) == 48);
}

TEST_CASE("abi::field offsets") {
  CHECK(offsetof(offload_sink, write) == 8);
  CHECK(offsetof(offload_sink, data) == 16);

  CHECK(offsetof(offload_host_v1, abi_version) == 4);
  CHECK(offsetof(offload_host_v1, log) == 8);
  CHECK(offsetof(offload_host_v1, error_set) == 16);
  CHECK(offsetof(offload_host_v1, is_cancelled) == 24);
  CHECK(offsetof(offload_host_v1, process_run) == 32);
  CHECK(offsetof(offload_host_v1, bundled_script) == 40);

  CHECK(offsetof(offload_option, type) == 4);
  CHECK(offsetof(offload_option, flags) == 8);
  CHECK(offsetof(offload_option, name) == 16);
  CHECK(offsetof(offload_option, default_json) == 24);
  CHECK(offsetof(offload_option, help) == 32);

  CHECK(offsetof(offload_provider_v1, describe) == 8);
  CHECK(offsetof(offload_provider_v1, prepare) == 16);
  CHECK(offsetof(offload_provider_v1, create_sandbox) == 24);
  CHECK(offsetof(offload_provider_v1, exec) == 32);
  CHECK(offsetof(offload_provider_v1, download) == 40);
  CHECK(offsetof(offload_provider_v1, destroy_sandbox) == 48);
  CHECK(offsetof(offload_provider_v1, destroy) == 56);
  CHECK(offsetof(offload_provider_v1, exec_stdin) == 64); // since 1.1

  CHECK(offsetof(offload_framework_v1, describe) == 8);
  CHECK(offsetof(offload_framework_v1, discover) == 16);
  CHECK(offsetof(offload_framework_v1, build_command) == 24);
  CHECK(offsetof(offload_framework_v1, convert_report) == 32);
  CHECK(offsetof(offload_framework_v1, map_results) == 40);
  CHECK(offsetof(offload_framework_v1, destroy) == 48);
  CHECK(offsetof(offload_framework_v1, build_worker_command) == 56); // since 1.1

  CHECK(offsetof(offload_factory, kind) == 4);
  CHECK(offsetof(offload_factory, name) == 8);
  CHECK(offsetof(offload_factory, description) == 16);
  CHECK(offsetof(offload_factory, option_count) == 24);
  CHECK(offsetof(offload_factory, options) == 32);
  CHECK(offsetof(offload_factory, config_template) == 40);
  CHECK(offsetof(offload_factory, iface) == 48);
  CHECK(offsetof(offload_factory, create) == 56);

  CHECK(offsetof(offload_plugin_descriptor, abi_version) == 4);
  CHECK(offsetof(offload_plugin_descriptor, name) == 8);
  CHECK(offsetof(offload_plugin_descriptor, version) == 16);
  CHECK(offsetof(offload_plugin_descriptor, description) == 24);
  CHECK(offsetof(offload_plugin_descriptor, factory_count) == 32);
  CHECK(offsetof(offload_plugin_descriptor, min_host_abi_version) == 36);
  CHECK(offsetof(offload_plugin_descriptor, factories) == 40);
}

TEST_CASE("abi::OFFLOAD_STRUCT_HAS checks growth against struct_size") {
  offload_provider_v1 table{};
  table.struct_size = offsetof(offload_provider_v1, download);
  CHECK(OFFLOAD_STRUCT_HAS(&table, offload_provider_v1, exec));
  CHECK_FALSE(OFFLOAD_STRUCT_HAS(&table, offload_provider_v1, download));
  table.struct_size = sizeof(offload_provider_v1);
  CHECK(OFFLOAD_STRUCT_HAS(&table, offload_provider_v1, destroy));
  // A 1.0 plugin's tables end before the 1.1 slots.
  table.struct_size = offsetof(offload_provider_v1, destroy) + sizeof(void*);
  CHECK_FALSE(OFFLOAD_STRUCT_HAS(&table, offload_provider_v1, exec_stdin));
  offload_framework_v1 framework{};
  framework.struct_size = offsetof(offload_framework_v1, destroy) + sizeof(void*);
  CHECK_FALSE(OFFLOAD_STRUCT_HAS(&framework, offload_framework_v1, build_worker_command));
  framework.struct_size = sizeof(offload_framework_v1);
  CHECK(OFFLOAD_STRUCT_HAS(&framework, offload_framework_v1, build_worker_command));
}

TEST_CASE("abi::every 1.0 field sits where the frozen 1.0 header put it") {
  CHECK(offload_frozen_1_0_version == OFFLOAD_ABI_MAKE_VERSION(1, 0));
  struct Entry {
    std::string what;
    std::size_t value;
    bool is_size;
  };
  std::vector<Entry> current;
#define ABI_SIZE(type) current.push_back({"sizeof " #type, sizeof(type), true});
#define ABI_FIELD(type, field) current.push_back({#type "." #field, offsetof(type, field), false});
#include "layout_1_0.def"
#undef ABI_SIZE
#undef ABI_FIELD
  REQUIRE(current.size() == offload_frozen_1_0_layout_count);
  for (std::size_t i = 0; i < current.size(); ++i) {
    CAPTURE(current[i].what);
    if (current[i].is_size) {
      CHECK(current[i].value >= offload_frozen_1_0_layout[i]); // structs only grow
    } else {
      CHECK(current[i].value == offload_frozen_1_0_layout[i]);
    }
  }
}

TEST_CASE("abi::option tables are stepped by the entries' own struct_size") {
  struct Grown {
    offload_option base;
    const char* added_later;
  };
  const Grown table[2] = {{{sizeof(Grown), OFFLOAD_OPTION_STRING, 0, 0, "a", nullptr, ""}, "x"},
                          {{sizeof(Grown), OFFLOAD_OPTION_BOOLEAN, 0, 0, "b", nullptr, ""}, "y"}};
  const offload_option* first = &table[0].base;
  CHECK(OFFLOAD_OPTION_AT(first, 0) == first);
  CHECK(OFFLOAD_OPTION_AT(first, 1) == &table[1].base);
  CHECK(std::string(OFFLOAD_OPTION_AT(first, 1)->name) == "b");
  const offload_option plain[2] = {{sizeof(offload_option), 1, 0, 0, "c", nullptr, ""},
                                   {sizeof(offload_option), 1, 0, 0, "d", nullptr, ""}};
  CHECK(OFFLOAD_OPTION_AT(plain, 1) == &plain[1]);
}

TEST_SUITE_END();
