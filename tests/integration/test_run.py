# SPDX-License-Identifier: MIT
"""offload run end to end on real projects: verdicts, retries, reports, exit codes."""
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import (OFFLOAD, assert_valid_surefire, junit_cases, run_c_fixture, run_offload,
                      scripted_config, set_config, verdict, write_test)

pytestmark = pytest.mark.plugins("provider_local", "framework_default")


def test_example_run_verdicts_reports_and_exit_code(scripted, tmp_path):
    res = run_offload(["run"], scripted)
    assert res.returncode == 1, res.stdout + res.stderr  # broken fails for real
    cases = junit_cases(scripted)
    assert len(cases) == 10
    assert verdict(cases["broken"]) == "failed"
    assert verdict(cases["flaky"]) == "flaky"
    assert verdict(cases["skipped"]) == "skipped"
    for name in ["add_1", "add_2", "add_3", "add_4", "add_5", "add_6", "slow"]:
        assert verdict(cases[name]) == "passed", name
    # The flaky test's failed first attempt is kept, Surefire style.
    flaky = cases["flaky"].find("flakyFailure")
    assert flaky is not None and flaky.find("stackTrace") is not None
    assert "Failed:    1" in res.stdout and "Flaky:     1" in res.stdout
    assert_valid_surefire(scripted / "test-results" / "junit.xml", tmp_path)
    # The example has a worker_command: one worker per sandbox, and a failing
    # test is a result, not a failure of its worker.
    logs = os.listdir(scripted / "test-results" / "logs")
    assert logs and all(l.startswith("worker-") and l.endswith(".success") for l in logs), logs
    assert (scripted / "test-results" / "timeline.svg").read_text().count("<rect") >= 1


def test_only_flaky_exits_2(scripted):
    set_config(scripted, scripted_config(filters="'^(flaky|add_1)$'", retry=2))
    res = run_offload(["run"], scripted)
    assert res.returncode == 2, res.stdout + res.stderr
    cases = junit_cases(scripted)
    assert verdict(cases["flaky"]) == "flaky" and verdict(cases["add_1"]) == "passed"


def test_all_passing_exits_0(scripted):
    set_config(scripted, scripted_config(filters="'^add_'"))
    res = run_offload(["run"], scripted)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Passed:    6" in res.stdout


def test_failure_without_retries_is_failed_and_retries_are_kept(scripted):
    set_config(scripted, scripted_config(filters="'^broken$'", retry=2))
    res = run_offload(["run"], scripted)
    assert res.returncode == 1
    tc = junit_cases(scripted)["broken"]
    assert tc.find("failure") is not None
    assert len(tc.findall("rerunFailure")) == 2  # three attempts in all
    assert "expected 4, got 5" in res.stdout + (scripted / "test-results" / "junit.xml").read_text()


def test_hanging_test_is_singled_out_and_the_rest_get_verdicts(scripted):
    write_test(scripted, "hang", "echo hanging; sleep 600\n")
    set_config(scripted, scripted_config(filters="'^(add_|hang)'", timeout=3, parallel=1))
    start = time.monotonic()
    res = run_offload(["run"], scripted, timeout=100)
    assert time.monotonic() - start < 60
    assert res.returncode == 1, res.stdout + res.stderr
    cases = junit_cases(scripted)
    assert verdict(cases["hang"]) == "failed"
    assert cases["hang"].find("error").get("type") == "timeout"
    for i in range(1, 7):
        assert verdict(cases[f"add_{i}"]) == "passed"


def test_test_that_kills_its_runner_is_reported_as_crashed(scripted):
    write_test(scripted, "killer", "echo goodbye; kill -9 $PPID\n")
    set_config(scripted, scripted_config(filters="'^(add_|killer)'", parallel=2))
    res = run_offload(["run"], scripted)
    assert res.returncode == 1, res.stdout + res.stderr
    cases = junit_cases(scripted)
    assert cases["killer"].find("error").get("type") == "crash"
    for i in range(1, 7):
        assert verdict(cases[f"add_{i}"]) == "passed"


