"""Dataset-name normalisation and grouping of names that denote one dataset."""
import re
from typing import Iterable

_HEAD = re.compile(r"(?:\s+(?:data\s?sets?|corpus|corpora|benchmarks?|databases?|collections?))+$", re.I)
_LEAD = re.compile(r"^(?:the|a|an)\s+", re.I)
_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def normalize(name: str) -> str:
    """"CIFAR10" = "CIFAR-10" = "CIFAR 10" = "the CIFAR-10 dataset" → "cifar10"."""
    name = _HEAD.sub("", _LEAD.sub("", name.strip()))
    key = _NON_ALNUM.sub("", name.lower())
    return key or _NON_ALNUM.sub("", name.lower())


def is_name_like(text: str) -> bool:
    """A specific name (capital or digit), not a generic phrase like "the data"."""
    return any(c.isupper() or c.isdigit() for c in text)


class NameGroups:
    """Union–find over normalised names: same name, or abbreviation and long form."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.parent: dict[str, str] = {}
        for name in names:
            self.find(name)

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)

    @classmethod
    def of_doc(cls, ents: Iterable, pairs: Iterable) -> "NameGroups":
        groups = cls(normalize(e.text) for e in ents)
        for short, long in pairs or ():
            if short in groups.parent and long in groups.parent:
                groups.union(short, long)
        return groups
