"""The citation linker's rules: pure functions over mentions, markers and bibliography entries.

Each returns candidate links (plain dicts: id, score, rule, marker, resolution, and the bibliography
evidence that supported the choice) so the component stays a thin spaCy wrapper and the rules can be
tested on their own."""
import re
from bisect import bisect_left, bisect_right
from itertools import pairwise
from typing import Iterable, NotRequired, Optional, Sequence, TypedDict, cast

from spacy.tokens import Span

from ..extensions import key_of
from .lexicon import (DATA_TITLE, GAP_WORDS, HEAD_SUFFIX_ANY_CASE, INTRO_BEFORE_MARKER, METHOD_CUES, NEW_DATA,
                      OWN_DATA, OWN_NAMING, OWN_POSSESSIVE)
from .markers import ResolvedMarker, fold
from .names import NameGroups, normalize
from .sentences import Sentences

# Why a dataset has no link, as the output reports it (the roles read OWN as the paper's own data).
OWN = "introduced by this paper"
NO_MARKER = "no citation next to any mention"
OTHER_WORK = "the nearby citations are for other work"

# Between a mention and "its" marker only filler may stand: "ImageNet [12]",
# "the WMT17 dataset [3]", "Stanford Question Answering Dataset (SQuAD) [27]".
GAP_AFTER = re.compile(rf"^(?:[\s,:~]|\([\w\-.+/ ]{{1,20}}\)|(?:{GAP_WORDS})\b)*$", re.I)
GAP_BEFORE = re.compile(r"^[\s:]*$")
# A citation that gives examples ("CoNLL-2003 and ACE-2005 (e.g., Lample et al., 2016)": works that report results on
# them) cites what the sentence says, not the name before it.
EXAMPLES = re.compile(r"^[(\[]?\s*e\.\s?g\.", re.I)
# A narrative citation as the subject that makes the dataset: "Rinberg et al. (2025) develop RippleBench".
GAP_BEFORE_MAKER = re.compile(r"^\)?\s*(?:develop|introduce|propose|present|release|collect|create|construct|build|"
                              r"curate|compile)(?:s|d|ed)?\s+(?:(?:the|a|an|new|novel)\s+)*$", re.I)
GAP_GROUP = re.compile(r"^[\s,;]*(?:and\s*)?$")
GAP_COORD = re.compile(r"^[\s,;]*(?:and|or|&)?[\s,]*$")
_WORDS = re.compile(r"\w+", re.UNICODE)
_SMALL = {"a", "an", "the", "of", "in", "for", "and", "on", "to", "with", "at", "by"}

INTRO_REACH = 80  # characters before a marker that INTRO_BEFORE_MARKER reads ("made available in ")
SCORES = {"adjacent": 0.95, "coordination": 0.9, "adjacent_before": 0.85, "same_sentence": 0.7,
          "sentence_named": 0.75, "coordination_named": 0.85, "introducing_paper": 0.6, "title_match": 0.4,
          "inherited": 0.8, "intro_nearby": 0.6}


# ---- what a bibliography entry says about a dataset ----------------------------------------------

def words(text: str) -> list[str]:
    return _WORDS.findall(fold(text))


def _contains(seq: Sequence[str], part: Sequence[str]) -> bool:
    n = len(part)
    return n > 0 and any(list(seq[i:i + n]) == list(part) for i in range(len(seq) - n + 1))


def _acronym_of(name: str, title_words: list[str]) -> bool:
    """"LFW" in "Labeled faces in the wild: …": the initials of consecutive title words (small words skipped)."""
    letters = [c.lower() for c in name if c.isalpha()]
    if not 2 <= len(letters) <= 8 or not name.replace("-", "").isupper():
        return False
    initials = [w[0] for w in title_words if w not in _SMALL]
    return _contains(initials, letters)


def names_dataset(names: Iterable[str], entry: dict) -> bool:
    """Does the entry's title, venue or URL name the dataset (any of its names, or the initials of one)?"""
    title = words(entry.get("title", ""))
    other = words(" ".join([entry.get("venue", ""), entry.get("url", "")]))
    squashed = {"".join(title), "".join(other)}
    for name in names:
        core = HEAD_SUFFIX_ANY_CASE.sub("", name).strip()
        form = words(core)
        if not form:
            continue
        if _contains(title, form) or _contains(other, form) or _acronym_of(core, title):
            return True
        key = normalize(core)
        if len(key) >= 5 and any(key in s for s in squashed):  # "ImageNet" in "imagenetlargescale…"
            return True
        if any(fold(t) in title for t in _distinctive(core)):  # "MS COCO" in "Microsoft COCO: …"
            return True
    return False


