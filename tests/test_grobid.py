import concurrent.futures
import json
import shutil
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataref.cli import app
from dataref.run import ray_runner
from dataref.run.grobid import Grobid, GrobidOptions
from .grobid_stub import StubGrobid, fake_pdf

from .conftest import EXAMPLE, ROOT

runner = CliRunner()


@pytest.fixture
def tei_dir(tmp_path):
    folder = tmp_path / "stored"
    folder.mkdir()
    (folder / "example.xml").write_bytes(EXAMPLE.read_bytes())
    return folder


@pytest.fixture
def stub(tei_dir):
    with StubGrobid(tei_dir, hang_seconds=4) as server:
        yield server


def write_pdfs(folder: Path, modes: dict[str, str]) -> None:
    folder.mkdir(exist_ok=True)
    for name, mode in modes.items():
        (folder / f"{name}.pdf").write_bytes(fake_pdf("example.xml", mode, salt=name))


def rows(path: Path) -> dict:
    return {Path(r["path"]).stem: r for r in map(json.loads, path.read_text().splitlines())}


def extract(args, stub, timeout="2"):
    return runner.invoke(app, ["extract", *map(str, args), "--grobid-url", stub.url, "--timeout", timeout])


def test_pdfs_through_grobid_with_failures(stub, model_dir, tmp_path):
    papers = tmp_path / "papers"
    write_pdfs(papers, {"ok": "ok", "busy": "busy2", "error": "error", "hang": "hang", "broken": "broken"})
    (papers / "paper.tei.xml").write_bytes(EXAMPLE.read_bytes())  # TEI and PDF mixed
    out = tmp_path / "out.jsonl"
    result = extract([papers, "-o", out, "--model", model_dir], stub)
    assert result.exit_code == 0, result.output
    found = rows(out)
    assert sorted(found) == ["broken", "busy", "error", "hang", "ok", "paper.tei"]
    assert found["ok"]["datasets"] and found["busy"]["datasets"]
    assert found["ok"]["datasets"] == found["paper.tei"]["datasets"]
    assert found["error"]["error"]["code"] == "E009" and "HTTP 500" in found["error"]["error"]["message"]
    assert found["hang"]["error"]["code"] == "E009" and "timeout of 2 s" in found["hang"]["error"]["message"]
    assert found["broken"]["error"]["code"] == "E013"
    assert stub.requests["example.xml", "busy2"] == 3  # two 503s, then the answer
    # the options our reader needs were sent; consolidation is off by default
    assert stub.last_form.get("includeRawCitations") == "1"
    assert stub.last_form.get("segmentSentences") == "1"
    assert "consolidateCitations" not in stub.last_form
    cache = sorted((tmp_path / "tei-cache").glob("*.tei.xml"))
    assert len(cache) == 2  # ok and busy; the broken answer was not kept


def test_cache_means_no_second_request(stub, model_dir, tmp_path):
    write_pdfs(tmp_path / "papers", {"a": "ok"})
    out = tmp_path / "out.jsonl"
    extract([tmp_path / "papers", "-o", out, "--model", model_dir], stub)
    out.unlink()
    extract([tmp_path / "papers", "-o", out, "--model", model_dir], stub)
    assert stub.requests["example.xml", "ok"] == 1
    assert "a" in rows(out)


def test_busy_server_gives_up_after_backoff(stub, tmp_path):
    write_pdfs(tmp_path, {"a": "busy"})
    grobid = Grobid(GrobidOptions(url=stub.url, max_retries=2, backoff=0.01), tmp_path / "cache")
    with pytest.raises(Exception, match="HTTP 503"):
        grobid.to_tei(tmp_path / "a.pdf")
    assert stub.requests["example.xml", "busy"] == 3


def test_no_server_the_tei_files_still_run(model_dir, tmp_path):
    write_pdfs(tmp_path, {"a": "ok"})
    shutil.copy(EXAMPLE, tmp_path / "b.tei.xml")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(tmp_path / "a.pdf"), str(tmp_path / "b.tei.xml"), "-o", str(out),
                                 "--model", str(model_dir), "--grobid-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("[E008] No GROBID server answers at http://127.0.0.1:9.")
    assert "docker run --rm -p 8070:8070 grobid/grobid:" in last
    rows = {Path(r["path"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["a.pdf"]["error"]["code"] == "E009" and "No GROBID server answers" in rows["a.pdf"]["error"]["message"]
    assert rows["b.tei.xml"]["datasets"]


@pytest.mark.slow
def test_killed_run_resumes_with_every_paper_once(tei_dir, model_dir, tmp_path):
    papers = tmp_path / "papers"
    write_pdfs(papers, {f"p{i:03d}": "error" if i % 10 == 0 else "ok" for i in range(200)})
    out = tmp_path / "out.jsonl"
    with StubGrobid(tei_dir, delay=0.05) as server:
        cmd = [sys.executable, "-m", "dataref.cli", "extract", str(papers), "-o", str(out), "--model",
               str(model_dir), "--grobid-url", server.url, "--concurrency", "2"]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "pipeline")}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline and (not out.exists() or len(out.read_bytes().splitlines()) < 30):
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        written = len(out.read_bytes().splitlines())
        assert 30 <= written < 200
        subprocess.run(cmd + ["--resume"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lines = out.read_text().splitlines()
    paths = [json.loads(line)["path"] for line in lines]
    assert len(paths) == len(set(paths)) == 200
    assert sum(1 for line in lines if '"error"' in line[:200]) == 20


def test_a_ray_worker_honours_concurrency_and_consolidation(stub, model_dir, tmp_path, monkeypatch):
    pools = []

    class Recorded(concurrent.futures.ThreadPoolExecutor):
        def __init__(self, max_workers=None, **kwargs):
            pools.append(max_workers)
            super().__init__(max_workers=max_workers, **kwargs)

    monkeypatch.setattr(ray_runner, "ThreadPoolExecutor", Recorded)
    write_pdfs(tmp_path / "papers", {f"p{i}": "ok" for i in range(3)})
    items, _ = ray_runner.list_inputs([tmp_path / "papers"])
    worker = ray_runner.PaperBatch(str(model_dir), grobid_urls=(stub.url,), tei_cache=str(tmp_path / "cache"),
                                   grobid_concurrency=2, consolidate_citations=True)
    rows = worker.records(items)
    assert [r.get("error") for r in rows] == [None, None, None]
    assert pools == [2]  # 3 PDFs, at most 2 in flight
    assert stub.last_form.get("consolidateCitations") == "1"
