"""dataref_dataset_support: keep a recognised dataset only when the paper gives some evidence for it."""
import re
from typing import Iterable, Optional

from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span

from ..extensions import CITATIONS, install_extensions, key_of
from ..linking.identifiers import accession_patterns as default_accessions
from ..linking.lexicon import SUPPORT_CUES
from ..linking.names import NameGroups, normalize
from ..linking.rules import introduces_data, names_dataset


@Language.factory(
    "dataref_dataset_support",
    requires=["doc.ents"],
    assigns=["doc.ents"],
    default_config={"label": "DATASET", "cues": SUPPORT_CUES, "window_chars": 60, "accession_patterns": None,
                    "papers_only": True},
)
def make_dataset_support(nlp: Language, name: str, label: str, cues: str, window_chars: int,
                         accession_patterns: Optional[list[str]], papers_only: bool) -> "DatasetSupport":
    return DatasetSupport(nlp, name, label=label, cues=cues, window_chars=window_chars,
                          accession_patterns=accession_patterns, papers_only=papers_only)


class DatasetSupport(Pipe):
    """Drops the DATASET names that nothing in the paper supports. A name is supported when one of its
    mentions has a data word near it ("the X corpus", "X contains 10k images"), a citation marker right
    after it, a known-datasets record (`doc._.dataset_kb`), an archive accession's form, or when it
    extends a supported name ("Vimeo90K-SR set" beside "Vimeo90K"). What goes is mostly what the
    recognizer confuses with data: genes, reagents, funders, methods named once. With `papers_only`, only
    whole papers (Docs from a reader, `doc._.paper` set) are filtered: a sentence alone has too little context."""

    def __init__(self, nlp: Language, name: str = "dataref_dataset_support", *, label: str = "DATASET",
                 cues: str = SUPPORT_CUES, window_chars: int = 60,
                 accession_patterns: Optional[Iterable[str]] = None, papers_only: bool = True) -> None:
        install_extensions()
        self.name = name
        self.papers_only = papers_only
        self.label = label
        self.cues = re.compile(cues, re.I)
        self.window = window_chars
        if accession_patterns is None:  # null in the config: the bioregistry archives' (built now, not at import)
            accession_patterns = default_accessions()
        self.accession = re.compile("^(?:" + "|".join(accession_patterns) + ")$") if accession_patterns else None

    def __call__(self, doc: Doc) -> Doc:
        ents = [e for e in doc.ents if e.label_ == self.label]
        if not ents or (self.papers_only and doc._.paper is None):
            return doc  # a snippet of plain text has too little context to ask for evidence
        groups = NameGroups.of_doc(ents, [])
        known = doc._.dataset_kb or {}
        markers = {s.start: s._.targets for s in doc.spans[CITATIONS]} if CITATIONS in doc.spans else {}
        bibliography = doc._.bibliography or {}
        text = doc.text
        supported = {groups.find(normalize(e.text)) for e in ents
                     if self._supported(e, text, known, markers, bibliography)}
        keep = []
        for ent in doc.ents:
            key = normalize(ent.text)
            if ent.label_ != self.label or groups.find(key) in supported or any(
                    key.startswith(s) and len(s) >= 3 for s in supported):
                keep.append(ent)
        doc.ents = keep
        return doc

    def _supported(self, ent: Span, text: str, known: dict, markers: dict[int, list[str]], bibliography: dict) -> bool:
        if key_of(ent) in known:
            return True
        if self.accession is not None and self.accession.match(ent.text):
            return True
        before = text[max(0, ent.start_char - self.window):ent.start_char]
        near = before + " " + text[ent.end_char:ent.end_char + self.window]
        if self.cues.search(near):
            return True
        start = ent.end if ent.end in markers else ent.end + 1
        if start not in markers or (start != ent.end and ent.doc[ent.end].is_alpha):
            return False
        # "MBLLEN [51]" where [51] is "MBLLEN: low-light image enhancement using CNNs": the marker cites
        # the paper that introduced a method of that name, which is no evidence of data.
        entries = [bibliography.get(i, {}) for i in markers[start]]
        return not any(names_dataset([ent.text], e) and not introduces_data(e) for e in entries)