class EntryIndex:
    """Which entries of a bibliography name a dataset (`names_dataset`), found through indexes of the entries'
    words, 5-letter pieces of their squashed titles and pairs of title initials: every entry that names the
    dataset holds the name's rarest word, piece or initials pair, so only those entries are compared (time
    linear in names + entries, not their product)."""

    def __init__(self, bibliography: dict) -> None:
        self.bibliography = bibliography
        self.words: dict[str, set[str]] = {}
        self.pieces: dict[str, set[str]] = {}
        self.initials: dict[tuple[str, str], set[str]] = {}
        for key, entry in bibliography.items():
            title = words(entry.get("title", ""))
            other = words(" ".join([entry.get("venue", ""), entry.get("url", "")]))
            for word in {*title, *other}:
                self.words.setdefault(word, set()).add(key)
            for squashed in {"".join(title), "".join(other)}:
                for i in range(len(squashed) - 4):
                    self.pieces.setdefault(squashed[i:i + 5], set()).add(key)
            initials = [w[0] for w in title if w not in _SMALL]
            for pair in pairwise(initials):
                self.initials.setdefault(pair, set()).add(key)

    @staticmethod
    def _rarest(index: dict, keys: Iterable) -> set[str]:
        return min((index.get(k, set()) for k in keys), key=len, default=set())

    def naming(self, names: Iterable[str]) -> list[str]:
        """The ids of the entries `names_dataset(names, entry)` holds for, in bibliography order."""
        names = list(names)
        candidates: set[str] = set()
        for name in names:
            core = HEAD_SUFFIX_ANY_CASE.sub("", name).strip()
            form = words(core)
            if not form:
                continue
            candidates |= self._rarest(self.words, form)  # the name word for word in the title or venue
            letters = [c.lower() for c in core if c.isalpha()]
            if len(letters) >= 2:  # its initials
                candidates |= self._rarest(self.initials, pairwise(letters))
            key = normalize(core)
            if len(key) >= 5:  # squashed into the title ("imagenetlargescale…")
                candidates |= self._rarest(self.pieces, (key[i:i + 5] for i in range(len(key) - 4)))
            for word in _distinctive(core):
                candidates |= self.words.get(fold(word), set())
        return [k for k in self.bibliography if k in candidates and names_dataset(names, self.bibliography[k])]


def _distinctive(name: str) -> list[str]:
    """Words of a name that identify it alone: "COCO" in "MS COCO", "ImageNet" in "ImageNet 2012"."""
    return [t for t in _WORDS.findall(name)
            if sum(c.isalpha() for c in t) >= 3 and (t.isupper() or any(c.isupper() for c in t[1:]))]


def introduced_elsewhere(row: Optional[dict], title: str) -> bool:
    """A known-datasets record whose introducing paper is not this paper (titled `title`). An archive or
    registry of the other tables (GEO, Dryad, EMDB: no introducing paper) is where a paper deposits its own
    data too, so it is not."""
    introduced_by = ((row or {}).get("paper") or {}).get("title", "")
    return bool(introduced_by) and not paper_title_matches(title, introduced_by)


def paper_title_matches(title: str, kb_title: str) -> bool:
    """Bibliography title ≈ a known dataset's introducing paper (same opening words, or ≥ 80% of the words)."""
    a, b = words(title), words(kb_title)
    if len(a) < 3 or len(b) < 3:
        return False
    if a[:8] == b[:8]:
        return True
    return len(set(a) & set(b)) / max(len(set(a)), len(set(b))) >= 0.8


STRONG = ("entry_is_introducing_paper", "entry_names_dataset")


def introduces_data(entry: dict) -> bool:
    """Does the entry's title say it introduces data ("a dataset/corpus/benchmark for …", "a large-scale …")?"""
    return bool(DATA_TITLE.search(entry.get("title", "")))


