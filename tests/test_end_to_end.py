import json
import warnings

import pytest

from dataref import NIL, TEIReader
from dataref.output.results import doc_to_json

from .conftest import EXAMPLE


def test_shipped_pipeline_on_the_example(shipped):
    doc = shipped(TEIReader(shipped)(EXAMPLE))
    found = {d["name"]: [r["id"] for r in d["references"]] for d in doc._.datasets}
    assert found.get("ImageNet") == ["b0"]
    assert found.get("CIFAR-10") == ["b1"]
    assert "b7" not in found.get("ImageNet", [])  # ResNet's marker is not ImageNet's citation


@pytest.mark.slow
def test_every_link_is_in_the_papers_own_bibliography(shipped, corpora):
    reader = TEIReader(shipped)
    files = sorted((corpora / "grobid-tei").glob("*.xml")) + sorted((corpora / "tei-samples").glob("*.xml"))[:12]
    files = [f for f in files if "enerex-1912.08777" not in f.name]  # 252k characters: over the default limit
    linked = 0
    for path in files:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = shipped(reader(path))
        bibliography = doc._.bibliography
        for ent in doc.ents:
            assert ent.kb_id_ == NIL or ent.kb_id_ in bibliography, (path.name, ent.text, ent.kb_id_)
        record = json.loads(json.dumps(doc_to_json(doc)))
        for dataset in record["datasets"]:
            for ref in dataset["references"]:
                assert ref["id"] in bibliography, (path.name, dataset["name"], ref["id"])
                assert ref["citation"] == bibliography[ref["id"]]["citation"]
                linked += 1
    assert linked > 0


def test_readme_command_with_the_shipped_model(shipped, tmp_path):
    """The README's first command, through the CLI, with the installed model (not a stand-in)."""
    from typer.testing import CliRunner

    from dataref.cli import app

    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["extract", str(EXAMPLE), "-o", str(out), "--text"])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text().splitlines()[0])
    names = {d["name"] for d in record["datasets"]}
    assert {"ImageNet", "CIFAR-10"} <= names
    assert "ImageNet" in result.stdout and "1 paper," in result.output
