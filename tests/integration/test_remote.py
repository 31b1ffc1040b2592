# SPDX-License-Identifier: MIT
"""Remote sandboxes end to end: the `default` provider driving the bundled
local_sandbox.sh, and the `modal` provider driving the bundled
modal_sandbox.py over a fake `modal` SDK (tests/fake_modal) whose sandboxes
are directories and bubblewrap processes."""
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import (OFFLOAD, SOURCE, assert_valid_surefire, junit_cases, run_offload, verdict,
                      write_test)

pytestmark = pytest.mark.plugins("provider_local", "provider_default", "provider_modal", "framework_default",
                                "framework_pytest")

LOCAL_SANDBOX_EXAMPLE = SOURCE / "examples" / "remote" / "offload-local-sandbox.toml"
MODAL_EXAMPLE = SOURCE / "examples" / "remote" / "offload-modal.toml"
FAKE_MODAL = SOURCE / "tests" / "fake_modal"
PYTEST_EXAMPLE = SOURCE / "examples" / "pytest"


@pytest.fixture
def sandbox_tmp(tmp_path):
    """The TMPDIR local_sandbox.sh keeps its sandboxes in, outside the project."""
    path = tmp_path / "sandboxes"
    path.mkdir()
    return path


def copy_project(source, dest):
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".state", "test-results", "__pycache__",
                                                                ".pytest_cache", ".offload-image-cache"))
    return dest


def replace_once(text, old, new):
    assert text.count(old) == 1, "expected exactly one %r in the config" % old
    return text.replace(old, new)


def local_sandbox_provider(**keys):
    """A [provider] section using @local_sandbox.sh, with `keys` replaced."""
    commands = {
        "create_command": "@local_sandbox.sh create",
        "exec_command": "@local_sandbox.sh exec {sandbox_id} {command}",
        "download_command": "@local_sandbox.sh download {sandbox_id} {paths}",
        "destroy_command": "@local_sandbox.sh destroy {sandbox_id}",
        "scratch_dir": "{sandbox_id}/tmp",
    }
    commands.update(keys)
    lines = ["[provider]", 'type = "default"']
    lines += ["%s = %s" % (key, toml_value(value)) for key, value in commands.items()]
    return "\n".join(lines) + "\n"


def toml_value(value):
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "'''%s'''" % value


def scripted_remote_config(provider, filters="'.'", retry=0, timeout=60, parallel=3, project_root="."):
    return f"""
[offload]
max_parallel = {parallel}
test_timeout_secs = {timeout}
sandbox_project_root = "{project_root}"

{provider}
[framework]
type = "default"
discover_command = "/usr/bin/python3 runner.py list {{filters}}"
run_command = "/usr/bin/python3 runner.py run {{result_file}} {{tests}}"

[groups.all]
retry_count = {retry}
filters = "{filters}"
"""


def verdicts(project):
    return {test_id: verdict(tc) for test_id, tc in junit_cases(project).items()}


def leftovers(directory, prefix="offload-sandbox-"):
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(prefix))


def living(marker):
    """PIDs of processes (zombies aside) whose command line mentions `marker`."""
    found = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    alive = []
    for pid in found:
        try:
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def run_remote(args, project, sandbox_tmp, **kw):
    return run_offload(args, project, env={"TMPDIR": str(sandbox_tmp)}, **kw)


@pytest.fixture(scope="module")
def scripted_local_verdicts(tmp_path_factory):
    """The scripted example's verdicts with the local provider, as the reference."""
    project = copy_project(SOURCE / "examples" / "scripted", tmp_path_factory.mktemp("local") / "scripted")
    res = run_offload(["run"], project)
    assert res.returncode == 1, res.stdout + res.stderr
    return verdicts(project)


def test_scripted_example_gives_the_local_verdicts_in_one_sandbox(tmp_path, sandbox_tmp, scripted_local_verdicts):
    project = copy_project(SOURCE / "examples" / "scripted", tmp_path / "scripted")
    res = run_remote(["-c", str(LOCAL_SANDBOX_EXAMPLE), "run", "--parallel", "1"], project, sandbox_tmp)
    assert res.returncode == 1, res.stdout + res.stderr
    assert verdicts(project) == scripted_local_verdicts
    assert_valid_surefire(project / "test-results" / "junit.xml", tmp_path)
    # The tests ran in a copy: the flaky test's state never reached the project.
    assert not (project / ".state").exists()
    assert leftovers(sandbox_tmp) == []


