"""Annotated corpora → spaCy Docs with DATASET entities (SciER, dataset sentences, GSAP-NER)."""
import json
import re
import zlib
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator, Optional

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

LABEL = "DATASET"
_HEAD = re.compile(r"(?:\s+(?:test\s+)?(?:data\s?sets?|corpus|corpora|collections?|databases?|benchmarks?))+$")
_COORD = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+")


def _locate(words: list[str], target: list[str], taken: set[int]) -> Optional[int]:
    n = len(target)
    for i in range(len(words) - n + 1):
        if words[i:i + n] == target and not taken.intersection(range(i, i + n)):
            return i
    return None


def scier_docs(path: Path, nlp: Language, labels: dict[str, str], stats: Counter) -> Iterator[Doc]:
    """SciER sentences: entity strings without offsets are located token by token."""
    for line in path.open(encoding="utf8"):
        record = json.loads(line)
        words = record["sentence"].split()
        doc = Doc(nlp.vocab, words=words)
        taken: set[int] = set()
        spans = []
        for text, kind in record["ner"]:
            if kind not in labels:
                continue
            start = _locate(words, text.split(), taken)
            if start is None:
                stats["unplaced"] += 1
                continue
            end = start + len(text.split())
            taken.update(range(start, end))
            spans.append(Span(doc, start, end, label=labels[kind]))
            stats["placed"] += 1
        doc.set_ents(sorted(spans, key=lambda s: s.start), default="outside")
        doc.user_data["doc_id"] = record.get("doc_id", "")
        yield doc


def harmonize(text: str, start: int) -> list[tuple[int, int]]:
    """Align the sentences corpus with SciER/GSAP: "the CiteSeer dataset" → "CiteSeer",
    "NORB and CIFAR-10 datasets" → "NORB", "CIFAR-10". Empty when no name remains."""
    stripped = _HEAD.sub("", text)
    parts, pos = [], 0
    for piece in _COORD.split(stripped):
        offset = stripped.index(piece, pos)
        pos = offset + len(piece)
        parts.append((offset, piece))
    if len(parts) > 1 and not all(any(c.isupper() or c.isdigit() for c in p) for _, p in parts):
        parts = [(0, stripped)]
    return [(start + o, start + o + len(p)) for o, p in parts
            if p.strip() and any(c.isupper() or c.isdigit() for c in p)]


def sentence_docs(path: Path, nlp: Language, stats: Counter) -> Iterator[Doc]:
    """The dataset-sentences corpus (character offsets); generic mentions become missing."""
    data = json.loads(path.read_text(encoding="utf8"))
    for document in data["documents"]:
        for unit in document["body_text"]:
            doc = nlp.make_doc(unit["text"])
            ents, missing = [], []
            for ann in unit["annotation_spans"]:
                pieces = harmonize(ann["text"], ann["start"])
                if not pieces:
                    span = doc.char_span(ann["start"], ann["end"], alignment_mode="expand")
                    missing.extend([span] if span is not None else [])
                    stats["generic"] += 1
                for start, end in pieces:
                    span = doc.char_span(start, end, label=LABEL, alignment_mode="expand")
                    if span is None:
                        stats["unplaced"] += 1
                    else:
                        ents.append(span)
                        stats["placed"] += 1
            _set_ents(doc, ents, missing, stats)
            yield doc


def _set_ents(doc: Doc, ents: list[Span], missing: list[Span], stats: Counter) -> None:
    from spacy.util import filter_spans

    kept = filter_spans(ents)
    stats["overlapping"] += len(ents) - len(kept)
    taken = {i for s in kept for i in range(s.start, s.end)}
    missing = [m for m in filter_spans(missing) if not taken.intersection(range(m.start, m.end))]
    doc.set_ents(kept, missing=missing, default="outside")


