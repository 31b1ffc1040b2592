# SPDX-License-Identifier: MIT
"""Issue 12: nothing lost, nothing invented, nothing left behind; each test
is a way a hostile user or a flaky machine broke offload once."""
import fcntl
import os
import re
import resource
import shutil
import signal
import subprocess
import time

import pytest

from conftest import OFFLOAD, junit_cases, run_offload, scripted_config, set_config, verdict, write_test

pytestmark = pytest.mark.plugins("provider_local", "provider_default", "framework_default")

LOCAL_SANDBOXES = """
[provider]
type = "default"
create_command = "@local_sandbox.sh create"
exec_command = "@local_sandbox.sh exec {sandbox_id} {command}"
download_command = "@local_sandbox.sh download {sandbox_id} {paths}"
destroy_command = "@local_sandbox.sh destroy {sandbox_id}"
"""


def test_a_stale_result_file_from_an_earlier_run_is_never_a_pass(tmp_path):
    # The runner passes on the first run and crashes without results on the
    # second; scratch_dir is the default, the shared /tmp.
    project = tmp_path / "p"
    project.mkdir()
    (tmp_path / "runner.sh").write_text(
        f'if [ -e {tmp_path}/crash ]; then exit 1; fi\n'
        'printf \'<testsuite name="s"><testcase name="only" time="0.1"/></testsuite>\' > "$1"\n')
    (project / "offload.toml").write_text(f"""
[offload]
max_parallel = 1
{LOCAL_SANDBOXES}
[framework]
type = "default"
discover_command = "echo only"
run_command = "sh {tmp_path}/runner.sh {{result_file}} {{tests}}"

[groups.all]
""")
    sandboxes = {"TMPDIR": str(tmp_path / "sandboxes")}
    (tmp_path / "sandboxes").mkdir()
    first = run_offload(["run"], project, env=sandboxes)
    assert first.returncode == 0, first.stdout + first.stderr
    (tmp_path / "crash").write_text("")
    second = run_offload(["run"], project, env=sandboxes)
    assert second.returncode == 1, second.stdout + second.stderr
    assert verdict(junit_cases(project)["only"]) != "passed"
    # Each sandbox's private scratch directory is gone with the sandbox.
    logs = "".join(p.read_text() for p in (project / "test-results" / "logs").iterdir())
    scratch = {os.path.dirname(m) for m in re.findall(r"(/tmp/offload-\w+/offload-result-[\w-]+\.xml)", logs)}
    assert scratch, logs
    assert not any(os.path.exists(d) for d in scratch), scratch


def test_a_fixed_result_file_shared_by_local_sandboxes_is_refused(scripted):
    set_config(scripted, scripted_config(parallel=4).replace(
        "run_command = \"/usr/bin/python3 runner.py run {result_file} {tests}\"",
        "run_command = \"/usr/bin/python3 runner.py run out.xml {tests}\"\nresult_file = \"out.xml\""))
    for command in (["validate"], ["run"]):
        res = run_offload(command, scripted)
        assert res.returncode == 1, res.stdout + res.stderr
        assert "offload.toml:" in res.stderr and "{result_file}" in res.stderr, res.stderr
    res = run_offload(["run", "-p", "1"], scripted)
    assert res.returncode == 1, res.stdout + res.stderr  # broken fails, the rest pass
    cases = junit_cases(scripted)
    assert verdict(cases["add_1"]) == "passed" and verdict(cases["broken"]) == "failed"


def test_non_utf8_test_ids_are_refused_naming_the_id(scripted, tmp_path):
    listing = tmp_path / "ids.txt"
    listing.write_bytes(b"u\xff\nu\xfe\nplain\n")
    set_config(scripted, scripted_config(filters="").replace(
        "discover_command = \"/usr/bin/python3 runner.py list {filters}\"", f"discover_command = \"cat {listing}\""))
    res = run_offload(["run"], scripted)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "u\\xff" in res.stderr and "not valid UTF-8" in res.stderr, res.stderr
    assert not (scripted / "test-results" / "junit.xml").exists()


