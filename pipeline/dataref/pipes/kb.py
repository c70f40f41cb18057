"""dataref_dataset_kb: the known-datasets tables (Papers with Code, CC BY-SA 4.0; Rich Context, CC0) as a spaCy
component.

It gives each DATASET mention its record (`doc._.dataset_kb`, keyed by "start:end"), and proposes
mentions of known names the recognizer missed when the context supports them."""
import json
import re
from pathlib import Path
from typing import Iterable, Optional, Union

import srsly
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, filter_spans

from ..linking.entities import KNOWN
from ..extensions import CITATIONS, HEADINGS, install_extensions, key_of
from ..linking.lexicon import (ACCESSION_SHAPE, DATA_NOUNS, HEAD_SUFFIX_ANY_CASE, KNOWN_CUE_WORDS, RC_PREFIX,
                               REGISTRY_PREFIX, REGISTRY_RECORD_WORDS)
from ..linking.names import is_name_like, normalize
from ..linking.sentences import Sentences

KB_FILE = "datasets.jsonl"
# Leaderboard variants ("ImageNet - 10% labeled data"), citation-like and cut-off aliases are not names.
_LEADERBOARD_VARIANT = re.compile(r"\s[-–]\s|%|\(|\bsamples\b|\bepochs?\b|\bsteps?\b|\bet al\b|[-–/]$", re.I)

# A name, then a year, version or size after a space or hyphen: "ACE 2005", "CoNLL-2003", "MovieLens 20M"
_JOINED_NUMBER = re.compile(r"^(.*[A-Za-z]{2})[ -](\d[\d.]*[A-Za-z]?)$")


# ---- the table ---------------------------------------------------------------------------------

def table_from_pwc(records: Iterable[dict]) -> list[dict]:
    """Papers with Code export records → compact rows (id = the Papers with Code slug)."""
    rows = []
    for record in records:
        name = (record.get("name") or "").strip()
        if not name:
            continue
        slug = (record.get("url") or "").rstrip("/").rsplit("/", 1)[-1] or normalize(name)
        aliases = sorted({v.strip() for v in record.get("variants") or []
                          if v and v.strip() != name and len(v.split()) <= 5 and not _LEADERBOARD_VARIANT.search(v)})
        paper = record.get("paper") or {}
        rows.append({
            "id": slug, "name": name, "full_name": (record.get("full_name") or "").strip(), "aliases": aliases,
            "homepage": record.get("homepage") or "",
            "paper": {"title": (paper.get("title") or "").strip(), "url": paper.get("url") or "",
                      "year": (record.get("introduced_date") or "")[:4]},
            "modalities": record.get("modalities") or [],
        })
    return sorted(rows, key=lambda r: r["id"])


def table_from_rc(records: Iterable[dict]) -> list[dict]:
    """Rich Context datasets (Coleridge Initiative, CC0: surveys, cohorts, agency data) → rows of the same
    shape, ids prefixed "rc:" so that a record says which table it came from."""
    rows = []
    for record in records:
        name = (record.get("title") or "").strip()
        if not name:
            continue
        aliases = sorted({a.strip() for a in record.get("alt_title") or [] if a and a.strip() != name
                          and len(a.split()) <= 8})
        rows.append({"id": RC_PREFIX + record["id"], "name": name, "full_name": "", "aliases": aliases,
                     "homepage": record.get("url") or "",
                     "paper": {"title": "", "url": "", "year": str(record.get("date") or "")[:4]},
                     "modalities": []})
    return sorted(rows, key=lambda r: r["id"])


def table_from_bioregistry() -> list[dict]:
    """bioregistry's resources (databases, registries, ontologies: a dependency already) → rows with ids
    "bioregistry:<prefix>": the name, the name without a record word ("ClinVar Variation" → "ClinVar"), the
    capitalised synonyms and the prefix in capitals ("GEO", "ENCODE"). Which of them are data is left to the
    entity decision (an ontology such as the Gene Ontology is not)."""
    import bioregistry

    rows = []
    for resource in bioregistry.resources():
        name = (resource.get_name() or "").strip()
        if not name or resource.is_deprecated():
            continue
        words = name.split()
        forms = {s for s in resource.get_synonyms() if any(c.isupper() for c in s) and "_" not in s and len(s) > 2}
        if len(words) > 1 and words[-1].lower() in REGISTRY_RECORD_WORDS:
            forms.add(" ".join(words[:-1]))
        if resource.prefix.isalpha() and 3 <= len(resource.prefix) <= 8:
            forms.add(resource.prefix.upper())
        rows.append({"id": REGISTRY_PREFIX + resource.prefix, "name": name, "full_name": "",
                     "aliases": sorted(forms - {name}), "homepage": resource.get_homepage() or "",
                     "paper": {"title": "", "url": "", "year": ""}, "modalities": []})
    return sorted(rows, key=lambda r: r["id"])


