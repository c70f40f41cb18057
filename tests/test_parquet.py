import json
import shutil
import sys

import pytest
from typer.testing import CliRunner

from dataref.cli import app
from dataref.errors import DatarefError

from .conftest import EXAMPLE, FIXTURES, cut_last_line

pq = pytest.importorskip("pyarrow.parquet")

from dataref.output.parquet import ParquetSink, read_records, require_pyarrow, table_of  # noqa: E402

runner = CliRunner()


@pytest.fixture
def folder(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(EXAMPLE, papers / "a.tei.xml")
    (papers / "b.tei.xml").write_text("<TEI><text><body><p>cut off", encoding="utf8")
    shutil.copy(FIXTURES / "tiny-article.jats.xml", papers / "c.xml")
    return papers


def extract(model_dir, *args):
    result = runner.invoke(app, ["extract", *map(str, args), "--model", str(model_dir)])
    assert result.exit_code == 0, result.output
    return result


def jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


def test_same_records_as_jsonl_with_a_status_column(model_dir, folder, tmp_path):
    extract(model_dir, folder, "-o", tmp_path / "out.jsonl")
    extract(model_dir, folder, "-o", tmp_path / "out.parquet")
    assert read_records(tmp_path / "out.parquet") == jsonl(tmp_path / "out.jsonl")
    assert not (tmp_path / "out.parquet.partial.jsonl").exists()
    table = pq.read_table(tmp_path / "out.parquet")
    rows = {r["path"].rsplit("/", 1)[-1]: r for r in table.to_pylist()}
    assert table.column_names == ["id", "path", "status", "error", "paper", "datasets", "identifiers"]
    assert rows["b.tei.xml"]["status"] == "error" and rows["b.tei.xml"]["error"]["code"] == "E002"
    assert rows["b.tei.xml"]["datasets"] is None
    assert rows["a.tei.xml"]["status"] == "ok" and rows["a.tei.xml"]["paper"]["pmid"] is None  # TEI: no such field
    assert rows["c.xml"]["paper"]["pmid"] == "12345678"  # JATS
    imagenet = next(d for d in rows["a.tei.xml"]["datasets"] if d["name"] == "ImageNet")
    assert imagenet["references"][0]["id"] == "b0" and imagenet["references"][0]["evidence"][0]["rule"]


def test_resume_retries_errors_skips_done_and_merges_a_journal_a_kill_left(model_dir, folder, tmp_path):
    out = tmp_path / "out.parquet"
    extract(model_dir, folder / "a.tei.xml", folder / "b.tei.xml", "-o", out)
    assert [r.get("error", {}).get("code") for r in read_records(out)] == [None, "E002"]
    # a later run was killed: it had journalled c.xml, and half a line
    extract(model_dir, folder / "c.xml", "-o", tmp_path / "c.jsonl")
    journal = tmp_path / "out.parquet.partial.jsonl"
    journal.write_text((tmp_path / "c.jsonl").read_text() * 2, encoding="utf8")
    cut_last_line(journal)  # a real record a kill cut in half
    (folder / "b.tei.xml").write_bytes(EXAMPLE.read_bytes())  # the broken paper was fixed since
    result = extract(model_dir, folder, "-o", out, "--resume")
    assert "2 skipped" in result.output and "1 paper," in result.output
    names = [r["path"].rsplit("/", 1)[-1] for r in read_records(out)]
    assert sorted(names) == ["a.tei.xml", "b.tei.xml", "c.xml"]  # each paper once
    assert all("error" not in r for r in read_records(out)) and not journal.exists()


def test_existing_output_needs_resume_and_foreign_files_are_not_touched(model_dir, folder, tmp_path):
    out = tmp_path / "out.parquet"
    extract(model_dir, folder / "a.tei.xml", "-o", out)
    result = runner.invoke(app, ["extract", str(folder), "-o", str(out), "--model", str(model_dir)])
    assert result.exit_code == 2 and "E017" in result.output
    other = tmp_path / "other.parquet"
    pq.write_table(table_of([]).drop_columns(["id", "status"]), other)
    text = tmp_path / "text.parquet"
    text.write_text("not parquet")
    for path in (other, text):
        before = path.read_bytes()
        result = runner.invoke(app, ["extract", str(folder), "-o", str(path), "--model", str(model_dir), "--resume"])
        assert result.exit_code == 2 and "E044" in result.output, result.output
        assert path.read_bytes() == before


def test_a_field_the_schema_does_not_know_is_announced(tmp_path):
    record = {"id": "/x", "path": "x", "paper": {"title": "T", "doi": ""}, "datasets": [
        {"name": "X", "surface_forms": ["X"], "mention_count": 1, "sections": [], "linked": False,
         "unlinked_reason": "no citation next to any mention", "kb": None, "references": [], "roles": ["used"]}]}
    with pytest.warns(UserWarning, match=r"W020.*'roles'"):
        table = table_of([record])
    assert table.num_rows == 1


def test_without_pyarrow_a_coded_refusal(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(DatarefError) as info:
        require_pyarrow()
    assert info.value.code == "E043" and "dataref[parquet]" in str(info.value)
    with pytest.raises(DatarefError):
        ParquetSink(tmp_path / "out.parquet").prepare(resume=False)


def test_read_records_takes_a_str_or_a_path(model_dir, folder, tmp_path):
    extract(model_dir, folder, "-o", tmp_path / "out.parquet")
    assert read_records(str(tmp_path / "out.parquet")) == read_records(tmp_path / "out.parquet")


def test_report_reads_parquet_results(model_dir, folder, tmp_path):
    extract(model_dir, folder, "-o", tmp_path / "out.parquet")
    extract(model_dir, folder, "-o", tmp_path / "out.jsonl")
    for results in ("out.parquet", "out.jsonl"):
        result = runner.invoke(app, ["report", str(tmp_path / results), "-o", str(tmp_path / results[4:]),
                                     "--model", str(model_dir)])
        assert result.exit_code == 0, result.output
        assert "2 papers (2 with their text)" in result.output and "1 error" in result.output
    pages = {p.name for p in (tmp_path / "parquet" / "papers").glob("*.html")}
    assert pages and pages == {p.name for p in (tmp_path / "jsonl" / "papers").glob("*.html")}
