"""The link ranker's evidence: every bibliography entry a dataset entity's mentions reach through a citation
marker (after or before a mention, later in its sentence, first in the next sentence) or a rule, with features
over all the entity's mentions. Pure functions over the Doc's spans; the linker decides with them."""
import math
from dataclasses import dataclass
from typing import Iterable, Mapping, NamedTuple, Sequence

from spacy.tokens import Span

from .lexicon import INTRO_CUE, METHOD_CUES
from .markers import ResolvedMarker
from .rules import SCORES, group_after, group_before, groups_in_sentence, introduces_data
from .sentences import Sentences

LINK_FEATURES = (
    "rule_score", "after", "before", "sentence_clear", "sentence_far", "next_sentence", "rule_only",
    "distance_log", "group_size_log", "first_in_group", "intro_cue", "method_cue", "occurrences_log",
    "share_of_mentions", "names_dataset", "introducing_paper", "data_title", "other_entities_log",
    "entry_citations_log", "own",
)
KINDS = ("after", "before", "sentence_clear", "sentence_far", "next_sentence")
# A first mention opens a description ("Amazon Reviews: The amazon review datasets …") when it starts its
# sentence; only then does the next sentence's first marker count.
_OPENING = 3


class Occurrence(NamedTuple):
    """One entry reached from one mention through one marker group."""
    entry: str
    mention: str  # the mention's key ("start:end")
    kind: str  # one of KINDS
    distance: int  # tokens between mention and marker
    group_size: int
    position: int  # the entry's place in its group
    intro_cue: bool
    method_cue: bool
    marker: tuple[int, int, str, str]  # start_char, end_char, text, resolution


@dataclass
class PairCandidate:
    """One (entity, entry) pair the ranker scores, with where it was seen."""
    root: str
    entry: str
    features: dict[str, float]
    occurrences: list[Occurrence]


def _occurrences_of(group: list[ResolvedMarker], mention: str, kind: str, distance: int, between: str,
                    ) -> list[Occurrence]:
    ids = list(dict.fromkeys(i for m in group for i in m.ids))
    found = []
    for marker in group:
        for i in marker.ids:
            found.append(Occurrence(i, mention, kind, max(0, distance), len(ids), ids.index(i),
                                    bool(INTRO_CUE.search(between)), bool(METHOD_CUES.search(between)),
                                    (marker.start_char, marker.end_char, marker.text, marker.resolution)))
    return found


def marker_occurrences(sentences: Sentences, text: str, ents: list[Span], groups: list[list[ResolvedMarker]],
                       key_of, max_gap: int, max_distance: int, bibliography: dict) -> list[Occurrence]:
    """Every entry each mention reaches through a marker group, however far (the rules are stricter)."""
    found: list[Occurrence] = []
    doc = sentences.doc
    for ent in ents:
        key = key_of(ent)
        seen: set[int] = set()
        after = group_after(text, ent, groups, max_gap)
        if after is not None:
            seen.add(id(after[0]))
            found += _occurrences_of(after, key, "after", after[0].start - ent.end,
                                     text[ent.end_char:after[0].start_char])
        before = group_before(text, ent, groups, set())
        if before is not None:
            found += _occurrences_of(before, key, "before", ent.start - before[-1].end, "")
        if not sentences.annotated:
            continue
        in_sentence = False
        for group, clear in groups_in_sentence(sentences, text, ent, ents, groups, set(), max_distance,
                                               bibliography):
            in_sentence = True
            if id(group[0]) in seen:
                continue
            found += _occurrences_of(group, key, "sentence_clear" if clear else "sentence_far",
                                     group[0].start - ent.end, text[ent.end_char:group[0].start_char])
        sent = sentences.of(ent.start)
        if in_sentence or after is not None or ent.start - sent.start > _OPENING or sent.end >= len(doc):
            continue
        following = sentences.of(sent.end)
        for group in groups:
            if following.start <= group[0].start < following.end:
                found += _occurrences_of(group, key, "next_sentence", group[0].start - ent.end,
                                         text[following.start_char:group[0].start_char])
                break
    return found


def pair_candidates(occurrences: Iterable[Occurrence], rule_links: Mapping[str, Sequence[Mapping]],
                    root_of: dict[str, str],
                    mentions_of: dict[str, int], evidence_of, own: set[str], bibliography: dict,
                    entry_citations: dict[str, int]) -> list[PairCandidate]:
    """Group occurrences and the rules' links by (entity, entry) and compute the ranker's features.

    `rule_links`: mention key → the rules' links; `root_of`: mention key → entity root; `mentions_of`: root →
    number of mentions; `evidence_of(root, entry)`: what the entry says of the dataset (rules.entry_evidence)."""
    by_pair: dict[tuple[str, str], list[Occurrence]] = {}
    for occurrence in occurrences:
        by_pair.setdefault((root_of[occurrence.mention], occurrence.entry), []).append(occurrence)
    rule_score: dict[tuple[str, str], float] = {}
    for key, links in rule_links.items():
        for link in links:
            pair = (root_of[key], link["id"])
            rule_score[pair] = max(rule_score.get(pair, 0.0), link["score"])
            by_pair.setdefault(pair, [])
    adjacent_roots: dict[str, set[str]] = {}
    for (root, entry), found in by_pair.items():
        if any(o.kind in ("after", "before") for o in found) or rule_score.get((root, entry), 0.0) >= SCORES[
                "adjacent_before"]:
            adjacent_roots.setdefault(entry, set()).add(root)
    candidates = []
    for (root, entry), found in by_pair.items():
        kinds = {o.kind for o in found}
        evidence = evidence_of(root, entry)
        features = {
            "rule_score": rule_score.get((root, entry), 0.0),
            **{kind: float(kind in kinds) for kind in KINDS},
            "rule_only": float(not found),
            "distance_log": math.log1p(min((o.distance for o in found), default=0)),
            "group_size_log": math.log(min((o.group_size for o in found), default=1)),
            "first_in_group": float(any(o.position == 0 for o in found)),
            "intro_cue": float(any(o.intro_cue for o in found)),
            "method_cue": (sum(o.method_cue for o in found) / len(found)) if found else 0.0,
            "occurrences_log": math.log1p(len(found)),
            "share_of_mentions": len({o.mention for o in found}) / max(1, mentions_of.get(root, 1)),
            "names_dataset": float("entry_names_dataset" in evidence),
            "introducing_paper": float("entry_is_introducing_paper" in evidence),
            "data_title": float(introduces_data(bibliography.get(entry, {}))),
            "other_entities_log": math.log1p(len(adjacent_roots.get(entry, set()) - {root})),
            "entry_citations_log": math.log1p(entry_citations.get(entry, 0)),
            "own": float(root in own),
        }
        candidates.append(PairCandidate(root, entry, features, found))
    return candidates
