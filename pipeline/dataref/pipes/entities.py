"""dataref_dataset_entities: group a paper's candidate mentions into dataset entities and decide, once per
entity, whether it is a dataset.

Every later stage (linker, identifiers, roles, outputs) reads what this pipe stores: the kept mentions as
`doc.ents` and `doc.spans["datasets"]` (each span's `id_` is its entity's key) and one `EntityRecord` per
candidate entity in `doc._.dataset_entities` (kept or not, with its score and the features that decided)."""
import bisect
import re
from collections import Counter
from typing import Iterable, Optional

from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc

from ..errors import Errors
from ..extensions import CITATIONS, DATASETS, HEADINGS, SECTIONS, install_extensions, key_of
from ..linking.entities import (ACCESSION, NER, SOURCES, EntityRecord, Mention, canonical_name, fold_archives,
                                group_mentions, joined_names, splits_and_parts, variants_of_kept)
from ..linking.entity_features import EntityClassifier, MentionContext, entity_features, introduced_here
from ..linking.lexicon import BENCHMARK_SUFFIX, GAP_WORDS, REGISTRY_PREFIX
from ..linking.identifiers import archive_of
from ..linking.names import data_paper_name, normalize
from .abbreviations import abbreviation_forms
from ..linking.sentences import Sentences
from .saved_model import KeepsLogisticModel

MODEL_FILE = "classifier.json"
INTRODUCED = "introduced_here"  # the rule that keeps the paper's own new data whatever the score
DATA_PAPER = "cited_data_paper"  # … and a name cited with its data paper ("AgentHarm (…)": "AgentHarm: A benchmark …")
BENCHMARK = "benchmark_name"  # … and a name that says it is a benchmark ("ODCV-Bench", "HarmBench")
NO_NAME = "not_a_name"  # the rule that drops one plain lower-case word whatever the score
VARIANT = "variant_of_kept"  # … and a kept dataset's tagged variant ("Multi30K-DE" beside a kept "Multi30K")
WINDOW = 60
_MARKER_GAP = re.compile(rf"^[\s,]*(?:(?:{GAP_WORDS})[\s,]*)*[(\[]?\s*$", re.I)
_CAPTION = re.compile(r"^(?:fig(?:ure)?|table|tab)\b", re.I)
_BENCHMARK = re.compile(BENCHMARK_SUFFIX)


@Language.factory(
    "dataref_dataset_entities",
    requires=["doc.ents", "doc.sents", "doc._.dataset_kb", "doc._.abbreviations"],
    assigns=["doc.ents", "doc.spans", "doc._.dataset_entities"],
    default_config={"label": "DATASET", "threshold": 0.5},
)
def make_dataset_entities(nlp: Language, name: str, label: str, threshold: float) -> "DatasetEntities":
    return DatasetEntities(nlp, name, label=label, threshold=threshold)


class DatasetEntities(KeepsLogisticModel, Pipe):
    """Groups candidates (the recognizer's mentions, cue and accession matches, known datasets) into entities
    and keeps those whose learned score reaches `threshold`. Without a trained classifier (not initialized)
    every entity is kept and scored 1.0: the grouping alone."""
    model_attr, model_file, load_error = "classifier", MODEL_FILE, Errors.E060

    def __init__(self, nlp: Language, name: str = "dataref_dataset_entities", *, label: str = "DATASET",
                 threshold: float = 0.5) -> None:
        install_extensions()
        self.name = name
        self.label = label
        self.threshold = threshold
        self.classifier: Optional[EntityClassifier] = None

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def predict(self, docs: Iterable[Doc]) -> list[list[EntityRecord]]:
        return [self.decide(doc, self.candidates(doc)) for doc in docs]

    def set_annotations(self, docs: Iterable[Doc], records: list[list[EntityRecord]]) -> None:
        for doc, found in zip(docs, records, strict=True):
            spans = [doc.char_span(start, end, label=self.label, span_id=record["key"])
                     for record in found if record["kept"] for start, end in record["mentions"]]
            kept = [s for s in spans if s is not None]
            others = [e for e in doc.ents if e.label_ != self.label]
            doc.ents = sorted(others + kept, key=lambda s: s.start)
            doc.spans[DATASETS] = [e for e in doc.ents if e.label_ == self.label]
            doc._.dataset_entities = found

    def candidates(self, doc: Doc) -> list[tuple[list[Mention], dict[str, float]]]:
        """The paper's candidate entities: their mentions and features (what training reads too)."""
        ents = [e for e in doc.ents if e.label_ == self.label]
        if not ents:
            return []
        known = doc._.dataset_kb or {}
        mentions = [Mention(e.start_char, e.end_char, e.text, e.id_ if e.id_ in SOURCES else NER,
                            known.get(key_of(e), {}).get("id", "")) for e in ents]
        joined = joined_names(mentions)
        mentions = [m for i, m in enumerate(mentions) if i not in joined]
        forms = abbreviation_forms(doc)
        pairs = {(normalize(short), normalize(long)) for short, long in forms}
        long_of: dict[str, list[str]] = {}  # normalised short form → its long forms, built once per paper
        for short, long in forms:
            long_of.setdefault(normalize(short), []).append(long)
        text = doc.text  # built anew on every access: read it once
        contexts = _contexts(doc, text, mentions)
        has_markers = CITATIONS in doc.spans and len(doc.spans[CITATIONS]) > 0
        found = []
        for group in fold_archives(group_mentions(mentions, pairs, text), mentions, archive_of):
            members = [mentions[i] for i in group]
            names = {normalize(m.text) for m in members}
            long_forms = [long for name in names for long in long_of.get(name, [])]
            titles = {normalize(t) for i in group for t in contexts[i].entry_titles}
            in_titles = any(len(n) >= 3 and n in t for n in names for t in titles)
            splits, parts = splits_and_parts(members)
            features = entity_features([contexts[i] for i in group], bool(splits or parts), long_forms,
                                       in_titles, has_markers)
            features["introduced_here"] = float(introduced_here([contexts[i] for i in group]))
            features[DATA_PAPER] = float(bool(names & {normalize(data_paper_name(t)) for i in group
                                                       for t in contexts[i].entry_titles} - {""}))
            found.append((members, features))
        return found

    def decide(self, doc: Doc, candidates: list[tuple[list[Mention], dict[str, float]]]) -> list[EntityRecord]:
        """One record per candidate entity, kept when its score reaches the threshold."""
        known = doc._.dataset_kb or {}
        kb_rows = {row["id"]: row for row in known.values()}
        records: list[EntityRecord] = []
        keys: set[str] = set()
        for members, features in candidates:
            kb_ids = Counter(m.kb_id for m in members if m.kb_id)
            kb_id = kb_ids.most_common(1)[0][0] if kb_ids else ""
            accession = next((m.text for m in members if m.source == ACCESSION), "")
            # an archive folded into its record (`fold_archives`) is named by the record, not the archive
            name = accession if accession and kb_id.startswith(REGISTRY_PREFIX) else \
                canonical_name(members, kb_rows.get(kb_id, {}).get("name", ""))
            key = _unique_key(normalize(name) or "dataset", keys)
            if self.classifier is None:
                score, evidence = 1.0, []
            else:
                score, pushes = self.classifier.score(features)
                evidence = pushes[:6]
            rule = _hand_rule(members, features)
            splits, parts = splits_and_parts(members)
            records.append(EntityRecord(
                key=key, name=name, kb_id=kb_id, mentions=[[m.start, m.end] for m in members],
                surface_forms=sorted({m.text for m in members}), splits=splits, parts=parts,
                sources=sorted({m.source for m in members}), score=round(score, 4),
                kept=rule != NO_NAME and (score >= self.threshold or rule is not None), rule=rule,
                evidence=evidence))
        for i in variants_of_kept([r["surface_forms"] for r in records], [r["kept"] for r in records]):
            records[i]["kept"], records[i]["rule"] = True, VARIANT
        return records


