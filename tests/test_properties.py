import re
import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from dataref.errors import DatarefError
from dataref.linking.patterns import CITATION_SHAPE

from .strategies import tei_documents

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def marker_texts(data: bytes) -> list[str]:
    """The text of each non-empty bibr <ref> with a target or a citation's shape (a target-less "<ref>CoNLL-2003</ref>"
    is text), whitespace collapsed, straight from lxml."""
    root = etree.fromstring(data)
    refs = [r for r in root.iter("{http://www.tei-c.org/ns/1.0}ref") if r.get("type") == "bibr"]
    texts = [(r.get("target"), re.sub(r"\s+", " ", "".join(r.itertext())).strip()) for r in refs]
    return [t for target, t in texts if t and (target or CITATION_SHAPE.search(t))]


@SETTINGS
@given(tei_documents())
def test_reader_raises_only_coded_errors_and_markers_align(reader, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = reader(data)
        except DatarefError as err:
            assert err.code.startswith("E")
            return
    assert doc.text == "".join(t.text_with_ws for t in doc)
    spans = list(doc.spans["citations"])
    assert [s.text for s in spans] == marker_texts(data)
    for span in spans:
        assert doc.char_span(span.start_char, span.end_char) is not None
        assert all(t in doc._.bibliography for t in span._.targets)


@SETTINGS
@given(tei_documents(), st.lists(st.sampled_from(["ImageNet", "CIFAR-10", "SQuAD", "data"]), max_size=3))
def test_linker_links_only_to_own_bibliography(nlp, reader, data, names):
    from .conftest import set_datasets

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = reader(data)
        except DatarefError:
            return
    doc = nlp(set_datasets(doc, names, must_align=False))  # generated text may glue names to symbols
    for ent in doc.ents:
        assert ent.kb_id_ == "NIL" or ent.kb_id_ in doc._.bibliography
    for links in (doc._.citation_links or {}).values():
        assert all(link["id"] in doc._.bibliography for link in links)
    for dataset in doc._.datasets:
        assert all(ref["id"] in doc._.bibliography for ref in dataset["references"])


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(reader, data):
    try:
        reader(data)
    except DatarefError:
        pass
