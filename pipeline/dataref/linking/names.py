"""Dataset-name normalisation, clean-up of recognised mentions, and grouping of names that denote one dataset."""
import re
from typing import Generic, Iterable, Optional, TypeVar

from .lexicon import (CLAUSE_WORDS, DATA_PAPER_TITLE, DETERMINERS, HEAD_SUFFIX_ANY_CASE, NAME_JOINERS,
                      ORGANISATION_HEADS, TRAILING_FUNCTION_WORDS)

_LEAD = re.compile(rf"^(?:{'|'.join(DETERMINERS)})\s+", re.I)
_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_MATH = re.compile(r"[=<>^{}|\\∑∈≤≥±×→]|--")
VERSION = re.compile(r"v(?:er(?:sion)?)?\.?\s?\d+(?:\.\d+)*", re.I)
_WORD = re.compile(r"\S+")
# A sentence ends inside the mention ("MovieLens1M. Similar to [33]"); not "U.S. Census" (one letter before)
_SENTENCE_BREAK = re.compile(r"(?<=\w{3})\.\s+(?=[A-Z][a-z])")
# A table row's counts after the name ("PROTEINS 1113 2 663"); not digits a tokenizer split ("VOC 2 0 1 2")
_TRAILING_NUMBERS = re.compile(r"(?:\s+\d+)+$")


def normalize(name: str) -> str:
    """"CIFAR10" = "CIFAR-10" = "CIFAR 10" = "the CIFAR-10 dataset" → "cifar10"."""
    name = HEAD_SUFFIX_ANY_CASE.sub("", _LEAD.sub("", name.strip()))
    key = _NON_ALNUM.sub("", name.lower())
    return key or _NON_ALNUM.sub("", name.lower())


def data_paper_name(title: str) -> str:
    """The dataset a data paper's title presents ("AgentHarm: A benchmark for measuring …" → "AgentHarm"), else ""."""
    match = DATA_PAPER_TITLE.match(title)
    if match is None or len(match.group(1).split()) > 4:
        return ""
    return match.group(1)


def is_name_like(text: str) -> bool:
    """A specific name (capital or digit), not a generic phrase like "the data"."""
    return any(c.isupper() or c.isdigit() for c in text)


def _unbalanced_cut(text: str) -> int:
    """Where an opening bracket that is never closed starts ("Labeled Faces in the Wild (LFW"), else len."""
    depth_at: list[int] = []
    for i, c in enumerate(text):
        if c in "([":
            depth_at.append(i)
        elif c in ")]" and depth_at:
            depth_at.pop()
    return depth_at[0] if depth_at else len(text)


def is_fragment(text: str) -> bool:
    """Formula, table-row and label fragments that are never a dataset name: "ODS=.746", "D T", "S(x",
    "MUTAG 188 2 125 63 PTC 344 …", "O(2N k 2 + N k"."""
    if _MATH.search(text):
        return True
    words = _WORD.findall(text)
    letters = sum(c.isalpha() for c in text)
    if letters <= 2 and (not any(c.isdigit() for c in text) or len(words) > 1):
        return True  # "D", "MS", "D T", "PH 0": symbols and initials, not names ("QM9" is one)
    if len(words) > 1 and all(len(w) == 1 and w.isalpha() or w.islower() and len(w) <= 2 for w in words[1:]):
        return True  # "D n", "O k": a symbol with subscripts
    # a table row: several numbers of two or more digits ("MUTAG 188 2 125 63 PTC 344"), unlike a name
    # whose digits a tokenizer split ("VOC 2 0 1 2", "FSS - 1 0 0 0")
    numbers = sum(1 for w in words if len(w) >= 2 and not any(c.isalpha() for c in w) and any(c.isdigit() for c in w))
    if numbers >= 3 and numbers / len(words) >= 0.4:
        return True
    if len(words) >= 5 and any(w.lower() in CLAUSE_WORDS for w in words):
        return True  # a clause of running text, not a name
    return len(words) >= 2 and words[-1].lower().strip(".,") in ORGANISATION_HEADS  # a funder or institution