def entry_evidence(names: Iterable[str], entry: dict, kb_titles: Iterable[str] = ()) -> list[str]:
    """What the entry says: it is the dataset's introducing paper (known-datasets table), it names the
    dataset, it introduces data."""
    found = []
    if any(paper_title_matches(entry.get("title", ""), t) for t in kb_titles if t):
        found.append("entry_is_introducing_paper")
    if names_dataset(names, entry):
        found.append("entry_names_dataset")
    if introduces_data(entry):
        found.append("entry_introduces_data")
    return found


def supports(names: Iterable[str], entry: dict, kb_titles: Iterable[str] = ()) -> bool:
    """Strong evidence: the entry is the dataset's introducing paper, or names it."""
    return any(e in STRONG for e in entry_evidence(names, entry, kb_titles))


def choose_ids(ids: list[str], names: list[str], bibliography: dict, max_unsupported: int = 2,
               kb_titles: Iterable[str] = ()) -> list[str]:
    """Which ids of a marker group cite the dataset: those whose entry is its introducing paper or names
    it, else those that introduce data, else all of a small group (≤ max_unsupported) and none of a
    large one ("X [3-9]")."""
    if len(ids) <= 1:
        return ids
    named = [i for i in ids if supports(names, bibliography.get(i, {}), kb_titles)]
    if named and len(ids) <= max_unsupported:
        return ids  # "DukeMTMC-reID [31, 46]": the subset's paper beside its source's; `consolidate` weighs them
    if named:
        return named
    data = [i for i in ids if introduces_data(bibliography.get(i, {}))]
    if data:
        return data
    return ids if len(ids) <= max_unsupported else []


# ---- markers around a mention --------------------------------------------------------------------

class MarkerGroups(list):
    """The marker groups in text order, with their start and end offsets kept sorted so that the group after
    or before a mention is found by bisection, not by a scan of every group (time linear in the paper).
    `ordered` is False when the markers came unordered: the lookups then scan as before."""

    def __init__(self, groups: Iterable[list[ResolvedMarker]] = ()) -> None:
        super().__init__(groups)
        self.start_chars = [g[0].start_char for g in self]
        self.end_chars = [g[-1].end_char for g in self]
        self.starts = [g[0].start for g in self]
        self.ordered = all(a <= b for offsets in (self.start_chars, self.end_chars, self.starts)
                           for a, b in pairwise(offsets))


def _indexed(groups) -> Optional[MarkerGroups]:
    return groups if isinstance(groups, MarkerGroups) and groups.ordered else None


def group_markers(text: str, markers: list[ResolvedMarker]) -> list[list[ResolvedMarker]]:
    """Runs of adjacent markers: "(Lin et al., 2014; Deng et al., 2009)" is one group."""
    groups: list[list[ResolvedMarker]] = []
    for marker in markers:
        if groups and GAP_GROUP.match(text[groups[-1][-1].end_char:marker.start_char]):
            groups[-1].append(marker)
        else:
            groups.append([marker])
    return MarkerGroups(groups)


def coordination(text: str, ents: list[Span], i: int) -> list[Span]:
    """The mentions coordinated with ents[i] just before it: "COCO, VOC and ImageNet"."""
    chain = [ents[i]]
    for j in range(i - 1, -1, -1):
        if not GAP_COORD.match(text[ents[j].end_char:chain[0].start_char]):
            break
        chain.insert(0, ents[j])
    return chain


def group_after(text: str, ent: Span, groups: list[list[ResolvedMarker]], max_gap: int):
    indexed = _indexed(groups)
    if indexed is not None:  # the first group starting at or after the mention's end
        at = bisect_left(indexed.start_chars, ent.end_char)
        groups = indexed[at:at + 1]
    for group in groups:
        start = group[0].start_char
        if start < ent.end_char:
            continue
        gap = text[ent.end_char:start]
        if len(gap) <= max_gap and GAP_AFTER.match(gap) and not EXAMPLES.match(group[0].text):
            return group
        return None
    return None


def group_before(text: str, ent: Span, groups, claimed: set[int]):
    indexed = _indexed(groups)
    if indexed is not None:  # the last group ending at or before the mention's start
        at = bisect_right(indexed.end_chars, ent.start_char)
        groups = indexed[max(0, at - 1):at]
    for group in reversed(groups):
        end = group[-1].end_char
        if end > ent.start_char:
            continue
        gap = text[end:ent.start_char]
        if id(group[0]) in claimed or not (GAP_BEFORE.match(gap) or GAP_BEFORE_MAKER.match(gap)):
            return None
        return group
    return None


