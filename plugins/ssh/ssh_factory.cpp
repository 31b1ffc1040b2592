// SPDX-License-Identifier: MIT
#include "ssh_factory.hpp"

#include "ssh_provider.hpp"

#include <offload/plugin.hpp>

#include <iterator>

namespace offload::plugins::ssh {
namespace {

constexpr offload_option k_options[] = {
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "hosts", "[]",
     "Machines to run on, each \"[user@]host[:port]\""},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "hosts_file", nullptr,
     "File with more hosts, one [user@]host[:port] a line (# starts a comment)"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "slots", "0",
     "Sandboxes per host at once (0: the host's core count, asked once with nproc)"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "identity_file", nullptr,
     "Private key for every host (default: ssh's own choice and agent)"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "known_hosts", nullptr,
     "known_hosts file with the hosts' keys (default: ~/.ssh/known_hosts); checking is always strict"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "work_root", "\".cache/offload\"",
     "Directory on each host for project copies and sandboxes (relative: from the login directory)"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING, 0, 0, "project_dir", nullptr,
     "Local directory copied to each host (default: the current directory)"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_TABLE, 0, 0, "env", "{}",
     "Environment variables exported for every command on the hosts"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "copy_dirs", "[]",
     "LOCAL:REMOTE directories copied into each host's project copy (REMOTE relative to it)"},
    {sizeof(offload_option), OFFLOAD_OPTION_STRING_LIST, 0, 0, "exclude",
     "[\"test-results\", \"target\", \"__pycache__\", \".pytest_cache\"]",
     "rsync patterns left out of the project copy (.git always is); list the report's output_dir here"},
    {sizeof(offload_option), OFFLOAD_OPTION_INTEGER, 0, 0, "connect_timeout_secs", "10",
     "How long ssh may take to reach a host"},
};

constexpr const char* k_config_template = R"toml(# Machines reached with ssh; the project is copied to each with rsync.
hosts = ["localhost"]
# Sandboxes per host (0: its core count).
slots = 0
# identity_file = "~/.ssh/id_ed25519"
# known_hosts = "~/.ssh/known_hosts"
work_root = ".cache/offload"
)toml";

} // namespace

const offload_factory& ssh_factory() noexcept {
  static const offload_factory factory = {
      sizeof(offload_factory),
      OFFLOAD_KIND_PROVIDER,
      "ssh",
      "Run tests on a fleet of machines over ssh, one multiplexed connection per host",
      static_cast<uint32_t>(std::size(k_options)),
      0,
      k_options,
      k_config_template,
      sdk::provider_table<SshProvider>(),
      &sdk::create_instance<SshProvider>,
  };
  return factory;
}

} // namespace offload::plugins::ssh