def test_ten_megabytes_of_output(scripted):
    write_test(scripted, "chatty", "head -c 10000000 /dev/zero | tr '\\0' 'x' | fold -w 100\n")
    set_config(scripted, scripted_config(filters="'^(chatty|add_1)$'", parallel=1))
    res = run_offload(["run"], scripted, timeout=120)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr
    logs = scripted / "test-results" / "logs"
    sizes = [os.path.getsize(logs / f) for f in os.listdir(logs)]
    assert max(sizes) >= 10_000_000
    assert verdict(junit_cases(scripted)["chatty"]) == "passed"


def test_second_run_schedules_with_the_first_runs_durations(scripted):
    set_config(scripted, scripted_config(filters="'^add_'"))
    first = run_offload(["run", "-v"], scripted)
    assert first.returncode == 0, first.stderr
    assert "scheduled with recorded durations for 0 of 6 tests" in first.stderr
    second = run_offload(["run", "-v"], scripted)
    assert second.returncode == 0, second.stderr
    assert "scheduled with recorded durations for 6 of 6 tests (from history)" in second.stderr


def test_fail_fast_stops_at_the_first_real_failure(scripted):
    for i in range(8):
        write_test(scripted, f"zz_slow_{i}", "sleep 30\n")
    # broken's group comes first, so it is first among tests of unknown duration.
    config = scripted_config(filters="'^zz_slow'", parallel=3).replace("[groups.all]", """
[groups.broken]
filters = "'^broken$'"
schedule_individual = true

[groups.all]""")
    set_config(scripted, config)
    start = time.monotonic()
    res = run_offload(["run", "--fail-fast"], scripted, timeout=100)
    assert time.monotonic() - start < 25, res.stdout + res.stderr
    assert res.returncode == 1
    cases = junit_cases(scripted)
    assert verdict(cases["broken"]) == "failed"
    not_run = [c for c in cases.values() if verdict(c) == "not-run"]
    assert len(not_run) == 8
    assert all("--fail-fast" in c.find("error").get("message") for c in not_run)