def names_something(token, sent_start: int, surnames: set[str]) -> bool:
    """Does a token between mention and marker name another thing the marker may cite?"""
    text = token.text
    if not any(c.isalpha() for c in text) or fold(text) in surnames or token.is_stop:
        return False
    inner_upper = any(c.isupper() for c in text[1:])
    mixed = any(c.isdigit() for c in text) and any(c.isalpha() for c in text)
    capitalised = text[0].isupper() and token.i != sent_start
    return inner_upper or mixed or capitalised


def groups_in_sentence(sentences: Sentences, text: str, ent: Span, ents: list[Span], groups, claimed: set[int],
                       max_distance: int, bibliography: dict) -> list[tuple[list[ResolvedMarker], bool]]:
    """Marker groups later in the mention's sentence, each with whether it is the next thing the
    sentence cites after the mention (no other mention, marker, name or method word between). `ents` are in
    text order (doc.ents)."""
    doc = sentences.doc
    sent = sentences.of(ent.start)
    limit = min(sent.end, ent.end + max_distance)
    next_mention = _next_mention(ents, ent)
    found = []
    nearest = True
    indexed = _indexed(groups)
    if indexed is not None:  # only the groups that start inside the sentence after the mention
        groups = indexed[bisect_left(indexed.starts, ent.end):bisect_left(indexed.starts, sent.end)]
    for group in groups:
        if group[0].start < ent.end or group[0].start >= sent.end:
            continue
        if id(group[0]) in claimed:
            nearest = False
            continue
        clear = nearest and group[0].start < limit and not EXAMPLES.match(group[0].text)
        if clear:
            between = text[ent.end_char:group[0].start_char]
            if next_mention < group[0].start:
                clear = False
            elif METHOD_CUES.search(between) and not INTRO_BEFORE_MARKER.search(between):
                clear = False
            else:
                surnames = {fold(s) for m in group for i in m.ids for s in bibliography.get(i, {}).get("surnames", [])}
                clear = not any(names_something(t, sent.start, surnames) for t in doc[ent.end:group[0].start])
        found.append((group, clear))
        nearest = False
    return found


def _next_mention(ents: list[Span], ent: Span) -> int:
    """Where the first mention after `ent` starts (`ents` in text order, as doc.ents are); past the end if none."""
    at = bisect_left(ents, ent.end, key=lambda o: o.start)
    return ents[at].start if at < len(ents) else len(ent.doc)


def intro_group(sentences: Sentences, text: str, ent: Span, ents: list[Span], groups,
                claimed: set[int]) -> Optional[list[ResolvedMarker]]:
    """The first unclaimed marker group in the mention's sentence or the next that "introduced in", "provided
    by" … leads to, with no other mention between: "Meetup: We use the dataset … that was provided by [29]."
    (a definition-list item whose citation comes a sentence later)."""
    sent = sentences.of(ent.start)
    end = sentences.of(sent.end).end if sent.end < len(sentences.doc) else sent.end
    end = min(end, _next_mention(ents, ent) + 1)  # a group after another mention is that mention's
    indexed = _indexed(groups)
    if indexed is not None:
        groups = indexed[bisect_left(indexed.starts, ent.end):bisect_left(indexed.starts, end)]
    for group in groups:
        start = group[0].start_char
        if group[0].start < ent.end or group[0].start >= end or id(group[0]) in claimed:
            continue
        # the words right before the group, not all the text since the mention: a list of markers would make
        # that quadratic (the pattern ends at the group and is a few words long)
        if INTRO_BEFORE_MARKER.search(text, max(ent.end_char, start - INTRO_REACH), start):
            return group
    return None


class LinkRecord(TypedDict):
    """One candidate link of a mention to a bibliography entry (`doc._.citation_links[key]`): plain values."""
    id: str  # the bibliography entry's id
    score: float
    rule: str  # the rule that found it: "adjacent", "same_sentence", "same_name", "title_match", …
    marker: Optional[list[int]]  # [start, end] of the citation marker; None when no marker gave it
    marker_text: str
    resolution: str  # how the marker found its entry ("target", …) or "title" / "known_dataset"
    entry_evidence: list[str]  # what the entry says of the dataset ("entry_names_dataset", …)
    ranker: NotRequired[list[dict]]  # the ranker's strongest features ({feature, value, push}) when it decided


