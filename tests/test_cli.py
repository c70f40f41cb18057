import json
import signal
import subprocess
import sys
import time
import os
from pathlib import Path
import shutil

import pytest
import spacy
from typer.testing import CliRunner

from dataref.cli import app
from dataref.run import ray_runner

from .conftest import EXAMPLE, ROOT, cut_last_line

runner = CliRunner()


@pytest.fixture
def folder(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(EXAMPLE, papers / "a.tei.xml")
    shutil.copy(EXAMPLE, papers / "c.tei.xml")
    (papers / "b.tei.xml").write_text("<TEI><text><body><p>cut off", encoding="utf8")
    (papers / "notes.md").write_text("ignored: not a TEI, text or PDF file")
    return papers


def records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


def test_extract_folder_with_a_broken_file(model_dir, folder, tmp_path):
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(folder), "-o", str(out), "--model", str(model_dir)])
    assert result.exit_code == 0, result.output
    rows = {r["path"].rsplit("/", 1)[-1]: r for r in records(out)}
    assert sorted(rows) == ["a.tei.xml", "b.tei.xml", "c.tei.xml"]
    assert rows["b.tei.xml"]["error"]["code"] == "E002"
    assert "b.tei.xml" in rows["b.tei.xml"]["error"]["message"]
    datasets = {d["name"]: d for d in rows["a.tei.xml"]["datasets"]}
    assert datasets["ImageNet"]["references"][0]["id"] == "b0"
    assert datasets["ImageNet"]["references"][0]["citation"].startswith("J. Deng, W. Dong")
    assert datasets["TinyBirds"]["linked"] is False
    assert "2 papers" in result.output and "1 error," in result.output
    assert f"passed over: 1 other files (not .xml, .nxml, .txt or .pdf) ({folder / 'notes.md'})" in result.output


@pytest.mark.parametrize("keep", [0.5, 0.0])
def test_resume_skips_done_and_drops_a_real_half_line(model_dir, folder, tmp_path, keep):
    out = tmp_path / "out.jsonl"
    run([folder / "a.tei.xml", folder / "c.tei.xml", "-o", out, "--model", model_dir])
    cut_last_line(out, keep)  # c.tei.xml's record, cut by a kill
    assert out.read_bytes().count(b"\n") == 1
    result = run([folder, "-o", out, "--model", model_dir, "--resume"])
    assert result.exit_code == 0, result.output
    paths = [r["path"].rsplit("/", 1)[-1] for r in records(out)]
    assert sorted(paths) == ["a.tei.xml", "b.tei.xml", "c.tei.xml"]
    assert "1 skipped" in result.output


def test_nothing_readable_exits_non_zero(model_dir, folder, tmp_path):
    result = runner.invoke(app, ["extract", str(folder / "b.tei.xml"), "-o", str(tmp_path / "o.jsonl"),
                                 "--model", str(model_dir)])
    assert result.exit_code == 1


def test_stdout_jsonl_and_text(model_dir):
    result = runner.invoke(app, ["extract", str(EXAMPLE), "--model", str(model_dir)])
    line = [row for row in result.stdout.splitlines() if row.startswith("{")][0]
    assert json.loads(line)["paper"]["title"] == "Tiny Transformers for Robust Image Classification"
    result = runner.invoke(app, ["extract", str(EXAMPLE), "--model", str(model_dir), "--text"])
    assert "ImageNet" in result.stdout and "J. Deng, W. Dong" in result.stdout


