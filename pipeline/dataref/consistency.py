"""dataref_dataset_consistency: a name tagged once as DATASET is a dataset everywhere in the paper."""
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .extensions import CITATIONS
from .names import is_name_like

CUE_WORDS = ["dataset", "datasets", "corpus", "corpora", "benchmark", "treebank", "database"]


@Language.factory(
    "dataref_dataset_consistency",
    requires=["doc.ents"],
    assigns=["doc.ents"],
    default_config={"label": "DATASET", "propagate": True, "cue_words": CUE_WORDS},
)
def make_dataset_consistency(nlp: Language, name: str, label: str, propagate: bool,
                             cue_words: list[str]) -> "DatasetConsistency":
    return DatasetConsistency(nlp, name, label=label, propagate=propagate, cue_words=cue_words)


class DatasetConsistency:
    """Adds the paper's other mentions of tagged names, and "the X dataset" cues."""

    def __init__(self, nlp: Language, name: str = "dataref_dataset_consistency", *,
                 label: str = "DATASET", propagate: bool = True,
                 cue_words: Iterable[str] = CUE_WORDS) -> None:
        self.name = name
        self.label = label
        self.propagate = propagate
        self.vocab = nlp.vocab
        self.cues = Matcher(nlp.vocab)
        if cue_words:
            # "the CoNLL-2003 dataset": a capitalised or numbered name before a cue word
            name_token = {"IS_SPACE": False, "IS_PUNCT": False, "TEXT": {"REGEX": r"[A-Z0-9]"}}
            self.cues.add("CUE", [[{"LOWER": "the"}, {**name_token, "OP": "+"},
                                   {"LOWER": {"IN": list(cue_words)}}]])

    def __call__(self, doc: Doc) -> Doc:
        ents = trim_entities(doc, self.label)
        extra = self._cued(doc)
        if self.propagate:
            # Only names the model tagged spread: a cue ("the SciBERT corpus") is local evidence.
            extra.extend(self._occurrences(doc, [e for e in ents if e.label_ == self.label]))
        taken = {i for e in ents for i in range(e.start, e.end)}
        new = [s for s in filter_spans(extra) if not taken.intersection(range(s.start, s.end))]
        doc.ents = sorted(ents + new, key=lambda s: s.start)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def _cued(self, doc: Doc) -> list[Span]:
        spans = (Span(doc, start + 1, end - 1, label=self.label) for _, start, end in self.cues(doc))
        blocked = _blocked_tokens(doc)
        return [s for s in spans if is_name_like(s.text) and not blocked.intersection(range(s.start, s.end))]

    def _occurrences(self, doc: Doc, found: list[Span]) -> list[Span]:
        """Every other occurrence of a tagged name, token for token."""
        patterns = {s.text: s.as_doc() for s in found if is_name_like(s.text) and len(s.text) > 1}
        if not patterns:
            return []
        matcher = PhraseMatcher(self.vocab)
        matcher.add(self.label, list(patterns.values()))
        return [Span(doc, s, e, label=self.label) for _, s, e in matcher(doc)]


def _blocked_tokens(doc: Doc) -> set[int]:
    """Tokens no dataset name may contain: citation markers and block separators."""
    blocked = {t.i for t in doc if "\n" in t.text}
    for span in doc.spans[CITATIONS] if CITATIONS in doc.spans else ():
        blocked.update(range(span.start, span.end))
    return blocked


def trim_entities(doc: Doc, label: str) -> list[Span]:
    """Cut a mention at the first citation marker or paragraph break it runs into."""
    blocked = _blocked_tokens(doc)
    kept = []
    for ent in doc.ents:
        if ent.label_ != label or not blocked.intersection(range(ent.start, ent.end)):
            kept.append(ent)
            continue
        end = next(i for i in range(ent.start, ent.end) if i in blocked)
        while end > ent.start and (doc[end - 1].is_punct or doc[end - 1].is_space):
            end -= 1
        start = ent.start
        while start < end and (doc[start].is_punct and doc[start].text not in "'\"" or doc[start].is_space):
            start += 1
        if start < end:
            kept.append(Span(doc, start, end, label=ent.label_, kb_id=ent.kb_id_))
    return kept