def split_names(text: str, joiners: re.Pattern = NAME_JOINERS) -> list[tuple[int, int]]:
    """Character ranges of the names `joiners` separates ("C4 nor HugeNews" → "C4", "HugeNews"); the whole
    text as one range when a piece is not name-like ("Pride and prejudice": one name after all). The one
    coordination split of training (`training.convert.harmonize`, with COORDINATION) and inference
    (`clean_mention`, with NAME_JOINERS)."""
    pieces, pos = [], 0
    for joiner in joiners.finditer(text):
        pieces.append((pos, joiner.start()))
        pos = joiner.end()
    pieces.append((pos, len(text)))
    if len(pieces) > 1 and not all(is_name_like(text[a:b]) for a, b in pieces):
        return [(0, len(text))]
    return pieces


def clean_mention(text: str) -> list[tuple[int, int]]:
    """Character ranges of a recognised mention that are dataset names: cut at an unclosed bracket or a
    sentence's end, a table row's counts dropped, split where two names were joined ("C4 nor HugeNews"),
    trailing function words dropped ("Gigaword after"), fragments dropped. Empty when nothing is left."""
    text = text[:_unbalanced_cut(text)]
    text = _SENTENCE_BREAK.split(text, maxsplit=1)[0]
    counts = _TRAILING_NUMBERS.search(text)
    if counts and sum(len(n) >= 2 for n in counts.group().split()) >= 2:
        text = text[:counts.start()]
    kept = []
    for start, end in split_names(text, NAME_JOINERS):
        words = list(_WORD.finditer(text[start:end]))
        while words and words[-1].group().lower().strip(".,;:") in TRAILING_FUNCTION_WORDS:
            words.pop()
        while words and words[0].group().lower() in TRAILING_FUNCTION_WORDS:
            words.pop(0)
        if not words:
            continue
        a, b = start + words[0].start(), start + words[-1].end()
        while b > a and text[b - 1] in ".,;:-–":
            b -= 1
        piece = text[a:b]
        if piece and any(c.isalpha() for c in piece) and not is_fragment(piece):
            kept.append((a, b))
    return kept


K = TypeVar("K", str, int)


class UnionFind(Generic[K]):
    """Union–find with path halving; the smaller key of two groups is their root."""

    def __init__(self, keys: Iterable[K] = ()) -> None:
        self.parent: dict[K, K] = {}
        for key in keys:
            self.find(key)

    def find(self, key: K) -> K:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: K, b: K) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


class NameGroups(UnionFind[str]):
    """Union–find over normalised names: same name, or abbreviation and long form."""

    @classmethod
    def of_doc(cls, ents: Iterable, pairs: Iterable) -> "NameGroups":
        groups = cls(normalize(e.text) for e in ents)
        for short, long in pairs or ():
            if short in groups.parent and long in groups.parent:
                groups.union(short, long)
        return groups

    @classmethod
    def of_entities(cls, ents: Iterable, records: Iterable[dict]) -> "NameGroups":
        """One group per dataset entity of the entity pipe (`doc._.dataset_entities`), so that every stage
        groups the mentions as that pipe decided."""
        groups = cls(normalize(e.text) for e in ents)
        for record in records:
            names = [normalize(form) for form in record["surface_forms"]]
            for name in names[1:]:
                groups.union(names[0], name)
        return groups


def dataset_groups(doc, ents: Iterable, abbreviation_pairs: Optional[Iterable[Iterable[str]]] = None) -> NameGroups:
    """The paper's dataset groups: the entity pipe's when it ran, else same name or abbreviation pairs
    (`abbreviation_pairs` when given, else the Doc's `doc._.abbreviation_pairs`)."""
    records = doc._.dataset_entities
    if records is not None:
        return NameGroups.of_entities(ents, [r for r in records if r["kept"]])
    if abbreviation_pairs is None:
        abbreviation_pairs = doc._.abbreviation_pairs or []
    return NameGroups.of_doc(ents, abbreviation_pairs)
