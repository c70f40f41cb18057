"""Annotated corpora → spaCy Docs with DATASET entities (SciER, dataset sentences, GSAP-NER)."""
import json
import re
import zlib
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.training import biluo_tags_to_spans, iob_to_biluo

from ..linking.lexicon import COORDINATION, DATA_CUES, DETERMINERS, HEAD_SUFFIX as _HEAD
from ..linking.names import is_name_like, normalize, split_names

LABEL = "DATASET"


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


_PAREN = re.compile(r"^(.*?\S)\s*\(([^()]*[A-Za-z][^()]*)\)$")
# Annotators' spans also start with "our" ("our TinyBirds dataset"); a recognised mention keeps it (see
# `harmonize` for what training and inference share and what not).
_LEAD_DET = re.compile(rf"^(?:{'|'.join((*DETERMINERS, 'our'))})\s+", re.I)


def harmonize(text: str, start: int) -> list[tuple[int, int]]:
    """The one span convention for every corpus: no determiner and no head noun ("the CiteSeer
    dataset" → "CiteSeer"), coordinated names apart ("NORB and CIFAR-10 datasets" → "NORB",
    "CIFAR-10"), a long form and its parenthesised short form as two mentions ("Stanford Sentiment
    Treebank (SST)" → "Stanford Sentiment Treebank", "SST"). Empty when no name remains.

    Shared with inference (`linking.names`): the determiners (lexicon.DETERMINERS), the head nouns
    (lexicon.HEAD_SUFFIX) and the coordination split (`split_names`). Different on purpose: annotated spans
    are split at commas too (COORDINATION), keep no "our" and lose a parenthesised short form into its own
    mention; inference (`clean_mention`) also cuts unclosed brackets, trailing function words and formula
    fragments, which annotators never include, so the training spans stay what the shipped recognizer learned."""
    lead = _LEAD_DET.match(text)
    if lead:
        return harmonize(text[lead.end():], start + lead.end())
    paren = _PAREN.match(_HEAD.sub("", text))
    if paren:
        inner = text.index("(", len(paren.group(1))) + 1
        return (harmonize(paren.group(1), start)
                + harmonize(paren.group(2), start + inner))
    stripped = _HEAD.sub("", text)
    return [(start + a, start + b) for a, b in split_names(stripped, COORDINATION)
            if stripped[a:b].strip() and is_name_like(stripped[a:b])]


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


def names_known_in(text: str, known: set[str], max_words: int = 4) -> bool:
    """Whether any run of up to `max_words` words of `text` is a known dataset name."""
    words = re.findall(r"[\w'’.-]+", text)
    return any(normalize(" ".join(words[i:i + n])) in known
               for n in range(1, max_words + 1) for i in range(len(words) - n + 1))


def gold_papers(gold_path: Path) -> set[str]:
    """File names of the gold-set papers (corpus/gold/links.jsonl), kept out of every silver text."""
    if not gold_path.exists():
        return set()
    return {Path(json.loads(line)["file"]).name for line in gold_path.read_text().splitlines() if line.strip()}


def unlabelled_files(folder: Path, gold: set[str]) -> list[Path]:
    """A folder's TEI files in a fixed order, less the gold-set papers."""
    return [p for p in sorted(folder.glob("*.xml")) if p.name not in gold]


def unlabelled_papers(reader: Callable[[Path], Doc], paths: Iterable[Path], stats: Counter) -> Iterator[Doc]:
    """Each readable paper as a Doc; the TEI's own faults (W001-W003) are not shown, unreadable files counted."""
    import warnings

    from ..errors import DatarefError

    for path in paths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                doc = reader(path)
            except DatarefError:
                stats["unreadable"] += 1
                continue
        yield doc


