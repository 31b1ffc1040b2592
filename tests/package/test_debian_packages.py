# SPDX-License-Identifier: MIT
"""scripts/package builds the Debian packages; installed on this machine,
the core alone lists its two plugins, one plugin package adds its type and
runs an example, and removing them leaves nothing behind."""
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

BUILD = Path(os.environ["OFFLOAD_BUILD_ROOT"])
SOURCE = Path(os.environ["OFFLOAD_SOURCE_ROOT"])
PACKAGES = ["offload", "offload-plugin-pytest", "offload-plugin-cargo", "offload-plugin-gtest",
            "offload-plugin-vitest", "offload-plugin-modal", "offload-plugin-ssh", "offload-dev"]
# What a user has: none of the build tree's test settings.
USER_ENV = {k: v for k, v in os.environ.items() if not k.startswith("OFFLOAD_")}


def run(args, timeout=300, **kw):
    res = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kw)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    return res.stdout


def installed(package):
    res = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return res.returncode == 0 and "install ok installed" in res.stdout


def apt(*args):
    return run(["apt-get", "-y", "-q", "--no-install-recommends", *args], timeout=600,
               env=dict(USER_ENV, DEBIAN_FRONTEND="noninteractive"))


@pytest.fixture(scope="module")
def debs():
    """{package: .deb path} as scripts/package builds them."""
    if os.geteuid() != 0:
        pytest.skip("installing packages needs root")
    if any(installed(p) for p in PACKAGES):
        pytest.skip("an offload package is installed already; this test removes what it installs")
    out = BUILD / "deb"
    shutil.rmtree(out, ignore_errors=True)
    # What the packages hold and do, not the optimiser or debug symbols, is
    # under test here: -O0, no debug info and no dbgsym packages halve the build.
    run([SOURCE / "scripts" / "package", out], timeout=1500,
        env=dict(os.environ, DEB_BUILD_OPTIONS="noopt noautodbgsym", DEB_CFLAGS_APPEND="-g0",
                 DEB_CXXFLAGS_APPEND="-g0"))
    debs = {p.name.split("_")[0]: p for p in out.glob("*.deb")}
    return {name: path for name, path in debs.items() if not name.endswith("-dbgsym")}


def contents(deb):
    return {line.split()[-1].lstrip(".") for line in run(["dpkg-deb", "-c", deb]).splitlines()}


def test_every_package_is_built_with_its_files(debs):
    assert sorted(debs) == sorted(PACKAGES)
    core = contents(debs["offload"])
    plugins = {Path(p).name for p in core if p.endswith(".so")}
    assert plugins == {"offload-local.so", "offload-default.so"}
    assert "/usr/bin/offload" in core
    assert {"/usr/share/man/man1/offload.1.gz", "/usr/share/man/man5/offload.toml.5.gz",
            "/usr/share/bash-completion/completions/offload", "/usr/share/zsh/vendor-completions/_offload"} <= core
    for name in PACKAGES[1:-1]:
        assert {Path(p).name for p in contents(debs[name]) if p.endswith(".so")} == {name.replace("-plugin", "") + ".so"}
    assert {p for p in contents(debs["offload-plugin-pytest"]) if "/bundled/" in p and p.endswith(".py")} == {
        "/usr/share/offload-1/bundled/offload_pytest.py", "/usr/share/offload-1/bundled/offload_pytest_worker.py",
        "/usr/share/offload-1/bundled/offload_pytest_forkserver.py"}
    dev = contents(debs["offload-dev"])
    assert "/usr/include/offload-1/offload/plugin.h" in dev
    assert any(p.endswith("/pkgconfig/offload-plugin-1.pc") for p in dev)
    assert "/usr/share/offload-1/plugin-template/meson.build" in dev


def plugin_types(listing):
    types = listing.split("Types:\n")[1].split("\n\n")[0]
    return sorted(tuple(line.split()[:2]) for line in types.splitlines())


def test_core_alone_then_a_plugin_package_then_nothing(debs, tmp_path):
    try:
        apt("install", debs["offload"])
        listing = run(["/usr/bin/offload", "plugins"], env=USER_ENV)
        assert plugin_types(listing) == [("framework", "default"), ("provider", "default"), ("provider", "local")]
        assert "/usr/lib/x86_64-linux-gnu/offload-1/plugins" in listing or "/offload-1/plugins" in listing
        # The installed page, found as a user finds it.
        page = run(["man", "-P", "cat", "offload"], env=dict(USER_ENV, MANWIDTH="80"))
        assert "SYNOPSIS" in page and "collect" in page

        apt("install", debs["offload-plugin-pytest"])
        assert ("framework", "pytest") in plugin_types(run(["/usr/bin/offload", "plugins"], env=USER_ENV))
        project = tmp_path / "pytest-example"
        shutil.copytree(SOURCE / "examples" / "pytest", project, ignore=shutil.ignore_patterns("test-results"))
        res = subprocess.run(["/usr/bin/offload", "run"], cwd=project, env=USER_ENV, capture_output=True, text=True,
                             timeout=300)
        assert res.returncode == 1, res.stdout + res.stderr  # the example fails one test on purpose
        cases = list(ET.parse(project / "test-results" / "junit.xml").getroot().iter("testcase"))
        passed = [tc for tc in cases if not list(tc)]
        assert len(cases) > 10 and len(passed) > 5
    finally:
        apt("purge", *[p for p in PACKAGES if installed(p)])
    assert not any(installed(p) for p in PACKAGES)
    assert not Path("/usr/bin/offload").exists()
    assert not list(Path("/usr/lib").glob("*/offload-1"))