def test_output_dir_dot_never_deletes_the_projects_own_logs_and_results(scripted):
    set_config(scripted, scripted_config(filters="'^add_1$'") + '\n[report]\noutput_dir = "."\n')
    for own in ("logs", "results"):
        (scripted / own).mkdir()
        (scripted / own / "mine.txt").write_text("the project's own")
    res = run_offload(["run"], scripted)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "'logs'" in res.stderr and "did not write" in res.stderr, res.stderr
    for own in ("logs", "results"):
        assert (scripted / own / "mine.txt").read_text() == "the project's own"
    # Without the clash it runs, again and again, and clears only its own files.
    for own in ("logs", "results"):
        shutil.rmtree(scripted / own)
    (scripted / "notes.txt").write_text("keep")
    for _ in range(2):
        res = run_offload(["run"], scripted)
        assert res.returncode == 0, res.stdout + res.stderr
        assert verdict(junit_cases(scripted, "junit.xml")["add_1"]) == "passed"
    assert (scripted / "notes.txt").read_text() == "keep"
    assert len(os.listdir(scripted / "logs")) >= 1


def test_a_second_run_on_a_locked_output_dir_fails_clearly(scripted):
    set_config(scripted, scripted_config(filters="'^add_1$'"))
    assert run_offload(["run"], scripted).returncode == 0
    report = (scripted / "test-results" / "junit.xml").read_bytes()
    with open(scripted / "test-results" / ".offload.lock", "r+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        res = run_offload(["run"], scripted)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "in use by another offload run" in res.stderr, res.stderr
    assert (scripted / "test-results" / "junit.xml").read_bytes() == report
    assert run_offload(["run"], scripted).returncode == 0


def test_config_size_discovery_time_and_fd_exhaustion_are_bounded(scripted, tmp_path):
    def limit_memory():
        # Without the cap, offload would exhaust memory; AddressSanitizer's
        # shadow memory needs more address space than any such limit.
        if "ASAN_OPTIONS" not in os.environ:
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    res = run_offload(["-c", "/dev/zero", "validate"], scripted, timeout=60, preexec_fn=limit_memory)
    assert res.returncode == 1 and "larger than" in res.stderr, res.stderr[-500:]

    set_config(scripted, scripted_config(filters="", extra_offload="discovery_timeout_secs = 1").replace(
        "discover_command = \"/usr/bin/python3 runner.py list {filters}\"", "discover_command = \"sleep 60\""))
    started = time.monotonic()
    res = run_offload(["run"], scripted, timeout=60)
    assert res.returncode == 1 and "discovery_timeout_secs" in res.stderr, res.stderr
    assert time.monotonic() - started < 30

    # Far more sandboxes than file descriptors: a clean end, nothing left.
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    for i in range(60):
        write_test(scripted, f"many_{i}", "exit 0\n")
    set_config(scripted, scripted_config(filters="'^many_'", parallel=60))
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    if "UBSAN_OPTIONS" in env:
        # UBSan's vptr check probes memory through a pipe; with no descriptor
        # left it calls a sound object's vptr invalid. Every other check stays.
        suppressions = tmp_path / "ubsan.supp"
        suppressions.write_text("vptr:*\n")
        env["UBSAN_OPTIONS"] += f":suppressions={suppressions}"
    res = subprocess.run(["sh", "-c", f"ulimit -n 40; exec {OFFLOAD} run"], cwd=scripted, capture_output=True,
                         text=True, timeout=300, env=env)
    assert res.returncode in (0, 1), res.stdout + res.stderr
    cases = junit_cases(scripted)
    assert len(cases) == 60
    assert all(verdict(c) in ("passed", "not-run") for c in cases.values())
    assert os.listdir(private_tmp) == []


def test_terminal_output_escapes_control_characters_in_test_ids(scripted, tmp_path):
    listing = tmp_path / "ids.txt"
    listing.write_bytes(b"evil\x1b]0;pwned\x07\x1b[2J\n")
    runner = tmp_path / "fail_all.py"
    runner.write_text(
        "import sys\nfrom xml.sax.saxutils import quoteattr\n"
        "open(sys.argv[1], 'w').write('<testsuite name=\"x\">' + ''.join("
        "'<testcase name=%s><failure message=\"no\"/></testcase>' % quoteattr(n) for n in sys.argv[2:]) + "
        "'</testsuite>')\n")
    set_config(scripted, f"""
[offload]
[provider]
type = "local"
[framework]
type = "default"
discover_command = "cat {listing}"
run_command = "/usr/bin/python3 {runner} {{result_file}} {{tests}}"
[groups.all]
""")
    res = run_offload(["run"], scripted)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "\x1b" not in res.stdout and "\x07" not in res.stdout
    assert "evil\\x1b]0;pwned\\x07\\x1b[2J" in res.stdout, res.stdout


def test_init_does_not_follow_a_dangling_config_symlink(tmp_path):
    target = tmp_path / "elsewhere" / "planted.toml"
    target.parent.mkdir()
    (tmp_path / "offload.toml").symlink_to(target)
    res = run_offload(["init", "--provider", "local", "--framework", "default"], tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "already exists" in res.stderr
    assert not target.exists()


def test_validate_warns_about_quoted_test_ids_in_run_command(scripted):
    set_config(scripted, scripted_config().replace("{tests}\"", "\\\"{tests}\\\"\""))
    res = run_offload(["validate"], scripted)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "{tests} inside quotes" in res.stderr, res.stderr


# Signals: a runner that leaves a setsid() grandchild behind and talks forever.
def sleepy_project(scripted, tag):
    sleeper = scripted / f"sleep-offload-{tag}-{os.getpid()}"
    shutil.copy("/bin/sleep", sleeper)
    (scripted / "hang.sh").write_text(
        f"setsid {sleeper} 300 >/dev/null 2>&1 &\nwhile true; do echo tick; {sleeper} 0.2; done\n")
    set_config(scripted, f"""
[offload]
max_parallel = 3
[provider]
type = "local"
[framework]
type = "default"
discover_command = "printf 'a\\\\nb\\\\nc\\\\n'"
run_command = "sh hang.sh {{result_file}} {{tests}}"
[groups.all]
""")
    return sleeper


def running(sleeper):
    return subprocess.run(["pgrep", "-f", sleeper.name], capture_output=True).returncode == 0


def wait_until_running(sleeper, proc):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if running(sleeper):
            time.sleep(0.5)  # every batch's, setsid children too
            return
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the sleepers never started")


def assert_cleaned_up(scripted, sleeper, out):
    deadline = time.monotonic() + 10
    while running(sleeper) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = subprocess.run(["pgrep", "-af", sleeper.name], capture_output=True, text=True).stdout
    subprocess.run(["pkill", "-KILL", "-f", sleeper.name])
    assert not left, "processes left behind: " + left + "\n" + out
    cases = junit_cases(scripted)
    assert sorted(cases) == ["a", "b", "c"], out
    assert all(verdict(c) == "not-run" for c in cases.values()), out


def test_a_setsid_grandchild_does_not_outlive_a_normal_run(scripted):
    sleeper = scripted / f"sleep-offload-normal-{os.getpid()}"
    shutil.copy("/bin/sleep", sleeper)
    write_test(scripted, "daemon", f"setsid {sleeper} 300 >/dev/null 2>&1 &\nexit 0\n")
    set_config(scripted, scripted_config(filters="'^daemon$'"))
    res = run_offload(["run"], scripted)
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-af", sleeper.name], capture_output=True, text=True).stdout
    subprocess.run(["pkill", "-KILL", "-f", sleeper.name])
    assert res.returncode == 0, res.stdout + res.stderr
    assert not left, "processes left behind: " + left


def start(scripted):
    env = dict(os.environ)
    env.pop("CI", None)
    return subprocess.Popen([str(OFFLOAD), "run"], cwd=scripted, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_sigterm_twice_and_sighup_still_clean_up_and_report(scripted):
    for tag, signals in (("term2", [signal.SIGTERM, signal.SIGTERM]), ("hup", [signal.SIGHUP]),
                         ("int2", [signal.SIGINT, signal.SIGINT])):
        sleeper = sleepy_project(scripted, tag)
        proc = start(scripted)
        wait_until_running(sleeper, proc)
        for sig in signals:
            proc.send_signal(sig)
            time.sleep(0.05)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, tag + out + err
        assert_cleaned_up(scripted, sleeper, tag + out + err)


def test_timeout_command_cleans_up_and_reports(scripted):
    sleeper = sleepy_project(scripted, "timeout")
    res = subprocess.run(["timeout", "4", str(OFFLOAD), "run"], cwd=scripted, capture_output=True, text=True,
                         timeout=60)
    assert res.returncode in (124, 130), res.stdout + res.stderr
    assert_cleaned_up(scripted, sleeper, res.stdout + res.stderr)


def test_a_closed_stdout_pipe_cleans_up_and_reports(scripted):
    sleeper = sleepy_project(scripted, "pipe")
    res = subprocess.run(["sh", "-c", f"{OFFLOAD} -v run | head -n 1"], cwd=scripted, capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert_cleaned_up(scripted, sleeper, res.stdout + res.stderr)
