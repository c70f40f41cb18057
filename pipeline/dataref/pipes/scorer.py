"""Scorers that plug into `spacy evaluate` for the citation linker."""
from typing import Callable, Iterable

from spacy.scorer import Scorer
from spacy.training import Example
from spacy.util import registry

from ..extensions import NIL


def score_citation_links(examples: Iterable[Example], **kwargs) -> dict:
    """Micro P/R/F of ent.kb_id_ (best bibliography id) on gold-aligned mentions."""
    return Scorer.score_links(examples, negative_labels=[NIL, ""], **kwargs)


@registry.scorers("dataref.citation_link_scorer.v1")
def make_citation_link_scorer() -> Callable:
    return score_citation_links
