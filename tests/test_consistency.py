
import spacy
from spacy.tokens import DocBin

from .conftest import make_tei


def run(reader, body: str, tagged: list[str]):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    consistency = nlp.add_pipe("dataref_dataset_consistency")
    doc = nlp(reader(make_tei(body)))
    spans = []
    for name in tagged:  # what the ner found: the first occurrence only
        start = doc.text.index(name)
        spans.append(doc.char_span(start, start + len(name), label="DATASET"))
    doc.ents = spans
    return consistency(doc)


def test_tagged_name_is_a_dataset_everywhere(reader):
    doc = run(reader, "<p>We use SQuAD here.</p><p>Results on SQuAD are good, SQuAD is hard.</p>", ["SQuAD"])
    assert [e.text for e in doc.ents] == ["SQuAD", "SQuAD", "SQuAD"]


def test_cue_phrase_adds_but_does_not_spread(reader):
    doc = run(reader, "<p>We train on the BookCorpus-2 corpus. BookCorpus-2 is big.</p>", [])
    assert [e.text for e in doc.ents] == ["BookCorpus-2"]
    doc = run(reader, "<p>We train on the data corpus of the lab.</p>", [])
    assert doc.ents == ()  # "data" names nothing specific


def test_mentions_are_cut_at_citation_markers(reader):
    body = "<p>We use MS COCO <ref type=\"bibr\">[4]</ref> too.</p>"
    nlp = spacy.blank("en")
    doc = reader(make_tei(body))
    start = doc.text.index("MS COCO")
    doc.ents = [doc.char_span(start, doc.text.index(" too"), label="DATASET")]
    doc = nlp.add_pipe("dataref_dataset_consistency")(doc)
    assert [e.text for e in doc.ents] == ["MS COCO"]


def test_n_process_2_and_docbin(reader):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "DATASET", "pattern": [{"TEXT": "SQuAD"}]}])
    nlp.add_pipe("dataref_dataset_consistency")
    texts = ["We use SQuAD and the WikiQA-2 dataset. SQuAD again."] * 4
    single = [[(e.text, e.start) for e in d.ents] for d in nlp.pipe(texts)]
    multi = [[(e.text, e.start) for e in d.ents] for d in nlp.pipe(texts, n_process=2)]
    assert multi == single and ("WikiQA-2", 5) in single[0]
    docbin = DocBin(docs=list(nlp.pipe(texts[:1])))
    restored = list(docbin.get_docs(nlp.vocab))[0]
    assert [e.text for e in restored.ents] == ["SQuAD", "WikiQA-2", "SQuAD"]


def test_determiners_and_letterless_mentions(reader):
    doc = run(reader, "<p>We use the CHEMDNER data and ages 12–64 only.</p>", ["the CHEMDNER", "12–64"])
    assert [e.text for e in doc.ents] == ["CHEMDNER"]
