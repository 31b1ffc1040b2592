# SPDX-License-Identifier: MIT
"""`meson install --destdir` stages a tree a third party can build against:
examples/plugin-template, configured with PKG_CONFIG_PATH into the staged
tree and nothing else, builds offload-checks.so, and the staged offload
loads it through OFFLOAD_PLUGIN_PATH and runs the template's tiny suite."""
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

BUILD = Path(os.environ["OFFLOAD_BUILD_ROOT"])
SOURCE = Path(os.environ["OFFLOAD_SOURCE_ROOT"])
TEMPLATE = SOURCE / "examples" / "plugin-template"


def run(args, **kw):
    res = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kw)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def build_option(name):
    options = json.loads(run(["meson", "introspect", "--buildoptions", BUILD]))
    return next(o["value"] for o in options if o["name"] == name)


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """(stage root, prefix inside it, libdir inside it) of one staged install of this build."""
    if "provider_local" not in os.environ.get("OFFLOAD_TEST_PLUGINS", "provider_local").split(","):
        pytest.skip("the template's suite runs on the local provider, which this build lacks")
    stage = tmp_path_factory.mktemp("stage")
    run(["meson", "install", "--no-rebuild", "-C", BUILD, "--destdir", stage])
    prefix = stage / build_option("prefix").lstrip("/")
    return stage, prefix, prefix / build_option("libdir")


@pytest.fixture(scope="module")
def template_build(staged, tmp_path_factory):
    """The template's build directory, configured against the staged SDK alone."""
    stage, _, libdir = staged
    build = tmp_path_factory.mktemp("template") / "build"
    # The .pc file names the final prefix; the sysroot maps it into the stage.
    env = dict(os.environ, PKG_CONFIG_PATH=str(libdir / "pkgconfig"), PKG_CONFIG_SYSROOT_DIR=str(stage))
    env.pop("PKG_CONFIG_LIBDIR", None)
    run(["meson", "setup", build, TEMPLATE], env=env)
    run(["ninja", "-C", build], env=env)
    return build


def test_the_stage_holds_binary_plugins_sdk_and_docs(staged):
    _, prefix, libdir = staged
    assert (prefix / "bin" / "offload").is_file()
    assert (libdir / "offload-1" / "plugins" / "offload-local.so").is_file()
    assert (prefix / "include" / "offload-1" / "offload" / "plugin.h").is_file()
    pc = (libdir / "pkgconfig" / "offload-plugin-1.pc").read_text()
    assert "plugindir=${libdir}/offload-1/plugins" in pc


def test_the_template_builds_against_the_staged_sdk_and_exports_one_symbol(template_build, staged):
    plugin = template_build / "offload-checks.so"
    symbols = run(["nm", "-D", "--defined-only", plugin]).split()
    assert "offload_plugin_entry" in symbols
    assert [s for s in symbols if s.startswith("offload") or s.startswith("_ZN6checks")] == ["offload_plugin_entry"]
    # The include path came from the stage, not from a system-wide SDK.
    assert str(staged[0]) in (template_build / "build.ninja").read_text()


def staged_env(staged, template_build):
    _, _, libdir = staged
    return dict(os.environ, OFFLOAD_PLUGIN_SYSTEM_PATH=str(libdir / "offload-1" / "plugins"),
                OFFLOAD_PLUGIN_PATH=str(template_build))


def test_the_staged_offload_loads_the_template_and_runs_its_suite(staged, template_build, tmp_path):
    offload = staged[1] / "bin" / "offload"
    env = staged_env(staged, template_build)
    listed = run([offload, "plugins"], env=env)
    assert f"framework checks     0.1.0    {template_build / 'offload-checks.so'}" in listed

    project = tmp_path / "suite"
    shutil.copytree(TEMPLATE / "example", project)
    res = subprocess.run([str(offload), "run"], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stdout + res.stderr  # "broken" fails on purpose
    verdicts = {tc.get("name"): "failed" if tc.find("failure") is not None else "passed"
                for tc in ET.parse(project / "test-results" / "junit.xml").getroot().iter("testcase")}
    # README is not executable, so not a test.
    assert verdicts == {"arithmetic": "passed", "broken": "failed", "scratch": "passed"}
