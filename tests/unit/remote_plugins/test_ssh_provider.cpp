// SPDX-License-Identifier: MIT
#include "host_entry.hpp"
#include "ssh_provider.hpp"
#include "sshd_server.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

using offload::plugins::ssh::parse_host_entry;
using offload::plugins::ssh::read_hosts_file;
using offload::plugins::ssh::SshProvider;
using offload::plugin_support::testing::FakeHost;
using offload::plugin_support::testing::read_file;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::SshdServer;
using offload::plugin_support::testing::write_file;
using offload::plugin_support::testing::failure_of;
namespace fs = std::filesystem;

namespace {

std::string why_malformed(const std::string& text) {
  std::string why;
  CHECK_FALSE(parse_host_entry(text, "hosts[0]", why).has_value());
  return why;
}

} // namespace

TEST_CASE("ssh host entries: user, host and port are read; anything a shell or ssh could misread is refused") {
  std::string why;
  auto full = parse_host_entry("ci.user@build-3.example.org:2222", "hosts[0]", why);
  REQUIRE(full);
  CHECK(full->user == "ci.user");
  CHECK(full->host == "build-3.example.org");
  CHECK(full->port == 2222);
  auto bare = parse_host_entry("10.0.0.7", "hosts[1]", why);
  REQUIRE(bare);
  CHECK(bare->user.empty());
  CHECK(bare->port == 0);
  auto v6 = parse_host_entry("root@[fe80::1]:22", "hosts[2]", why);
  REQUIRE(v6);
  CHECK(v6->host == "fe80::1");
  CHECK(v6->ipv6);

  CHECK(why_malformed("root@:22").find("host name is missing") != std::string::npos);
  CHECK(why_malformed("root@host:").find("port") != std::string::npos);
  CHECK(why_malformed("root@host:70000").find("1 to 65535") != std::string::npos);
  CHECK(why_malformed("root@host:22x").find("1 to 65535") != std::string::npos);
  CHECK(why_malformed("-oProxyCommand=x").find("host name") != std::string::npos);
  CHECK(why_malformed("-l@host").find("user name") != std::string::npos);
  CHECK(why_malformed("me@$(reboot)").find("host name") != std::string::npos);
  CHECK(why_malformed("a b@host").find("user name") != std::string::npos);
  CHECK(why_malformed("root@[::1").find("']'") != std::string::npos);
}

TEST_CASE("hosts_file: one entry a line, comments and blank lines skipped, each named by its line") {
  ScratchDir dir;
  write_file(dir.path() / "hosts", "# fleet\n  a@one:22  \n\nb@two # spare\n");
  const auto entries = read_hosts_file((dir.path() / "hosts").string());
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].text == "a@one:22");
  CHECK(entries[0].where == (dir.path() / "hosts").string() + ":2");
  CHECK(entries[1].text == "b@two");
  CHECK(entries[1].where == (dir.path() / "hosts").string() + ":4");
  CHECK(failure_of([&] { read_hosts_file((dir.path() / "none").string()); }).key() == "hosts_file");
}

