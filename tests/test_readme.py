"""The README's examples, run as written: usage lines, the Python snippet, the output schema, model metadata."""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from .conftest import EXAMPLE, ROOT
from .grobid_stub import StubGrobid, fake_pdf

README = (ROOT / "README.md").read_text(encoding="utf8")
DATAREF = Path(sys.executable).with_name("dataref")


def fenced(lang: str) -> list[str]:
    """Every fenced code block of the README in the given language."""
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def block_with(lang: str, needle: str) -> str:
    blocks = [block for block in fenced(lang) if needle in block]
    assert len(blocks) == 1, f"expected one {lang} block with {needle!r} in README.md, found {len(blocks)}"
    return blocks[0]


def usage_commands() -> list[str]:
    """The `dataref …` commands of the README's "Using it" block, comments dropped, `;` lists split."""
    commands = []
    for line in block_with("bash", "dataref extract paper.tei.xml").splitlines():
        line = line.split("#", 1)[0].strip()
        commands.extend(part.strip() for part in line.split(";") if part.strip())
    return commands


@pytest.fixture(scope="module")
def shipped_model():
    try:
        spacy.load("en_dataref_sm")
    except OSError:
        pytest.skip("en_dataref_sm is not installed (README's first command installs it)")
    if not DATAREF.exists():
        pytest.skip(f"the dataref script is not beside {sys.executable}")


def test_usage_block_is_found():
    commands = usage_commands()
    assert len(commands) >= 6 and all(command.startswith("dataref ") for command in commands)


@pytest.mark.parametrize("command", usage_commands())
def test_usage_line_runs(command, shipped_model, tmp_path):
    (tmp_path / "papers").mkdir()
    (tmp_path / "pdfs").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "paper.tei.xml")
    shutil.copy(EXAMPLE, tmp_path / "papers" / "a.tei.xml")
    shutil.copy(EXAMPLE, tmp_path / "papers" / "b.tei.xml")
    (tmp_path / "pdfs" / "p.pdf").write_bytes(fake_pdf(EXAMPLE.name))
    with StubGrobid(EXAMPLE.parent) as grobid:
        args = shlex.split(command.replace("http://localhost:8070", grobid.url))
        env = {**os.environ, "DATAREF_GROBID_URL": grobid.url}
        result = subprocess.run([str(DATAREF), *args[1:]], cwd=tmp_path, env=env, capture_output=True,
                                text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    if "-o" in args:
        records = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
        assert records and all("error" not in record for record in records), records
    if "--text" in args:
        assert "Transformer" in result.stdout or "dataset" in result.stdout.lower()


def test_python_example_runs(shipped_model):
    code = block_with("python", "TEIReader(nlp)").replace('"paper.tei.xml"', repr(str(EXAMPLE)))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    names = [line.split(" ", 1)[0] for line in result.stdout.splitlines()]
    assert len(names) >= 3, result.stdout


def _keys(record: dict, path: str) -> set[str]:
    return {f"{path}.{key}" for key in record}


def schema_keys(record: dict) -> set[str]:
    """Key paths of a result record: top level, paper, datasets, kb, references, evidence."""
    keys = _keys(record, "") | _keys(record["paper"], "paper")
    for dataset in record["datasets"]:
        keys |= _keys(dataset, "dataset")
        keys |= _keys(dataset["kb"], "dataset.kb") if dataset["kb"] else set()
        for ref in dataset["references"]:
            keys |= _keys(ref, "reference")
            for evidence in ref["evidence"]:
                keys |= _keys(evidence, "evidence")
    return keys


def test_output_schema_matches_real_output(shipped_model):
    documented = json.loads(block_with("json", '"datasets"'))
    result = subprocess.run([str(DATAREF), "extract", str(EXAMPLE)], capture_output=True, text=True, timeout=300)
    actual = json.loads(result.stdout.splitlines()[0])
    # a paper's warnings appear only when its TEI had problems; the example has none
    assert schema_keys(documented) - {".paper.warnings"} == schema_keys(actual) - {".paper.warnings"}


def test_model_metadata_is_complete(shipped_model):
    meta = spacy.load("en_dataref_sm").meta
    assert meta["description"] and meta["license"] and len(meta["sources"]) >= 7
    assert all(source["name"] and source["url"] and source["license"] for source in meta["sources"])
