"""The run under load: the time budget per paper, a prompt stop inside a long paper, one writer per output,
the worker count capped by the CPUs. The hostile papers are real GROBID papers with a long section appended
(tests/hostile.py)."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataref.cli import app

from .conftest import EXAMPLE, ROOT
from .hostile import write_hostile

runner = CliRunner()
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "pipeline")}


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


@pytest.fixture
def hostile_folder(tmp_path):
    """A runaway paper (40,000 numbers appended to a real one) and an ordinary one."""
    papers = tmp_path / "papers"
    papers.mkdir()
    write_hostile(papers, "numbers", 40_000)
    (papers / "z-ordinary.tei.xml").write_bytes(EXAMPLE.read_bytes())
    return papers


def extract_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "dataref.cli", "extract", *map(str, args)]


def children_of(pid: int) -> list[str]:
    return subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()


@pytest.mark.parametrize("n_process", [1, 2])
def test_a_runaway_paper_becomes_an_error_record_and_the_run_goes_on(model_dir, hostile_folder, tmp_path,
                                                                     n_process):
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    result = runner.invoke(app, ["extract", str(hostile_folder), "-o", str(out), "--model", str(model_dir),
                                 "--paper-timeout", "2", "--n-process", str(n_process)])
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 30
    rows = {Path(r["path"]).name: r for r in records(out)}
    runaway = rows["hostile-numbers-40000.tei.xml"]["error"]
    assert runaway["code"] == "E021"
    assert "took more than 2 s" in runaway["message"] and "--paper-timeout" in runaway["message"]
    assert rows["z-ordinary.tei.xml"]["datasets"]
    assert "1 paper," in result.output and "1 error," in result.output


def test_the_budget_comes_from_the_environment_too(model_dir, hostile_folder, tmp_path):
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(hostile_folder), "-o", str(out), "--model", str(model_dir)],
                           env={"DATAREF_PAPER_TIMEOUT": "1.5"})
    assert result.exit_code == 0, result.output
    codes = [r.get("error", {}).get("code") for r in records(out)]
    assert codes.count("E021") == 1 and "took more than 1.5 s" in out.read_text()


@pytest.mark.parametrize("value,env", [(["--paper-timeout", "0"], {}), (["--paper-timeout", "-3"], {}),
                                       ([], {"DATAREF_PAPER_TIMEOUT": "soon"})])
def test_a_budget_that_is_not_a_positive_number_is_refused(model_dir, tmp_path, value, env):
    result = runner.invoke(app, ["extract", str(EXAMPLE), "--model", str(model_dir), *value], env=env)
    assert result.exit_code == 2 and "[E024] Option" in result.output and "Traceback" not in result.output
    assert "is not a number of seconds above 0" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("n_process,signum", [(1, signal.SIGTERM), (2, signal.SIGTERM), (1, signal.SIGINT)])
def test_a_signal_inside_a_long_paper_ends_the_run_within_5_s(model_dir, tmp_path, n_process, signum):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a-ordinary.tei.xml").write_bytes(EXAMPLE.read_bytes())
    write_hostile(papers, "numbers", 40_000)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(extract_cmd(papers, "-o", out, "--model", model_dir, "--n-process", n_process),
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size == 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # the worker is now well inside the runaway paper
    workers = children_of(proc.pid)
    assert workers, "no worker process"
    sent = time.monotonic()
    os.killpg(proc.pid, signum) if signum == signal.SIGINT else proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 5
    stderr = stderr.decode()
    assert proc.returncode == 128 + signum, stderr
    assert "interrupted" in stderr and "--resume" in stderr and "Traceback" not in stderr
    assert [Path(r["path"]).name for r in records(out)] == ["a-ordinary.tei.xml"]  # the finished line is kept
    time.sleep(0.5)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)  # the workers are stopped


def wait_for(path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert path.exists()


@pytest.mark.slow
def test_one_run_per_output_and_a_killed_run_leaves_no_lock(model_dir, tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    write_hostile(papers, "numbers", 40_000)  # keeps the first run busy
    out = tmp_path / "out.jsonl"
    first = subprocess.Popen(extract_cmd(papers, "-o", out, "--model", model_dir), env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for(out.with_name("out.jsonl.lock"))
        for extra in ([], ["--resume"]):
            second = subprocess.run(extract_cmd(EXAMPLE, "-o", out, "--model", model_dir, *extra), env=ENV,
                                    capture_output=True, text=True, timeout=120)
            assert second.returncode == 2, second.stderr
            message = second.stderr.strip()
            assert message.startswith("[E022]") and f"pid {first.pid}" in message and "\n" not in message
        assert first.poll() is None  # the first run is untouched
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # kill -9: no handler runs, the kernel drops the lock
        first.wait()
    third = subprocess.run(extract_cmd(EXAMPLE, "-o", out, "--model", model_dir, "--resume", "--paper-timeout", "60"),
                           env=ENV, capture_output=True, text=True, timeout=120)
    assert third.returncode == 0, third.stderr
    assert [Path(r["path"]).name for r in records(out)] == [EXAMPLE.name]
    assert not out.with_name("out.jsonl.lock").exists()  # a finished run removes its lock file


def test_more_processes_than_cpus_are_capped_with_a_warning(model_dir, tmp_path, monkeypatch):
    from dataref.run import extract

    monkeypatch.setattr(extract, "usable_cpus", lambda: 2)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(EXAMPLE), "-o", str(out), "--model", str(model_dir),
                                 "--n-process", "6"])
    assert result.exit_code == 0, result.output
    assert "[W013] --n-process 6 is more than the 2 CPU(s) this process may use; 2 worker process(es) are " \
           "started.\n" in result.output
    assert "UserWarning" not in result.output and len(records(out)) == 1


@pytest.mark.slow
def test_fifty_thousand_markers_with_the_shipped_pipeline_stop_at_the_budget(shipped, tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    write_hostile(papers, "markers", 50_000)
    (papers / "z-ordinary.tei.xml").write_bytes(EXAMPLE.read_bytes())
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(papers), "-o", str(out), "--paper-timeout", "3"])
    assert result.exit_code == 0, result.output
    rows = {Path(r["path"]).name: r for r in records(out)}
    assert rows["hostile-markers-50000.tei.xml"]["error"]["code"] == "E021"
    assert rows["z-ordinary.tei.xml"]["datasets"]
