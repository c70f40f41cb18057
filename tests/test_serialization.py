"""Every dataref component through spaCy's serialisation contracts: the pipeline's bytes and disk round trips
(a component that loads or learns something keeps it: the known-datasets table, the entity and role
classifiers; the others come back from the config), a DocBin round trip of what each one writes, and
`n_process=2` giving what one process gives. On real papers, with the shipped en_dataref_sm plus the support
filter it does not ship."""
import json

import pytest
import spacy
from spacy.tokens import DocBin
from spacy.util import load_model_from_config

from dataref import TEIReader

from .conftest import EXAMPLE

PAPERS = ("datastet-10.1038_s42003-019-0287-8.tei.xml", "datastet-journal.pone.0198050.tei.xml",
          "s2orc-2020.acl-main.207.tei.xml", "s2orc-N18-3011.tei.xml")


def _ents(doc):
    return [(e.start_char, e.end_char, e.label_, e.kb_id_) for e in doc.ents]


# What each component writes, read back as plain data.
WRITES = {
    "dataref_dataset_consistency": _ents,
    "dataref_dataset_support": _ents,
    "dataref_dataset_kb": lambda doc: doc._.dataset_kb,
    "dataref_abbreviations": lambda doc: [(a["short_text"], a["long_text"]) if isinstance(a, dict)
                                          else (a.text, a._.long_form.text) for a in doc._.abbreviations or []],
    "dataref_dataset_entities": lambda doc: [doc._.dataset_entities, _ents(doc)],
    "dataref_citation_linker": lambda doc: [doc._.citation_links, doc._.link_notes, doc._.abbreviation_pairs,
                                            _ents(doc)],
    "dataref_identifiers": lambda doc: doc._.identifiers,
    "dataref_dataset_roles": lambda doc: doc._.dataset_roles,
}
COMPONENTS = sorted(WRITES)


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)


@pytest.fixture(scope="module")
def pipeline():
    nlp = spacy.load("en_dataref_sm")
    nlp.add_pipe("dataref_dataset_support", after="dataref_dataset_kb")
    assert set(COMPONENTS) <= set(nlp.pipe_names)
    return nlp


@pytest.fixture(scope="module")
def papers(pipeline, corpora):
    reader = TEIReader(pipeline)
    return [reader(EXAMPLE)] + [reader(corpora / "grobid-tei" / name) for name in PAPERS]


@pytest.fixture(scope="module")
def inputs(pipeline, papers):
    """Per component, the papers as they reach it (every component before it run)."""
    found = {}
    for doc in papers:
        for name, proc in pipeline.pipeline:
            if name in WRITES:
                found.setdefault(name, []).append(doc.copy())
            doc = proc(doc)
    return found


@pytest.fixture(scope="module")
def from_bytes(pipeline):
    return load_model_from_config(pipeline.config, auto_fill=True).from_bytes(pipeline.to_bytes())


@pytest.fixture(scope="module")
def from_disk(pipeline, tmp_path_factory):
    path = tmp_path_factory.mktemp("serialization") / "pipe"
    pipeline.to_disk(path)
    return spacy.load(path)


@pytest.fixture(scope="module")
def processed(pipeline, papers):
    return [pipeline(doc.copy()) for doc in papers]


@pytest.mark.parametrize("name", COMPONENTS)
def test_bytes_round_trip(name, pipeline, from_bytes, inputs):
    expected = [_json(WRITES[name](pipeline.get_pipe(name)(d.copy()))) for d in inputs[name]]
    assert [_json(WRITES[name](from_bytes.get_pipe(name)(d.copy()))) for d in inputs[name]] == expected
    assert any(json.loads(e) not in (None, [], {}) for e in expected), "no paper gives this component work"


@pytest.mark.parametrize("name", COMPONENTS)
def test_disk_round_trip(name, pipeline, from_disk, inputs):
    expected = [_json(WRITES[name](pipeline.get_pipe(name)(d.copy()))) for d in inputs[name]]
    assert [_json(WRITES[name](from_disk.get_pipe(name)(d.copy()))) for d in inputs[name]] == expected


@pytest.mark.parametrize("name", [n for n in COMPONENTS if n != "dataref_abbreviations"])
def test_docbin_round_trip(name, pipeline, processed):
    """What each component writes survives DocBin(store_user_data=True) (scispaCy's abbreviation Spans are
    kept as their serialisable form by `make_serializable`, checked through the linker's pairs)."""
    docbin = DocBin(store_user_data=True)
    for doc in processed:
        docbin.add(doc)
    restored = list(DocBin().from_bytes(docbin.to_bytes()).get_docs(pipeline.vocab))
    assert [_json(WRITES[name](d)) for d in restored] == [_json(WRITES[name](d)) for d in processed]


@pytest.fixture(scope="module")
def two_processes(pipeline, papers):
    return list(pipeline.pipe([d.copy() for d in papers], n_process=2, batch_size=1))


@pytest.mark.slow
@pytest.mark.parametrize("name", COMPONENTS)
def test_n_process_2(name, processed, two_processes):
    assert [_json(WRITES[name](d)) for d in two_processes] == [_json(WRITES[name](d)) for d in processed]
