// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace offload::plugin_support {

/// Replaces each `{name}` in `tmpl` whose name is a key of `values` by its
/// value, in one left-to-right pass: substituted text is never scanned again,
/// so a value containing "{tests}" stays literal. Placeholders with unknown
/// names are left as they are.
std::string substitute(std::string_view tmpl, const std::map<std::string, std::string>& values);

/// True when `tmpl` contains the placeholder `{name}`.
bool has_placeholder(std::string_view tmpl, std::string_view name);

/// True when {name} stands inside single or double quotes of the shell
/// template: the quoting offload gives the value then nests inside the
/// template's, and shell syntax in the value ($(...), `...`) can run.
bool placeholder_in_quotes(std::string_view tmpl, std::string_view name);

} // namespace offload::plugin_support
