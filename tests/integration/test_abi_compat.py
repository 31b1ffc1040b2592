# SPDX-License-Identifier: MIT
"""Plugins built against other minors of ABI 1 load and run in this host."""
import pytest

from conftest import FIXTURE_PLUGINS, run_c_fixture, run_offload

pytestmark = pytest.mark.plugins("provider_local")


def c_fixture_config(framework_type):
    return f"""
[offload]
max_parallel = 2
# The fixture's worker is only `cat`, which never says "ready".
persistent_workers = false
[provider]
type = "local"
[framework]
type = "{framework_type}"
[groups.all]
"""


@pytest.mark.parametrize("framework_type", ["frozen-c", "grown-c"])
def test_plugin_of_another_minor_runs_a_suite(tmp_path, framework_type):
    # frozen-c: built against the frozen 1.0 header; grown-c: ABI 1.9 with
    # larger structs and option entries than this host knows.
    (tmp_path / "offload.toml").write_text(c_fixture_config(framework_type))
    run_c_fixture(tmp_path)


def test_plugins_lists_other_minors_and_says_why_one_is_refused(tmp_path):
    res = run_offload(["plugins", "--plugin-dir", str(FIXTURE_PLUGINS)], tmp_path)
    assert res.returncode == 0, res.stderr
    listed = " ".join(res.stdout.split("Rejected:")[0].split())
    assert "framework frozen-c" in listed and "framework grown-c" in listed
    rejected = res.stdout.split("Rejected:")[1]
    assert "offload-needsnewer.so: needs a host of plugin ABI 1.9 or newer" in rejected
    assert "upgrade offload" in rejected
    assert "offload-refuses.so: " in rejected and "needs host ABI 1.9 for exec_stdin" in rejected


def test_refused_plugin_type_is_one_clear_error(tmp_path):
    (tmp_path / "offload.toml").write_text(c_fixture_config("needs-c"))
    res = run_offload(["run", "--plugin-dir", str(FIXTURE_PLUGINS)], tmp_path)
    assert 0 < res.returncode < 128, res.stdout + res.stderr
    assert "needs-c" in res.stderr, res.stderr
