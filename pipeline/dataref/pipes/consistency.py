"""dataref_dataset_consistency: clean the recognizer's DATASET mentions and make them consistent within the paper."""
import re
from typing import Iterable, Optional

import numpy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..linking.entities import ACCESSION, CITED, CUE, LIST, PROPAGATED, TAG, TAG_JOINERS, list_siblings
from ..extensions import CITATIONS, HEADINGS, SECTIONS
from ..linking.identifiers import NOT_DATA_FORMS, PART_FORMS
from ..linking.identifiers import accession_patterns as default_accessions
from ..linking.lexicon import BENCHMARK_SUFFIX, CUE_LEAD, CUE_WORDS, DETERMINERS, EXCLUDED_SECTIONS
from ..linking.names import VERSION, clean_mention, data_paper_name, is_name_like, normalize


MAX_NAME_TOKENS = 12  # the longest name a cue pattern takes ("the A B C … dataset")


@Language.factory(
    "dataref_dataset_consistency",
    requires=["doc.ents"],
    assigns=["doc.ents"],
    default_config={"label": "DATASET", "propagate": True, "cue_words": CUE_WORDS,
                    "accession_patterns": None, "excluded_sections": EXCLUDED_SECTIONS,
                    "headings_need_prose": True},
)
def make_dataset_consistency(nlp: Language, name: str, label: str, propagate: bool,
                             cue_words: list[str], accession_patterns: Optional[list[str]],
                             excluded_sections: str, headings_need_prose: bool) -> "DatasetConsistency":
    return DatasetConsistency(nlp, name, label=label, propagate=propagate, cue_words=cue_words,
                              accession_patterns=accession_patterns,
                              excluded_sections=excluded_sections, headings_need_prose=headings_need_prose)


