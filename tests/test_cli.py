import json
import shutil

import pytest
from typer.testing import CliRunner

from dataref.cli import app

from .conftest import EXAMPLE

runner = CliRunner()


@pytest.fixture
def folder(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(EXAMPLE, papers / "a.tei.xml")
    shutil.copy(EXAMPLE, papers / "c.tei.xml")
    (papers / "b.tei.xml").write_text("<TEI><text><body><p>cut off", encoding="utf8")
    (papers / "notes.txt").write_text("ignored: not a TEI or PDF file")
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
    assert "2 papers" in result.output and "1 errors" in result.output


def test_resume_skips_done_and_drops_a_half_line(model_dir, folder, tmp_path):
    out = tmp_path / "out.jsonl"
    runner.invoke(app, ["extract", str(folder / "a.tei.xml"), "-o", str(out), "--model", str(model_dir)])
    with out.open("a") as handle:
        handle.write('{"path": "half a rec')  # what a kill mid-write would leave
    result = runner.invoke(app, ["extract", str(folder), "-o", str(out), "--model", str(model_dir), "--resume"])
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
    line = [l for l in result.stdout.splitlines() if l.startswith("{")][0]
    assert json.loads(line)["paper"]["title"] == "Tiny Transformers for Robust Image Classification"
    result = runner.invoke(app, ["extract", str(EXAMPLE), "--model", str(model_dir), "--text"])
    assert "ImageNet" in result.stdout and "J. Deng, W. Dong" in result.stdout


def test_missing_model_is_one_clear_error(tmp_path):
    result = runner.invoke(app, ["extract", str(EXAMPLE), "--model", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "[E011] Cannot load the pipeline" in result.output
