"""Dataset entities: which of a paper's candidate mentions name one dataset, and what that dataset is called.

Pure functions over plain data (mention texts, offsets, known-dataset ids, abbreviation pairs); the
`dataref_dataset_entities` pipe calls them once per paper and every later stage reads its records."""
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, TypedDict

from .lexicon import PART_WORDS, REGISTRY_PREFIX, SET_WORDS, SPLIT_WORDS
from .names import UnionFind, normalize

_WORD = re.compile(r"\S+")
# Between a name and a second name in brackets after it: "Versteeg dataset (", "MPI Sintel ("
_BRACKETED_AFTER = re.compile(r"^\s*(?:(?:dataset|data set|corpus|database|benchmark)s?\s*)?\(\s*$", re.I)
# Where a candidate mention came from (its span's id_ until the entity pipe gives it its entity's key).
NER, CUE, ACCESSION, PROPAGATED, KNOWN, LIST, CITED = "ner", "cue", "accession", "propagated", "kb", "list", "cited"
SOURCES = (NER, CUE, ACCESSION, PROPAGATED, KNOWN, LIST, CITED)
# A version the paper may treat as a dataset of its own: "VOC 2007", "SQuAD 1.1", "CoNLL-2003", "CIFAR-100".
_VERSION = re.compile(r"(?:^|[\s\-_])(v?\d+(?:\.\d+)*[a-z]?)$", re.I)
# ... or glued to a name of two letters or more, as a size: "MovieLens1M", "CIFAR100", "GSM8K" ("C4" is a name)
_GLUED_VERSION = re.compile(r"(?<=[a-z]{2})(\d+(?:\.\d+)*[kmb]?)$", re.I)


@dataclass
class Mention:
    """One candidate mention: character offsets, text, where it came from, its known-dataset id."""
    start: int
    end: int
    text: str
    source: str = "ner"
    kb_id: str = ""


@dataclass
class NameParts:
    """A mention's name without the split or part words after it ("VOC 2012 test set" → "VOC 2012", test)."""
    base: str
    splits: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    family: str = ""  # the normalised base without its version
    version: str = ""


class EntityRecord(TypedDict):
    """One dataset entity as stored on the Doc (`doc._.dataset_entities`): plain values, DocBin-safe."""
    key: str
    name: str
    kb_id: str
    mentions: list[list[int]]
    surface_forms: list[str]
    splits: list[str]
    parts: list[str]
    sources: list[str]
    score: float
    kept: bool
    rule: Optional[str]  # a hand rule that decided instead of the score ("introduced_here", "not_a_name"), else None
    evidence: list[dict]  # the features that pushed the score most: {feature, value, push}


_TAIL_WORDS = SPLIT_WORDS | SET_WORDS | PART_WORDS


def name_parts(text: str, other_bases: Optional[set[str]] = None, own: str = "") -> NameParts:
    """Strip split, set and part words from the end of a name; other lower-case trailing words go only when
    what is left is another name of the paper (`other_bases`, leaving out `own`: "VOC masks" beside "VOC")."""
    words = _WORD.findall(text)
    splits: list[str] = []
    parts: list[str] = []
    if "-" in words[-1] and words[-1].rsplit("-", 1)[1].lower() in _TAIL_WORDS:
        head, tail = words[-1].rsplit("-", 1)  # "FlyingThings3D-subset", "COCO-train"
        words[-1:] = [head, tail.lower()]
    while len(words) > 1:
        last = words[-1].lower().strip(".,;:")
        if not words[-1][:1].islower():
            break
        if last in SPLIT_WORDS:
            splits.insert(0, _split_name(last))
        elif last in PART_WORDS:
            parts.insert(0, last)
        elif last not in SET_WORDS:
            break
        words.pop()
    if other_bases and len(words) > 1:
        # "PASCAL VOC 2012 semantic segmentation": a lower-case tail after another name of the paper
        for cut in range(len(words) - 1, 0, -1):
            tail = words[cut:]
            if not all(w[:1].islower() for w in tail):
                break
            head = normalize(" ".join(words[:cut]))
            if head in other_bases and head != own:
                parts.append(" ".join(tail).lower())
                words = words[:cut]
                break
    if other_bases and len(words) > 1 and words[0][:1].islower():
        for cut in range(1, len(words)):
            if not words[cut - 1][:1].islower():
                break
            rest = normalize(" ".join(words[cut:]))
            if rest in other_bases and rest != own:
                words = words[cut:]
                break
    base = " ".join(words)
    version_match = _VERSION.search(base) or _GLUED_VERSION.search(base)
    cut = version_match.start(1) if version_match and version_match.start(1) > 0 else 0
    version = base[cut:].lower() if cut else ""
    family = normalize(base[:cut]) if cut else normalize(base)
    return NameParts(base=base, splits=splits, parts=parts, family=family or normalize(base), version=version)


