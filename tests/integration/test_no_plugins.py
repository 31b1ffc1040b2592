# SPDX-License-Identifier: MIT
"""The real binary with no plugin in its search path, as a core installed
without any plugin package: `offload plugins` says none are installed and
where they go, and a run names the missing type."""
import json
import re
import subprocess

from conftest import BUILD, SOURCE, run_offload, scripted_config, set_config


def installed_plugin_dir():
    """The plugin directory compiled into this build (meson's plugin_subdir under the prefix)."""
    text = (BUILD / "core" / "offload_config.h").read_text()
    return re.search(r'#define OFFLOAD_PLUGINDIR "([^"]+)"', text).group(1)


def test_plugins_says_none_are_installed_and_where_they_go(tmp_path):
    empty = tmp_path / "no-plugins"
    empty.mkdir()
    res = run_offload(["plugins"], tmp_path, env={"OFFLOAD_PLUGIN_SYSTEM_PATH": str(empty)})
    assert res.returncode == 0, res.stderr
    assert "none: no plugins are installed" in res.stdout
    assert installed_plugin_dir() in res.stdout
    assert str(empty) in res.stdout.split("Types:")[0]


def test_a_run_without_plugins_names_the_missing_type(tmp_path):
    empty = tmp_path / "no-plugins"
    empty.mkdir()
    set_config(tmp_path, scripted_config())
    res = run_offload(["run"], tmp_path, env={"OFFLOAD_PLUGIN_SYSTEM_PATH": str(empty)})
    assert res.returncode == 1
    assert "unknown framework type 'default' (available: none" in res.stderr


def test_a_build_with_every_plugin_disabled_has_the_core_and_no_plugin(tmp_path):
    build = tmp_path / "build"
    setup = subprocess.run(["meson", "setup", "--wrap-mode=nodownload", "-Dauto_features=disabled", str(build),
                            str(SOURCE)], capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    targets = json.loads(subprocess.run(["meson", "introspect", "--targets", str(build)], capture_output=True,
                                        text=True, check=True).stdout)
    built = {t["name"]: t["type"] for t in targets if t["build_by_default"]}
    assert built.get("offload") == "executable"
    assert [name for name, kind in built.items() if kind == "shared module"] == []
    # No test needs a plugin it does not have: the tests are off with the rest.
    assert "unit-tests" not in built
