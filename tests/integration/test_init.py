# SPDX-License-Identifier: MIT
"""Every `offload init` provider x framework pair writes a config that runs as
written on a project of that framework: every test gets a real verdict."""
import os
import shutil

import pytest

from conftest import BUILD, SOURCE, junit_cases, require_plugins, run_offload, verdict

CRATE = {
    "Cargo.toml": '[package]\nname = "tiny"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
    "src/lib.rs": '/// Doubles.\n///\n/// ```\n/// assert_eq!(tiny::double(2), 4);\n/// ```\n'
                  'pub fn double(x: i32) -> i32 {\n    x * 2\n}\n\n'
                  '#[cfg(test)]\nmod tests {\n    #[test]\n    fn doubles() {\n'
                  '        assert_eq!(super::double(3), 6);\n    }\n}\n',
    "tests/it.rs": "#[test]\nfn doubles_from_outside() {\n    assert_eq!(tiny::double(1), 2);\n}\n",
}


def write_files(project, files):
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)


def make_project(framework, project):
    """A small project the framework's init template expects, and its number of tests."""
    project.mkdir()
    if framework == "pytest":
        write_files(project, {"tests/test_small.py": "def test_one():\n    assert True\n\n"
                                                     "def test_two():\n    assert 1 + 1 == 2\n"})
        return 2
    if framework == "cargo":
        write_files(project, CRATE)
        return 3
    if framework == "gtest":
        (project / "build").mkdir()
        shutil.copy(BUILD / "examples" / "gtest" / "strings_test", project / "build" / "strings_test")
        return 3
    if framework == "vitest":
        shutil.copytree(SOURCE / "examples" / "vitest", project, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("node_modules", "test-results", "offload.toml"))
        (project / "node_modules").symlink_to(SOURCE / "examples" / "vitest" / "node_modules")
        return 11  # 8 that `vitest list` lists, 3 skipped in the source
    return 2  # default: the template's own two tests


@pytest.mark.parametrize("provider", ["local", "default"])
@pytest.mark.parametrize("framework", ["pytest", "cargo", "gtest", "vitest", "default"])
def test_init_config_runs_as_written(provider, framework, tmp_path):
    require_plugins("provider_" + provider, "framework_" + framework)
    project = tmp_path / "project"
    count = make_project(framework, project)
    # The templates name `python3`; Debian's is the one with pytest.
    env = {"PATH": "/usr/bin:" + os.environ["PATH"], "TMPDIR": str(tmp_path)}
    res = run_offload(["init", "-p", provider, "-f", framework], project, env=env)
    assert res.returncode == 0, res.stderr
    res = run_offload(["run"], project, env=env, timeout=600)
    cases = junit_cases(project)
    verdicts = {test_id: verdict(tc) for test_id, tc in cases.items()}
    assert len(verdicts) == count, res.stdout + res.stderr
    assert "not-run" not in verdicts.values(), res.stdout + res.stderr
    if framework == "vitest":
        assert res.returncode == 1  # the example fails one test on purpose
        assert list(verdicts.values()).count("failed") == 1
    else:
        assert res.returncode == 0, res.stdout + res.stderr
        assert set(verdicts.values()) == {"passed"}