def _split_name(word: str) -> str:
    return {"training": "train", "testing": "test", "development": "dev", "val": "validation",
            "valid": "validation", "heldout": "held-out", "evaluation": "test", "eval": "test"}.get(word, word)


def _word_suffix(short: list[str], long: list[str]) -> bool:
    """"VOC 2012" ends "PASCAL VOC 2012" after capitalised qualifiers ("MS COCO", "English Wikipedia")."""
    extra = len(long) - len(short)
    return (0 < extra <= 2 and [w.lower() for w in long[extra:]] == [w.lower() for w in short]
            and all(w[:1].isupper() for w in long[:extra]) and len("".join(short)) >= 3)


def group_mentions(mentions: list[Mention], abbreviation_pairs: Iterable[Iterable[str]] = (),
                   text: str = "") -> list[list[int]]:
    """Indices of the mentions that name one dataset, one list per entity, in order of first mention.

    Same name once split and part words are gone; a lower-case tail after another name; abbreviation and
    long form, also written "X (Y)" in `text`; a capitalised qualifier ("PASCAL VOC" = "VOC") or a short
    capitalised extension ("Sintel Clean" = "Sintel") of another name; a description after a colon
    ("CoNLL-2014 Shared Task: Grammatical Error Correction"); the same known-dataset id. Versions stay apart
    ("VOC 2007" ≠ "VOC 2012"); a name without a version joins the version the paper uses most."""
    if not mentions:
        return []
    first = [name_parts(m.text) for m in mentions]
    bases = {normalize(p.base) for p in first}
    parsed = [name_parts(m.text, bases, normalize(p.base)) for m, p in zip(mentions, first, strict=True)]
    keys = [normalize(p.base) for p in parsed]
    union: UnionFind[int] = UnionFind(range(len(mentions)))
    by_key: dict[str, int] = {}
    for i, key in enumerate(keys):
        union.union(by_key.setdefault(key, i), i)
    for short, long in abbreviation_pairs:
        if short in by_key and long in by_key:
            union.union(by_key[short], by_key[long])
    words_of = {key: _WORD.findall(parsed[i].base) for key, i in by_key.items()}
    by_last: dict[str, list[str]] = {}  # names by their last word: the qualifier rule compares only these
    for key, words in words_of.items():
        by_last.setdefault(words[-1].lower() if words else "", []).append(key)
    for keys_alike in by_last.values():
        for a in keys_alike:
            for b in keys_alike:
                i, j = by_key[a], by_key[b]
                if a != b and parsed[i].version == parsed[j].version and _word_suffix(words_of[a], words_of[b]) \
                        and not _names_another(words_of[b][:len(words_of[b]) - len(words_of[a])], by_key):
                    union.union(i, j)
    for key, i in by_key.items():
        base = words_of[key]
        # "Sintel Clean", "Sintel Train Clean" beside "Sintel": at most two more words, no version of their own
        for cut in range(max(1, len(base) - 2), len(base)):
            head = normalize(" ".join(base[:cut]))
            other = by_key.get(head)
            if other is not None and len(head) >= 3 and not parsed[i].version \
                    and _kb_agrees(mentions[i], mentions[other]) and not _names_another(base[cut:], by_key):
                union.union(i, other)
                break
        if ":" in parsed[i].base:  # "CoNLL-2014 Shared Task: Grammatical Error Correction"
            head = normalize(name_parts(parsed[i].base.split(":", 1)[0]).base)
            if head in by_key:
                union.union(by_key[head], i)
    if text:  # "the Versteeg dataset (GSE16476)", "MPI Sintel (Sintel)": one dataset named twice
        order = sorted(range(len(mentions)), key=lambda k: mentions[k].start)
        for first_i, next_i in zip(order, order[1:], strict=False):
            between = text[mentions[first_i].end:mentions[next_i].start]
            closing = text[mentions[next_i].end:mentions[next_i].end + 2].lstrip()[:1]
            if _BRACKETED_AFTER.match(between) and closing == ")":
                union.union(first_i, next_i)
    by_kb: dict[tuple[str, str], int] = {}
    for i, mention in enumerate(mentions):
        if mention.kb_id:
            union.union(by_kb.setdefault((mention.kb_id, parsed[i].version), i), i)
    # a family name without a version ("PASCAL VOC", "VOC masks") joins the version the paper names most, and
    # never bridges two versions: only groups with no version at all move
    members: dict[int, list[int]] = {}
    for i in range(len(mentions)):
        members.setdefault(union.find(i), []).append(i)
    versioned = {root: {parsed[i].family for i in group if parsed[i].version}
                 for root, group in members.items() if any(parsed[i].version for i in group)}
    for root, group in members.items():
        if root in versioned:
            continue
        names = {keys[i] for i in group}
        choices = [r for r, families in versioned.items() if families & names]
        if choices:
            union.union(max(choices, key=lambda r: (len(members[r]), -r)), root)
    groups: dict[int, list[int]] = {}
    for i in range(len(mentions)):
        groups.setdefault(union.find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: mentions[g[0]].start)