def test_parallel_sandboxes_are_separate_copies(tmp_path, sandbox_tmp, scripted_local_verdicts):
    project = copy_project(SOURCE / "examples" / "scripted", tmp_path / "scripted")
    res = run_remote(["-c", str(LOCAL_SANDBOX_EXAMPLE), "run"], project, sandbox_tmp)
    assert res.returncode == 1, res.stdout + res.stderr
    found = verdicts(project)
    # flaky.sh passes once its own copy remembers a failure; its retry may
    # land in another sandbox, whose copy has seen none.
    flaky = found.pop("flaky")
    expected = dict(scripted_local_verdicts)
    expected.pop("flaky")
    assert found == expected
    assert flaky in ("flaky", "failed")
    assert "running 10 tests on 3 sandboxes" in res.stderr
    assert not (project / ".state").exists()
    assert leftovers(sandbox_tmp) == []


def test_ids_with_shell_metacharacters_are_data_through_the_sandbox(scripted, tmp_path, sandbox_tmp):
    canary = tmp_path / "canary"
    ids = ["with space", "quote'single", 'quote"double', "dollar$(touch {c})".format(c=canary),
           "back`touch {c}`tick".format(c=canary), "semi;colon", "brace{sandbox_id}", "at @local_sandbox.sh"]
    listing = tmp_path / "ids.txt"
    listing.write_text("\n".join(ids) + "\n")
    runner = tmp_path / "echo_runner.py"
    runner.write_text(
        "import sys\nfrom xml.sax.saxutils import quoteattr\n"
        "out, names = sys.argv[1], sys.argv[2:]\n"
        "open(out, 'w').write('<testsuite name=\"x\">' + ''.join("
        "'<testcase name=%s time=\"0.001\"/>' % quoteattr(n) for n in names) + '</testsuite>')\n")
    (scripted / "offload.toml").write_text(f"""
[offload]
max_parallel = 2
sandbox_project_root = "."
{local_sandbox_provider()}
[framework]
type = "default"
discover_command = "cat {listing}"
run_command = "/usr/bin/python3 {runner} {{result_file}} {{tests}}"
[groups.all]
""")
    res = run_remote(["run"], scripted, sandbox_tmp)
    assert res.returncode == 0, res.stdout + res.stderr
    assert set(junit_cases(scripted)) == set(ids)
    assert not canary.exists(), "a test ID was executed by a shell"
    assert leftovers(sandbox_tmp) == []


def test_prepare_builds_an_image_with_the_copied_directories(scripted, tmp_path, sandbox_tmp):
    fixtures = tmp_path / "fixture data"
    fixtures.mkdir()
    (fixtures / "input.txt").write_text("42\n")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "more.txt").write_text("7\n")
    write_test(scripted, "reads_fixtures", "test \"$(cat copied/input.txt)\" = 42 && test -f cli/more.txt\n")
    (scripted / "offload.toml").write_text(scripted_remote_config(local_sandbox_provider(
        prepare_command="@local_sandbox.sh prepare",
        create_command="@local_sandbox.sh create {image_id}",
        copy_dirs=["%s:copied" % fixtures]), filters="'^(add_1|reads_fixtures)$'"))
    res = run_remote(["run", "--copy-dir", "%s:cli" % extra], scripted, sandbox_tmp)
    assert res.returncode == 0, res.stdout + res.stderr
    assert verdicts(scripted) == {"add_1": "passed", "reads_fixtures": "passed"}
    assert not (scripted / "copied").exists()
    assert leftovers(sandbox_tmp) == []
    assert len(leftovers(sandbox_tmp, "offload-image-")) == 1


