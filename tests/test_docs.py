"""What a user looks things up in: every error and warning code explained in docs/errors.md, and the JSON Schema
of an output line (dataref/output/schema.json, shipped in the package) true of real output."""
import importlib.util
import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from dataref import errors
from dataref.cli import app
from dataref.output.records import SCHEMA_FILE

from .conftest import EXAMPLE, FIXTURES, ROOT

ERRORS_PAGE = ROOT / "docs" / "errors.md"
SCHEMA = SCHEMA_FILE  # shipped inside the package (dataref/output/schema.json)


def errors_doc():
    spec = importlib.util.spec_from_file_location("errors_doc", ROOT / "scripts" / "errors_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_code_is_explained_and_the_page_is_current():
    doc = errors_doc()
    codes = set(doc.codes())
    assert len(codes) >= 50
    assert codes - set(errors.HELP) == set(), "codes without an explanation in errors.HELP"
    assert set(errors.HELP) - codes == set(), "explanations of codes the catalog no longer has"
    assert ERRORS_PAGE.read_text(encoding="utf8") == doc.page(), "run `python scripts/errors_doc.py`"
    for code in codes:
        assert f"### {code}\n" in ERRORS_PAGE.read_text(encoding="utf8")


def test_every_code_used_in_the_package_is_in_the_catalog():
    used = set()
    for path in (ROOT / "pipeline" / "dataref").rglob("*.py"):
        used |= set(re.findall(r"(?:Errors|Warnings)\.([EW]\d{3})", path.read_text(encoding="utf8")))
    assert used <= set(errors_doc().codes())


def test_real_output_follows_the_schema(model_dir, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(EXAMPLE, papers / EXAMPLE.name)
    shutil.copy(FIXTURES / "tiny-article.jats.xml", papers / "article.xml")
    (papers / "broken.tei.xml").write_text("<TEI><text><body><p>cut off", encoding="utf8")
    (papers / "plain.txt").write_text("We use the ImageNet dataset [1] and CIFAR-10 throughout.\n", encoding="utf8")
    out = tmp_path / "out.jsonl"
    for model in (model_dir, "en_dataref_sm"):  # the shipped pipeline sets roles and identifiers too
        out.unlink(missing_ok=True)
        result = CliRunner().invoke(app, ["extract", str(papers), "-o", str(out), "--model", str(model)])
        assert result.exit_code == 0, result.output
        lines = [json.loads(line) for line in out.read_text(encoding="utf8").splitlines()]
        assert len(lines) == 4 and any("error" in r for r in lines) and any(r.get("datasets") for r in lines)
        validator = jsonschema.Draft202012Validator(schema)
        for record in lines:
            problems = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(record)]
            assert problems == [], record["path"]
    validator = jsonschema.Draft202012Validator(schema)
    assert not validator.is_valid({"path": "x", "id": "x", "error": {"code": "E001"}})  # no message
    assert not validator.is_valid({"path": "x", "id": "x", "paper": {}, "datasets": [{"mention_count": 2}]})
