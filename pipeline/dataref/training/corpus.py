"""Registered corpus readers: TEI files as Examples whose predicted Doc keeps markers and bibliography."""
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import srsly
from spacy.language import Language
from spacy.training import Corpus, Example
from spacy.util import registry

from ..readers.tei import TEIReader


def tei_examples(nlp: Language, paths: Iterable[Path], gold: dict) -> Iterator[Example]:
    """One Example per TEI file; gold entities (with kb ids) come from a JSONL file."""
    reader = TEIReader(nlp)
    for path in paths:
        predicted = reader(path)
        reference = predicted.copy()
        spans = []
        for ent in gold.get(path.name, []):
            span = reference.char_span(ent["start"], ent["end"], label=ent.get("label", "DATASET"),
                                       kb_id=ent.get("kb_id", "NIL"), alignment_mode="expand")
            if span is not None:
                spans.append(span)
        reference.ents = sorted(spans, key=lambda s: s.start)
        yield Example(predicted, reference)


@registry.readers("dataref.TEICorpus.v1")
def create_tei_corpus(path: Path, gold_path: Optional[Path] = None,
                      limit: int = 0) -> Callable[[Language], Iterable[Example]]:
    """TEI files under `path`; `gold_path` is JSONL of {file, ents: [{start, end, label, kb_id}]}."""

    def read(nlp: Language) -> Iterator[Example]:
        root = Path(path)
        paths = sorted(root.glob("**/*.xml")) if root.is_dir() else [root]
        gold = {}
        if gold_path is not None:
            gold = {r["file"]: r["ents"] for r in srsly.read_jsonl(gold_path)}
        yield from tei_examples(nlp, paths[:limit] if limit else paths, gold)

    return read


@registry.readers("dataref.Corpora.v1")
def create_corpora(path: Path, silver: Optional[Path] = None, max_length: int = 0,
                   limit: int = 0) -> Callable[[Language], Iterable[Example]]:
    """spaCy's Corpus over `path`, then over `silver` (teacher-labelled text, scripts/silver.py) when given."""
    corpora = [Corpus(p, max_length=max_length, limit=limit) for p in (path, silver) if p is not None]

    def read(nlp: Language) -> Iterator[Example]:
        for corpus in corpora:
            yield from corpus(nlp)

    return read
