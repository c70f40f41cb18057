"""Silver training text: a teacher pipeline (en_dataref_trf) labels the sentences of unannotated papers."""
import random
import re
from collections import Counter
from pathlib import Path
from typing import AbstractSet, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..extensions import HEADINGS

# What the teacher runs: the recognizer, and (with rules) the components that clean and complete its
# mentions; the linker, identifiers and roles add nothing to doc.ents and cost time.
RECOGNIZER_PIPES = ("sentencizer", "transformer", "tok2vec", "ner")
RULE_PIPES = ("dataref_dataset_consistency", "dataref_dataset_kb", "dataref_dataset_support")


def teacher_pipeline(nlp: Language, rules: bool = True) -> Language:
    """Disable every component of `nlp` that does not set doc.ents (and, without `rules`, the rules that do)."""
    keep = RECOGNIZER_PIPES + (RULE_PIPES if rules else ())
    for name in nlp.pipe_names:
        if name not in keep:
            nlp.disable_pipe(name)
    return nlp


def labelled_sentences(doc: Doc, student: Language, stats: Counter, *, negatives_per_positive: float = 1.0,
                       min_tokens: int = 6, max_tokens: int = 120, skip: AbstractSet[str] = frozenset(),
                       seed: int = 0) -> list[Doc]:
    """The teacher's sentences with a DATASET as examples (every other token 'O'), and as many sentences
    without one, spread over the paper; texts in `skip` (other training examples) are left out."""
    ents_at: dict[int, list[Span]] = {}
    for ent in doc.ents:
        ents_at.setdefault(ent.sent.start, []).append(ent)
    headings = {i for h in doc.spans.get(HEADINGS, []) for i in range(h.start, h.end)}
    positives: list[Span] = []
    negatives: list[Span] = []
    for sent in doc.sents:
        text = sent.text.strip()
        if not min_tokens <= len(sent) <= max_tokens or "\n" in text or text in skip or sent.start in headings:
            continue
        if any(e.end > sent.end for e in ents_at.get(sent.start, [])):
            stats["crossing"] += 1
            continue
        (positives if sent.start in ents_at else negatives).append(sent)
    rng = random.Random(f"{seed}:{doc.text[:200]}")
    wanted = min(len(negatives), round(len(positives) * negatives_per_positive))
    examples = []
    for sent in sorted(positives + rng.sample(negatives, wanted), key=lambda s: s.start):
        text = sent.text.strip()
        offset = sent.start_char + sent.text.index(text)
        example = student.make_doc(text)
        found = [example.char_span(e.start_char - offset, e.end_char - offset, label=e.label_)
                 for e in ents_at.get(sent.start, [])]
        spans = [s for s in found if s is not None]
        if len(spans) < len(found):
            stats["misaligned"] += 1
            continue
        example.set_ents(spans, default="outside")
        stats["mentions"] += len(spans)
        stats["positive" if spans else "negative"] += 1
        examples.append(example)
    return examples


def silver_docs(teacher: Language, papers: Iterable[Path], student: Language, stats: Counter,
                held_out: AbstractSet[str] = frozenset(), batch_size: int = 4, **options) -> Iterator[Doc]:
    """Read each paper, let the teacher label it, and yield its chosen sentences as training Docs;
    papers sharing text with `held_out` (see held_out_shingles) are skipped."""
    from .convert import unlabelled_papers
    from ..readers.paper import PaperReader

    def read() -> Iterator[Doc]:
        for doc in unlabelled_papers(PaperReader(teacher), papers, stats):
            if held_out and shares_text(doc, held_out):
                stats["held out"] += 1
                continue
            stats["papers"] += 1
            stats["words"] += len(doc)
            yield doc

    for doc in teacher.pipe(read(), batch_size=batch_size):
        yield from labelled_sentences(doc, student, stats, **options)


def shingles(text: str, size: int = 8) -> set[str]:
    """Runs of `size` lower-case words of three letters or more: equal runs mean shared text."""
    words = re.findall(r"[a-z]{3,}", text.lower())
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def held_out_shingles(docbins: Iterable[Path], vocab) -> set[str]:
    """The shingles of every held-out evaluation text, to keep the papers they come from out of the silver."""
    from spacy.tokens import DocBin

    found: set[str] = set()
    for path in docbins:
        for doc in DocBin().from_disk(path).get_docs(vocab):
            found |= shingles(doc.text)
    return found


def shares_text(doc: Doc, held_out: AbstractSet[str], min_shared: int = 20) -> bool:
    """Whether a paper contains held-out evaluation text (a paper of SciREX dev, GSAP test…)."""
    return len(shingles(doc.text) & held_out) >= min_shared


def agreeing(examples: Iterable[Doc], other: Language, stats: Counter, batch_size: int = 256) -> Iterator[Doc]:
    """The silver examples on which a second recognizer (the CNN trained without silver) finds exactly
    the same mentions: two models that err differently rarely agree on an error."""
    originals = list(examples)
    texts = (doc.text for doc in originals)
    for doc, guess in zip(originals, other.pipe(texts, batch_size=batch_size), strict=True):
        if {(e.start_char, e.end_char) for e in doc.ents} == {(e.start_char, e.end_char) for e in guess.ents}:
            stats["agree"] += 1
            yield doc
        else:
            stats["disagree"] += 1