def silver_negative_docs(tei_files: Iterable[Path], nlp: Language, stats: Counter,
                         per_paper: int = 10, min_tokens: int = 8, known: Optional[set[str]] = None,
                         headings: bool = False) -> Iterator[Doc]:
    """Sentences of unannotated GROBID papers that cannot be about data, as all-'O' examples.

    They come through the TEI reader, so they look exactly like inference text; they teach the
    recognizer that genes, reagents, instruments and methods of other fields are not datasets.
    With `known` (normalised dataset names), sentences naming one are left out too; with `headings`,
    the paper's section headings ("4 EXPERIMENTS", "UPDATE MAGNITUDE") are examples of their own."""

    from ..extensions import HEADINGS
    from ..readers.tei import TEIReader

    reader = TEIReader(nlp)
    sentencizer = nlp.get_pipe("sentencizer") if "sentencizer" in nlp.pipe_names else None
    for doc in unlabelled_papers(reader, tei_files, stats):
        if sentencizer is not None:
            doc = sentencizer(doc)
        skip = {i for s in doc.spans["sections"] if s.label_ in ("Title", "Abstract") for i in range(s.start, s.end)}
        eligible = [s.text.strip() for s in doc.sents
                    if s.start not in skip and len(s) >= min_tokens and "\n" not in s.text.strip()
                    and not DATA_CUES.search(s.text) and not (known and names_known_in(s.text, known))]
        step = max(1, len(eligible) // per_paper)  # spread over the paper, not just its introduction
        chosen = eligible[::step][:per_paper]
        if headings:
            chosen += [h.text for h in doc.spans.get(HEADINGS, [])
                       if not DATA_CUES.search(h.text) and not (known and names_known_in(h.text, known))
                       ][:per_paper * 2]
        for text in chosen:
            example = nlp.make_doc(text)
            example.set_ents([], default="outside")
            stats["sentences"] += 1
            yield example


# Whole-paper corpora given as pre-tokenised words ("CIFAR - 10") are joined back into the text layout
# the TEI reader produces, then re-tokenised by spaCy, so training tokens look like inference tokens.
_NO_SPACE_BEFORE = re.compile(r"^(?:[.,;:!?%)\]}]|'s|n't|'re|'ve|'ll|'d)$")
_NO_SPACE_AFTER = {"(", "[", "{", "$"}
_JOINERS = {"-", "/", "–"}


def detokenize(words: list[str]) -> tuple[str, list[int]]:
    """Words → text and each word's start offset; hyphens and slashes between words are closed up."""
    parts: list[str] = []
    starts: list[int] = []
    length = 0
    for i, word in enumerate(words):
        glue = (i == 0 or _NO_SPACE_BEFORE.match(word) or words[i - 1] in _NO_SPACE_AFTER
                or word in _JOINERS or words[i - 1] in _JOINERS)
        if not glue:
            parts.append(" ")
            length += 1
        starts.append(length)
        parts.append(word)
        length += len(word)
    return "".join(parts), starts


def _chunk_doc(nlp: Language, words: list[str], mentions: list[tuple[int, int, bool]], stats: Counter) -> Doc:
    """A Doc over `words` with DATASET mentions (word offsets, end exclusive; False = unsure → missing)."""
    text, starts = detokenize(words)
    ends = [s + len(w) for s, w in zip(starts, words, strict=True)]
    doc = nlp.make_doc(text)
    ents, missing = [], []
    for begin, end, sure in mentions:
        char_start, char_end = starts[begin], ends[end - 1]
        pieces = harmonize(text[char_start:char_end], char_start) if sure else [(char_start, char_end)]
        if sure and not pieces:
            pieces, sure = [(char_start, char_end)], False
            stats["generic"] += 1
        for s, e in pieces:
            span = doc.char_span(s, e, label=LABEL, alignment_mode="expand")
            if span is None:
                stats["unplaced"] += 1
            elif sure:
                ents.append(span)
                stats["placed"] += 1
            else:
                missing.append(span)
    _set_ents(doc, ents, missing, stats)
    return doc


def _chunks(sentences: list[tuple[int, int]], size: int) -> Iterator[tuple[int, int]]:
    for i in range(0, len(sentences), size):
        group = sentences[i:i + size]
        yield group[0][0], group[-1][1]


def _inside(mentions: list[tuple[int, int, bool]], begin: int, end: int) -> list[tuple[int, int, bool]]:
    return [(s - begin, e - begin, sure) for s, e, sure in mentions if begin <= s and e <= end]


def known_dataset_names(pwc_path: Path) -> set[str]:
    """Normalised names, full names and variants of the Papers with Code datasets."""
    names: set[str] = set()
    for record in json.loads(pwc_path.read_text(encoding="utf8")):
        for name in [record["name"], record.get("full_name") or ""] + list(record.get("variants") or []):
            if name and any(c.isupper() or c.isdigit() for c in name):
                names.add(normalize(name))
    names.discard("")
    return names


def scirex_docs(path: Path, nlp: Language, stats: Counter, known: set[str], split: str,
                sentences_per_doc: int = 6, empty_share: int = 4) -> Iterator[Doc]:
    """SciREX whole papers. `Material` mixes datasets with other material ("English", "real images"):
    a mention is a DATASET when its entity is the dataset of one of the paper's result relations
    (SciREX's own leaderboard tuples) or its name is a Papers with Code dataset; any other Material
    mention is left missing (neither dataset nor not), Method/Task/Metric mentions are outside.
    Of the chunks that name no Material, one in `empty_share` is kept (1.7M words would double the
    training time for little more than extra "O" tokens)."""
    for line in path.open(encoding="utf8"):
        record = json.loads(line)
        if stable_split(record["doc_id"]) != split:
            continue
        words = record["words"]
        relation_materials = {r["Material"] for r in record["n_ary_relations"]}
        salient = {(s, e) for name in relation_materials for s, e in record["coref"].get(name, [])}
        mentions = []
        for start, end, kind in record["ner"]:
            if kind != "Material":
                continue
            sure = (start, end) in salient or normalize(" ".join(words[start:end])) in known
            stats["material_kept" if sure else "material_missing"] += 1
            mentions.append((start, end, sure))
        for sec_start, sec_end in record["sections"]:
            sentences = [(s, e) for s, e in record["sentences"] if sec_start <= s and e <= sec_end]
            if sentences and words[sentences[0][0]:sentences[0][0] + 2] == ["section", ":"]:
                head = sentences.pop(0)  # "section : Experiments" → a heading on its own, like the reader's
                yield _chunk_doc(nlp, words[head[0] + 2:head[1]], _inside(mentions, head[0] + 2, head[1]), stats)
            for begin, end in _chunks(sentences, sentences_per_doc):
                inside = _inside(mentions, begin, end)
                if inside or zlib.crc32(f"{record['doc_id']}:{begin}".encode()) % empty_share == 0:
                    yield _chunk_doc(nlp, words[begin:end], inside, stats)


def scinlp_docs(path: Path, nlp: Language, stats: Counter, split: str, sentences_per_doc: int = 6) -> Iterator[Doc]:
    """SciNLP whole NLP papers (document-level token indices, end inclusive); only `dataset` kept."""
    for line in path.open(encoding="utf8"):
        record = json.loads(line)
        if stable_split(record["doc_key"]) != split:
            continue
        words = [w for sent in record["sentences"] for w in sent]
        mentions = [(s, e + 1, True) for sent in record["ner"] for s, e, kind in sent if kind == "dataset"]
        bounds, pos = [], 0
        for sent in record["sentences"]:
            bounds.append((pos, pos + len(sent)))
            pos += len(sent)
        for begin, end in _chunks(bounds, sentences_per_doc):
            yield _chunk_doc(nlp, words[begin:end], _inside(mentions, begin, end), stats)


def tdmsci_docs(path: Path, nlp: Language, stats: Counter, split: str) -> Iterator[Doc]:
    """TDMSci CoNLL sentences (token, character offset, BIO); DATASET kept, TASK/METRIC outside."""
    for block in path.read_text(encoding="utf8").split("\n\n"):
        rows = [line.split("\t") for line in block.splitlines() if line.strip()]
        if not rows:
            continue
        words = [r[0] for r in rows]
        text = ""
        offsets = []
        for word, offset, _ in rows:
            start = int(offset) - int(rows[0][1])
            text += " " * max(0, start - len(text))
            offsets.append(len(text))
            text += word
        if stable_split(text) != split:
            continue
        tags = [tag if tag in ("B-DATASET", "I-DATASET") else "O" for _, _, tag in rows]  # TASK, METRIC: outside
        mentions = [(s.start, s.end) for s in biluo_tags_to_spans(Doc(nlp.vocab, words=words), iob_to_biluo(tags))]
        doc = nlp.make_doc(text)
        ents = []
        for s, e in mentions:
            char_start, char_end = offsets[s], offsets[e - 1] + len(words[e - 1])
            pieces = harmonize(text[char_start:char_end], char_start)
            stats["generic"] += not pieces
            for a, b in pieces:
                span = doc.char_span(a, b, label=LABEL, alignment_mode="expand")
                stats["unplaced" if span is None else "placed"] += 1
                ents.extend([span] if span is not None else [])
        _set_ents(doc, ents, [], stats)
        yield doc


def somesci_docs(folder: Path, nlp: Language, stats: Counter) -> Iterator[Doc]:
    """Software mentions as hard negatives: each sentence with one is an example where the software
    names are outside any DATASET; a sentence with no data word is outside everywhere, one that talks
    about data leaves its other tokens missing (it may name a dataset SoMeSci does not annotate)."""
    senter = nlp.get_pipe("sentencizer") if "sentencizer" in nlp.pipe_names else None
    for ann in sorted(folder.glob("*/*.ann")):
        text_path = ann.with_suffix(".txt")
        if not text_path.exists():
            continue
        text = text_path.read_text(encoding="utf8")
        software = []
        for line in ann.read_text(encoding="utf8").splitlines():
            fields = line.split("\t")
            if len(fields) == 3 and fields[0].startswith("T") and "_" in fields[1].split()[0]:
                kind, *offsets = fields[1].replace(";", " ").split()
                software.append((int(offsets[0]), int(offsets[-1])))
        doc = nlp.make_doc(text)
        if senter is not None:
            doc = senter(doc)
        for sent in doc.sents:
            inside = [(s - sent.start_char, e - sent.start_char) for s, e in software
                      if sent.start_char <= s and e <= sent.end_char]
            if not inside or "\n" in sent.text.strip():
                continue
            example = nlp.make_doc(sent.text.strip())
            outside = [sp for s, e in inside
                       if (sp := example.char_span(s, e, alignment_mode="expand")) is not None]
            if DATA_CUES.search(sent.text):
                example.set_ents([], outside=outside, default="missing")
            else:
                example.set_ents([], default="outside")
            stats["sentences"] += 1
            stats["software"] += len(outside)
            yield example