class DatasetConsistency(Pipe):
    """Cleans mentions (fragments, joined names, headings), adds the paper's other mentions of tagged
    names, "the X dataset" cues and archive accessions."""

    def __init__(self, nlp: Language, name: str = "dataref_dataset_consistency", *,
                 label: str = "DATASET", propagate: bool = True,
                 cue_words: Iterable[str] = CUE_WORDS, accession_patterns: Optional[Iterable[str]] = None,
                 excluded_sections: str = EXCLUDED_SECTIONS, headings_need_prose: bool = True) -> None:
        self.name = name
        self.excluded = re.compile(excluded_sections) if excluded_sections else None
        self.label = label
        self.propagate = propagate
        self.headings_need_prose = headings_need_prose
        self.vocab = nlp.vocab
        self.cues = Matcher(nlp.vocab)
        if cue_words:
            # "the CoNLL-2003 dataset": a capitalised or numbered name before a cue word
            # At most MAX_NAME_TOKENS name tokens: with "+" every token of a long capitalised or numbered run
            # (a table, a list of numbers) starts a match that runs to its end, and time grows with the square.
            name_token = {"IS_SPACE": False, "IS_PUNCT": False, "TEXT": {"REGEX": r"[A-Z0-9]"}}
            name_run = f"{{1,{MAX_NAME_TOKENS}}}"
            self.cues.add("CUE", [[{"LOWER": {"IN": CUE_LEAD}}, {**name_token, "OP": name_run},
                                   {"LOWER": {"IN": list(cue_words)}}]])
            # "TinyBirds, a new dataset of bird photographs": an appositive that says what the name is
            describer = {"IS_LOWER": True, "IS_ALPHA": True, "OP": "?"}
            self.cues.add("APPOSITIVE", [[{**name_token, "OP": name_run}, {"ORTH": ","}, {"LOWER": {"IN": ["a", "an"]}},
                                          describer, describer, {"LOWER": {"IN": list(cue_words) + ["collection"]}}]])
        self.accessions = Matcher(nlp.vocab)
        if accession_patterns is None:  # null in the config: the bioregistry archives' (built now, not at import)
            accession_patterns = default_accessions()
        if accession_patterns:
            pattern = "^(?:" + "|".join(accession_patterns) + ")$"
            self.accessions.add("ACCESSION", [[{"TEXT": {"REGEX": pattern}}]])
        self.accessions.add("BENCH", [[{"TEXT": {"REGEX": f"^{BENCHMARK_SUFFIX}$"}}],
                                      [{"TEXT": {"REGEX": r"^[A-Z][A-Za-z0-9]*$"}}, {"ORTH": "-"}, {"ORTH": "Bench"}]])

    def __call__(self, doc: Doc) -> Doc:
        excluded = self._excluded_tokens(doc)
        blocked = _blocked_tokens(doc)
        ents = [e for e in trim_entities(doc, self.label, blocked)
                if e.label_ != self.label or not excluded.intersection(range(e.start, e.end))]
        extra = self._cued(doc, blocked) + [Span(doc, s, e, label=self.label, span_id=ACCESSION)
                                            for _, s, e in self.accessions(doc)]
        cited = _data_paper_names(doc, blocked, self.label)
        extra.extend(cited)
        if self.propagate:
            # Only names the model tagged or their data papers name spread: a cue ("the SciBERT corpus") is local
            # evidence.
            extra.extend(self._occurrences(doc, [e for e in ents if e.label_ == self.label] + cited))
            # the tokenizer splits "Vimeo90K" alone ("Vimeo90", "K") but not in "Vimeo90K-SR": token patterns miss it
            extra.extend(_tagged_tokens(doc, {e.text for e in ents if e.label_ == self.label}, blocked, self.label))
        extra.extend(self._siblings(doc, [e for e in ents + extra if e.label_ == self.label], blocked))
        ents, extra = _with_tags(doc, ents, blocked), _with_tags(doc, extra, blocked)
        extra = [s for s in extra if not excluded.intersection(range(s.start, s.end))]
        taken = {i for e in ents for i in range(e.start, e.end)}
        new = [s for s in filter_spans(extra) if not taken.intersection(range(s.start, s.end))]
        ents = sorted(ents + new, key=lambda s: s.start)
        if self.headings_need_prose:
            ents = drop_heading_only(doc, ents, self.label)
        doc.ents = ents
        return doc

    def _excluded_tokens(self, doc: Doc) -> set[int]:
        if self.excluded is None or SECTIONS not in doc.spans:
            return set()
        return {i for s in doc.spans[SECTIONS] if self.excluded.search(s.label_) for i in range(s.start, s.end)}

    def _cued(self, doc: Doc, blocked: set[int]) -> list[Span]:
        spans = []
        for match_id, start, end in self.cues(doc):
            if self.vocab.strings[match_id] == "APPOSITIVE":
                comma = next(i for i in range(start, end) if doc[i].text == ",")
                spans.append(Span(doc, start, comma, label=self.label, span_id=CUE))
            else:
                spans.append(Span(doc, start + 1, end - 1, label=self.label, span_id=CUE))
        spans = filter_spans(spans)
        return [s for s in spans if is_name_like(s.text) and clean_mention(s.text) == [(0, len(s.text))]
                and not blocked.intersection(range(s.start, s.end))]

    def _siblings(self, doc: Doc, found: list[Span], blocked: set[int]) -> list[Span]:
        """The other members of lists whose members include a name found so far: "A [9], B [10], and C [18]"
        (candidates: the entity decision keeps or drops them)."""
        if not found:
            return []
        markers = [(s.start, s.end) for s in doc.spans[CITATIONS]] if CITATIONS in doc.spans else []
        names = sorted({(e.start, e.end) for e in found})
        spans = [Span(doc, a, b, label=self.label, span_id=LIST)
                 for a, b in list_siblings([t.text for t in doc], names, markers)]
        # a sample, run or platform beside a study ("runs SRR1234567 and SRP012345") is a record of it, not a list
        # member of its own
        return [s for s in spans if is_name_like(s.text) and not blocked.intersection(range(s.start, s.end))
                and clean_mention(s.text) == [(0, len(s.text))]
                and not (PART_FORMS.fullmatch(s.text) or NOT_DATA_FORMS.fullmatch(s.text))]

    def _occurrences(self, doc: Doc, found: list[Span]) -> list[Span]:
        """Every other occurrence of a tagged name, token for token."""
        patterns = {s.text: Doc(self.vocab, words=[t.text for t in s])  # as_doc() copies the whole Doc
                    for s in found if is_name_like(s.text) and len(s.text) > 1}
        if not patterns:
            return []
        matcher = PhraseMatcher(self.vocab)
        matcher.add(self.label, list(patterns.values()))
        return [Span(doc, s, e, label=self.label, span_id=PROPAGATED) for _, s, e in matcher(doc)]


def _tagged_tokens(doc: Doc, names: set[str], blocked: set[int], label: str) -> list[Span]:
    """A token that is a tagged name with a tag glued on after it ("Vimeo90K" "-" "SR"), as one mention."""
    return [Span(doc, i, i + 3, label=label, span_id=PROPAGATED) for i in range(len(doc) - 2)
            if doc[i].text in names and _tag_follows(doc, i + 1, blocked)]


def _tag_follows(doc: Doc, end: int, blocked: set[int]) -> bool:
    return (end + 1 < len(doc) and not doc[end - 1].whitespace_ and doc[end].text in TAG_JOINERS
            and not doc[end].whitespace_ and bool(TAG.fullmatch(doc[end + 1].text))
            and not blocked.intersection((end, end + 1)))


