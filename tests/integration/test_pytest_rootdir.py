# SPDX-License-Identifier: MIT
"""Batches whose node IDs are relative to a rootdir other than the working
directory (as with paths = ["/usr/lib/python3/dist-packages/sympy/core"])
still collect only their own files."""
import collections
import textwrap

import pytest

from conftest import junit_cases, run_offload, verdict
from test_pytest import config

pytestmark = pytest.mark.plugins("provider_local", "framework_pytest")
MODULES = ["test_m1", "test_m2", "test_m3", "test_m4", "test_m5", "test_m6"]

MODULE = textwrap.dedent("""
    import os
    from pathlib import Path

    LOG = Path(__file__).resolve().parents[1] / "imports.log"

    def note(what):
        with open(LOG, "a") as log:
            log.write("%d %s\\n" % (os.getpid(), what))

    note("import " + __name__)

    def test_one():
        note("run " + __name__)

    def test_two():
        note("run " + __name__)
""")


def test_a_batch_collects_only_its_files_when_the_rootdir_is_not_the_working_dir(tmp_path):
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "pytest.ini").write_text("[pytest]\n")  # the rootdir, above the paths given
    for name in MODULES:
        (project / "tests" / f"{name}.py").write_text(MODULE)
    runner = tmp_path / "runner"
    runner.mkdir()
    (runner / "offload.toml").write_text(
        config("[groups.one]\nfilters = \"-k test_m3\"", framework=f'paths = ["{project / "tests"}"]', parallel=2))
    res = run_offload(["run"], runner)
    assert res.returncode == 0, res.stdout + res.stderr
    cases = junit_cases(runner)
    assert sorted(cases) == ["tests/test_m3.py::test_one", "tests/test_m3.py::test_two"]
    assert {verdict(tc) for tc in cases.values()} == {"passed"}

    imported, ran = collections.defaultdict(set), collections.defaultdict(set)
    for line in (project / "imports.log").read_text().splitlines():
        pid, what, module = line.split()
        (imported if what == "import" else ran)[pid].add(module)
    # pytest walks `paths` (the IDs' files are not under the working dir), yet
    # each batch imported test_m3 alone.
    assert ran and all(modules == {"test_m3"} for modules in ran.values()), ran
    for pid in ran:
        assert imported[pid] == {"test_m3"}, (pid, imported[pid])
