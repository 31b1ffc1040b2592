// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// Replaces every `@name.ext` token of a command template by what
/// `resolve(name)` returns. A token starts the template or follows
/// whitespace, and its name is a run of [A-Za-z0-9_.-] that does not start
/// with a dot and has a dot inside it ("@x.sh;" names "x.sh"). Anything else
/// ("user@host", "@x", "'@x.sh'") stays as it is.
std::string expand_script_tokens(std::string_view tmpl,
                                 const std::function<std::string(const std::string&)>& resolve);

/// True for a name `export` accepts: [A-Za-z_][A-Za-z0-9_]*.
bool is_env_name(std::string_view name);

// Checks of configuration values shared by the providers that run remote
// commands; each throws sdk::Failure(OFFLOAD_EINVAL) naming `key`.

/// Every entry is LOCAL:REMOTE with both halves present.
void check_copy_dirs(const std::vector<std::string>& specs, const std::string& key);
/// Every name can be exported.
void check_env_names(const std::map<std::string, std::string>& env, const std::string& key);

/// The shell text that runs `script` inside a sandbox: enter `project_root`
/// (when known), export `env`, then run the script. Every value is quoted,
/// and each step is on a line of its own so that whatever the script holds
/// cannot swallow the steps before it. Throws sdk::Failure(OFFLOAD_EINVAL)
/// for a variable name `export` would refuse.
std::string remote_script(const std::optional<std::string>& project_root,
                          const std::map<std::string, std::string>& env, const std::string& script);

struct FileCopy {
  std::string remote;
  std::string local;
};

/// The `{paths}` value: `<q(remote)>:<q(local)>` pairs joined by spaces, so
/// each pair reads back as one word "remote:local".
std::string paths_argument(const std::vector<FileCopy>& files);

/// The last line of `lines` that is not blank, trimmed, or "" when none is.
std::string last_line(const std::vector<std::string>& lines);

} // namespace offload::plugins