def _hand_rule(members: list[Mention], features: dict[str, float]) -> Optional[str]:
    """The hand rule that decides an entity instead of its score, if any: NO_NAME drops it, the others keep it."""
    # one plain lower-case word is no name whatever its context ("With the new extended dataset")
    if all(m.text.isalpha() and m.text.islower() for m in members):
        return NO_NAME
    if features.get("introduced_here"):
        return INTRODUCED
    if features.get(DATA_PAPER):
        return DATA_PAPER
    if any(_BENCHMARK.fullmatch(m.text) for m in members):
        return BENCHMARK
    return None


def _unique_key(key: str, taken: set[str]) -> str:
    candidate, n = key, 2
    while candidate in taken:
        candidate, n = f"{key}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _opens_sentence(text: str, sentence_start: int, start: int, reach: int = 20) -> bool:
    """Only quotes, brackets and spaces before the mention in its sentence. Reads at most `reach` characters:
    a sentence may run through a whole list or table, and reading all of it for each mention was quadratic."""
    return start - sentence_start <= reach and not text[sentence_start:start].strip(" \"'([-")


def _contexts(doc: Doc, text: str, mentions: list[Mention]) -> list[MentionContext]:
    """What surrounds each mention, read from the Doc once."""
    sent_starts = Sentences(doc).start_chars
    sections = sorted(((s.start_char, s.end_char, s.label_) for s in doc.spans[SECTIONS]), key=lambda s: s[0]) \
        if SECTIONS in doc.spans else []
    section_starts = [s[0] for s in sections]
    headings = sorted((s.start_char, s.end_char) for s in doc.spans[HEADINGS]) if HEADINGS in doc.spans else []
    heading_starts = [h[0] for h in headings]
    markers = sorted(((s.start_char, s._.targets) for s in doc.spans[CITATIONS]), key=lambda m: m[0]) \
        if CITATIONS in doc.spans else []
    marker_starts = [m[0] for m in markers]
    bibliography = doc._.bibliography or {}
    contexts = []
    for mention in mentions:
        start, end = mention.start, mention.end
        sentence_start = sent_starts[max(0, bisect.bisect_right(sent_starts, start) - 1)]
        i = bisect.bisect_right(section_starts, start) - 1
        section = sections[i][2] if i >= 0 and sections[i][1] > start else ""
        h = bisect.bisect_right(heading_starts, start) - 1
        in_heading = h >= 0 and headings[h][1] >= end
        m = bisect.bisect_left(marker_starts, end)
        after_marker = (m < len(markers) and markers[m][0] - end <= 40
                        and bool(_MARKER_GAP.match(text[end:markers[m][0]])))
        titles = [bibliography.get(i, {}).get("title", "") for i in markers[m][1]] if after_marker else []
        contexts.append(MentionContext(
            text=mention.text, source=mention.source, before=text[max(0, start - WINDOW):start],
            after=text[end:end + WINDOW], sentence_initial=_opens_sentence(text, sentence_start, start),
            section=section, in_heading=in_heading, in_caption=bool(_CAPTION.match(section)),
            marker_after=after_marker, entry_titles=[t for t in titles if t], kb_id=mention.kb_id))
    return contexts
