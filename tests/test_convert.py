from collections import Counter
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from dataref.training import convert

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def test_scier_places_mentions_and_counts_the_rest(nlp):
    stats = Counter()
    docs = list(convert.scier_docs(FIXTURES / "scier_tiny.jsonl", nlp, {"Dataset": "DATASET"}, stats))
    assert [[e.text for e in d.ents] for d in docs] == [["MS COCO"], ["MS COCO"], ["ImageNet", "ImageNet"]]
    # "PASCAL VOC 2007" is written "2 0 0 7" in the sentence: it cannot be placed
    assert stats == Counter({"placed": 4, "unplaced": 1})
    assert all(e.label_ == "DATASET" for d in docs for e in d.ents)


def test_scier_keeps_other_labels_only_when_asked(nlp):
    stats = Counter()
    docs = list(convert.scier_docs(FIXTURES / "scier_tiny.jsonl", nlp,
                                   {"Dataset": "DATASET", "Method": "METHOD"}, stats))
    assert [(e.text, e.label_) for e in docs[0].ents] == [("CornerNet", "METHOD"), ("MS COCO", "DATASET")]


@pytest.mark.parametrize("text,expected", [
    ("CiteSeer dataset", ["CiteSeer"]),
    ("NORB and CIFAR-10 datasets", ["NORB", "CIFAR-10"]),
    ("Microsoft Research Paraphrase Corpus", ["Microsoft Research Paraphrase Corpus"]),
    ("test collection", []),
    ("W10g and GOV2 collections", ["W10g", "GOV2"]),
])
def test_harmonize(text, expected):
    assert [text[s:e] for s, e in convert.harmonize(text, 0)] == expected


def test_sentences_corpus(nlp):
    stats = Counter()
    docs = list(convert.sentence_docs(FIXTURES / "sentences_tiny.json", nlp, stats))
    assert [e.text for e in docs[0].ents] == ["CiteSeer", "NORB", "CIFAR-10"]
    assert docs[1].ents == ()
    # the generic mention is missing (not "outside"), so it teaches the model nothing
    assert [t.ent_iob_ for t in docs[1]][1:3] == ["", ""]
    assert stats["generic"] == 1


def test_gsap_paragraphs(nlp):
    stats = Counter()
    docs = list(convert.gsap_docs(FIXTURES / "gsap_tiny.jsonl", None, nlp, stats))
    assert len(docs) == 1  # the unannotated paragraph is left out
    assert [e.text for e in docs[0].ents] == ["SQuAD"]
    assert convert.gsap_split(FIXTURES / "gsap_folds.json", "train") == {"p1"}
    assert convert.gsap_split(FIXTURES / "gsap_folds.json", "test") == {"p0"}


def test_write_docbin_round_trip(nlp, tmp_path):
    stats = Counter()
    path = tmp_path / "out" / "scier.spacy"
    assert convert.write_docbin(convert.scier_docs(FIXTURES / "scier_tiny.jsonl", nlp,
                                                   {"Dataset": "DATASET"}, stats), path) == 3
    docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    assert [e.text for e in docs[2].ents] == ["ImageNet", "ImageNet"]


def test_stable_split_is_fixed():
    # the split is part of the data: these values were computed once (crc32 of the text) and must never move
    assert {t: convert.stable_split(t) for t in ("We use ImageNet.", "sentence 1", "sentence 42")} == {
        "We use ImageNet.": "train", "sentence 1": "train", "sentence 42": "dev"}
    shares = Counter(convert.stable_split(f"sentence {i}") for i in range(2000))
    assert 150 < shares["dev"] < 250


def test_tdmsci_bio_tags_become_dataset_spans(tmp_path):
    """TDMSci's CoNLL BIO tags through spaCy's iob_to_biluo: a mention may start with I-, two B- in a row are two
    mentions, TASK and METRIC are outside."""
    import spacy
    from collections import Counter

    from dataref.training.convert import stable_split, tdmsci_docs

    rows = [("We", "O"), ("use", "O"), ("SQuAD", "I-DATASET"), ("v1.1", "I-DATASET"), ("and", "O"),
            ("WikiQA", "B-DATASET"), ("TREC", "B-DATASET"), ("for", "O"), ("question", "B-TASK"),
            ("answering", "I-TASK"), (".", "O")]
    offset, lines = 100, []
    for word, tag in rows:
        lines.append(f"{word}\t{offset}\t{tag}")
        offset += len(word) + 1
    path = tmp_path / "tdmsci.conll"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf8")
    text = " ".join(word for word, _ in rows)
    docs = list(tdmsci_docs(path, spacy.blank("en"), Counter(), stable_split(text)))
    assert [doc.text for doc in docs] == [text]
    assert [e.text for e in docs[0].ents] == ["SQuAD v1.1", "WikiQA", "TREC"]