def joined_names(mentions: list[Mention]) -> set[int]:
    """Mentions that are two of the paper's other names side by side ("Cifar10 Cifar100", a recognizer's span
    over a list): neither one dataset nor a form of one."""
    names = {normalize(m.text) for m in mentions if " " not in m.text.strip()}
    joined = set()
    for i, mention in enumerate(mentions):
        words = mention.text.split()
        if len(words) == 2 and all(normalize(w) in names for w in words) and normalize(words[0]) != normalize(words[1]):
            joined.add(i)
    return joined


def _names_another(words: list[str], names: dict[str, int]) -> bool:
    """Qualifier or extension words that are themselves a name of the paper: "Cifar10 Cifar100" is two names
    in one span, and joins neither to the other."""
    return normalize(" ".join(words)) in names


def _kb_agrees(a: Mention, b: Mention) -> bool:
    """Two mentions may be one dataset unless the known-datasets table gives them different records."""
    return not (a.kb_id and b.kb_id and a.kb_id != b.kb_id)


def fold_archives(groups: list[list[int]], mentions: list[Mention],
                  archive_of: Callable[[str], str]) -> list[list[int]]:
    """An archive named beside its records ("deposited in GEO … GSE65963") is one dataset with them: the archive's
    group (a bioregistry record) joins the paper's first group of accessions from that archive."""
    first_record: dict[str, int] = {}
    for g, group in enumerate(groups):
        if all(mentions[i].source == ACCESSION for i in group):
            first_record.setdefault(archive_of(mentions[group[0]].text), g)
    first_record.pop("", None)
    into: dict[int, int] = {}
    for g, group in enumerate(groups):
        kb_ids = {mentions[i].kb_id for i in group}
        if len(kb_ids) == 1 and (kb_id := kb_ids.pop()).startswith(REGISTRY_PREFIX):
            target = first_record.get(kb_id[len(REGISTRY_PREFIX):])
            if target is not None:
                into[g] = target
    if not into:
        return groups
    folded = {g: list(group) for g, group in enumerate(groups) if g not in into}
    for g, target in into.items():
        folded[target].extend(groups[g])
    return [sorted(group) for _, group in sorted(folded.items())]


# A kept dataset's name, a hyphen, and a short capitalised tag: a language, a split or a subset of it as a dataset of
# its own ("Multi30K-DE", "MS-COCO-CN", "HotpotQA-Hard").
TAG_JOINERS = ("-", "−", "–")
TAG = re.compile(r"[A-Z][A-Za-z0-9]{0,5}")
_VARIANT = re.compile(rf"^(.+?)\s?[{''.join(TAG_JOINERS)}]\s?({TAG.pattern})$")


def variants_of_kept(forms: list[list[str]], kept: list[bool]) -> list[int]:
    """The entities (by index; `forms` their surface forms) not kept whose name is a kept entity's name and a tag,
    where the tag names no other candidate ("DBpedia-YAGO3" joins two datasets)."""
    kept_names = {normalize(f) for fs, k in zip(forms, kept, strict=True) if k for f in fs}
    all_names = {normalize(f) for fs in forms for f in fs}
    found = []
    for i, fs in enumerate(forms):
        if kept[i]:
            continue
        for form in fs:
            match = _VARIANT.match(form)
            if match and normalize(match.group(1)) in kept_names and normalize(match.group(2)) not in all_names:
                found.append(i)
                break
    return found