def _with_tags(doc: Doc, spans: list[Span], blocked: set[int]) -> list[Span]:
    """A name with a short capitalised tag glued on by a hyphen is the tagged name ("Vimeo90K-SR", "Multi30K-FR": a
    subset or language of it, which the entity decision keeps beside a kept "Vimeo90K"), not the name alone."""
    return [Span(doc, s.start, s.end + 2, label=s.label, kb_id=s.kb_id, span_id=s.id)
            if _tag_follows(doc, s.end, blocked) else s for s in spans]


def _data_paper_names(doc: Doc, blocked: set[int], label: str) -> list[Span]:
    """A name right before a marker whose entry is that name's data paper: "AgentHarm (Andriushchenko et al., 2025)"
    citing "AgentHarm: A benchmark for measuring harmfulness of LLM agents"."""
    if CITATIONS not in doc.spans:
        return []
    bibliography = doc._.bibliography or {}
    text = doc.text
    spans = []
    for marker in doc.spans[CITATIONS]:
        window = text[max(0, marker.start_char - 60):marker.start_char]
        before = window.rstrip(" ([")
        end = marker.start_char - (len(window) - len(before))
        for target in marker._.targets:
            name = data_paper_name(bibliography.get(target, {}).get("title", ""))
            start = end - len(name)
            # titles come lower-cased ("Agentharm: …"): the name as the paper writes it, whole words only
            if name and before.lower().endswith(name.lower()) and not text[start - 1:start].isalnum():
                span = doc.char_span(start, end, label=label, span_id=CITED)
                if span is not None and is_name_like(span.text) \
                        and not blocked.intersection(range(span.start, span.end)):
                    spans.append(span)
    return spans


def _blocked_tokens(doc: Doc) -> set[int]:
    """Tokens no dataset name may contain: citation markers and block separators."""
    blocked = set(numpy.flatnonzero(doc.to_array("IS_SPACE")).tolist())  # paragraph breaks
    for span in doc.spans[CITATIONS] if CITATIONS in doc.spans else ():
        blocked.update(range(span.start, span.end))
    return blocked




def _bracketed(doc: Doc, span: Span) -> bool:
    """A mention that is all there is inside brackets ("[KLS06]") is a citation key, not a name."""
    return (span.start > 0 and span.end < len(doc) and doc[span.start - 1].text == "["
            and doc[span.end].text == "]")


def trim_entities(doc: Doc, label: str, blocked: set[int]) -> list[Span]:
    """Cut a mention at the first citation marker or paragraph break it runs into, drop a leading
    determiner and edge punctuation, then keep the parts `names.clean_mention` accepts (no formula or
    table fragments, joined names apart, no trailing function words); a lone version ("v1.1") joins
    the name just before it; bracketed citation keys go."""
    kept: list[Span] = []
    for ent in doc.ents:
        if ent.label_ != label:
            kept.append(ent)
            continue
        end = next((i for i in range(ent.start, ent.end) if i in blocked), ent.end)
        while end > ent.start and (doc[end - 1].is_punct or doc[end - 1].is_space):
            end -= 1
        start = ent.start
        while start < end and (doc[start].is_punct and doc[start].text not in "'\"" or doc[start].is_space
                               or doc[start].lower_ in DETERMINERS):
            start += 1
        if start >= end:
            continue
        cut = Span(doc, start, end)
        if VERSION.fullmatch(cut.text):
            previous = kept[-1] if kept and kept[-1].label_ == label else None
            if previous is not None and previous.end == start and previous.end_char < cut.start_char:
                kept[-1] = Span(doc, previous.start, end, label=label, kb_id=previous.kb_id_)
            continue
        if _bracketed(doc, cut):
            continue
        for a, b in clean_mention(cut.text):
            span = doc.char_span(cut.start_char + a, cut.start_char + b, label=label, kb_id=ent.kb_id_,
                                 alignment_mode="contract")
            if span is not None and len(span):
                kept.append(span)
    return kept


def drop_heading_only(doc: Doc, ents: list[Span], label: str) -> list[Span]:
    """A name found only in headings ("UPDATE MAGNITUDE", "FUNDING") is not kept; one the paper also
    names in its running text ("Results on CIFAR-10") is."""
    if HEADINGS not in doc.spans or not len(doc.spans[HEADINGS]):
        return ents
    in_heading = numpy.zeros(len(doc), dtype=bool)
    for span in doc.spans[HEADINGS]:
        in_heading[span.start:span.end] = True
    prose = {normalize(e.text) for e in ents if e.label_ == label and not in_heading[e.start:e.end].any()}
    return [e for e in ents if e.label_ != label or not in_heading[e.start:e.end].all() or normalize(e.text) in prose]
