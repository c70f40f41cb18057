"""dataref_citation_linker: attach DATASET entities to their paper's bibliography entries."""
from typing import Callable, Iterable, NamedTuple, Optional, cast

from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span

from .abbreviations import abbreviation_forms, abbreviation_pairs
from .saved_model import KeepsLogisticModel
from ..errors import Errors
from ..extensions import CITATIONS, NIL, install_extensions, key_of
from ..linking.link_features import PairCandidate, marker_occurrences, pair_candidates
from ..linking.logistic import LogisticModel
from ..linking.markers import ResolvedMarker, resolve_markers
from ..linking.names import NameGroups, dataset_groups, normalize
from ..linking.rules import (NO_MARKER, OTHER_WORK, OWN, SCORES, EntryIndex, LinkRecord, choose_ids, consolidate,
                             coordination, entry_evidence, group_after, group_before, group_markers, groups_in_sentence,
                             intro_group, known_paper_links, links_of, own_datasets, propagate, supports, title_matches)
from ..linking.sentences import Sentences
from .scorer import score_citation_links

__all__ = ["CitationLinker", "make_citation_linker"]


class _RuleState(NamedTuple):
    """What the ordered rules decided for one Doc, and what they decided it from."""
    ents: list[Span]
    sentences: Sentences
    text: str
    bibliography: dict
    pairs: list[list[str]]
    groups: NameGroups
    markers: list[list[ResolvedMarker]]  # the paper's citation markers, in groups of adjacent ones
    direct: dict[str, list[LinkRecord]]  # mention key → the rules' links, before propagation
    considered: set[str]  # entity roots a nearby marker was judged for
    own: set[str]  # entity roots the paper introduces
    kb_titles: dict[str, set[str]]
    name_of: dict[str, list[str]]  # mention key → the entity's names used as evidence
    title_of: dict[str, list[str]]  # mention key → the known introducing papers' titles


class Prediction(NamedTuple):
    """One Doc's prediction: links per entity ("start:end" -> records), why each dataset left unlinked
    stays so, and the abbreviation pairs the grouping used (None: the Doc has no dataset to link)."""
    links: dict[str, list[LinkRecord]]
    notes: dict[str, str]
    abbreviation_pairs: Optional[list[list[str]]] = None


@Language.factory(
    "dataref_citation_linker",
    requires=["doc.ents", "doc.sents", "doc._.dataset_entities", "doc._.dataset_kb", "doc._.abbreviations"],
    assigns=["token.ent_kb_id", "doc._.citation_links", "doc._.link_notes", "doc._.abbreviation_pairs"],
    default_config={
        "label": "DATASET",
        "max_gap_chars": 40,
        "max_sentence_distance": 25,
        "max_unsupported_group": 2,
        "max_titles_naming": 3,
        "use_titles": True,
        "use_known_papers": True,
        "own_data": True,
        "ranker_threshold": 0.25,
        "scores": SCORES,
        "scorer": {"@scorers": "dataref.citation_link_scorer.v1"},
    },
    default_score_weights={"nel_micro_f": 1.0, "nel_micro_p": None, "nel_micro_r": None},
)
def make_citation_linker(nlp: Language, name: str, label: str, max_gap_chars: int, max_sentence_distance: int,
                         max_unsupported_group: int, max_titles_naming: int, use_titles: bool,
                         use_known_papers: bool, own_data: bool, ranker_threshold: float, scores: dict[str, float],
                         scorer: Optional[Callable]) -> "CitationLinker":
    return CitationLinker(nlp, name, label=label, max_gap_chars=max_gap_chars,
                          max_sentence_distance=max_sentence_distance, max_unsupported_group=max_unsupported_group,
                          max_titles_naming=max_titles_naming, use_titles=use_titles,
                          use_known_papers=use_known_papers, own_data=own_data,
                          ranker_threshold=ranker_threshold, scores=scores, scorer=scorer)


