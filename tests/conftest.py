import os
import re
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc
from spacy.util import filter_spans

from dataref import TEIReader

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))
EXAMPLE = ROOT / "examples" / "tiny-transformers.tei.xml"
FIXTURES = Path(__file__).parent / "fixtures"

TEI_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>
<title level="a" type="main">{title}</title></titleStmt></fileDesc></teiHeader>
<text><body><div><head>Experiments</head>{body}</div></body>
<back><div type="references"><listBibl>{bibl}</listBibl></div></back></text></TEI>"""


def bib(bib_id: str, surname: str, year: str, title: str = "", raw: str = "") -> str:
    """A small <biblStruct> for test documents."""
    note = f'<note type="raw_reference">{raw}</note>' if raw else ""
    analytic = f'<analytic><title level="a" type="main">{title}</title></analytic>' if title else ""
    return (f'<biblStruct xml:id="{bib_id}">{analytic}<monogr><author><persName><forename>A</forename>'
            f'<surname>{surname}</surname></persName></author><imprint><date when="{year}"/>'
            f'</imprint></monogr>{note}</biblStruct>')


def make_tei(body: str, bibl: str = "", title: str = "A test paper") -> bytes:
    return TEI_TEMPLATE.format(body=body, bibl=bibl, title=title).encode("utf8")


def set_datasets(doc: Doc, names: list[str], must_align: bool = True) -> Doc:
    """Mark every occurrence of the given names as DATASET (stands in for the ner)."""
    spans = []
    for name in names:
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", doc.text):
            span = doc.char_span(match.start(), match.end(), label="DATASET")
            assert span is not None or not must_align, f"{name} does not align with tokens"
            spans.extend([span] if span is not None else [])
    doc.ents = filter_spans(spans)
    return doc


def cut_last_line(path, keep=0.5):
    """What a kill while writing the last record leaves: that real line cut, no newline after it."""
    data = path.read_bytes()
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    path.write_bytes(data[:start + max(1, int((len(data) - start) * keep))])


def linker_pipeline(*extra: str):
    """The shipped pipeline's rule components after a stand-in for the ner, plus `extra` components."""
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer", config={"overwrite": False})
    for name in ("dataref_abbreviations", "dataref_citation_linker", *extra):
        pipeline.add_pipe(name)
    return pipeline


@pytest.fixture(scope="session")
def nlp():
    return linker_pipeline()


@pytest.fixture(scope="session")
def reader(nlp):
    return TEIReader(nlp)


@pytest.fixture
def link(nlp, reader):
    """Read TEI, set the named datasets by hand, run the rest of the pipeline."""

    def run(tei: bytes, names: list[str]) -> Doc:
        doc = set_datasets(reader(tei), names)
        return nlp(doc)

    return run


@pytest.fixture(scope="session")
def corpora() -> Path:
    if not CORPORA.exists():
        pytest.skip(f"real corpora not found at {CORPORA} (set DATAREF_CORPORA or put ../shared beside the repo)")
    return CORPORA


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A rule-based DATASET tagger (an entity ruler) in a saved pipeline, for CLI runs."""
    # a small batch, like the shipped pipeline's (1 paper): results are written while the run goes on
    nlp = spacy.blank("en", config={"nlp": {"batch_size": 4}})
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "DATASET", "pattern": name}
                        for name in ("ImageNet", "CIFAR-10", "TinyBirds", "SVHN")])
    nlp.add_pipe("dataref_dataset_consistency")
    nlp.add_pipe("dataref_citation_linker")
    path = tmp_path_factory.mktemp("model") / "pipe"
    nlp.to_disk(path)
    return path


@pytest.fixture(scope="session")
def shipped():
    """The installed en_dataref_sm (the README's first command installs it)."""
    try:
        return spacy.load("en_dataref_sm")
    except OSError:
        pytest.fail("en_dataref_sm is not installed: run the README's install command")
