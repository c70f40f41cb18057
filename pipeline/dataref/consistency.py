"""dataref_dataset_consistency: a name tagged once as DATASET is a dataset everywhere in the paper."""
import re
from typing import Iterable, Iterator

import numpy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .extensions import CITATIONS, SECTIONS
from .names import is_name_like

CUE_WORDS = ["dataset", "datasets", "corpus", "corpora", "benchmark", "treebank", "database"]
# Identifiers of deposited data in the public archives (GEO, SRA/ENA/DDBJ, BioProject,
# ArrayExpress, dbGaP, EGA): each is a dataset whatever the text around it says.
ACCESSIONS = [r"GSE\d{3,}", r"PRJ[NED][A-Z]?\d{3,}", r"[SED]R[PAX]\d{5,}", r"E-[A-Z]{4}-\d+",
              r"phs\d{6}(?:\.v\d+)?", r"EGA[SD]\d{8,}"]
# Sections that name funders, grants and contributors, never the data used.
EXCLUDED_SECTIONS = (r"(?i)acknowledg|funding|author(?:s'|'s)? contribution|competing interest"
                     r"|conflicts? of interest|financial disclosure")


@Language.factory(
    "dataref_dataset_consistency",
    requires=["doc.ents"],
    assigns=["doc.ents"],
    default_config={"label": "DATASET", "propagate": True, "cue_words": CUE_WORDS,
                    "accession_patterns": ACCESSIONS, "excluded_sections": EXCLUDED_SECTIONS},
)
def make_dataset_consistency(nlp: Language, name: str, label: str, propagate: bool,
                             cue_words: list[str], accession_patterns: list[str],
                             excluded_sections: str) -> "DatasetConsistency":
    return DatasetConsistency(nlp, name, label=label, propagate=propagate, cue_words=cue_words,
                              accession_patterns=accession_patterns,
                              excluded_sections=excluded_sections)


class DatasetConsistency:
    """Adds the paper's other mentions of tagged names, and "the X dataset" cues."""

    def __init__(self, nlp: Language, name: str = "dataref_dataset_consistency", *,
                 label: str = "DATASET", propagate: bool = True,
                 cue_words: Iterable[str] = CUE_WORDS, accession_patterns: Iterable[str] = ACCESSIONS,
                 excluded_sections: str = EXCLUDED_SECTIONS) -> None:
        self.name = name
        self.excluded = re.compile(excluded_sections) if excluded_sections else None
        self.label = label
        self.propagate = propagate
        self.vocab = nlp.vocab
        self.cues = Matcher(nlp.vocab)
        if cue_words:
            # "the CoNLL-2003 dataset": a capitalised or numbered name before a cue word
            name_token = {"IS_SPACE": False, "IS_PUNCT": False, "TEXT": {"REGEX": r"[A-Z0-9]"}}
            self.cues.add("CUE", [[{"LOWER": "the"}, {**name_token, "OP": "+"},
                                   {"LOWER": {"IN": list(cue_words)}}]])
        self.accessions = Matcher(nlp.vocab)
        if accession_patterns:
            pattern = "^(?:" + "|".join(accession_patterns) + ")$"
            self.accessions.add("ACCESSION", [[{"TEXT": {"REGEX": pattern}}]])

    def __call__(self, doc: Doc) -> Doc:
        excluded = self._excluded_tokens(doc)
        blocked = _blocked_tokens(doc)
        ents = [e for e in trim_entities(doc, self.label, blocked)
                if e.label_ != self.label or not excluded.intersection(range(e.start, e.end))]
        extra = self._cued(doc, blocked) + [Span(doc, s, e, label=self.label) for _, s, e in self.accessions(doc)]
        if self.propagate:
            # Only names the model tagged spread: a cue ("the SciBERT corpus") is local evidence.
            extra.extend(self._occurrences(doc, [e for e in ents if e.label_ == self.label]))
        extra = [s for s in extra if not excluded.intersection(range(s.start, s.end))]
        taken = {i for e in ents for i in range(e.start, e.end)}
        new = [s for s in filter_spans(extra) if not taken.intersection(range(s.start, s.end))]
        doc.ents = sorted(ents + new, key=lambda s: s.start)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def _excluded_tokens(self, doc: Doc) -> set[int]:
        if self.excluded is None or SECTIONS not in doc.spans:
            return set()
        return {i for s in doc.spans[SECTIONS] if self.excluded.search(s.label_) for i in range(s.start, s.end)}

    def _cued(self, doc: Doc, blocked: set[int]) -> list[Span]:
        spans = (Span(doc, start + 1, end - 1, label=self.label) for _, start, end in self.cues(doc))
        return [s for s in spans if is_name_like(s.text) and not blocked.intersection(range(s.start, s.end))]

    def _occurrences(self, doc: Doc, found: list[Span]) -> list[Span]:
        """Every other occurrence of a tagged name, token for token."""
        patterns = {s.text: Doc(self.vocab, words=[t.text for t in s])  # as_doc() copies the whole Doc
                    for s in found if is_name_like(s.text) and len(s.text) > 1}
        if not patterns:
            return []
        matcher = PhraseMatcher(self.vocab)
        matcher.add(self.label, list(patterns.values()))
        return [Span(doc, s, e, label=self.label) for _, s, e in matcher(doc)]


def _blocked_tokens(doc: Doc) -> set[int]:
    """Tokens no dataset name may contain: citation markers and block separators."""
    blocked = set(numpy.flatnonzero(doc.to_array("IS_SPACE")).tolist())  # paragraph breaks
    for span in doc.spans[CITATIONS] if CITATIONS in doc.spans else ():
        blocked.update(range(span.start, span.end))
    return blocked


_DETERMINERS = {"the", "a", "an"}


def trim_entities(doc: Doc, label: str, blocked: set[int]) -> list[Span]:
    """Cut a mention at the first citation marker or paragraph break it runs into, drop a leading
    determiner and edge punctuation, and drop mentions with no letter in them ("12–64")."""
    kept = []
    for ent in doc.ents:
        if ent.label_ != label:
            kept.append(ent)
            continue
        end = next((i for i in range(ent.start, ent.end) if i in blocked), ent.end)
        while end > ent.start and (doc[end - 1].is_punct or doc[end - 1].is_space):
            end -= 1
        start = ent.start
        while start < end and (doc[start].is_punct and doc[start].text not in "'\"" or doc[start].is_space
                               or doc[start].lower_ in _DETERMINERS):
            start += 1
        span = Span(doc, start, end, label=ent.label_, kb_id=ent.kb_id_) if start < end else None
        if span is not None and any(c.isalpha() for c in span.text):
            kept.append(span if (start, end) != (ent.start, ent.end) else ent)
    return kept