def build_table(pwc_json: Path, output: Path, rc_json: Optional[Path] = None, registry: bool = False) -> int:
    """Write the compact table (JSON lines) from the Papers with Code `datasets.json` and, when given, the Rich
    Context `datasets.json` (social-science, health and government data) and bioregistry's resources."""
    rows = table_from_pwc(json.loads(Path(pwc_json).read_text(encoding="utf8")))
    if rc_json is not None:
        rows += table_from_rc(json.loads(Path(rc_json).read_text(encoding="utf8")))
    if registry:
        rows += table_from_bioregistry()
    output.parent.mkdir(parents=True, exist_ok=True)
    srsly.write_jsonl(output, rows)
    return len(rows)


def forms_of(row: dict) -> list[str]:
    return [f for f in [row["name"], row["full_name"], *row["aliases"]] if f]


def _with_headless(form: str) -> set[str]:
    """A form, and the form without its head noun unless that leaves a common word ("The Benchmark" → "The", "AND
    Dataset" → "AND": every "The dataset" of every paper matched)."""
    headless = HEAD_SUFFIX_ANY_CASE.sub("", form)
    return {form} if headless != form and is_ambiguous(headless) else {form, headless}


def spellings(form: str) -> set[str]:
    """A form and the ways papers join a year, version or size to the name before it, which `normalize` treats as
    one name: "ACE 2005" / "ACE-2005", "MovieLens 20M" / "MovieLens-20M" / "MovieLens20M"."""
    match = _JOINED_NUMBER.match(form)
    if match is None:
        return {form}
    head, number = match.groups()
    return {form, f"{head} {number}", f"{head}-{number}", f"{head}{number}"}


def is_ambiguous(name: str) -> bool:
    """A common word or a plain capitalised word ("Office", "Reddit", "Wikipedia", "Places", "Cars"), or a
    short acronym that also names methods and losses ("CTC", "MIND"): never tagged by lookup alone,
    only right before a cue word ("the Places dataset") or a citation marker ("Places [12]")."""
    words = name.split()
    if len(words) != 1 or not name.isalpha():
        return False
    if name.isupper():
        return len(name) <= 4
    return not any(c.isupper() for c in name[1:])


# ---- the component -----------------------------------------------------------------------------

@Language.factory(
    "dataref_dataset_kb",
    requires=["doc.ents"],
    assigns=["doc.ents", "doc._.dataset_kb"],
    default_config={"label": "DATASET", "propose": True, "cue_words": KNOWN_CUE_WORDS, "window": 8},
)
def make_dataset_kb(nlp: Language, name: str, label: str, propose: bool, cue_words: list[str],
                    window: int) -> "DatasetKB":
    return DatasetKB(nlp, name, label=label, propose=propose, cue_words=cue_words, window=window)


