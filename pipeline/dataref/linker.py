"""dataref_citation_linker: attach DATASET entities to their paper's bibliography entries."""
import re
import warnings
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Union

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import ensure_path

from .extensions import NIL, install_extensions
from .markers import ResolvedMarker, fold, resolve_markers
from .names import NameGroups, normalize
from .scorer import score_citation_links

# Between a mention and "its" marker only filler may stand: "ImageNet [12]",
# "the WMT17 dataset [3]", "Stanford Question Answering Dataset (SQuAD) [27]".
_GAP_AFTER = re.compile(
    r"^(?:[\s,:~]|\([\w\-.+/ ]{1,20}\)|(?:data\s?sets?|corpus|corpora|benchmarks?|databases?"
    r"|collections?|challenges?|data|splits?|subsets?|tasks?|v?\d+(?:\.\d+)*)\b)*$", re.I)
_GAP_BEFORE = re.compile(r"^[\s:]*$")
_GAP_GROUP = re.compile(r"^[\s,;]*(?:and\s*)?$")
_GAP_COORD = re.compile(r"^[\s,;]*(?:and|or|&)?[\s,]*$")
_TITLE_WORDS = re.compile(r"\w+", re.UNICODE)

SCORES = {"adjacent": 0.95, "coordination": 0.9, "adjacent_before": 0.85,
          "same_sentence": 0.7, "title_match": 0.4}
INHERITED = 0.8  # share of the source's score a propagated link keeps


@Language.factory(
    "dataref_citation_linker",
    requires=["doc.ents", "doc.sents"],
    assigns=["token.ent_kb_id", "doc._.citation_links"],
    default_config={
        "label": "DATASET",
        "max_gap_chars": 40,
        "max_sentence_distance": 25,
        "use_abbreviations": True,
        "use_titles": True,
        "scorer": {"@scorers": "dataref.citation_link_scorer.v1"},
    },
    default_score_weights={"nel_micro_f": 1.0, "nel_micro_p": None, "nel_micro_r": None},
)
def make_citation_linker(
    nlp: Language,
    name: str,
    label: str,
    max_gap_chars: int,
    max_sentence_distance: int,
    use_abbreviations: bool,
    use_titles: bool,
    scorer: Optional[Callable],
) -> "CitationLinker":
    return CitationLinker(nlp, name, label=label, max_gap_chars=max_gap_chars,
                          max_sentence_distance=max_sentence_distance,
                          use_abbreviations=use_abbreviations, use_titles=use_titles,
                          scorer=scorer)


