// SPDX-License-Identifier: MIT
// Pins the plugin ABI: any change that moves a field, resizes a struct or
// renumbers a constant breaks every plugin built before it, so it must fail
// here first. A deliberate change bumps OFFLOAD_ABI_MAJOR and these numbers.
#include <offload/plugin.h>
#include <offload/plugin.hpp>

#include <doctest/doctest.h>

#include <cstddef>

static_assert(sizeof(void*) == 8, "the pinned sizes below are for LP64 targets");

TEST_SUITE_BEGIN("abi");

TEST_CASE("abi::version constants") {
  CHECK(OFFLOAD_ABI_MAJOR == 1u);
  CHECK(OFFLOAD_ABI_MINOR == 0u);
  CHECK(OFFLOAD_ABI_VERSION == 0x00010000u);
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
  CHECK(sizeof(offload_provider_v1) == 64);
  CHECK(sizeof(offload_framework_v1) == 56);
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

  CHECK(offsetof(offload_framework_v1, describe) == 8);
  CHECK(offsetof(offload_framework_v1, discover) == 16);
  CHECK(offsetof(offload_framework_v1, build_command) == 24);
  CHECK(offsetof(offload_framework_v1, convert_report) == 32);
  CHECK(offsetof(offload_framework_v1, map_results) == 40);
  CHECK(offsetof(offload_framework_v1, destroy) == 48);

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
  CHECK(offsetof(offload_plugin_descriptor, factories) == 40);
}

TEST_CASE("abi::OFFLOAD_STRUCT_HAS checks growth against struct_size") {
  offload_provider_v1 table{};
  table.struct_size = offsetof(offload_provider_v1, download);
  CHECK(OFFLOAD_STRUCT_HAS(&table, offload_provider_v1, exec));
  CHECK_FALSE(OFFLOAD_STRUCT_HAS(&table, offload_provider_v1, download));
  table.struct_size = sizeof(offload_provider_v1);
  CHECK(OFFLOAD_STRUCT_HAS(&table, offload_provider_v1, destroy));
}

TEST_SUITE_END();
