"""The sentence around a span, one way for every stage that reads or quotes it (linker, identifiers, roles,
results)."""
from bisect import bisect_right
from typing import Optional

from spacy.tokens import Doc, Span

# A "sentence" longer than this is the sentencizer running through a table, a list or a reference block.
MAX_SENTENCE_CHARS = 600
# The fallback: this many characters either side of the span.
WINDOW_CHARS = 250


class Sentences:
    """A Doc's sentences (`doc.sents`) read once, for a stage that asks for the sentence of many spans.
    `Span.sent` and `Doc.has_annotation("SENT_START")` rescan the whole Doc on every call when no parser ran,
    which made the stages quadratic in the paper's length. The Doc's sentence boundaries must not change
    while one is in use; without boundaries the whole Doc is one sentence and `annotated` is False."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.annotated = doc.has_annotation("SENT_START")
        self.spans: list[Span] = list(doc.sents) if self.annotated else [doc[:]]
        self._starts = [s.start for s in self.spans]
        self.start_chars = [s.start_char for s in self.spans]

    def of(self, i: int) -> Span:
        """The sentence holding token `i`."""
        return self.spans[max(0, bisect_right(self._starts, i) - 1)]


def sentence_text(sentences: Sentences, start: int, end: int, max_chars: int = MAX_SENTENCE_CHARS,
                  text: Optional[str] = None) -> str:
    """The sentence holding the characters `start:end`, stripped. Where the Doc has no sentence
    boundaries, the sentence is longer than `max_chars` or the range does not fall on tokens, the text
    WINDOW_CHARS characters either side of the range instead, stripped. `text`: the Doc's text read once by a
    caller that asks for many sentences (doc.text is rebuilt on every access)."""
    doc = sentences.doc
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is not None and len(span) and sentences.annotated:
        sent = sentences.of(span.start)
        if sent.end_char - sent.start_char <= max_chars:  # the sentence's length, without building its text
            return sent.text.strip()
    text = doc.text if text is None else text
    return text[max(0, start - WINDOW_CHARS):end + WINDOW_CHARS].strip()


def text_sentence_around(text: str, start: int, end: int, limit: int = 300) -> str:
    """For code that has the text and no Doc (identifier finding runs on plain text): the characters
    back to the previous ". " or paragraph break and on to the next one, at most `limit` either side."""
    left = max(text.rfind(". ", max(0, start - limit), start), text.rfind("\n\n", max(0, start - limit), start))
    right_candidates = [i for i in (text.find(". ", end, end + limit), text.find("\n\n", end, end + limit)) if i >= 0]
    right = min(right_candidates) if right_candidates else min(len(text), end + limit)
    return text[(left + 1 if left >= 0 else max(0, start - limit)):right]