class CitationLinker:
    """Links each DATASET mention through the paper's citation markers, or abstains."""

    def __init__(self, nlp: Language, name: str = "dataref_citation_linker", *,
                 label: str = "DATASET", max_gap_chars: int = 40, max_sentence_distance: int = 25,
                 use_abbreviations: bool = True, use_titles: bool = True,
                 scorer: Optional[Callable] = score_citation_links) -> None:
        install_extensions()
        self.name = name
        self.cfg = {"label": label, "max_gap_chars": max_gap_chars,
                    "max_sentence_distance": max_sentence_distance,
                    "use_abbreviations": use_abbreviations, "use_titles": use_titles}
        self.scorer = scorer
        self._abbreviations = None
        if use_abbreviations:
            from scispacy.abbreviation import AbbreviationDetector

            self._abbreviations = AbbreviationDetector(nlp, make_serializable=True)

    def __call__(self, doc: Doc) -> Doc:
        links, pairs = self.predict(doc)
        self.set_annotations(doc, links, pairs)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def predict(self, doc: Doc) -> tuple[dict[str, list[dict]], list[list[str]]]:
        """Links per entity ("start:end" → [{id, score, rule, marker, resolution}])."""
        ents = [e for e in doc.ents if e.label_ == self.cfg["label"]]
        pairs = self._abbreviation_pairs(doc, ents)
        if not ents:
            return {}, pairs
        bibliography = doc._.bibliography or {}
        direct = self._marker_links(doc, ents, resolve_markers(doc))
        links = propagate(ents, direct, NameGroups.of_doc(ents, pairs))
        if self.cfg["use_titles"]:
            add_title_matches(ents, links, bibliography)
        # The one guarantee: never a link to an entry this paper does not have.
        return {key: [l for l in found if l["id"] in bibliography]
                for key, found in links.items()}, pairs

    def set_annotations(self, doc: Doc, links: dict, pairs: list) -> None:
        new_ents = []
        for ent in doc.ents:
            if ent.label_ == self.cfg["label"]:
                found = links.get(key_of(ent), [])
                best = max(found, key=lambda l: l["score"])["id"] if found else NIL
                ent = Span(doc, ent.start, ent.end, label=ent.label_, kb_id=best)
            new_ents.append(ent)
        doc.ents = new_ents
        doc._.citation_links = {k: v for k, v in links.items() if v}
        doc._.abbreviation_pairs = pairs

    def score(self, examples: Iterable[Example], **kwargs) -> dict:
        return self.scorer(examples, **kwargs) if self.scorer else {}

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        return srsly.msgpack_dumps(self.cfg)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = tuple()) -> "CitationLinker":
        self.cfg.update(srsly.msgpack_loads(data))
        return self

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg", self.cfg)

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> "CitationLinker":
        cfg_path = ensure_path(path) / "cfg"
        if cfg_path.exists():
            self.cfg.update(srsly.read_json(cfg_path))
        return self

    def _abbreviation_pairs(self, doc: Doc, ents: list[Span]) -> list[list[str]]:
        if self._abbreviations is None or not ents:
            return []
        # Only pairs that touch a dataset matter: look in the sentences that hold one.
        sentences = {e.sent.start: e.sent for e in ents} if doc.has_annotation("SENT_START") else {0: doc[:]}
        tokens = [t for _, s in sorted(sentences.items()) for t in s]  # as_doc() would copy the whole Doc
        part = Doc(doc.vocab, words=[t.text for t in tokens], spaces=[True for _ in tokens])
        part._.abbreviations = []  # scispaCy's default list is shared between Docs
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"\[W036\]")  # its empty global matcher
            self._abbreviations(part)
        found = {(normalize(a["short_text"]), normalize(a["long_text"])) for a in part._.abbreviations}
        return [list(p) for p in sorted(found)]

    def _marker_links(self, doc: Doc, ents: list[Span],
                      markers: list[ResolvedMarker]) -> dict[str, list[dict]]:
        text = doc.text  # built anew on every access: read it once
        groups = group_markers(text, markers)
        links: dict[str, list[dict]] = {key_of(e): [] for e in ents}
        claimed: set[int] = set()
        for i, ent in enumerate(ents):
            group = self._group_after(text, ent, groups)
            if group is None:
                continue
            claimed.add(id(group[0]))
            chain = coordination(text, ents, i)
            if len(chain) > 1 and len(chain) == len(group):
                for other, marker in zip(chain, group):
                    links[key_of(other)] = _links([marker], "coordination")
            else:
                links[key_of(ent)] = _links(group, "adjacent")
        for ent in ents:
            if links[key_of(ent)]:
                continue
            group = self._group_before(text, ent, groups, claimed)
            if group is not None:
                links[key_of(ent)] = _links(group, "adjacent_before")
                claimed.add(id(group[0]))
        if doc.has_annotation("SENT_START"):
            for ent in ents:
                if not links[key_of(ent)]:
                    group = self._group_in_sentence(doc, ent, ents, groups, claimed)
                    if group is not None:
                        links[key_of(ent)] = _links(group, "same_sentence")
        return links

    def _group_after(self, text: str, ent: Span, groups: list[list[ResolvedMarker]]):
        for group in groups:
            start = group[0].start_char
            if start < ent.end_char:
                continue
            gap = text[ent.end_char:start]
            if len(gap) <= self.cfg["max_gap_chars"] and _GAP_AFTER.match(gap):
                return group
            return None
        return None

    def _group_before(self, text: str, ent: Span, groups, claimed: set[int]):
        for group in reversed(groups):
            end = group[-1].end_char
            if end > ent.start_char:
                continue
            if id(group[0]) in claimed or not _GAP_BEFORE.match(text[end:ent.start_char]):
                return None
            return group
        return None

    def _group_in_sentence(self, doc: Doc, ent: Span, ents: list[Span], groups, claimed):
        sent = ent.sent
        limit = min(sent.end, ent.end + self.cfg["max_sentence_distance"])
        for group in groups:
            if group[0].start < ent.end or group[0].start >= limit:
                continue
            if id(group[0]) in claimed:
                return None
            between = doc[ent.end:group[0].start]
            if any(ent.end <= o.start < group[0].start for o in ents):
                return None
            if any(g[0].start < group[0].start and g[0].start >= ent.end for g in groups):
                return None
            surnames = _surnames(doc, group)
            if any(_names_something(t, sent.start, surnames) for t in between):
                return None
            return group
        return None


def key_of(span: Span) -> str:
    return f"{span.start_char}:{span.end_char}"