def canonical_name(mentions: list[Mention], kb_name: str = "") -> str:
    """The known-dataset name, unless the paper names a version the table's name lacks ("VOC 2012" against
    "PASCAL VOC"); else the paper's fullest form (most words, then most often written)."""
    first = [name_parts(m.text) for m in mentions]
    keys = {normalize(p.base) for p in first}
    parsed = [name_parts(m.text, keys, normalize(p.base)) for m, p in zip(mentions, first, strict=True)]
    versioned = {normalize(p.base) for p in parsed if p.version}
    if kb_name and (not versioned or normalize(kb_name) in versioned):
        return kb_name
    bases = Counter(p.base for p in parsed)
    return max(bases, key=lambda b: (len(_WORD.findall(b)), bases[b], len(b)))


def splits_and_parts(mentions: list[Mention]) -> tuple[list[str], list[str]]:
    """The splits ("test", "validation") and parts ("masks", "boxes") the mentions of one entity name."""
    bases = {normalize(name_parts(m.text).base) for m in mentions}
    splits: set[str] = set()
    parts: set[str] = set()
    for m in mentions:
        p = name_parts(m.text, bases)
        splits.update(p.splits)
        parts.update(p.parts)
    return sorted(splits), sorted(parts)


# ---- list members -------------------------------------------------------------------------------

_NAME_WORD = re.compile(r"^(?:[A-Z0-9][\w\-.+'’]*|[a-z]+[A-Z0-9][\w\-]*)$")  # "OSWorld", "R-Judge", "mC4", "C4"
_FUNCTION_WORDS = {"the", "on", "in", "for", "we", "our", "both", "and", "with", "from", "of", "to", "these",
                   "this", "all", "as", "a", "an", "by", "at", "it", "its", "table", "fig", "figure", "section"}


def _name_word(word: str) -> bool:
    return bool(_NAME_WORD.match(word)) and word.lower() not in _FUNCTION_WORDS


def _after_joiner(words: list[str], i: int, step: int) -> Optional[int]:
    """The index past a list joiner (",", "and", "or", "&", ", and") read from `i` in direction `step`."""
    seen: list[str] = []
    while 0 <= i < len(words) and len(seen) < 2 and (words[i] in {",", "&"} or words[i].lower() in {"and", "or"}):
        seen.append(words[i].lower())
        i += step
    ok = seen in ([","], ["and"], ["or"], ["&"], [",", "and"], [",", "or"], ["and", ","], ["or", ","])
    return i if ok else None


def list_siblings(words: list[str], names: list[tuple[int, int]], markers: list[tuple[int, int]],
                  max_words: int = 4) -> list[tuple[int, int]]:
    """Word ranges (start, end) of the other members of lists that hold a dataset name: "A [9], B [10], C [18],
    D [19], and E [20]", "on A, B and C". `names` and `markers` are word ranges of the names found so far and
    of the citation markers; a member is a run of at most `max_words` capitalised or numbered words."""
    blocked = {i for a, b in [*names, *markers] for i in range(a, b)}
    after_marker = {a: b for a, b in markers}
    before_marker = {b - 1: a for a, b in markers}
    found: list[tuple[int, int]] = []
    seen = set(names)
    frontier = list(names)
    while frontier:
        start, end = frontier.pop()
        i = end
        while i in after_marker:  # "B [10], C": the member's own markers first
            i = after_marker[i]
        right = _after_joiner(words, i, 1)
        left = _after_joiner(words, start - 1, -1)
        while left is not None and left in before_marker:
            left = before_marker[left] - 1
        for j, step in ((right, 1), (left, -1)):
            member: list[int] = []
            while j is not None and 0 <= j < len(words) and j not in blocked and len(member) <= max_words and (
                    _name_word(words[j]) or (words[j] == "-" and member and 0 <= j + step < len(words)
                                             and bool(_NAME_WORD.match(words[j + step])))
                    or (member and words[j - step] == "-" and bool(_NAME_WORD.match(words[j])))):
                member.append(j)  # "IJB - A" as the tokenizer splits "IJB-A"
                j += step
            if not member or len(member) > max_words:
                continue  # nothing there, or a longer capitalised run than a name (a title)
            span = (min(member), max(member) + 1)
            if span not in seen:
                seen.add(span)
                found.append(span)
                frontier.append(span)
    return sorted(found)
