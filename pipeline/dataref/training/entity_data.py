"""Whole annotated papers for the entity decision: text, gold dataset spans, and which papers the recognizer
trained on (their candidates are labelled the same way, but the split is kept so they can be held apart).

One `AnnotatedPaper` per paper of SciER, SciREX, SciNLP, GSAP-NER and the gold set; `label_entities` gives
each candidate entity of the pipe its label from the gold spans (1 dataset, 0 not, None unknown)."""
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from ..linking.names import normalize
from .convert import _locate, detokenize, gsap_split, harmonize, known_dataset_names, stable_split


@dataclass
class AnnotatedPaper:
    """A paper's text with its gold DATASET character spans; `unsure` spans are neither (SciREX Material that is
    not known to be a dataset); `annotated` limits where the gold is complete (GSAP-NER's annotated paragraphs)."""
    corpus: str
    id: str
    split: str  # "train" when the recognizer trained on this paper, else "dev"/"test"
    text: str
    gold: list[tuple[int, int]] = field(default_factory=list)
    unsure: list[tuple[int, int]] = field(default_factory=list)
    annotated: Optional[list[tuple[int, int]]] = None
    names: list[set[str]] = field(default_factory=list)  # gold-set papers: normalised names per dataset
    field: str = "ml"


def _words_paper(corpus: str, paper_id: str, split: str, words: list[str],
                 mentions: list[tuple[int, int, bool]]) -> AnnotatedPaper:
    text, starts = detokenize(words)
    paper = AnnotatedPaper(corpus, paper_id, split, text)
    for begin, end, sure in mentions:
        a, b = starts[begin], starts[end - 1] + len(words[end - 1])
        pieces = harmonize(text[a:b], a) if sure else []
        (paper.gold if pieces else paper.unsure).extend(pieces or [(a, b)])
    return paper


def scier_papers(path: Path, split: str) -> Iterator[AnnotatedPaper]:
    """SciER documents (sentences joined in order); `split` is the file's ("train" or "dev")."""
    docs: dict[str, list[dict]] = {}
    for line in path.open(encoding="utf8"):
        record = json.loads(line)
        docs.setdefault(record["doc_id"], []).append(record)
    for doc_id, sentences in docs.items():
        words: list[str] = []
        mentions = []
        for record in sentences:
            tokens = record["sentence"].split()
            taken: set[int] = set()
            for text, kind in record["ner"]:
                if kind == "Dataset":
                    start = _locate(tokens, text.split(), taken)
                    if start is not None:
                        end = start + len(text.split())
                        taken.update(range(start, end))
                        mentions.append((len(words) + start, len(words) + end, True))
            words.extend(tokens)
        yield _words_paper("scier", doc_id, split, words, mentions)


def scirex_papers(path: Path, pwc_path: Path) -> Iterator[AnnotatedPaper]:
    """SciREX papers; Material is a dataset when salient or a known dataset, else unsure (as in convert)."""
    known = known_dataset_names(pwc_path)
    for line in path.open(encoding="utf8"):
        record = json.loads(line)
        words = record["words"]
        salient = {(s, e) for name in {r["Material"] for r in record["n_ary_relations"]}
                   for s, e in record["coref"].get(name, [])}
        mentions = [(s, e, (s, e) in salient or normalize(" ".join(words[s:e])) in known)
                    for s, e, kind in record["ner"] if kind == "Material"]
        yield _words_paper("scirex", record["doc_id"], stable_split(record["doc_id"]), words, mentions)


def scinlp_papers(path: Path) -> Iterator[AnnotatedPaper]:
    for line in path.open(encoding="utf8"):
        record = json.loads(line)
        words = [w for sent in record["sentences"] for w in sent]
        mentions = [(s, e + 1, True) for sent in record["ner"] for s, e, kind in sent if kind == "dataset"]
        yield _words_paper("scinlp", record["doc_key"], stable_split(record["doc_key"]), words, mentions)


def gsap_papers(path: Path, folds_path: Path) -> Iterator[AnnotatedPaper]:
    """GSAP-NER papers; gold is complete only inside the annotated paragraphs."""
    test, dev = gsap_split(folds_path, "test"), gsap_split(folds_path, "dev")
    for line in path.open(encoding="utf8"):
        record = json.loads(line)
        split = "test" if record["id"] in test else "dev" if record["id"] in dev else "train"
        paragraphs = record["grobid_structure"]["Paragraph"]
        paper = AnnotatedPaper("gsap", record["id"], split, record["text"],
                               annotated=[(paragraphs[i]["begin"], paragraphs[i]["end"])
                                          for i in record["annotated_paragraphs"]])
        for ent in record["entities"]:
            if ent["label"] == "Dataset" and ent["layer"] == "base":
                pieces = harmonize(record["text"][ent["start"]:ent["end"]], ent["start"])
                paper.gold.extend(pieces or [(ent["start"], ent["end"])])
        yield paper


def gold_names(dataset: dict) -> set[str]:
    """A gold-set record's normalised name and aliases."""
    return {normalize(n) for n in [dataset["name"], *dataset.get("aliases", [])]} - {""}


def same_name(a: str, b: str) -> bool:
    """Normalised names match, or one contains the other (≥ 5 characters): the gold set's matching rule."""
    short, long = sorted((a, b), key=len)
    return a == b or (len(short) >= 5 and short in long)


def label_entity(paper: AnnotatedPaper, mentions: list[tuple[int, int]], forms: list[str]) -> Optional[int]:
    """1 when the entity is a gold dataset, 0 when it is not, None when the gold cannot tell."""
    if paper.names:
        names = {normalize(f) for f in forms}
        return int(any(same_name(n, k) for n in names for g in paper.names for k in g))
    def overlaps(spans: list[tuple[int, int]], a: int, b: int) -> bool:
        return any(s < b and a < e for s, e in spans)
    if any(overlaps(paper.gold, a, b) for a, b in mentions):
        return 1
    if any(overlaps(paper.unsure, a, b) for a, b in mentions):
        return None
    if paper.annotated is not None and not any(overlaps(paper.annotated, a, b) for a, b in mentions):
        return None
    return 0
