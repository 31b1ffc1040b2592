// SPDX-License-Identifier: MIT
#include "plugin/tables.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace offload;

namespace {

int32_t fake_create(const offload_host_v1*, const char*, size_t, void**, offload_error*) {
  return OFFLOAD_OK;
}
int32_t fake_discover(void*, const char*, size_t, const offload_sink*, const offload_cancel*, offload_error*) {
  return OFFLOAD_OK;
}
int32_t fake_build(void*, const char*, size_t, const offload_sink*, offload_error*) {
  return OFFLOAD_OK;
}
void fake_destroy(void*) {}

// A 1.0 framework table followed by bytes a host must never read as slots.
struct OldFramework {
  uint32_t struct_size;
  uint32_t reserved;
  void* slots[6];
  void* beyond[2];
};

struct Fixture {
  OldFramework table{};
  offload_factory factory{};
  Fixture() {
    table.struct_size = static_cast<uint32_t>(plugin::k_framework_1_0_size);
    table.slots[1] = reinterpret_cast<void*>(&fake_discover);
    table.slots[2] = reinterpret_cast<void*>(&fake_build);
    table.slots[4] = reinterpret_cast<void*>(&fake_build);
    table.slots[5] = reinterpret_cast<void*>(&fake_destroy);
    table.beyond[0] = table.beyond[1] = reinterpret_cast<void*>(0x1);
    factory.struct_size = static_cast<uint32_t>(plugin::k_factory_1_0_size);
    factory.kind = OFFLOAD_KIND_FRAMEWORK;
    factory.name = "old";
    factory.iface = &table;
    factory.create = &fake_create;
  }
};

} // namespace

TEST_SUITE_BEGIN("plugin");

TEST_CASE("plugin::read_factory takes a 1.0 table and leaves later slots NULL") {
  Fixture f;
  auto tables = plugin::read_factory(&f.factory);
  REQUIRE_MESSAGE(tables.ok(), tables.error().message);
  const auto* fw = static_cast<const offload_framework_v1*>((*tables)->factory.iface);
  CHECK(fw == &(*tables)->framework);
  CHECK(fw->struct_size == sizeof(offload_framework_v1));
  CHECK((fw->discover == &fake_discover));
  // The 1.1 slot lies past the plugin's 1.0 table; it is NULL, not read from there.
  CHECK(sizeof(offload_framework_v1) > plugin::k_framework_1_0_size);
  CHECK((fw->build_worker_command == nullptr));
}

TEST_CASE("plugin::read_factory refuses structs smaller than their 1.0 size") {
  Fixture f;
  f.table.struct_size = static_cast<uint32_t>(plugin::k_framework_1_0_size - 8);
  auto small_table = plugin::read_factory(&f.factory);
  REQUIRE_FALSE(small_table.ok());
  CHECK(small_table.error().message.find("smaller than its ABI 1.0 size") != std::string::npos);
  Fixture g;
  g.factory.struct_size = 16;
  CHECK_FALSE(plugin::read_factory(&g.factory).ok());
}

TEST_CASE("plugin::read_factory steps option tables by the entries' own struct_size") {
  struct BigOption {
    offload_option base;
    const char* future;
  };
  BigOption options[2] = {{{sizeof(BigOption), OFFLOAD_OPTION_STRING, 0, 0, "first", nullptr, "1"}, "x"},
                          {{sizeof(BigOption), OFFLOAD_OPTION_BOOLEAN, 0, 0, "second", "true", "2"}, "y"}};
  Fixture f;
  f.factory.option_count = 2;
  f.factory.options = &options[0].base;
  auto tables = plugin::read_factory(&f.factory);
  REQUIRE_MESSAGE(tables.ok(), tables.error().message);
  REQUIRE((*tables)->options.size() == 2);
  CHECK(std::string((*tables)->factory.options[1].name) == "second");
  CHECK((*tables)->factory.options[1].type == OFFLOAD_OPTION_BOOLEAN);

  options[1].base.struct_size = sizeof(offload_option);
  auto mixed = plugin::read_factory(&f.factory);
  REQUIRE_FALSE(mixed.ok());
  CHECK(mixed.error().message.find("same struct_size") != std::string::npos);
}

TEST_CASE("plugin::read_factory names a missing required slot") {
  Fixture f;
  f.table.slots[1] = nullptr;
  auto tables = plugin::read_factory(&f.factory);
  REQUIRE_FALSE(tables.ok());
  CHECK(tables.error().message == "factory 'old' lacks discover");
}

TEST_SUITE_END();
