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