def links_of(group: list[ResolvedMarker], rule: str, ids: Optional[list[str]] = None,
             evidence: Optional[dict[str, list[str]]] = None, scores: dict = SCORES) -> list[LinkRecord]:
    """Candidate links from a marker group (restricted to `ids` when given)."""
    found: list[LinkRecord] = []
    seen = set()
    for marker in group:
        for bib_id in marker.ids:
            if bib_id in seen or (ids is not None and bib_id not in ids):
                continue
            seen.add(bib_id)
            found.append({"id": bib_id, "score": scores[rule], "rule": rule,
                          "marker": [marker.start_char, marker.end_char], "marker_text": marker.text,
                          "resolution": marker.resolution, "entry_evidence": (evidence or {}).get(bib_id, [])})
    return found


# ---- the paper's own data ------------------------------------------------------------------------

def own_datasets(sentences: Sentences, text: str, ents: list[Span], groups: NameGroups, title: str,
                 known: Optional[dict] = None) -> set[str]:
    """Name groups the paper introduces itself: "we introduce/release/collect … X", "our X corpus",
    "X, a new dataset", or the paper's title presenting it ("X: A Large-Scale Dataset for …"). A known
    dataset is never the paper's own unless the table's introducing paper is this one ("our CIFAR-10
    experiments" reuse CIFAR-10)."""
    own = set()
    title_words = words(title)
    title_is_data = bool(DATA_TITLE.search(title))
    known = known or {}
    for ent in ents:
        root = groups.find(normalize(ent.text))
        if root in own:
            continue
        if introduced_elsewhere(known.get(key_of(ent)), title):
            continue
        sent = sentences.of(ent.start)
        before = text[max(sent.start_char, ent.start_char - 300):ent.start_char]
        after = text[ent.end_char:min(sent.end_char, ent.end_char + 40)]
        verb = OWN_DATA.search(before)
        if (verb and (NEW_DATA.search(after) or HEAD_SUFFIX_ANY_CASE.match(" " + after.split(",")[0].strip())
                      or re.search(r"\b(?:a|an)\s+(?:new|novel|large[- ]scale)\s+(?:\w+\s+){0,3}$", before, re.I))
                or (OWN_POSSESSIVE.search(before) and HEAD_SUFFIX_ANY_CASE.match(" " + after.split(",")[0].strip()))
                or (NEW_DATA.search(after) and "," in after[:3]) or OWN_NAMING.search(before)):
            own.add(root)
        elif title_is_data and _contains(title_words, words(ent.text)) and title.lstrip().lower().startswith(
                ent.text.lower()):
            own.add(root)
    return own


# ---- mentions without a marker -------------------------------------------------------------------

def propagate(ents: list[Span], direct: dict[str, list[LinkRecord]], groups: NameGroups,
              share: float = SCORES["inherited"]) -> dict[str, list[LinkRecord]]:
    """Mentions without a marker inherit the links of the same dataset elsewhere."""
    by_group: dict[str, dict[str, dict]] = {}
    for ent in ents:
        root = groups.find(normalize(ent.text))
        for link in direct[key_of(ent)]:
            best = by_group.setdefault(root, {}).get(link["id"])
            if best is None or link["score"] > best["score"]:
                by_group[root][link["id"]] = {**link, "source": normalize(ent.text)}
    links: dict[str, list[LinkRecord]] = {}
    for ent in ents:
        key = key_of(ent)
        if direct[key]:
            links[key] = direct[key]
            continue
        name = normalize(ent.text)
        inherited = by_group.get(groups.find(name), {}).values()
        links[key] = [cast(LinkRecord, {**{k: v for k, v in link.items() if k != "source"},
                                        "score": round(link["score"] * share, 3),
                                        "rule": "same_name" if link["source"] == name else "abbreviation"})
                      for link in inherited]
    return links


def _specific(name: str) -> bool:
    """Names safe to look for in titles: several words, or a capital or digit past the first letter."""
    return len(name) >= 4 and (" " in name.strip() or any(c.isupper() or c.isdigit() for c in name[1:]))