def test_missing_model_is_one_clear_error(tmp_path):
    result = runner.invoke(app, ["extract", str(EXAMPLE), "--model", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "[E011] Cannot load the pipeline" in result.output


def run(args, **kwargs):
    return runner.invoke(app, ["extract", *map(str, args)], **kwargs)


def test_resume_retries_failed_papers(model_dir, folder, tmp_path):
    out = tmp_path / "out.jsonl"
    run([folder, "-o", out, "--model", model_dir])
    assert [r.get("error", {}).get("code") for r in records(out)].count("E002") == 1
    shutil.copy(EXAMPLE, folder / "b.tei.xml")  # the broken file is fixed
    result = run([folder, "-o", out, "--model", model_dir, "--resume"])
    assert result.exit_code == 0, result.output
    rows = records(out)
    assert sorted(Path(r["path"]).name for r in rows) == ["a.tei.xml", "b.tei.xml", "c.tei.xml"]
    assert not any("error" in r for r in rows)
    assert "2 skipped" in result.output


@pytest.mark.parametrize("content,why", [
    ('{\n  "path": "x"\n}', "pretty-printed JSON"),
    ('{"name": "not ours"}\n', "other JSON lines"),
    ("just some notes", "text without a newline"),
])
def test_resume_never_touches_a_file_that_is_not_ours(model_dir, folder, tmp_path, content, why):
    out = tmp_path / "out.jsonl"
    out.write_text(content)
    result = run([folder, "-o", out, "--model", model_dir, "--resume"])
    assert result.exit_code == 2, why
    assert "[E018]" in result.output and "is not dataref output" in result.output
    assert out.read_text() == content


def test_existing_output_needs_resume(model_dir, folder, tmp_path):
    out = tmp_path / "out.jsonl"
    run([folder / "a.tei.xml", "-o", out, "--model", model_dir])
    before = out.read_text()
    result = run([folder / "c.tei.xml", "-o", out, "--model", model_dir])
    assert result.exit_code == 2 and "[E017]" in result.output and "--resume" in result.output
    assert out.read_text() == before


def test_each_paper_once(model_dir, folder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder, target_is_directory=True)  # a loop
    out = tmp_path / "out.jsonl"
    result = run([folder, Path("papers"), folder / "a.tei.xml", "-o", out, "--model", model_dir])
    assert result.exit_code == 0, result.output
    assert sorted(Path(r["path"]).name for r in records(out)) == ["a.tei.xml", "b.tei.xml", "c.tei.xml"]
    assert "listed twice" in result.output


def test_symlinked_folders_are_followed(model_dir, folder, tmp_path):
    top = tmp_path / "top"
    top.mkdir()
    (top / "linked").symlink_to(folder, target_is_directory=True)
    out = tmp_path / "out.jsonl"
    result = run([top, "-o", out, "--model", model_dir])
    assert result.exit_code == 0, result.output
    assert len(records(out)) == 3


@pytest.mark.parametrize("args,env,message", [
    (["-o", "{tmp}/missing/out.jsonl"], {}, "[E019] Cannot write the output"),
    (["-o", "{tmp}"], {}, "it is a folder"),
    (["--n-process", "0"], {}, "is not a number of processes"),
    (["--resume"], {}, "[E024] Option --resume: it needs an output file (-o)"),
    ([], {"DATAREF_MAX_BYTES": "abc"}, "[E020] DATAREF_MAX_BYTES='abc' is not a whole number of bytes"),
])
def test_refusals_are_one_sentence_and_exit_2(model_dir, tmp_path, args, env, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run([EXAMPLE, "--model", model_dir, *args], env=env)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_special_files_and_odd_names_get_error_records(model_dir, tmp_path):
    fifo = tmp_path / "pipe.tei.xml"
    os.mkfifo(fifo)
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.tei.xml"))  # not valid UTF-8
    shutil.copy(EXAMPLE, odd)
    out = tmp_path / "out.jsonl"
    result = run([fifo, odd, "-o", out, "--model", model_dir])
    assert result.exit_code == 0, result.output
    rows = records(out)
    assert rows[0]["error"]["code"] == "E016" and "a FIFO" in rows[0]["error"]["message"]
    assert rows[1]["path"].endswith("caf\\udce9.tei.xml") and rows[1]["datasets"]


class Boom:
    def __call__(self, doc):
        if len(doc) > 20 and "TinyBirds" in doc.text:  # papers, not the entity ruler's patterns
            raise RuntimeError("boom")
        return doc


@spacy.Language.factory("test_boom")
def make_boom(nlp, name):
    return Boom()


def test_one_failing_paper_is_an_error_record(model_dir, folder, tmp_path):
    nlp = spacy.load(model_dir)
    nlp.add_pipe("test_boom", first=True)
    broken_model = tmp_path / "boom"
    nlp.to_disk(broken_model)
    (folder / "d.tei.xml").write_bytes(EXAMPLE.read_bytes().replace(b"TinyBirds", b"SmallBirds"))
    out = tmp_path / "out.jsonl"
    result = run([folder, "-o", out, "--model", broken_model])
    assert result.exit_code == 0, result.output
    rows = {Path(r["path"]).name: r for r in records(out)}
    assert [Path(r["path"]).name for r in records(out)] == ["a.tei.xml", "b.tei.xml", "c.tei.xml", "d.tei.xml"]
    assert rows["a.tei.xml"]["error"]["code"] == "E015"
    assert "in test_boom (RuntimeError: boom)" in rows["a.tei.xml"]["error"]["message"]
    assert rows["d.tei.xml"]["datasets"]


def test_text_with_output_file(model_dir, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run([EXAMPLE, "-o", out, "--model", model_dir, "--text"])
    assert json.loads(out.read_text().splitlines()[0])["datasets"]
    assert "ImageNet" in result.stdout and "mentions]" in result.stdout


def started_run(model_dir, tmp_path, papers_count: int, n_process: int) -> tuple[subprocess.Popen, Path, Path]:
    """A `dataref extract` subprocess over copies of the example, returned once some results are written."""
    papers = tmp_path / "papers"
    papers.mkdir()
    for i in range(papers_count):
        shutil.copy(EXAMPLE, papers / f"p{i:04d}.tei.xml")
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "dataref.cli", "extract", str(papers), "-o", str(out), "--model", str(model_dir),
           "--n-process", str(n_process)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "pipeline")}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 60
    while (not out.exists() or out.stat().st_size < 20_000) and time.time() < deadline:
        time.sleep(0.05)
    return proc, papers, out


@pytest.mark.slow
@pytest.mark.parametrize("n_process,signum", [(1, signal.SIGINT), (2, signal.SIGINT), (1, signal.SIGTERM)])
def test_interrupted_run_stops_cleanly_and_resumes(model_dir, tmp_path, n_process, signum):
    proc, papers, out = started_run(model_dir, tmp_path, 400, n_process)
    os.killpg(proc.pid, signum) if signum == signal.SIGINT else proc.send_signal(signum)  # Ctrl-C hits the group
    _, stderr = proc.communicate(timeout=60)
    stderr = stderr.decode()
    assert proc.returncode == 128 + signum, stderr
    assert "interrupted" in stderr and "--resume" in stderr and "Traceback" not in stderr
    written = records(out)
    assert 0 < len(written) < 400
    children = subprocess.run(["pgrep", "-f", str(out)], capture_output=True, text=True).stdout.split()
    assert children == []  # no worker outlives the run
    result = run([papers, "-o", out, "--model", model_dir, "--resume"])
    assert result.exit_code == 0, result.output
    names = [Path(r["path"]).name for r in records(out)]
    assert sorted(names) == sorted(f"p{i:04d}.tei.xml" for i in range(400))


def test_version_and_help():
    from dataref import __version__

    assert runner.invoke(app, ["--version"]).output.strip() == f"dataref {__version__}"
    helped = runner.invoke(app, ["extract", "-h"])
    assert helped.exit_code == 0 and "Exit status" in helped.output and "--resume" in helped.output


def test_long_batches_do_not_grow_the_vocabulary(model_dir, tmp_path, monkeypatch):
    from dataref.run import extract

    nlp = spacy.load(model_dir)
    monkeypatch.setattr(extract, "load_pipeline", lambda model: nlp)
    papers = tmp_path / "papers"
    papers.mkdir()
    for i in range(6):  # every paper brings words no other has
        text = EXAMPLE.read_text().replace("TinyBirds", f"Birdset{i}x{i * 7919}zq")
        (papers / f"p{i}.tei.xml").write_text(text)
    before = len(nlp.vocab.strings)
    summary = extract.run_extract([papers], tmp_path / "out.jsonl", model="unused", chunk_size=2)
    assert summary.papers == 6 and len(records(tmp_path / "out.jsonl")) == 6
    assert len(nlp.vocab.strings) == before


@pytest.mark.slow
def test_no_worker_outlives_a_killed_run(model_dir, tmp_path):
    proc, _, out = started_run(model_dir, tmp_path, 1500, 2)
    assert len(subprocess.run(["pgrep", "-f", str(out)], capture_output=True, text=True).stdout.split()) == 3
    proc.kill()  # SIGKILL: no handler runs in the parent
    proc.wait()
    time.sleep(2)
    assert subprocess.run(["pgrep", "-f", str(out)], capture_output=True, text=True).stdout.split() == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder: an unreadable one cannot be made here")
def test_unreadable_folders_are_counted(model_dir, folder, tmp_path):
    locked = folder / "locked"
    locked.mkdir()
    shutil.copy(EXAMPLE, locked / "x.tei.xml")
    locked.chmod(0)
    try:
        result = run([folder, "-o", tmp_path / "out.jsonl", "--model", model_dir])
    finally:
        locked.chmod(0o755)
    assert "1 unreadable folders" in result.output


@pytest.mark.parametrize("args,message", [
    (["--engine", "spark"], "'spark' is not local or ray"),
    (["--engine", "ray", "--text"], "--text and --n-process are for the local engine"),
    (["--engine", "ray"], "Option --engine ray: it needs an output folder"),
    (["--grobid-url", "http://a:8070", "--grobid-url", "http://b:8070"], "several GROBID servers need --engine ray"),
])
def test_engine_refusals_exit_2(model_dir, args, message):
    result = runner.invoke(app, ["extract", str(EXAMPLE), "--model", str(model_dir), *args])
    assert result.exit_code == 2 and message in result.output, result.output


# ---- the Ray engine's options, checked without Ray -----------------------------------------------------

def test_format_mdc_is_refused_with_ray(tmp_path, monkeypatch):
    monkeypatch.setattr(ray_runner, "main_ray", lambda *a, **k: pytest.fail("Ray was started"))
    result = runner.invoke(app, ["extract", str(EXAMPLE), "--engine", "ray", "-o", str(tmp_path / "out"),
                                 "--format", "mdc"])
    assert result.exit_code == 2 and "[E019]" in result.output and "--format mdc" in result.output
    assert not (tmp_path / "out").exists()


def test_paper_timeout_is_refused_with_ray(tmp_path, monkeypatch):
    monkeypatch.setattr(ray_runner, "main_ray", lambda *a, **k: pytest.fail("Ray was started"))
    result = runner.invoke(app, ["extract", str(EXAMPLE), "--engine", "ray", "-o", str(tmp_path / "out"),
                                 "--paper-timeout", "30"])
    assert result.exit_code == 2 and "[E024]" in result.output and "--paper-timeout" in result.output


def test_grobid_options_reach_the_ray_run(tmp_path, monkeypatch):
    seen = {}

    def main_ray(inputs, output, **options):
        seen.update(options)
        return ray_runner.RaySummary(papers=1)

    monkeypatch.setattr(ray_runner, "main_ray", main_ray)
    result = runner.invoke(app, ["extract", str(EXAMPLE), "--engine", "ray", "-o", str(tmp_path / "out"),
                                 "--concurrency", "2", "--consolidate-citations", "--timeout", "7"])
    assert result.exit_code == 0, result.output
    assert (seen["grobid_concurrency"], seen["consolidate_citations"], seen["grobid_timeout"]) == (2, True, 7)


@pytest.mark.parametrize("args,message", [
    (["--timeout", "0"], "[E024] Option --timeout: 0 is not a number of seconds to wait for GROBID (give 1 or more)."),
    (["--concurrency", "0"], "[E024] Option --concurrency: 0 is not a number of PDFs in flight (give 1 or more)."),
    (["--n-process", "0"], "[E024] Option --n-process: 0 is not a number of processes (give 1 or more)."),
    (["--engine", "spark"], "[E024] Option --engine: 'spark' is not local or ray."),
])
def test_option_refusals_name_the_option(model_dir, args, message):
    result = run([EXAMPLE, "--model", model_dir, *args])
    assert result.exit_code == 2 and result.output.strip() == message, result.output
    assert "Cannot write the output" not in result.output


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_a_read_only_output_folder_is_refused_before_any_work(model_dir, tmp_path, monkeypatch, engine):
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: the folder is made read-only to dataref's check instead
        real = os.access
        monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == folder else real(path, mode))
    folder.chmod(0o555)
    try:
        out = folder / ("out" if engine == "ray" else "out.jsonl")
        result = run([EXAMPLE, "--model", model_dir, "-o", out, "--engine", engine])
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == f"[E019] Cannot write the output {out}: the folder {folder} is not writable."


def test_the_summary_names_a_few_of_the_files_passed_over(model_dir, folder, tmp_path):
    for i in range(5):
        (folder / f"data{i}.csv").write_text("a,b\n")
    result = run([folder, folder / "a.tei.xml", "-o", tmp_path / "out.jsonl", "--model", model_dir])
    assert result.exit_code == 0, result.output
    assert (f"passed over: 1 listed twice ({folder / 'a.tei.xml'}), 6 other files (not .xml, .nxml, .txt or .pdf) "
            f"({folder / 'data0.csv'}, {folder / 'data1.csv'}, {folder / 'data2.csv'}, …)") in result.output