def group_markers(text: str, markers: list[ResolvedMarker]) -> list[list[ResolvedMarker]]:
    """Runs of adjacent markers: "(Lin et al., 2014; Deng et al., 2009)" is one group."""
    groups: list[list[ResolvedMarker]] = []
    for marker in markers:
        if groups and _GAP_GROUP.match(text[groups[-1][-1].end_char:marker.start_char]):
            groups[-1].append(marker)
        else:
            groups.append([marker])
    return groups


def coordination(text: str, ents: list[Span], i: int) -> list[Span]:
    """The mentions coordinated with ents[i] just before it: "COCO, VOC and ImageNet"."""
    chain = [ents[i]]
    for j in range(i - 1, -1, -1):
        if not _GAP_COORD.match(text[ents[j].end_char:chain[0].start_char]):
            break
        chain.insert(0, ents[j])
    return chain


def _links(group: list[ResolvedMarker], rule: str) -> list[dict]:
    found, seen = [], set()
    for marker in group:
        for bib_id in marker.ids:
            if bib_id not in seen:
                seen.add(bib_id)
                found.append({"id": bib_id, "score": SCORES[rule], "rule": rule,
                              "marker": [marker.start_char, marker.end_char],
                              "resolution": marker.resolution})
    return found


def _surnames(doc: Doc, group: list[ResolvedMarker]) -> set[str]:
    bibliography = doc._.bibliography or {}
    return {fold(s) for m in group for i in m.ids for s in bibliography.get(i, {}).get("surnames", [])}


def _names_something(token, sent_start: int, surnames: set[str]) -> bool:
    """Does a token between mention and marker name another thing the marker may cite?"""
    text = token.text
    if not any(c.isalpha() for c in text) or fold(text) in surnames:
        return False
    inner_upper = any(c.isupper() for c in text[1:])
    mixed = any(c.isdigit() for c in text) and any(c.isalpha() for c in text)
    capitalised = text[0].isupper() and token.i != sent_start
    return inner_upper or mixed or capitalised


def propagate(ents: list[Span], direct: dict[str, list[dict]], groups: NameGroups) -> dict[str, list[dict]]:
    """Mentions without a marker inherit the links of the same dataset elsewhere."""
    by_group: dict[str, dict[str, dict]] = {}
    for ent in ents:
        root = groups.find(normalize(ent.text))
        for link in direct[key_of(ent)]:
            best = by_group.setdefault(root, {}).get(link["id"])
            if best is None or link["score"] > best["score"]:
                by_group[root][link["id"]] = {**link, "source": normalize(ent.text)}
    links = {}
    for ent in ents:
        key = key_of(ent)
        if direct[key]:
            links[key] = direct[key]
            continue
        name = normalize(ent.text)
        inherited = by_group.get(groups.find(name), {}).values()
        links[key] = [{"id": l["id"], "score": round(l["score"] * INHERITED, 3),
                       "rule": "same_name" if l["source"] == name else "abbreviation",
                       "marker": l["marker"], "resolution": l["resolution"]} for l in inherited]
    return links


def _words(text: str) -> list[str]:
    return _TITLE_WORDS.findall(text.lower())


def _specific(name: str) -> bool:
    """Names safe to look for in titles: several words, or a capital or digit past the first letter."""
    return len(name) >= 4 and (" " in name.strip() or any(c.isupper() or c.isdigit() for c in name[1:]))


def _in_title(name: list[str], title: list[str]) -> bool:
    n = len(name)
    return any(title[i:i + n] == name for i in range(len(title) - n + 1))


def add_title_matches(ents: list[Span], links: dict[str, list[dict]], bibliography: dict) -> None:
    """Weak evidence: a dataset never cited by a marker, named word for word in exactly one title."""
    linked = {normalize(e.text) for e in ents if links[key_of(e)]}
    unlinked: dict[str, list[Span]] = {}
    for ent in ents:
        if normalize(ent.text) not in linked and _specific(ent.text):
            unlinked.setdefault(normalize(ent.text), []).append(ent)
    if not unlinked:
        return
    titles = {k: _words(v.get("title", "")) for k, v in bibliography.items()}
    for mentions in unlinked.values():
        forms = {tuple(_words(m.text)) for m in mentions}
        hits = [k for k, title in titles.items() if any(form and _in_title(list(form), title) for form in forms)]
        if len(hits) != 1:
            continue
        for ent in mentions:
            links[key_of(ent)] = [{"id": hits[0], "score": SCORES["title_match"],
                                   "rule": "title_match", "marker": None, "resolution": "title"}]
