import spacy

from dataref import TEIReader
from dataref.linking.sentences import (MAX_SENTENCE_CHARS, WINDOW_CHARS, Sentences, sentence_text,
                                       text_sentence_around)
from dataref.pipes.windows import window_pipes

from .conftest import EXAMPLE


def _doc(text, sentences=True):
    nlp = spacy.blank("en")
    if sentences:
        nlp.add_pipe("sentencizer")
    return nlp(text)


def test_the_sentence_of_the_span():
    doc = _doc("We thank the funders. Our models use ImageNet for training. Results follow.")
    start = doc.text.index("ImageNet")
    assert sentence_text(Sentences(doc), start, start + 8) == "Our models use ImageNet for training."


def test_a_doc_without_sentence_boundaries_gives_the_window():
    text = "x " * 400 + "ImageNet" + " y" * 400
    doc = _doc(text, sentences=False)
    start = text.index("ImageNet")
    assert sentence_text(Sentences(doc), start, start + 8) == text[start - WINDOW_CHARS:start + 8 + WINDOW_CHARS].strip()


def test_a_too_long_sentence_gives_the_window():
    text = "We use " + "many words " * 100 + "ImageNet and more words" + " here" * 100 + "."
    doc = _doc(text)
    assert len(list(doc.sents)) == 1 and len(text) > MAX_SENTENCE_CHARS
    start = text.index("ImageNet")
    assert sentence_text(Sentences(doc), start, start + 8) == text[start - WINDOW_CHARS:start + 8 + WINDOW_CHARS].strip()
    assert sentence_text(Sentences(doc), start, start + 8, max_chars=len(text)) == text


def test_text_only_sentence_around():
    text = "First one. Data are at Zenodo 10.5281/zenodo.1234 here. Last."
    start = text.index("10.5281")
    assert text_sentence_around(text, start, start + 20).strip() == "Data are at Zenodo 10.5281/zenodo.1234 here"


def test_sentences_read_once_give_what_span_sent_gives(shipped):
    """On a real paper through the shipped pipeline: the sentence of every token and mention is Span.sent's."""
    nlp = window_pipes(shipped)
    doc = nlp(TEIReader(nlp)(EXAMPLE))
    sentences = Sentences(doc)
    assert sentences.annotated and len(sentences.spans) > 10 and doc.ents
    assert all(sentences.of(t.i) == t.sent for t in doc)
    assert all(sentences.of(e.start) == e.sent for e in doc.ents)


def test_a_doc_without_boundaries_is_one_sentence():
    doc = _doc("We use ImageNet. And CIFAR-10.", sentences=False)
    sentences = Sentences(doc)
    assert not sentences.annotated and sentences.of(4) == doc[:]
