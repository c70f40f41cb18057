"""The Ray engine in local mode on 30 real TEI and JATS papers (slow: deselected by default; run with
`python -m pytest -m slow tests/test_ray.py`)."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dataref.errors import DatarefError
from dataref.run.extract import run_extract

from .conftest import ROOT

ray = pytest.importorskip("ray")
pytest.importorskip("pyarrow")

from dataref.output.parquet import read_records  # noqa: E402
from dataref.run.ray_runner import extract_with_ray, read_output  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.ray]
MODEL = "en_dataref_sm"


@pytest.fixture(scope="module")
def papers(corpora, tmp_path_factory):
    """15 GROBID TEI and 15 JATS articles from the shared corpora, and one broken file."""
    tei = sorted((corpora / "grobid-tei-bulk").glob("*.xml"))[:15]
    jats = sorted((corpora / "jats").glob("*.xml"))[:15]
    if len(tei) < 15 or len(jats) < 15:
        pytest.skip("the shared TEI and JATS corpora are not complete")
    broken = tmp_path_factory.mktemp("broken") / "broken.xml"
    broken.write_text("<article><body><p>cut off", encoding="utf8")
    return tei + jats + [broken]


@pytest.fixture(scope="module")
def local_ray():
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_same_records_as_the_single_process_path(papers, local_ray, tmp_path):
    jsonl = tmp_path / "plain.jsonl"
    plain = run_extract(papers, jsonl, model=MODEL)
    assert plain.papers == 30 and plain.errors == 1
    expected = {r["id"]: r for r in map(json.loads, jsonl.read_text(encoding="utf8").splitlines())}
    summary = extract_with_ray(papers, tmp_path / "out", model=MODEL, workers=2)
    assert (summary.papers, summary.errors) == (30, 1)
    got = {r["id"]: r for r in read_output(tmp_path / "out")}
    assert got.keys() == expected.keys()
    assert [i for i in expected if got[i] != expected[i]] == []
    broken = next(r for r in got.values() if r["path"].endswith("broken.xml"))
    assert broken["error"]["code"] == "E002"
    # resume: nothing left to do, and the broken paper's error row is retried (and fails again, once)
    again = extract_with_ray(papers, tmp_path / "out", model=MODEL, workers=2, resume=True)
    assert (again.skipped, again.papers, again.errors) == (30, 0, 1)
    assert sorted(r["id"] for r in read_output(tmp_path / "out")) == sorted(expected)


def whole_parts(out: Path) -> list[dict]:
    """The records of the part files written to the end."""
    records = []
    for part in sorted(out.glob("*.parquet")):
        try:
            records.extend(read_records(part))
        except DatarefError:
            pass
    return records


def test_a_run_stopped_half_way_and_restarted_gives_each_paper_once(papers, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "dataref.cli", "extract", *map(str, papers), "--engine", "ray", "-o", str(out),
               "--model", MODEL, "--workers", "2", "--batch-size", "2"]  # small parts: the first comes early
    env = {**os.environ, "PYTHONPATH": str(ROOT / "pipeline")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 300
    # Ray writes each part in place, so a part that exists may still be half-written: wait for a whole one
    while time.time() < deadline and not whole_parts(out) and process.poll() is None:
        time.sleep(0.5)
    assert process.poll() is None, "the run ended before it could be stopped half-way"
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    written = whole_parts(out)  # the stop may cut the parts then being written: --resume removes those
    assert 0 < len(written) < 31
    (out / "cut-short.parquet").write_bytes(b"PAR1 a part file a kill cut short")
    result = subprocess.run(command + ["--resume"], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    removed = re.search(r"(\d+) unreadable part files of a stopped run removed", result.stderr)
    assert removed and int(removed.group(1)) >= 1, result.stderr[-2000:]  # ours, and any the stop cut short
    ids = [r["id"] for r in read_output(out)]
    assert len(ids) == len(set(ids)) == 31
    assert f"{len([r for r in written if 'error' not in r])} skipped" in result.stderr


def test_pdfs_through_a_pool_of_grobid_servers(model_dir, local_ray, tmp_path):
    import zlib

    from dataref.run.extract import paper_id

    from .conftest import EXAMPLE
    from .grobid_stub import StubGrobid, fake_pdf

    tei_dir = tmp_path / "tei"
    tei_dir.mkdir()
    (tei_dir / "example.xml").write_bytes(EXAMPLE.read_bytes())
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    for i in range(6):
        (pdfs / f"p{i}.pdf").write_bytes(fake_pdf("example.xml", salt=str(i)))
    (pdfs / "bad.pdf").write_bytes(fake_pdf("example.xml", mode="error"))
    with StubGrobid(tei_dir) as one, StubGrobid(tei_dir) as two:
        summary = extract_with_ray([pdfs], tmp_path / "out", model=str(model_dir), workers=2,
                                   grobid_urls=[one.url, two.url], tei_cache=tmp_path / "cache")
        served = [sum(one.requests.values()), sum(two.requests.values())]
    assert (summary.papers, summary.errors) == (6, 1)
    # each PDF went to the server its id hashes to
    expected = [0, 0]
    for path in sorted(pdfs.iterdir()):
        expected[zlib.crc32(paper_id(path).encode("utf8")) % 2] += 1
    assert served == expected
    rows = {r["path"].rsplit("/", 1)[-1]: r for r in read_output(tmp_path / "out")}
    assert rows["bad.pdf"]["error"]["code"] == "E009"
    assert rows["p0.pdf"]["paper"]["grobid_version"] and any(d["name"] == "ImageNet" for d in rows["p0.pdf"]["datasets"])
    assert len(list((tmp_path / "cache").glob("*.tei.xml"))) == 6


def test_actor_pool_through_rays_current_api(local_ray, caplog, recwarn):
    """`map_batches(concurrency=)` is deprecated for a pool of actors: the pool is a `compute=` strategy."""
    from dataref.run.ray_runner import papers_dataset

    papers_dataset([{"id": "x", "path": "x", "source": "x"}], model=MODEL, workers=2)
    said = [r.getMessage() for r in caplog.records] + [str(w.message) for w in recwarn]
    assert not [m for m in said if "concurrency" in m and "deprecat" in m.lower()]
