"""dataref_identifiers: find the paper's dataset identifiers and tie each to the dataset record the paper names
it with, or let it stand as a record of its own."""
import re
from typing import Iterable, Optional

from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span

from ..extensions import SECTIONS, install_extensions, key_of
from ..linking.identifiers import Identifier, IdentifierRecord, entry_identifiers, find_identifiers
from ..linking.lexicon import EXCLUDED_SECTIONS
from ..linking.sentences import Sentences, sentence_text

# How an identifier is tied to a named dataset, strongest first.
TIES = ("is_mention", "parenthetical", "cited_entry", "same_sentence")


@Language.factory(
    "dataref_identifiers",
    requires=["doc.ents", "doc.sents"],
    assigns=["doc._.identifiers"],
    default_config={"label": "DATASET", "excluded_sections": EXCLUDED_SECTIONS, "max_tie_chars": 150},
)
def make_identifiers(nlp: Language, name: str, label: str, excluded_sections: str,
                     max_tie_chars: int) -> "DatasetIdentifiers":
    return DatasetIdentifiers(nlp, name, label=label, excluded_sections=excluded_sections,
                              max_tie_chars=max_tie_chars)


class DatasetIdentifiers(Pipe):
    """Puts the dataset DOIs and accessions of the text and of the bibliography in `doc._.identifiers` (plain
    dicts), each with its resolver URL, evidence, cue sentence and the DATASET mention it belongs to ("start:end",
    or None when it stands alone). Placed after the citation linker, whose links tie bibliography entries."""

    def __init__(self, nlp: Language, name: str = "dataref_identifiers", *, label: str = "DATASET",
                 excluded_sections: str = EXCLUDED_SECTIONS, max_tie_chars: int = 150) -> None:
        install_extensions()
        self.name = name
        self.label = label
        self.excluded = re.compile(excluded_sections) if excluded_sections else None
        self.max_tie_chars = max_tie_chars

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def predict(self, docs: Iterable[Doc]) -> list[list[IdentifierRecord]]:
        return [self._identifiers(doc) for doc in docs]

    def set_annotations(self, docs: Iterable[Doc], found: list[list[IdentifierRecord]]) -> None:
        for doc, identifiers in zip(docs, found, strict=True):
            doc._.identifiers = identifiers

    def _identifiers(self, doc: Doc) -> list[IdentifierRecord]:
        text = doc.text
        sections = [(s.label_, s.start_char, s.end_char) for s in doc.spans[SECTIONS]] if SECTIONS in doc.spans else []
        skip = [(start, end) for label, start, end in sections if self.excluded and self.excluded.search(label)]
        paper = doc._.paper or {}
        own = [paper.get("doi", "")] + [paper.get("article_doi", "")]
        ents = [e for e in doc.ents if e.label_ == self.label]
        cited = _cited_entries(doc, ents)
        records: list[IdentifierRecord] = []
        identifiers = find_identifiers(text, sections, exclude_dois=own, skip=skip)
        sentences = Sentences(doc)
        # a mention that is itself an identifier (an accession the consistency component tagged) names no other one
        named = [e for e in ents if not any(i.start < e.end_char and e.start_char < i.end for i in identifiers)]
        for found in identifiers:
            record = _as_record(found, "data_statement" if found.in_statement else "text",
                                sentence_text(sentences, found.start, found.end))
            record["mention"], record["tie"] = self._tie(sentences, text, found, ents, named, cited)
            records.append(record)
        for bib_id, entry in (doc._.bibliography or {}).items():
            for found in entry_identifiers(entry):
                record = _as_record(found, "bibliography", entry.get("citation") or entry.get("raw") or "")
                record["bib_id"] = bib_id
                mention = cited.get(bib_id)
                record["mention"], record["tie"] = (mention, "cited_entry") if mention else (None, None)
                records.append(record)
        return records

    def _tie(self, sentences: Sentences, text: str, found: Identifier, ents: list[Span], named: list[Span],
             cited: dict[str, str]) -> tuple[Optional[str], Optional[str]]:
        """The DATASET mention the paper names this identifier with, and how."""
        doc = sentences.doc
        for ent in ents:  # the accession itself is the mention (the consistency component tags some)
            if ent.start_char <= found.start < ent.end_char or found.start <= ent.start_char < found.end:
                return key_of(ent), "is_mention"
        for bib_id, mention in cited.items():  # the DOI of an entry a dataset cites
            entry = (doc._.bibliography or {}).get(bib_id, {})
            if found.kind == "doi" and (entry.get("doi") or "").lower() == found.id:
                return mention, "cited_entry"
        if not sentences.annotated:
            return None, None
        span = doc.char_span(found.start, found.end, alignment_mode="expand")
        if span is None or not len(span):
            return None, None
        sent = sentences.of(span.start)
        near = [e for e in named if sent.start <= e.start < sent.end and e.end_char <= found.start
                and found.start - e.end_char <= self.max_tie_chars]
        if near:
            ent = near[-1]
            between = text[ent.end_char:found.start]
            return key_of(ent), "parenthetical" if re.match(r"(?:\s+[\w-]+){0,3}\s*[(\[]", between) else "same_sentence"
        after = [e for e in named if sent.start <= e.start < sent.end and e.start_char >= found.end
                 and e.start_char - found.end <= self.max_tie_chars // 2]
        return (key_of(after[0]), "same_sentence") if after else (None, None)


def _cited_entries(doc: Doc, ents: list[Span]) -> dict[str, str]:
    """Bibliography id → the first DATASET mention the linker linked to it."""
    links = doc._.citation_links or {}
    cited: dict[str, str] = {}
    for ent in ents:
        for link in links.get(key_of(ent), []):
            cited.setdefault(link["id"], key_of(ent))
    return cited


def _as_record(found: Identifier, where: str, sentence: str) -> IdentifierRecord:
    return {"id": found.id, "kind": found.kind, "archive": found.archive, "archive_name": found.archive_name,
            "url": found.url, "text": found.text, "start": found.start, "end": found.end, "where": where,
            "bib_id": None, "evidence": list(found.evidence), "sentence": sentence.strip(),
            "mention": None, "tie": None}


