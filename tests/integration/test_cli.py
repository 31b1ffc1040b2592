# SPDX-License-Identifier: MIT
"""The command line: plugins, validate, init, collect, help and errors."""
import json

import pytest

from conftest import FIXTURE_PLUGINS, run_offload, set_config

pytestmark = pytest.mark.plugins("provider_local", "framework_default")


def test_version_and_help(tmp_path):
    res = run_offload(["--version"], tmp_path)
    assert res.returncode == 0
    assert res.stdout.startswith("offload ") and "plugin ABI 1.1" in res.stdout
    res = run_offload(["--help"], tmp_path)
    assert res.returncode == 0
    for command in ["run", "collect", "validate", "init", "plugins", "logs"]:
        assert f"  {command} " in res.stdout
    res = run_offload(["run", "--help"], tmp_path)
    assert res.returncode == 0
    assert "--parallel" in res.stdout and "--fail-fast" in res.stdout


def test_unknown_command_and_option(tmp_path):
    res = run_offload(["frobnicate"], tmp_path)
    assert res.returncode == 1
    assert "unknown command 'frobnicate'" in res.stderr
    res = run_offload(["run", "--paralel", "3"], tmp_path)
    assert res.returncode == 1
    assert "paralel" in res.stderr


def test_plugins_lists_local_and_default(tmp_path):
    res = run_offload(["plugins"], tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert any(l.split()[:2] == ["provider", "local"] for l in lines), res.stdout
    assert any(l.split()[:2] == ["framework", "default"] for l in lines), res.stdout


def test_plugins_reports_rejected_files_with_reasons(tmp_path):
    res = run_offload(["plugins", "--plugin-dir", str(FIXTURE_PLUGINS)], tmp_path)
    assert res.returncode == 0, res.stderr
    assert "framework sdk-c" in " ".join(res.stdout.split())
    rejected = res.stdout.split("Rejected:")[1]
    assert "offload-wrongmajor.so: built for plugin ABI 2.0" in rejected
    assert "major version must match" in rejected
    assert "offload-undefined.so: " in rejected and "undefined symbol" in rejected
    assert "offload-noentry.so: no offload_plugin_entry symbol" in rejected


def test_plugin_path_env_adds_directories(tmp_path):
    res = run_offload(["plugins"], tmp_path, env={"OFFLOAD_PLUGIN_PATH": str(FIXTURE_PLUGINS)})
    assert "sdk-c" in res.stdout


def test_validate_accepts_the_example(scripted):
    res = run_offload(["validate"], scripted)
    assert res.returncode == 0, res.stderr
    assert "Configuration is valid!" in res.stdout
    assert "all: retry_count = 1" in res.stdout


def test_misspelled_key_names_line_and_suggestion(scripted):
    text = (scripted / "offload.toml").read_text().replace("max_parallel = 4", "max_paralel = 4")
    (scripted / "offload.toml").write_text(text)
    line = text.splitlines().index("max_paralel = 4") + 1
    res = run_offload(["validate"], scripted)
    assert res.returncode == 1
    err = res.stderr.strip().splitlines()
    assert len(err) == 1, res.stderr
    assert f"offload.toml:{line}:" in err[0]
    assert "max_paralel" in err[0] and "did you mean 'max_parallel'" in err[0]


def test_plugin_section_typo_is_reported_by_line(scripted):
    text = (scripted / "offload.toml").read_text().replace("test_id_format", "test_id_fromat")
    (scripted / "offload.toml").write_text(text)
    line = [i for i, l in enumerate(text.splitlines(), 1) if l.startswith("test_id_fromat")][0]
    res = run_offload(["validate"], scripted)
    assert res.returncode == 1
    assert f"offload.toml:{line}:" in res.stderr
    assert "did you mean 'test_id_format'" in res.stderr


def test_unknown_provider_type_lists_the_available_ones(scripted):
    text = (scripted / "offload.toml").read_text().replace('type = "local"', 'type = "locl"')
    (scripted / "offload.toml").write_text(text)
    res = run_offload(["validate"], scripted)
    assert res.returncode == 1
    assert "unknown provider type 'locl'; did you mean 'local'?" in res.stderr


def test_missing_config_file(tmp_path):
    res = run_offload(["validate", "-c", "nope.toml"], tmp_path)
    assert res.returncode == 1
    assert "nope.toml" in res.stderr


def test_init_writes_a_config_that_runs_and_refuses_to_overwrite(tmp_path):
    res = run_offload(["init", "-f", "default"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "offload.toml").exists()
    res = run_offload(["validate"], tmp_path)
    assert res.returncode == 0, res.stderr
    res = run_offload(["run"], tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    before = (tmp_path / "offload.toml").read_text()
    res = run_offload(["init", "-f", "default"], tmp_path)
    assert res.returncode == 1
    assert "already exists" in res.stderr
    assert (tmp_path / "offload.toml").read_text() == before


def test_init_rejects_unknown_types(tmp_path):
    res = run_offload(["init", "-p", "nosuch"], tmp_path)
    assert res.returncode == 1
    assert "unknown provider type 'nosuch'" in res.stderr
    assert not (tmp_path / "offload.toml").exists()


def test_collect_text_and_json(scripted):
    res = run_offload(["collect"], scripted)
    assert res.returncode == 0, res.stderr
    assert "Discovered 10 tests across 2 groups" in res.stdout
    assert "Group 'broken':\n  broken" in res.stdout
    res = run_offload(["collect", "-f", "json"], scripted)
    records = json.loads(res.stdout)
    assert {r["id"] for r in records if r["group"] == "broken"} == {"broken"}
    assert len(records) == 10
    assert all(r["retry_count"] == (0 if r["group"] == "broken" else 1) for r in records)


def test_global_options_after_the_command(scripted):
    (scripted / "offload.toml").rename(scripted / "other.toml")
    res = run_offload(["collect", "-c", "other.toml"], scripted)
    assert res.returncode == 0, res.stderr


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("offload: error:")]


def test_non_utf8_argument_is_one_error_naming_it(scripted):
    # "\udcff" reaches the process as the single byte 0xff (surrogateescape).
    res = run_offload(["run", "--env", "K=\udcff"], scripted)
    assert 0 < res.returncode < 128, res.stderr
    errors = error_lines(res.stderr)
    assert len(errors) == 1, res.stderr
    assert "after '--env'" in errors[0] and "K=\\xff" in errors[0] and "not valid UTF-8" in errors[0]
    assert "terminate" not in res.stderr


def test_non_utf8_config_value_names_file_line_and_key(scripted, tmp_path):
    text = (scripted / "offload.toml").read_text()
    text = text.replace('type = "local"', 'type = "local"\nenv = { K = "${BAD_BYTES}" }', 1)
    set_config(scripted, text)
    res = run_offload(["run"], scripted, env={"BAD_BYTES": "x\udcff"})
    assert 0 < res.returncode < 128, res.stderr
    errors = error_lines(res.stderr)
    assert len(errors) == 1, res.stderr
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "BAD_BYTES" in l)
    assert "offload.toml:%d" % line in errors[0] and "provider.env.K" in errors[0], errors[0]
    assert "not valid UTF-8" in errors[0] and "x\\xff" in errors[0]


def test_symlink_loop_in_plugin_dir_is_a_warning_and_the_rest_loads(scripted, tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "offload-cycle.so").symlink_to(plugins / "offload-cycle.so")
    res = run_offload(["--plugin-dir", str(loop), "--plugin-dir", str(plugins), "run"], scripted)
    assert res.returncode < 128, res.stderr
    assert "terminate" not in res.stderr
    assert str(loop) in res.stderr and "cannot be read" in res.stderr, res.stderr
    assert (scripted / "test-results" / "junit.xml").is_file()
    listing = run_offload(["plugins", "--plugin-dir", str(plugins)], tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "offload-cycle.so: cannot be read" in listing.stdout


def test_history_file_that_is_a_directory_is_a_warning(scripted):
    (scripted / "test-results").mkdir(exist_ok=True)
    (scripted / "test-results" / "offload-history.json").mkdir()
    res = run_offload(["run"], scripted)
    assert 0 < res.returncode < 128, res.stderr
    assert "terminate" not in res.stderr
    assert "offload-history.json" in res.stderr, res.stderr
    assert (scripted / "test-results" / "junit.xml").is_file()
