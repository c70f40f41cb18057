"""dataref_windows: run the trained tok2vec and ner over a long paper in windows of sentences, memory bounded.

spaCy's tok2vec embeds a whole Doc at once: a 1,000,000-character paper takes gigabytes. This component holds
the pipeline's own (disabled) `tok2vec` and `ner` and runs them on copies of parts of the paper of at most
`max_chars` characters, cut at sentence boundaries, each with `context` tokens of the text around it, and copies
the entities back. A paper of at most `max_chars` characters goes through them whole, exactly as before.
`window_pipes(nlp)` puts it in a loaded pipeline (the shipped model is not changed)."""
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span

MAX_CHARS = 50_000
MAX_TOKENS = 15_000  # tok2vec holds about 18 KB a token: some 270 MB a window
CONTEXT = 32  # tokens each side of a window: wider than what tok2vec sees (depth 4 × window 1)


# The embedding layer and the recognizer that listens to it: the CNN's tok2vec or en_dataref_trf's transformer.
PIPES = ("tok2vec", "transformer", "ner")


@Language.factory("dataref_windows", default_config={"pipes": list(PIPES), "max_chars": MAX_CHARS,
                                                     "context": CONTEXT})
def make_windows(nlp: Language, name: str, pipes: list[str], max_chars: int, context: int) -> "Windows":
    return Windows(nlp, name, pipes=pipes, max_chars=max_chars, context=context)


class Windows(Pipe):
    """Runs `pipes` (components of the same pipeline, disabled there) over the paper in windows."""

    def __init__(self, nlp: Language, name: str = "dataref_windows", *, pipes: Iterable[str] = PIPES,
                 max_chars: int = MAX_CHARS, context: int = CONTEXT) -> None:
        self.nlp = nlp
        self.name = name
        self.pipes = list(pipes)
        self.max_chars = max_chars
        self.context = context

    def __call__(self, doc: Doc) -> Doc:
        components = [self.nlp.get_pipe(name) for name in self.pipes]
        if not len(doc) or (doc[-1].idx + len(doc[-1]) <= self.max_chars and len(doc) <= MAX_TOKENS):
            for component in components:
                doc = component(doc)
            return doc
        ents: list[Span] = []
        for start, end in windows(doc, self.max_chars):
            left, right = max(0, start - self.context), min(len(doc), end + self.context)
            part = doc[left:right].as_doc()
            for component in components:
                part = component(part)
            for ent in part.ents:
                a, b = ent.start + left, ent.end + left
                if start <= a < end and (not ents or a >= ents[-1].end):
                    ents.append(Span(doc, a, b, label=ent.label_, kb_id=ent.kb_id_))
        doc.set_ents(ents, default="outside")
        return doc


def windows(doc: Doc, max_chars: int, max_tokens: int = MAX_TOKENS) -> Iterator[tuple[int, int]]:
    """Token ranges that cover the Doc, each of whole sentences of at most `max_chars` characters and `max_tokens`
    tokens together (a longer sentence is cut into parts of about that size). The token bound is what bounds
    memory: 50,000 characters of citation markers or numbers are some 28,000 tokens."""
    start = 0
    start_char = 0

    def fits(end: int, end_char: int) -> bool:
        return end_char - start_char <= max_chars and end - start <= max_tokens

    for sent in doc.sents if doc.has_annotation("SENT_START") else [doc[:]]:
        if fits(sent.end, sent.end_char):
            continue
        if sent.start > start:  # the window ends before this sentence
            yield start, sent.start
            start, start_char = sent.start, sent.start_char
        while not fits(sent.end, sent.end_char):  # one sentence longer than a window
            cut = start
            while cut < sent.end and fits(cut + 1, doc[cut].idx + len(doc[cut])):
                cut += 1
            cut = max(cut, start + 1)
            yield start, cut
            start, start_char = cut, doc[cut].idx if cut < len(doc) else sent.end_char
    if start < len(doc):
        yield start, len(doc)


def window_pipes(nlp: Language, pipes: Iterable[str] = PIPES, max_chars: int = MAX_CHARS) -> Language:
    """Put `dataref_windows` in place of the pipeline's tok2vec (or transformer) and ner (kept, disabled, and run
    by it); does nothing when they are absent or already windowed. The ner must run with the layer it listens
    to: run alone on a window it reads no embeddings of that window."""
    names = [name for name in pipes if name in nlp.pipe_names]
    if not names or "dataref_windows" in nlp.component_names:
        return nlp
    nlp.add_pipe("dataref_windows", before=names[0], config={"pipes": names, "max_chars": max_chars})
    for name in names:
        nlp.disable_pipe(name)
    return nlp