def test_ctrl_c_stops_everything_and_writes_a_partial_report(scripted):
    # A private copy of sleep, so the test can tell its processes from any other.
    sleeper = scripted / f"sleep-offload-ctrlc-{os.getpid()}"
    shutil.copy("/bin/sleep", sleeper)
    for i in range(4):
        write_test(scripted, f"sleeper_{i}", f"{sleeper} 300\n")
    set_config(scripted, scripted_config(filters="'^(add_1|sleeper)'", parallel=2))
    env = dict(os.environ)
    env.pop("CI", None)
    proc = subprocess.Popen([str(OFFLOAD), "run"], cwd=scripted, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if subprocess.run(["pgrep", "-f", sleeper.name], capture_output=True).returncode == 0:
            break
        time.sleep(0.2)
    else:
        proc.kill()
        raise AssertionError("the sleepers never started")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "interrupted" in err
    left = subprocess.run(["pgrep", "-f", sleeper.name], capture_output=True, text=True)
    assert left.returncode != 0, "processes left behind: " + left.stdout
    cases = junit_cases(scripted)
    assert len(cases) == 5
    assert all(verdict(cases[f"sleeper_{i}"]) == "not-run" for i in range(4))
    assert "interrupted" in cases["sleeper_0"].find("error").get("message")


def test_ids_with_shell_metacharacters_are_data(scripted, tmp_path):
    canary = tmp_path / "canary"
    ids = ["with space", "quote'single", 'quote"double', "dollar$(touch {c})".format(c=canary),
           "back`touch {c}`tick".format(c=canary), "semi;colon"]
    listing = tmp_path / "ids.txt"
    listing.write_text("\n".join(ids) + "\n")
    runner = tmp_path / "echo_runner.py"
    runner.write_text(
        "import sys\nfrom xml.sax.saxutils import quoteattr\n"
        "out, names = sys.argv[1], sys.argv[2:]\n"
        "open(out, 'w').write('<testsuite name=\"x\">' + ''.join("
        "'<testcase name=%s time=\"0.001\"/>' % quoteattr(n) for n in names) + '</testsuite>')\n")
    set_config(scripted, f"""
[offload]
max_parallel = 2
[provider]
type = "local"
[framework]
type = "default"
discover_command = "cat {listing}"
run_command = "/usr/bin/python3 {runner} {{result_file}} {{tests}}"
[groups.all]
""")
    res = run_offload(["run"], scripted)
    assert res.returncode == 0, res.stdout + res.stderr
    assert set(junit_cases(scripted)) == set(ids)
    assert not canary.exists(), "a test ID was executed by a shell"


def test_results_that_match_no_test_are_reported_not_dropped(tmp_path):
    (tmp_path / "offload.toml").write_text("""
[offload]
max_parallel = 3
# The fixture's worker is only `cat`, which never says "ready".
persistent_workers = false
[provider]
type = "local"
[framework]
type = "sdk-c"
[groups.all]
""")
    res = run_c_fixture(tmp_path)
    assert "matched no discovered test" in res.stdout


def test_runner_names_that_never_match_are_not_run_with_a_reason(scripted):
    text = scripted_config(filters="'^add_[12]$'").replace(
        "{result_file} {tests}\"",
        "{result_file} {tests} && sed -i 's/name=\\\"/name=\\\"renamed-/g' {result_file}\"")
    set_config(scripted, text)
    res = run_offload(["run"], scripted)
    assert res.returncode == 1, res.stdout + res.stderr
    cases = junit_cases(scripted)
    assert verdict(cases["add_1"]) == "not-run"
    assert "reported no result" in cases["add_1"].find("error").get("message")
    assert "matched no discovered test" in res.stdout


def test_logs_command_prints_failures(scripted):
    run_offload(["run"], scripted)
    res = run_offload(["logs", "--failures"], scripted)
    assert res.returncode == 0
    assert "=== broken [FAILED] ===" in res.stdout
    assert "=== flaky [FLAKY] ===" in res.stdout
    assert "add_1" not in res.stdout
    res = run_offload(["logs", "--test", "add_1"], scripted)
    assert "=== add_1 [PASSED] ===" in res.stdout


def test_trace_and_static_schedule(scripted):
    set_config(scripted, scripted_config(filters="'^(add_|broken)'", retry=1))
    res = run_offload(["run", "--trace", "--schedule", "static"], scripted)
    assert res.returncode == 1, res.stdout + res.stderr
    # Static mode runs every attempt up front: both of broken's, at once.
    assert len(junit_cases(scripted)["broken"].findall("rerunFailure")) == 1
    events = json.loads((scripted / "test-results" / "trace.json").read_text())
    assert any(e.get("ph") == "X" and e.get("cat") == "batch" for e in events)


def test_bad_env_flag_is_one_clear_error(scripted):
    res = run_offload(["run", "--env", "NOEQUALS"], scripted)
    assert res.returncode == 1
    assert "--env 'NOEQUALS': expected KEY=VALUE" in res.stderr
    assert not (scripted / "test-results").exists()


def test_each_sandbox_has_its_own_tmpdir_id_and_the_run_env(scripted, tmp_path):
    for i in range(6):
        write_test(scripted, f"env_{i}", f'test -d "$TMPDIR" && printf "%s\\n" "$OFFLOAD_SANDBOX_ID" "$TMPDIR" '
                                          f'"$OFFLOAD_ROOT" "$EXTRA" > {tmp_path}/env_{i}.txt\n')
    set_config(scripted, scripted_config(filters="'^env_'", parallel=3))
    res = run_offload(["run", "--env", "EXTRA=from the cli"], scripted)
    assert res.returncode == 0, res.stdout + res.stderr
    seen = {}
    for i in range(6):
        sandbox, tmpdir, root, extra = (tmp_path / f"env_{i}.txt").read_text().splitlines()
        assert sandbox.startswith("offload-") and sandbox in tmpdir
        assert root == str(scripted)
        assert extra == "from the cli"
        seen.setdefault(sandbox, set()).add(tmpdir)
        assert not os.path.exists(tmpdir), "sandbox temp dir left behind"
    assert all(len(dirs) == 1 for dirs in seen.values())


def test_local_provider_refuses_copy_dir(scripted, tmp_path):
    (tmp_path / "extra").mkdir()
    res = run_offload(["run", "--copy-dir", f"{tmp_path / 'extra'}:data"], scripted)
    assert res.returncode == 1
    assert "--copy-dir" in res.stderr and "the local provider runs tests in the working directory itself" in res.stderr
    assert not (scripted / "test-results" / "junit.xml").exists()
