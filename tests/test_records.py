"""The one reader of results files (extract --resume, report, the Parquet journal): what it keeps, what it
leaves out, what it refuses."""
import json

import pytest

from dataref.errors import DatarefError, Errors
from dataref.output.records import read_results, record_line
from dataref.run.extract import run_extract

from .conftest import EXAMPLE, FIXTURES


@pytest.fixture(scope="module")
def written(model_dir, tmp_path_factory):
    """A real results file: two papers' records and one error record."""
    folder = tmp_path_factory.mktemp("results")
    broken = folder / "broken.tei.xml"
    broken.write_text("<TEI><text><body><p>cut off", encoding="utf8")
    out = folder / "out.jsonl"
    run_extract([EXAMPLE, broken, FIXTURES / "tiny-article.jats.xml"], out, model=str(model_dir))
    return out.read_bytes()


def test_whole_file_is_every_record(written, tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_bytes(written)
    results = read_results(path)
    assert results.cut == 0 and len(results.records) == 3
    assert [line.encode("utf8") for line in map(record_line, results.records)] == written.splitlines(keepends=True)
    assert len(results.finished) == 2


@pytest.mark.parametrize("keep", [1, 2, 7, 30, -1])
def test_a_real_last_line_cut_anywhere_is_left_out(written, tmp_path, keep):
    last = written.rstrip(b"\n").rfind(b"\n") + 1
    path = tmp_path / "out.jsonl"
    path.write_bytes(written[:last + keep] if keep > 0 else written[:keep - 1])  # -1: all but its last byte
    results = read_results(path)
    assert results.cut == 3 and len(results.records) == 2


@pytest.mark.parametrize("content,line", [
    (b'{"id": "a", "path"\n{"id": "b"}\n', 1),  # a cut line that is not the last: not a kill's doing
    (b'{"name": "not ours"}', 1),
    (b"just some notes", 1),
    (b'{"path": "a.xml", "datasets": []}\n[1, 2', 2),
    (b'{"path": "a.xml", "datasets": []}\n\xff\xfe\n', 2),
])
def test_anything_else_is_refused_with_the_callers_code(tmp_path, content, line):
    path = tmp_path / "out.jsonl"
    path.write_bytes(content)
    with pytest.raises(DatarefError) as caught:
        read_results(path, refusal=Errors.E018)
    assert caught.value.code == "E018" and f"line {line}" in str(caught.value)


def test_blank_lines_are_passed_over(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("\n" + json.dumps({"path": "a.xml", "datasets": []}) + "\n\n", encoding="utf8")
    assert [r["path"] for r in read_results(path).records] == ["a.xml"]