@pytest.mark.parametrize("failing", ["-cf", "-xf"])
def test_a_copy_that_fails_on_either_side_fails_create_and_leaves_nothing(tmp_path, sandbox_tmp, failing):
    # A tar on PATH that does its work but then fails, as on a file that
    # could not be read: writing (-cf), its archive is still whole, so only
    # its own status (not the pipeline's, which is the reader's) tells.
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "tar").write_text('#!/bin/sh\n/usr/bin/tar "$@" || exit\n'
                               '[ "$1" = %s ] && { echo "tar: broken" >&2; exit 2; }\nexit 0\n' % failing)
    (shims / "tar").chmod(0o755)
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.txt").write_text("a\n")
    env = dict(os.environ, TMPDIR=str(sandbox_tmp), PATH="%s:%s" % (shims, os.environ["PATH"]))
    res = subprocess.run([str(SOURCE / "bundled" / "local_sandbox.sh"), "create"], cwd=project, env=env,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert res.returncode != 0 and res.stdout == "", res
    assert "local_sandbox.sh: cannot copy . to " in res.stderr, res.stderr
    assert list(sandbox_tmp.iterdir()) == []


def test_failing_create_is_one_reason_and_every_test_is_not_run(scripted, sandbox_tmp):
    (scripted / "offload.toml").write_text(scripted_remote_config(
        local_sandbox_provider(create_command="echo 'no capacity left' >&2; exit 1"),
        filters="'^add_[123]$'", parallel=2))
    res = run_remote(["run"], scripted, sandbox_tmp)
    assert res.returncode == 1, res.stdout + res.stderr
    reason = "create_command exited with status 1: no capacity left"
    warnings = [line for line in res.stderr.splitlines() if "create_command" in line]
    assert len(warnings) == 1 and reason in warnings[0], res.stderr  # one line per distinct reason
    cases = junit_cases(scripted)
    assert len(cases) == 3
    for tc in cases.values():
        assert verdict(tc) == "not-run"
        assert reason in tc.find("error").get("message")
    assert leftovers(sandbox_tmp) == []


def test_failing_create_after_an_early_start_settles_late_tests_too(scripted, sandbox_tmp):
    # The first run leaves its test list; the second starts on it, every
    # create fails, and discovery then adds a test nobody is left to run.
    os.rename(scripted / "tests" / "add_4.sh", scripted / "add_4.hidden")
    (scripted / "offload.toml").write_text(scripted_remote_config(
        local_sandbox_provider(), filters="'^add_[1234]$'", parallel=2))
    first = run_remote(["run"], scripted, sandbox_tmp)
    assert first.returncode == 0, first.stdout + first.stderr
    os.rename(scripted / "add_4.hidden", scripted / "tests" / "add_4.sh")
    (scripted / "offload.toml").write_text(scripted_remote_config(
        local_sandbox_provider(create_command="sleep 0.2; echo 'no capacity left' >&2; exit 1"),
        filters="'^add_[1234]$'", parallel=2))
    res = run_remote(["run", "-v"], scripted, sandbox_tmp)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "started on the last run's 3 tests" in res.stderr
    cases = junit_cases(scripted)
    assert sorted(cases) == ["add_1", "add_2", "add_3", "add_4"]
    for tc in cases.values():
        assert verdict(tc) == "not-run"
        assert "no capacity left" in tc.find("error").get("message")


def test_a_sandbox_that_cannot_be_created_leaves_the_run_to_the_others(scripted, tmp_path, sandbox_tmp):
    # Only the first create succeeds: mkdir is atomic, so exactly one wins.
    gate = tmp_path / "first-sandbox"
    create = "mkdir %s 2>/dev/null || { echo 'quota: one sandbox' >&2; exit 1; }; @local_sandbox.sh create" % gate
    (scripted / "offload.toml").write_text(scripted_remote_config(
        local_sandbox_provider(create_command=create), filters="'^(add_|broken|skipped)'", parallel=3))
    res = run_remote(["run"], scripted, sandbox_tmp)
    assert res.returncode == 1, res.stdout + res.stderr
    found = verdicts(scripted)
    assert found.pop("broken") == "failed" and found.pop("skipped") == "skipped"
    assert set(found.values()) == {"passed"} and len(found) == 6
    assert "quota: one sandbox" in res.stderr
    assert leftovers(sandbox_tmp) == []


def test_a_hanging_test_times_out_alone_and_nothing_is_left(scripted, tmp_path, sandbox_tmp):
    marker = "sleep-offload-remote-hang-%d" % os.getpid()
    sleeper = tmp_path / marker
    shutil.copy("/bin/sleep", sleeper)
    write_test(scripted, "hang", "echo hanging; %s 600\n" % sleeper)
    (scripted / "offload.toml").write_text(scripted_remote_config(
        local_sandbox_provider(), filters="'^(add_|hang)'", timeout=3, parallel=2))
    start = time.monotonic()
    res = run_remote(["run"], scripted, sandbox_tmp, timeout=100)
    assert time.monotonic() - start < 60
    assert res.returncode == 1, res.stdout + res.stderr
    cases = junit_cases(scripted)
    assert verdict(cases["hang"]) == "failed"
    assert cases["hang"].find("error").get("type") == "timeout"
    for i in range(1, 7):
        assert verdict(cases[f"add_{i}"]) == "passed"
    assert living(marker) == []
    assert leftovers(sandbox_tmp) == []


def test_a_runner_that_dies_leaves_no_result_file_and_its_test_crashed(scripted, sandbox_tmp):
    # The download finds no result file (not a transfer failure), so the
    # host looks at each test alone instead of blaming the sandbox.
    write_test(scripted, "killer", "echo goodbye; kill -9 $PPID\n")
    (scripted / "offload.toml").write_text(scripted_remote_config(
        local_sandbox_provider(), filters="'^(add_[12]|killer)$'", parallel=2))
    res = run_remote(["run"], scripted, sandbox_tmp)
    assert res.returncode == 1, res.stdout + res.stderr
    cases = junit_cases(scripted)
    assert cases["killer"].find("error").get("type") == "crash"
    assert verdict(cases["add_1"]) == "passed" and verdict(cases["add_2"]) == "passed"
    assert leftovers(sandbox_tmp) == []


def test_a_failing_download_is_retried_elsewhere_then_not_run(scripted, sandbox_tmp):
    (scripted / "offload.toml").write_text(scripted_remote_config(
        local_sandbox_provider(download_command="echo 'transfer refused' >&2; exit 1 # {paths}"),
        filters="'^add_[12]$'", parallel=2))
    res = run_remote(["run"], scripted, sandbox_tmp)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "transfer refused" in res.stderr
    cases = junit_cases(scripted)
    for name in ("add_1", "add_2"):
        assert verdict(cases[name]) == "not-run", name
        assert "download_command exited with status 1: transfer refused" in cases[name].find("error").get("message")
    batches = [l for l in os.listdir(scripted / "test-results" / "logs")]
    assert len(batches) > 2, batches  # retried, not given up at once
    assert leftovers(sandbox_tmp) == []


def test_ctrl_c_destroys_every_sandbox(scripted, tmp_path, sandbox_tmp):
    marker = "sleep-offload-remote-ctrlc-%d" % os.getpid()
    sleeper = tmp_path / marker
    shutil.copy("/bin/sleep", sleeper)
    for i in range(3):
        write_test(scripted, f"sleeper_{i}", f"{sleeper} 300\n")
    (scripted / "offload.toml").write_text(scripted_remote_config(
        local_sandbox_provider(), filters="'^(add_1|sleeper)'", parallel=3))
    env = dict(os.environ, TMPDIR=str(sandbox_tmp))
    env.pop("CI", None)
    proc = subprocess.Popen([str(OFFLOAD), "run"], cwd=scripted, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not living(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    if not living(marker):
        proc.kill()
        raise AssertionError("the sleepers never started")
    assert leftovers(sandbox_tmp)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert living(marker) == []
    assert leftovers(sandbox_tmp) == []
    assert all(verdict(junit_cases(scripted)[f"sleeper_{i}"]) == "not-run" for i in range(3))


def test_validate_names_the_key_of_a_misspelled_script(scripted, sandbox_tmp):
    (scripted / "offload.toml").write_text(scripted_remote_config(
        local_sandbox_provider(create_command="@local_sandbo.sh create")))
    res = run_remote(["validate"], scripted, sandbox_tmp)
    assert res.returncode == 1, res.stdout + res.stderr
    message = res.stdout + res.stderr
    assert re.search(r"offload\.toml:\d+: provider\.create_command: .*@local_sandbo\.sh", message), message
    assert "local_sandbox.sh" in message  # the script that does exist
    (scripted / "offload.toml").write_text(scripted_remote_config(local_sandbox_provider()))
    good = run_remote(["validate"], scripted, sandbox_tmp)
    assert good.returncode == 0, good.stdout + good.stderr


def test_init_writes_a_default_provider_config_that_runs(tmp_path, sandbox_tmp, scripted):
    (scripted / "offload.toml").unlink()
    res = run_remote(["init", "-p", "default", "-f", "default"], scripted, sandbox_tmp)
    assert res.returncode == 0, res.stdout + res.stderr
    res = run_remote(["run"], scripted, sandbox_tmp)
    assert res.returncode == 0, res.stdout + res.stderr
    assert set(verdicts(scripted).values()) == {"passed"}
    assert leftovers(sandbox_tmp) == []


# --- the pytest example -----------------------------------------------------


def pytest_example_config(provider, project_root, python="/usr/bin/python3"):
    text = (PYTEST_EXAMPLE / "offload.toml").read_text()
    text = replace_once(text, '[provider]\ntype = "local"\n', provider)
    return replace_once(text, "[offload]\n", '[offload]\nsandbox_project_root = "%s"\n' % project_root)


@pytest.fixture(scope="module")
def pytest_local_verdicts(tmp_path_factory):
    project = copy_project(PYTEST_EXAMPLE, tmp_path_factory.mktemp("local") / "pytest")
    res = run_offload(["run"], project)
    assert res.returncode == 1, res.stdout + res.stderr
    return verdicts(project)


def assert_same_verdicts_but_flaky(project, reference):
    """Equal verdicts, except that the flaky test, which passes once its copy
    of the project remembers a failure, may fail for good when its retries
    land in other sandboxes."""
    found = verdicts(project)
    expected = dict(reference)
    flaky = "tests/test_outcomes.py::test_flaky"
    assert found.pop(flaky) in ("flaky", "failed")
    assert expected.pop(flaky) == "flaky"
    assert found == expected


def test_pytest_example_through_local_sandboxes(tmp_path, sandbox_tmp, pytest_local_verdicts):
    project = copy_project(PYTEST_EXAMPLE, tmp_path / "pytest")
    (project / "remote.toml").write_text(pytest_example_config(local_sandbox_provider(), "."))
    res = run_remote(["-c", "remote.toml", "run", "--parallel", "2"], project, sandbox_tmp)
    assert res.returncode == 1, res.stdout + res.stderr
    assert_same_verdicts_but_flaky(project, pytest_local_verdicts)
    assert not (project / ".state").exists()
    assert leftovers(sandbox_tmp) == []


def modal_env(tmp_path):
    return {"PYTHONPATH": str(FAKE_MODAL), "FAKE_MODAL_STATE": str(tmp_path / "fake-modal"),
            "TMPDIR": str(tmp_path)}


def modal_provider(**extra):
    lines = ["[provider]", 'type = "modal"', "include_cwd = true", 'python = "/usr/bin/python3"']
    lines += ["%s = %s" % (key, toml_value(value)) for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def test_pytest_example_through_modal(tmp_path, pytest_local_verdicts):
    project = copy_project(PYTEST_EXAMPLE, tmp_path / "pytest")
    text = MODAL_EXAMPLE.read_text()
    # Test with Debian's Python, which has pytest, on both sides.
    # Nothing of offload's own is copied in: the pytest plugin travels inside each command.
    text = replace_once(text, 'include_cwd = true\n', 'include_cwd = true\npython = "/usr/bin/python3"\n')
    # The example's doctests count, as in its own offload.toml.
    text = replace_once(text, '[framework]\ntype = "pytest"\npython = "python3"\n',
                        '[framework]\ntype = "pytest"\npython = "/usr/bin/python3"\npytest_args = ["--doctest-modules"]\n')
    (project / "modal.toml").write_text(text)
    res = run_offload(["-c", "modal.toml", "run", "--parallel", "2"], project, env=modal_env(tmp_path))
    assert res.returncode == 1, res.stdout + res.stderr
    assert_same_verdicts_but_flaky(project, pytest_local_verdicts)
    assert not (project / ".state").exists()
    assert os.listdir(tmp_path / "fake-modal" / "sandboxes") == []


def test_modal_image_cache_is_reused_unless_no_cache(scripted, tmp_path):
    (scripted / "offload.toml").write_text(scripted_remote_config(modal_provider(), filters="'^add_1$'",
                                                                  project_root="/app"))
    env = modal_env(tmp_path)
    cache = scripted / ".offload-image-cache"

    def run(*flags):
        res = run_offload(["run", *flags], scripted, env=env)
        assert res.returncode == 0, res.stdout + res.stderr
        assert verdicts(scripted) == {"add_1": "passed"}
        return cache.read_text()

    first = run()
    assert first.startswith("im-")
    assert run() == first
    rebuilt = run("--no-cache")
    assert rebuilt.startswith("im-") and rebuilt != first
    assert run() == rebuilt
    assert os.listdir(tmp_path / "fake-modal" / "sandboxes") == []


def test_modal_sandboxes_have_a_private_tmp_and_app(scripted, tmp_path):
    host_file = "/tmp/offload-host-only-%d" % os.getpid()
    sandbox_file = "/tmp/offload-sandbox-only-%d" % os.getpid()
    write_test(scripted, "private", f"test ! -e {host_file} && touch {sandbox_file} /app/written\n")
    (scripted / "offload.toml").write_text(scripted_remote_config(modal_provider(), filters="'^(private|add_1)$'",
                                                                  project_root="/app"))
    app_existed = os.path.exists("/app")
    with open(host_file, "w"):
        pass
    try:
        res = run_offload(["run"], scripted, env=modal_env(tmp_path))
    finally:
        os.unlink(host_file)
    assert res.returncode == 0, res.stdout + res.stderr
    assert verdicts(scripted) == {"private": "passed", "add_1": "passed"}
    assert not os.path.exists(sandbox_file)
    assert app_existed or not os.path.exists("/app")  # nothing was made on this machine
    assert not (scripted / "written").exists()