class DatasetKB(Pipe):
    """Known datasets: each DATASET entity's record, and supported mentions of known names the model missed."""

    def __init__(self, nlp: Language, name: str = "dataref_dataset_kb", *, label: str = "DATASET",
                 propose: bool = True, cue_words: Iterable[str] = KNOWN_CUE_WORDS, window: int = 8) -> None:
        install_extensions()
        self.name = name
        self.label = label
        self.propose = propose
        self.cue_words = {w.lower() for w in cue_words}
        self.window = window
        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer
        self.set_rows([])

    def set_rows(self, rows: list[dict]) -> None:
        self.rows = {row["id"]: row for row in rows}
        self.index: dict[str, str] = {}
        for row in rows:  # a record's own name wins over another record's alias, and the first such record
            for form in forms_of(row):  # ("cifar-10" before the export's duplicate "cifar10")
                key = normalize(form)
                owner = self.rows.get(self.index.get(key, ""))
                if key and (owner is None or normalize(row["name"]) == key != normalize(owner["name"])):
                    self.index[key] = row["id"]
        # Papers drop a name's head noun ("SBU Captions" for "SBU Captions Dataset", as the index's normalize()
        # does) and write a letter after a hyphen or digit in either case ("Libri-light"): matched on lower case,
        # kept when `_as_written` finds the form.
        patterns = {v for row in rows for form in forms_of(row) for f in _with_headless(form)
                    for v in spellings(f) if len(v) > 2 and is_name_like(v) and "et al" not in v}
        self.forms: dict[str, set[str]] = {}
        for form in patterns:
            self.forms.setdefault(form.lower(), set()).add(form)
        self.matcher = PhraseMatcher(self.vocab, attr="LOWER")
        if patterns:
            self.matcher.add(self.label, [self.tokenizer(form) for form in sorted(patterns)])

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None,
                   path: Optional[Union[str, Path]] = None) -> None:
        """Load the table built by `dataref kb build` ([initialize.components.dataref_dataset_kb] path)."""
        if path is not None:
            self.set_rows(list(srsly.read_jsonl(ensure_path(path))))

    def lookup(self, text: str) -> Optional[dict]:
        row_id = self.index.get(normalize(text))
        return self.rows[row_id] if row_id else None

    def __call__(self, doc: Doc) -> Doc:
        if self.propose and self.rows:
            ents = list(doc.ents)
            taken = {i for e in ents for i in range(e.start, e.end)}
            new = [s for s in self.proposals(doc, ents) if not taken.intersection(range(s.start, s.end))]
            doc.ents = sorted(ents + filter_spans(new), key=lambda s: s.start)
        found = {}
        for ent in doc.ents:
            if ent.label_ == self.label:
                row = self.lookup(ent.text)
                if row is not None:
                    found[key_of(ent)] = summary(row)
        doc._.dataset_kb = found
        return doc

    def proposals(self, doc: Doc, ents: list[Span]) -> list[Span]:
        """Known names with support: a cue word next to them or in the sentence, or a citation marker
        right after; a name supported once in the paper is tagged everywhere unless it is ambiguous."""
        marker_starts = {s.start for s in doc.spans[CITATIONS]} if CITATIONS in doc.spans else set()
        in_marker = ({i for s in doc.spans[CITATIONS] for i in range(s.start, s.end)}
                     if CITATIONS in doc.spans else set())
        headings = {i for s in doc.spans[HEADINGS] for i in range(s.start, s.end)} if HEADINGS in doc.spans else set()
        tagged = {normalize(e.text) for e in ents if e.label_ == self.label}
        matches = [(s, e) for _, s, e in self.matcher(doc)
                   if not in_marker.intersection(range(s, e))
                   and self._as_written(doc[s:e].text)
                   and not (e < len(doc) and doc[e].lower_ == "et")]  # "Deng et al."
        supported: set[str] = set()
        spans = []
        sentences = Sentences(doc)
        for start, end in matches:
            span = Span(doc, start, end, label=self.label, span_id=KNOWN)
            key = normalize(span.text)
            ambiguous = is_ambiguous(span.text)
            # "the X dataset", "X [12]", "X (ABBR) [12]", "GenBank: NM_172496.3" (an archive named with a record)
            after = _past_brackets(doc, end)
            strong = after < len(doc) and (doc[after].lower_ in DATA_NOUNS or after in marker_starts
                                           or (doc[after].text == ":" and after + 1 < len(doc)
                                               and bool(ACCESSION_SHAPE.match(doc[after + 1].text))))
            medium = key in tagged or self._cue_in_sentence(sentences, start, end)
            if strong or (medium and not ambiguous and start not in headings):
                supported.add(key)
                spans.append(span)
        for start, end in matches:
            span = Span(doc, start, end, label=self.label, span_id=KNOWN)
            if normalize(span.text) in supported and not is_ambiguous(span.text):
                spans.append(span)
        return filter_spans(spans)

    def _as_written(self, text: str) -> bool:
        """A form as the table writes it, up to the case of a letter after a hyphen or digit ("mC4", "Libri-light"
        for "Libri-Light") or inside a word of a name that is not an acronym ("UK Biobank" for bioregistry's "UK
        BioBank", "Greengenes" for "GreenGenes"); not "NCBI gene" for "NCBI Gene" (a gene record, not the
        database), nor "Encode" for "ENCODE"."""
        def case_free(i: int, form: str) -> bool:
            return i > 0 and (text[i - 1] == "-" or text[i - 1].isdigit()
                              or (text[i - 1].isalpha() and not form.isupper()))

        return any(len(form) == len(text) and all(a == b or case_free(i, form)
                                                  for i, (a, b) in enumerate(zip(text, form, strict=True)))
                   for form in self.forms.get(text.lower(), ()))

    def _cue_in_sentence(self, sentences: Sentences, start: int, end: int) -> bool:
        doc = sentences.doc
        sent = sentences.of(start)
        low, high = max(sent.start, start - self.window), min(sent.end, end + self.window)
        return any(t.lower_ in self.cue_words for t in doc[low:high])

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> None:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(folder / KB_FILE, list(self.rows.values()))

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> "DatasetKB":
        self.set_rows(list(srsly.read_jsonl(ensure_path(path) / KB_FILE)))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        return srsly.msgpack_dumps(list(self.rows.values()))

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = tuple()) -> "DatasetKB":
        self.set_rows(srsly.msgpack_loads(data))
        return self


def _past_brackets(doc: Doc, i: int) -> int:
    """The token after a short bracketed abbreviation or the bracket that closes around a name: "Visual Question
    Answering (VQA) [2]" and "(VQA) [2]" both reach the marker."""
    if i < len(doc) and doc[i].text == ")":
        return i + 1
    if i < len(doc) and doc[i].text == "(":
        close = next((j for j in range(i + 1, min(i + 4, len(doc))) if doc[j].text == ")"), None)
        return close + 1 if close is not None else i
    return i


def summary(row: dict) -> dict:
    """What a result carries about a known dataset."""
    return {"id": row["id"], "name": row["name"], "full_name": row["full_name"], "homepage": row["homepage"],
            "paper": row["paper"]}
