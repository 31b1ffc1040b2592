// SPDX-License-Identifier: MIT
#include "remote_command.hpp"
#include "../plugin_support/fake_host.hpp"
#include "shell.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using offload::plugin_support::shell_quote;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::sh_output;
using offload::plugins::expand_script_tokens;
using offload::plugins::FileCopy;
using offload::plugins::paths_argument;
using offload::plugins::remote_script;

namespace {

std::string expand(const std::string& tmpl) {
  return expand_script_tokens(tmpl, [](const std::string& name) { return "<" + name + ">"; });
}

} // namespace

TEST_SUITE_BEGIN("remote_plugins");

TEST_CASE("remote_command::@script tokens start the template or follow whitespace") {
  CHECK(expand("@local_sandbox.sh create") == "<local_sandbox.sh> create");
  CHECK(expand("uv run @modal_sandbox.py exec {sandbox_id}") == "uv run <modal_sandbox.py> exec {sandbox_id}");
  CHECK(expand("a\t@x.sh\n@y-z_1.2.py") == "a\t<x.sh>\n<y-z_1.2.py>");
  CHECK(expand("@x.sh;@y.sh && @z.sh|w") == "<x.sh>;@y.sh && <z.sh>|w");
  CHECK(expand("@a.sh @a.sh") == "<a.sh> <a.sh>");
}

TEST_CASE("remote_command::other @ text is left alone") {
  for (const std::string text : {"ssh user@host.example", "echo @", "echo @x", "echo @.hidden.sh", "echo @x.",
                                 "echo '@x.sh'", "echo \"@x.sh\"", "a=@x.sh", "@", "@@x.sh", ""}) {
    CAPTURE(text);
    CHECK(expand(text) == text);
  }
}

TEST_CASE("remote_command::the script enters the project, exports, then runs") {
  CHECK(remote_script("/app", {{"A", "1"}, {"B", "two words"}}, "run it") ==
        "cd /app || exit\nexport A=1 B='two words'\nrun it");
  CHECK(remote_script(std::nullopt, {}, "run it") == "run it");
  CHECK(remote_script("my dir", {}, "x") == "cd 'my dir' || exit\nx");
  const auto failure = [] {
    try {
      remote_script(std::nullopt, {{"BAD-NAME", "1"}}, "x");
    } catch (const offload::sdk::Failure& f) {
      return f;
    }
    return offload::sdk::Failure(0, "none");
  }();
  CHECK(failure.code() == OFFLOAD_EINVAL);
  CHECK(std::string(failure.what()).find("BAD-NAME") != std::string::npos);
}

TEST_CASE("remote_command::a quoted remote script runs with its data intact through sh") {
  ScratchDir dir;
  const std::string canary = (dir.path() / "canary").string();
  const std::string odd = "it's $(touch " + canary + ") `touch " + canary + "` \"q\" ; \\ \n end";
  const std::string script = "printf '%s|' \"$V\" \"$PWD\"";
  const std::string quoted = shell_quote(remote_script(dir.path().string(), {{"V", odd}}, script));
  // Two shells, as in `exec_command = "sh -c {command}"` run by /bin/sh -c.
  const std::string out = sh_output("sh -c " + quoted);
  CHECK(out == odd + "|" + dir.path().string() + "|");
  CHECK_FALSE(std::filesystem::exists(canary));
}

TEST_CASE("remote_command::{paths} reads back as one REMOTE:LOCAL word per file") {
  const std::vector<FileCopy> files = {{"/tmp/r 1.xml", "/out/it's.xml"}, {"plain.xml", "/o/p.xml"}};
  CHECK(paths_argument(files) == "'/tmp/r 1.xml':'/out/it'\\''s.xml' plain.xml:/o/p.xml");
  const std::string out = sh_output("for p in " + paths_argument(files) + "; do printf '[%s]' \"$p\"; done");
  CHECK(out == "[/tmp/r 1.xml:/out/it's.xml][plain.xml:/o/p.xml]");
}

TEST_CASE("remote_command::last_line skips blank lines and trims") {
  CHECK(offload::plugins::last_line({"a", "  im-1 \r", "", "  "}) == "im-1");
  CHECK(offload::plugins::last_line({" ", ""}).empty());
  CHECK(offload::plugins::last_line({}).empty());
}

TEST_SUITE_END();
