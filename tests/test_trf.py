"""en_dataref_trf, where it is installed (pip install -e ".[trf]" plus its wheel): same contract as en_dataref_sm."""
import pytest
import spacy

from dataref import TEIReader

from .conftest import EXAMPLE

pytest.importorskip("spacy_transformers", reason="en_dataref_trf needs the [trf] extra (torch, spacy-transformers)")


@pytest.fixture(scope="module")
def trf():
    try:
        return spacy.load("en_dataref_trf")
    except OSError:
        pytest.skip("en_dataref_trf is not installed (see README: the transformer pipeline)")


def test_trf_pipeline_reads_the_example_like_the_cnn(trf, shipped):
    assert trf.pipe_names[:3] == ["sentencizer", "transformer", "ner"]
    doc = trf(TEIReader(trf)(EXAMPLE))
    names = {record["name"] for record in doc._.datasets}
    cnn_names = {record["name"] for record in shipped(TEIReader(shipped)(EXAMPLE))._.datasets}
    assert len(names & cnn_names) >= len(cnn_names) // 2, (names, cnn_names)
    linked = [record for record in doc._.datasets if record["linked"]]
    assert linked and all(ref["id"] in doc._.bibliography for record in linked for ref in record["references"])


def test_trf_extract_runs_in_the_forked_workers(trf, tmp_path):
    """`dataref extract --model en_dataref_trf` forks workers after the pipeline is loaded; torch's OpenMP
    threads do not survive fork, so each worker runs torch on one thread (it once hung until the paper timeout)."""
    import json

    from typer.testing import CliRunner

    from dataref.cli import app

    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["extract", str(EXAMPLE), "-o", str(out), "--model", "en_dataref_trf",
                                      "--paper-timeout", "60"])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text().splitlines()[0])
    assert "error" not in record and record["datasets"]


def test_trf_windows_run_the_transformer_with_the_ner(trf, corpora):
    """dataref_windows runs the transformer with the ner on each window: the ner alone read no embeddings
    there and tagged "these", "our", "Fig" (gold dev datasets P 0.35 instead of 0.8)."""
    from dataref.pipes.windows import window_pipes

    whole = spacy.load("en_dataref_trf", exclude=["dataref_dataset_entities", "dataref_citation_linker",
                                                  "dataref_identifiers", "dataref_dataset_roles"])
    windowed = window_pipes(spacy.load("en_dataref_trf", exclude=["dataref_dataset_entities",
                                                                  "dataref_citation_linker", "dataref_identifiers",
                                                                  "dataref_dataset_roles"]), max_chars=10_000)
    assert "transformer" in windowed.get_pipe("dataref_windows").pipes
    doc = TEIReader(whole)(corpora / "grobid-tei-bulk" / "5ec9dc00-631d-4dc0-a310-6db68addce4f.tei.xml")
    assert len(doc.text) > 50_000  # several windows
    expected = {(e.start_char, e.end_char) for e in whole(doc.copy()).ents}
    found = {(e.start_char, e.end_char) for e in windowed(doc.copy()).ents}
    assert expected and len(expected & found) >= 0.8 * len(expected) and len(found) <= 1.2 * len(expected)