TEST_CASE("ssh provider on a real sshd: sandboxes, exec with stdin streamed, downloads, clean-up") {
  SshdServer server;
  ScratchDir local;
  const fs::path project = local.path() / "project";
  fs::create_directories(project / ".git");
  write_file(project / "input.txt", "from the project\n");
  write_file(project / ".git" / "HEAD", "ref\n");
  const fs::path work = local.path() / "work";
  FakeHost host;
  const nlohmann::json config = {
      {"hosts", {server.entry()}},
      {"slots", 2},
      {"identity_file", server.client_key().string()},
      {"known_hosts", server.known_hosts().string()},
      {"work_root", work.string()},
      {"project_dir", project.string()},
      {"env", {{"FROM_CONFIG", "it's set"}}},
      {"copy_dirs", nlohmann::json::array()},
      {"exclude", nlohmann::json::array()},
      {"connect_timeout_secs", 10},
  };
  fs::path control_dir;
  {
    SshProvider provider(host.table(), config.dump());
    provider.prepare(R"({"copy_dirs": []})", nullptr);
    const auto usable = provider.usable_hosts();
    REQUIRE(usable.size() == 1);
    CHECK(usable[0].second == 2);

    std::string info_text;
    auto sandbox = provider.create_sandbox(R"({"id": "offload-t-0", "env": {"SB": "one"}})", info_text, nullptr);
    const nlohmann::json info = nlohmann::json::parse(info_text);
    const fs::path scratch = info["scratch_dir"].get<std::string>();
    CHECK(fs::is_directory(scratch));
    CHECK(scratch.parent_path().parent_path().parent_path() == work);

    SUBCASE("stdin reaches the remote command line by line, unchanged") {
      int fds[2];
      REQUIRE(::pipe(fds) == 0);
      const std::string input = "one\n  two words\n'three' $(x)\n";
      REQUIRE(::write(fds[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
      ::close(fds[1]);
      offload::sdk::Collector output;
      const nlohmann::json command = {
          {"shell", "while IFS= read -r l; do printf 'got:%s\\n' \"$l\"; done; echo \"$FROM_CONFIG\" \"$SB\"; "
                    "pwd; cat input.txt; test -e .git || echo no-git"}};
      const int32_t status = provider.exec_stdin(*sandbox, command.dump(), fds[0], output.sink(), nullptr);
      ::close(fds[0]);
      CHECK(status == 0);
      const std::vector<std::string> expected = {"got:one", "got:  two words", "got:'three' $(x)", "it's set one",
                                                 output.out().size() > 4 ? output.out()[4] : "", "from the project",
                                                 "no-git"};
      CHECK(output.out() == expected);
      CHECK(fs::path(output.out().at(4)).parent_path() == work);
    }

    SUBCASE("argv words arrive as data; a command's own status 255 is not a lost connection") {
      offload::sdk::Collector output;
      const nlohmann::json command = {{"argv", {"printf", "%s\\n", "$(echo pwned)", "a'b c"}}};
      CHECK(provider.exec(*sandbox, command.dump(), output.sink(), nullptr) == 0);
      CHECK(output.out() == std::vector<std::string>{"$(echo pwned)", "a'b c"});
      CHECK(provider.exec(*sandbox, R"({"shell": "exit 255"})", nullptr, nullptr) == 255);
      CHECK(provider.exec(*sandbox, R"({"shell": "exit 3"})", nullptr, nullptr) == 3);
    }

    SUBCASE("result files come back; a missing one is ENOENT") {
      CHECK(provider.exec(*sandbox, R"({"shell": "printf 'r\\nno newline' > \"$TMPDIR/r.xml\""})", nullptr,
                          nullptr) == 0);
      const fs::path copy = local.path() / "r.xml";
      const nlohmann::json request = {{"files", {{{"remote", (scratch / "r.xml").string()}, {"local", copy.string()}}}}};
      provider.download(*sandbox, request.dump(), nullptr);
      CHECK(read_file(copy) == "r\nno newline");
      const nlohmann::json missing = {
          {"files", {{{"remote", (scratch / "none.xml").string()}, {"local", (local.path() / "n").string()}}}}};
      CHECK(failure_of([&] { provider.download(*sandbox, missing.dump(), nullptr); }).code() == OFFLOAD_ENOENT);
      CHECK_FALSE(fs::exists(local.path() / "n"));
    }

    provider.destroy_sandbox(*sandbox);
    CHECK_FALSE(fs::exists(scratch.parent_path()));
    control_dir = provider.control_dir();
    CHECK(fs::exists(control_dir / "c0")); // the master's socket
  }
  // The run's directory and the master connection are gone; the project copy stays for the next run.
  bool run_dirs = false;
  for (const auto& entry : fs::directory_iterator(work)) {
    run_dirs = run_dirs || entry.path().filename().string().rfind("run-", 0) == 0;
  }
  CHECK_FALSE(run_dirs);
  CHECK_FALSE(fs::exists(control_dir));
  CHECK(offload::plugin_support::testing::sh_status("pgrep -f -- 'ControlPat[h]=" + (control_dir / "c0").string() +
                                                    "' >/dev/null") != 0);
}

TEST_CASE("ssh provider configuration: ~/ paths, a bad entry among good ones, no entries at all") {
  ScratchDir home;
  write_file(home.path() / "key", "not really a key\n");
  offload::plugin_support::testing::EnvOverride env("HOME", home.path().string());
  FakeHost host;
  const nlohmann::json config = {{"hosts", {"me@good-host", "me@bad host"}}, {"identity_file", "~/key"},
                                 {"project_dir", home.path().string()}};
  {
    SshProvider provider(host.table(), config.dump());
    CHECK(fs::read_symlink(provider.control_dir() / "identity") == home.path() / "key");
  }
  REQUIRE(host.logs().size() == 1);
  CHECK(host.logs()[0].message.find("ssh host 'me@bad host' (hosts[1]): malformed host entry") == 0);
  CHECK(failure_of([&] { SshProvider(host.table(), R"({"hosts": ["@x"]})"); }).key() == "hosts");
  CHECK(failure_of([&] { SshProvider(host.table(), R"({"hosts": []})"); }).key() == "hosts");
  CHECK(failure_of([&] { SshProvider(host.table(), R"({"hosts": ["a"], "identity_file": "~/none"})"); }).key() ==
        "identity_file");
}