class CitationLinker(KeepsLogisticModel, Pipe):
    """Links each DATASET mention through the paper's citation markers and the entries' content, or abstains.

    The ordered rules propose links; when a ranker is trained (`scripts/train_links.py`, loaded by
    `initialize`), it scores each (entity, entry) pair from the evidence of all the entity's mentions, and a
    proposed link whose pair scores under `ranker_threshold` is dropped.
    Reads scispaCy's `doc._.abbreviations` (the `dataref_abbreviations` pipe) and the known-datasets records
    (`doc._.dataset_kb`, from `dataref_dataset_kb`) when present."""
    model_attr, model_file, load_error = "ranker", "ranker.json", Errors.E061

    def __init__(self, nlp: Language, name: str = "dataref_citation_linker", *, label: str = "DATASET",
                 max_gap_chars: int = 40, max_sentence_distance: int = 25, max_unsupported_group: int = 2,
                 max_titles_naming: int = 3, use_titles: bool = True, use_known_papers: bool = True,
                 own_data: bool = True, ranker_threshold: float = 0.25,
                 scores: Optional[dict[str, float]] = None,
                 scorer: Optional[Callable] = score_citation_links) -> None:
        install_extensions()
        self.name = name
        self.label = label
        self.max_gap_chars = max_gap_chars
        self.max_sentence_distance = max_sentence_distance
        self.max_unsupported_group = max_unsupported_group
        self.max_titles_naming = max_titles_naming
        self.use_titles = use_titles
        self.use_known_papers = use_known_papers
        self.own_data = own_data
        self.ranker_threshold = ranker_threshold
        self.ranker: Optional[LogisticModel] = None
        self.scores = {**SCORES, **(scores or {})}
        self.scorer = scorer

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def predict(self, docs: Iterable[Doc]) -> list[Prediction]:
        """Per Doc: links per entity ("start:end" → [{id, score, rule, marker, …}]), per dataset
        left unlinked, why, and the abbreviation pairs; reads the Docs only (`set_annotations` writes)."""
        return [self._predict_one(doc) for doc in docs]

    def set_annotations(self, docs: Iterable[Doc], predictions: list[Prediction]) -> None:
        for doc, (links, notes, pairs) in zip(docs, predictions, strict=True):
            if pairs is not None:
                doc._.abbreviation_pairs = pairs  # kept on the Doc for the results
            new_ents = []
            for ent in doc.ents:
                if ent.label_ == self.label:
                    found = links.get(key_of(ent), [])
                    best = max(found, key=lambda link: link["score"])["id"] if found else NIL
                    ent = Span(doc, ent.start, ent.end, label=ent.label_, kb_id=best, span_id=ent.id_)
                new_ents.append(ent)
            doc.ents = new_ents
            doc._.citation_links = {k: v for k, v in links.items() if v}
            doc._.link_notes = notes
            doc._.dataset_label = self.label  # doc._.datasets reads the label the pipeline was configured with

    def _predict_one(self, doc: Doc) -> Prediction:
        state = self.rule_links(doc)
        if state is None:
            return Prediction({}, {})
        ents, bibliography, groups, direct, own = state.ents, state.bibliography, state.groups, state.direct, state.own
        considered, kb_titles, pairs = state.considered, state.kb_titles, state.pairs
        if self.ranker is not None:
            direct = self._ranked(ents, direct, groups, self.pair_candidates(doc, state))
        links = propagate(ents, direct, groups, share=self.scores["inherited"])
        if self.use_known_papers:
            known_paper_links(ents, links, bibliography, own, groups, kb_titles, score=self.scores["introducing_paper"])
        if self.use_titles:
            title_matches(ents, links, bibliography, own, groups, score=self.scores["title_match"])
        # The one guarantee: never a link to an entry this paper does not have.
        links = {key: [link for link in found if link["id"] in bibliography] for key, found in links.items()}
        notes = {}
        for ent in ents:
            root = groups.find(normalize(ent.text))
            if not links[key_of(ent)] and root not in notes:
                notes[root] = OWN if root in own else OTHER_WORK if root in considered else NO_MARKER
        linked = {groups.find(normalize(e.text)) for e in ents if links[key_of(e)]}
        return Prediction(links, {root: why for root, why in notes.items() if root not in linked}, pairs)

    def pair_candidates(self, doc: Doc, state: Optional["_RuleState"] = None) -> list[PairCandidate]:
        """Every (entity, entry) pair the ranker decides, with its features (what training reads too)."""
        state = state or self.rule_links(doc)
        if state is None:
            return []
        ents, text, bibliography = state.ents, state.text, state.bibliography
        groups = state.groups
        root_of = {key_of(e): groups.find(normalize(e.text)) for e in ents}
        mentions_of: dict[str, int] = {}
        for root in root_of.values():
            mentions_of[root] = mentions_of.get(root, 0) + 1
        names_of = {root_of[key_of(e)]: state.name_of[key_of(e)] for e in ents}
        titles_of = {root_of[key_of(e)]: state.title_of[key_of(e)] for e in ents}
        citations: dict[str, int] = {}
        for span in doc.spans[CITATIONS] if CITATIONS in doc.spans else []:
            for target in span._.targets or []:
                citations[target] = citations.get(target, 0) + 1
        occurrences = marker_occurrences(state.sentences, text, ents, state.markers, key_of, self.max_gap_chars,
                                         self.max_sentence_distance, bibliography)
        return pair_candidates(
            occurrences, state.direct, root_of, mentions_of,
            lambda root, entry: entry_evidence(names_of[root], bibliography.get(entry, {}), titles_of[root]),
            state.own, bibliography, citations)

    def _ranked(self, ents: list[Span], direct: dict[str, list[LinkRecord]], groups,
                candidates: list[PairCandidate]) -> dict[str, list[LinkRecord]]:
        """The rules' links whose (entity, entry) pair the ranker scores at `ranker_threshold` or more, each with
        its score and the features that decided it. The ranker vetoes; it adds no pair of its own (on the dev
        part's cross-validation, the pairs only it accepted were wrong as often as right)."""
        assert self.ranker is not None
        decided = {(c.root, c.entry): self.ranker.score(c.features) for c in candidates}
        ranked: dict[str, list[LinkRecord]] = {}
        for ent in ents:
            root = groups.find(normalize(ent.text))
            ranked[key_of(ent)] = []
            for link in direct[key_of(ent)]:
                score, pushes = decided.get((root, link["id"]), (1.0, []))
                if score >= self.ranker_threshold:
                    ranked[key_of(ent)].append(cast(LinkRecord, {**link, "ranker": pushes[:4]}))
        return ranked

    def rule_links(self, doc: Doc) -> Optional["_RuleState"]:
        """The ordered rules' links per mention, before propagation, and what they were decided from (public: the
        ranker's training, `scripts/train_links.py`, reads the same state)."""
        ents = [e for e in doc.ents if e.label_ == self.label]
        if not ents:
            return None
        bibliography = doc._.bibliography or {}
        text = doc.text  # built anew on every access: read it once
        sentences = Sentences(doc)
        pairs = abbreviation_pairs(doc)
        groups = dataset_groups(doc, ents, pairs)
        names: dict[str, set[str]] = {}
        for ent in ents:
            names.setdefault(groups.find(normalize(ent.text)), set()).add(ent.text)
        for short, long in abbreviation_forms(doc):
            root = groups.find(normalize(short))
            if root in names:
                names[root].update((short, long))
        # A name in many titles is the field's subject (a gene, a method family), and a title that names
        # it says nothing about which entry is the dataset's: its names are not used as evidence.
        index = EntryIndex(bibliography)  # not every name against every entry
        common = {root for root, forms in names.items() if len(index.naming(forms)) > self.max_titles_naming}
        name_of = {key_of(e): [] if groups.find(normalize(e.text)) in common
                   else sorted(names[groups.find(normalize(e.text))]) for e in ents}
        known = doc._.dataset_kb or {}
        kb_titles: dict[str, set[str]] = {}
        for ent in ents:
            title = known.get(key_of(ent), {}).get("paper", {}).get("title", "")
            if title:
                kb_titles.setdefault(groups.find(normalize(ent.text)), set()).add(title)
        title_of = {key_of(e): sorted(kb_titles.get(groups.find(normalize(e.text)), ())) for e in ents}
        markers = group_markers(text, resolve_markers(doc, text=text))
        direct, considered_names = self._marker_links(sentences, text, ents, markers, name_of, title_of, bibliography)
        considered = {groups.find(name) for name in considered_names}
        consolidate(ents, direct, groups)
        own = own_datasets(sentences, text, ents, groups, (doc._.paper or {}).get("title", ""),
                           known) if self.own_data else set()
        for ent in ents:
            if groups.find(normalize(ent.text)) in own:
                # Own data keeps only an entry that names it next to it (an earlier paper on the same data).
                direct[key_of(ent)] = [link for link in direct[key_of(ent)] if link["rule"] == "adjacent"
                                       and "entry_names_dataset" in link["entry_evidence"]]
        return _RuleState(ents, sentences, text, bibliography, pairs, groups, markers, direct, considered, own,
                          kb_titles, name_of, title_of)

    def _marker_links(self, sentences: Sentences, text: str, ents: list[Span], groups: list[list[ResolvedMarker]],
                      name_of: dict[str, list[str]], title_of: dict[str, list[str]],
                      bibliography: dict) -> tuple[dict[str, list[LinkRecord]], set[str]]:
        links: dict[str, list[LinkRecord]] = {key_of(e): [] for e in ents}
        considered: set[str] = set()
        claimed: set[int] = set()

        def evidence(ids: Iterable[str], ent: Span) -> dict[str, list[str]]:
            return {i: entry_evidence(name_of[key_of(ent)], bibliography.get(i, {}), title_of[key_of(ent)])
                    for i in ids}

        def strong(i: str, ent: Span) -> bool:
            return supports(name_of[key_of(ent)], bibliography.get(i, {}), title_of[key_of(ent)])

        def choose(group, ent) -> list[str]:
            ids = list(dict.fromkeys(i for m in group for i in m.ids))
            return choose_ids(ids, name_of[key_of(ent)], bibliography, self.max_unsupported_group,
                              title_of[key_of(ent)])

        for i, ent in enumerate(ents):
            group = group_after(text, ent, groups, self.max_gap_chars)
            if group is None:
                continue
            claimed.add(id(group[0]))
            chain = coordination(text, ents, i)
            if len(chain) > 1 and len(chain) == len(group):
                for other, marker in zip(chain, group, strict=True):
                    # An entry that names another dataset of the chain is that one's, not this one's.
                    if any(strong(b, c) and not strong(b, other) for c in chain if c is not other for b in marker.ids):
                        considered.add(normalize(other.text))
                        continue
                    links[key_of(other)] = links_of([marker], "coordination", evidence=evidence(marker.ids, other),
                                                    scores=self.scores)
            elif len(chain) > 1 and any(strong(b, c) for c in chain for m in group for b in m.ids):
                # "A, B, C, D (P; Q; R)": counts differ, so each name takes the entries that name it or
                # introduced it, and a name no entry speaks for stays unlinked
                for other in chain:
                    ids = list(dict.fromkeys(b for m in group for b in m.ids if strong(b, other)))
                    if ids:
                        links[key_of(other)] = links_of(group, "coordination_named", ids, evidence(ids, other),
                                                        scores=self.scores)
                    else:
                        considered.add(normalize(other.text))
            else:
                ids = choose(group, ent)
                if not ids:
                    considered.add(normalize(ent.text))
                links[key_of(ent)] = links_of(group, "adjacent", ids, evidence(ids, ent), scores=self.scores)
        for ent in ents:
            if links[key_of(ent)]:
                continue
            group = group_before(text, ent, groups, claimed)
            if group is not None:
                ids = choose(group, ent)
                links[key_of(ent)] = links_of(group, "adjacent_before", ids, evidence(ids, ent), scores=self.scores)
                claimed.add(id(group[0]))
        if not sentences.annotated:
            return links, considered
        for ent in ents:
            if links[key_of(ent)]:
                continue
            for group, clear in groups_in_sentence(sentences, text, ent, ents, groups, claimed,
                                                   self.max_sentence_distance, bibliography):
                ids = list(dict.fromkeys(i for m in group for i in m.ids))
                if clear:  # the next thing cited: a small group, or the entries that support it
                    named = choose(group, ent)
                else:  # further away: only an entry that names the dataset or introduced it
                    named = [i for i in ids if strong(i, ent)]
                considered.add(normalize(ent.text))
                if named:
                    rule = "same_sentence" if clear else "sentence_named"
                    links[key_of(ent)] = links_of(group, rule, named, evidence(named, ent), scores=self.scores)
                    break
        for ent in ents:
            if links[key_of(ent)]:
                continue
            group = intro_group(sentences, text, ent, ents, groups, claimed)
            if group is not None and (ids := choose(group, ent)):
                links[key_of(ent)] = links_of(group, "intro_nearby", ids, evidence(ids, ent), scores=self.scores)
        return links, considered