def title_matches(ents: list[Span], links: dict[str, list[LinkRecord]], bibliography: dict, skip: set[str],
                  groups: NameGroups, score: float = SCORES["title_match"]) -> None:
    """Weak evidence: a dataset never cited by a marker, named word for word in exactly one title."""
    linked = {groups.find(normalize(e.text)) for e in ents if links[key_of(e)]}
    unlinked: dict[str, list[Span]] = {}
    for ent in ents:
        root = groups.find(normalize(ent.text))
        if root not in linked and root not in skip and _specific(ent.text):
            unlinked.setdefault(root, []).append(ent)
    if not unlinked:
        return
    titles = {k: words(v.get("title", "")) for k, v in bibliography.items()}
    having: dict[str, set[str]] = {}  # title word → entries: a title holding a form holds its rarest word
    for k, title in titles.items():
        for word in title:
            having.setdefault(word, set()).add(k)
    for mentions in unlinked.values():
        forms = {tuple(words(m.text)) for m in mentions}
        candidates = set().union(*(EntryIndex._rarest(having, form) for form in forms if form))
        hits = [k for k, title in titles.items()
                if k in candidates and any(form and _contains(title, form) for form in forms)]
        if len(hits) != 1:
            continue
        for ent in mentions:
            links[key_of(ent)] = [{"id": hits[0], "score": score, "rule": "title_match", "marker": None,
                                   "marker_text": "", "resolution": "title",
                                   "entry_evidence": ["entry_names_dataset"]}]


def consolidate(ents: list[Span], direct: dict[str, list[LinkRecord]], groups: NameGroups) -> None:
    """Per dataset: once some entry cited for it is its introducing paper (or, failing that, names it), an
    entry without that evidence is kept only if at least two different markers cite it for the dataset."""
    members: dict[str, list[Span]] = {}
    for ent in ents:
        members.setdefault(groups.find(normalize(ent.text)), []).append(ent)
    for mentions in members.values():
        found = [link for e in mentions for link in direct[key_of(e)]]
        # the introducing paper outranks a paper that only names the dataset ("ImageNet classification with
        # deep convolutional neural networks" beside "ImageNet: a large-scale hierarchical image database")
        named = {link["id"] for link in found if "entry_is_introducing_paper" in link["entry_evidence"]} or {
            link["id"] for link in found if any(e in STRONG for e in link["entry_evidence"])}
        if not named:
            continue
        markers: dict[str, set] = {}
        for link in found:
            markers.setdefault(link["id"], set()).add(tuple(link["marker"] or ()))
        weak = {i for i, seen in markers.items() if i not in named and len(seen) < 2}
        for ent in mentions:
            direct[key_of(ent)] = [link for link in direct[key_of(ent)] if link["id"] not in weak]


def known_paper_links(ents: list[Span], links: dict[str, list[LinkRecord]], bibliography: dict, skip: set[str],
                      groups: NameGroups, kb_titles: dict[str, set[str]],
                      score: float = SCORES["introducing_paper"]) -> None:
    """A dataset whose introducing paper (known-datasets table) is exactly one entry of the bibliography gets
    that entry (rule `introducing_paper`) when no marker links it, or when the only entries a marker gives it
    say nothing of the dataset: a method paper cited beside a dataset ("ImageNet [AlexNet]", "MNIST [Deep big
    simple neural nets]") is the citation of what was done with it, not of the data."""
    members: dict[str, list[Span]] = {}
    for ent in ents:
        members.setdefault(groups.find(normalize(ent.text)), []).append(ent)
    for root, mentions in members.items():
        if root in skip or not kb_titles.get(root):
            continue
        hits = [k for k, entry in bibliography.items()
                if any(paper_title_matches(entry.get("title", ""), t) for t in kb_titles[root])]
        if len(hits) != 1:
            continue
        found = [link for e in mentions for link in links[key_of(e)]]
        if any(link["id"] == hits[0] or set(link.get("entry_evidence", ())) & set(STRONG) for link in found):
            continue  # linked to the introducing paper already, or to an entry that names the dataset
        link: LinkRecord = {"id": hits[0], "score": score, "rule": "introducing_paper", "marker": None,
                            "marker_text": "", "resolution": "known_dataset",
                            "entry_evidence": ["entry_is_introducing_paper"]}
        for ent in mentions:
            links[key_of(ent)] = [cast(LinkRecord, dict(link))]