def gsap_docs(path: Path, papers: Optional[set[str]], nlp: Language, stats: Counter,
              labels: Iterable[str] = ("Dataset",)) -> Iterator[Doc]:
    """GSAP-NER paragraphs (GROBID text) with their Dataset mentions; unannotated ones skipped."""
    wanted = set(labels)
    for line in path.open(encoding="utf8"):
        record = json.loads(line)
        if papers is not None and record["id"] not in papers:
            continue
        paragraphs = record["grobid_structure"]["Paragraph"]
        by_paragraph: dict[int, list[dict]] = {}
        for ent in record["entities"]:
            if ent["label"] in wanted and ent["layer"] == "base":
                by_paragraph.setdefault(ent["paragraph"], []).append(ent)
        for index in record["annotated_paragraphs"]:
            begin, end = paragraphs[index]["begin"], paragraphs[index]["end"]
            doc = nlp.make_doc(record["text"][begin:end])
            ents = []
            for ent in by_paragraph.get(index, []):
                span = doc.char_span(ent["start"] - begin, ent["end"] - begin, label=LABEL,
                                     alignment_mode="expand")
                if span is None:
                    stats["unplaced"] += 1
                else:
                    ents.append(span)
                    stats["placed"] += 1
            _set_ents(doc, ents, [], stats)
            doc.user_data["doc_id"] = record["id"]
            yield doc


def gsap_split(folds_path: Path, split: str) -> set[str]:
    """Fold 0 of the corpus' own 10-fold split: test = fold 0, dev = fold 1, train = the rest."""
    folds = json.loads(folds_path.read_text(encoding="utf8"))
    ids = {k: {name.removesuffix(".json") for name in v} for k, v in folds.items()}
    if split == "test":
        return ids["0"]
    if split == "dev":
        return ids["1"]
    return set().union(*ids.values()) - ids["0"] - ids["1"]


def stable_split(text: str, dev_share: float = 0.1) -> str:
    """A fixed train/dev split by a hash of the text (no RNG, same on every machine)."""
    return "dev" if zlib.crc32(text.encode("utf8")) % 1000 < dev_share * 1000 else "train"


def write_docbin(docs: Iterable[Doc], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    docbin = DocBin(store_user_data=True)
    count = 0
    for doc in docs:
        docbin.add(doc)
        count += 1
    docbin.to_disk(path)
    return count


# Sentences that talk about data are left out of the silver negatives: they may name a dataset.
DATA_CUES = re.compile(
    r"data|corpus|corpora|benchmark|repositor|accession|archive|deposit|download|cohort|registry|"
    r"survey|atlas|omnibus|GSE\d|PRJ|SRA\b|GenBank|consortium|collection|available|study|studies|"
    r"project|bank|records?\b|catalog", re.I)


def silver_negative_docs(tei_files: Iterable[Path], nlp: Language, stats: Counter,
                         per_paper: int = 10, min_tokens: int = 8) -> Iterator[Doc]:
    """Sentences of unannotated GROBID papers that cannot be about data, as all-'O' examples.

    They come through the TEI reader, so they look exactly like inference text; they teach the
    recognizer that genes, reagents, instruments and methods of other fields are not datasets."""
    import warnings

    from .errors import DatarefError
    from .tei import TEIReader

    reader = TEIReader(nlp)
    sentencizer = nlp.get_pipe("sentencizer") if "sentencizer" in nlp.pipe_names else None
    for path in tei_files:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                doc = reader(path)
            except DatarefError:
                stats["unreadable"] += 1
                continue
        if sentencizer is not None:
            doc = sentencizer(doc)
        skip = {i for s in doc.spans["sections"] if s.label_ in ("Title", "Abstract") for i in range(s.start, s.end)}
        eligible = [s.text.strip() for s in doc.sents
                    if s.start not in skip and len(s) >= min_tokens and "\n" not in s.text.strip()
                    and not DATA_CUES.search(s.text)]
        step = max(1, len(eligible) // per_paper)  # spread over the paper, not just its introduction
        for text in eligible[::step][:per_paper]:
            example = nlp.make_doc(text)
            example.set_ents([], default="outside")
            stats["sentences"] += 1
            yield example
