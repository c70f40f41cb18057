"""The evidence one dataset entity's mentions give, as numbers, and the learned decision over it.

`entity_features` is the one feature function: the pipe calls it at inference and the training script
calls the same pipe, so the classifier never sees features computed another way."""
import math
import re
from dataclasses import dataclass, field

from .logistic import LogisticModel
from .lexicon import (DATA_TITLE, DATA_USE_BEFORE, HEAD_NOUNS, HEAD_SUFFIX_ANY_CASE, MODEL_WORDS, NEW_DATA, OWN_DATA,
                      OWN_NAMING, OWN_POSSESSIVE, RC_PREFIX, REGISTRY_PREFIX, SUPPORT_CUES)

_CUE = re.compile(SUPPORT_CUES, re.I)
_USE_BEFORE = re.compile(DATA_USE_BEFORE, re.I)
_HEAD_AFTER = re.compile(r"^\s*(?:" + "|".join(h.replace(" ", r"\s") for h in HEAD_NOUNS) + r")\b", re.I)
_WORD_AFTER = re.compile(r"^[\s\-]*([A-Za-z]+)")
_WORD = re.compile(r"\S+")

FEATURES = [
    "mentions_log", "forms_log", "ner_share", "any_ner", "any_cue", "any_accession", "propagated_share", "kb",
    "kb_proposed", "cue_near_share", "any_cue_near", "head_noun_after", "marker_after_share", "any_marker_after",
    "entry_introduces_data", "entry_names_dataset", "use_before", "model_word_after_share", "splits_or_parts",
    "all_caps", "has_digit", "words", "all_lower", "length_log", "sentence_initial_share", "in_abstract",
    "sections_log", "heading_share", "caption_share", "long_form_data", "abbreviation", "paper_has_markers",
    "model_name", "kb_social", "kb_registry",
]
# A name that is a model's: "VideoBert", "Places CNN", "BiLSTM", "GPT-2" (ImageNet and ResNet end alike: no "Net")
_MODEL_NAME = re.compile(r"(?:BERT|Bert|GAN|GPT|CNN|RNN|LSTM|Transformer|Former)(?:[-\s]?\d+)?$")


@dataclass
class MentionContext:
    """What the pipe reads around one mention (plain data: the features never touch the Doc)."""
    text: str
    source: str
    before: str  # up to 60 characters of text before the mention
    after: str  # up to 60 characters after
    sentence_initial: bool
    section: str
    in_heading: bool
    in_caption: bool
    marker_after: bool
    entry_titles: list[str] = field(default_factory=list)  # titles of the entries the marker after it cites
    kb_id: str = ""


def entity_features(contexts: list[MentionContext], splits_or_parts: bool, long_forms: list[str],
                    names_in_titles: bool, paper_has_markers: bool) -> dict[str, float]:
    """Features of one entity from all its mentions."""
    n = len(contexts)
    forms = {c.text for c in contexts}
    longest = max(forms, key=len)
    sources = [c.source for c in contexts]
    letters = [ch for ch in longest if ch.isalpha()]
    sections = {c.section for c in contexts if c.section}
    entries = [t for c in contexts for t in c.entry_titles]

    def share(values) -> float:
        return sum(1.0 for v in values if v) / n

    return {
        "mentions_log": math.log1p(n),
        "forms_log": math.log1p(len(forms)),
        "ner_share": share(s == "ner" for s in sources),
        "any_ner": float("ner" in sources),
        "any_cue": float("cue" in sources),
        "any_accession": float("accession" in sources),
        "propagated_share": share(s == "propagated" for s in sources),
        "kb": float(any(c.kb_id for c in contexts)),
        "kb_proposed": float("kb" in sources),
        "cue_near_share": share(_CUE.search(c.before[-40:] + " " + c.after[:40]) for c in contexts),
        "any_cue_near": float(any(_CUE.search(c.before[-40:] + " " + c.after[:40]) for c in contexts)),
        "head_noun_after": float(any(_HEAD_AFTER.match(c.after) for c in contexts)),
        "marker_after_share": share(c.marker_after for c in contexts),
        "any_marker_after": float(any(c.marker_after for c in contexts)),
        "entry_introduces_data": float(any(DATA_TITLE.search(t) for t in entries)),
        "entry_names_dataset": float(names_in_titles),
        "use_before": float(any(_USE_BEFORE.search(c.before) for c in contexts)),
        "model_word_after_share": share(_model_word_after(c.after) for c in contexts),
        "splits_or_parts": float(splits_or_parts),
        "all_caps": float(bool(letters) and all(ch.isupper() for ch in letters)),
        "has_digit": float(any(ch.isdigit() for ch in longest)),
        "words": float(min(len(_WORD.findall(longest)), 8)),
        "all_lower": float(bool(letters) and all(ch.islower() for ch in letters)),
        "length_log": math.log1p(len(longest)),
        "sentence_initial_share": share(c.sentence_initial for c in contexts),
        "in_abstract": float(any(c.section.lower().startswith("abstract") for c in contexts)),
        "sections_log": math.log1p(len(sections)),
        "heading_share": share(c.in_heading for c in contexts),
        "caption_share": share(c.in_caption for c in contexts),
        "long_form_data": float(any(DATA_TITLE.search(f) for f in long_forms)),
        "abbreviation": float(bool(long_forms)),
        "paper_has_markers": float(paper_has_markers),
        "kb_social": float(any(c.kb_id.startswith(RC_PREFIX) for c in contexts)),
        "kb_registry": float(any(c.kb_id.startswith(REGISTRY_PREFIX) for c in contexts)),
        "model_name": share(_MODEL_NAME.search(c.text) or c.text.split()[-1].lower() in MODEL_WORDS for c in contexts),
    }


def introduced_here(contexts: list[MentionContext]) -> bool:
    """The paper presents the entity as its own new data: "we introduce TinyBirds", "TinyBirds, a new dataset
    of …", "our TinyBirds corpus". The decision keeps such an entity whatever its score (a rule: the training
    papers hold too few of a paper's own datasets for the classifier to learn it)."""
    for c in contexts:
        head_after = HEAD_SUFFIX_ANY_CASE.match(" " + c.after.split(",")[0].strip())
        if (OWN_DATA.search(c.before) and (head_after or NEW_DATA.search(c.after))) \
                or (NEW_DATA.search(c.after) and "," in c.after[:3]) \
                or (OWN_POSSESSIVE.search(c.before) and head_after) or OWN_NAMING.search(c.before):
            return True
    return False


def _model_word_after(after: str) -> bool:
    match = _WORD_AFTER.match(after)
    return match is not None and match.group(1).lower() in MODEL_WORDS


# the entity decision is a logistic regression kept as plain numbers, like the link ranker's
EntityClassifier = LogisticModel
