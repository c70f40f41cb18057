"""Train the entity decision (dataref_dataset_entities' classifier) on whole annotated papers.

Runs the pipeline up to the entity pipe on every paper of SciER, SciREX, SciNLP, GSAP-NER and the gold set's
dev part, labels each candidate entity from the gold spans (`dataref.training.entity_data`), and fits a
logistic regression over the pipe's own features. Papers are split as the recognizer's corpora are: the
classifier trains on the papers the recognizer did not train on (its candidates there look like a new
paper's) unless --with-recognizer-train; GSAP-NER's test fold and the gold set's test part are held out.

    python scripts/train_entities.py corpus/entities [--model en_dataref_sm] [--seed 0]
"""
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterator

import spacy
import typer

from dataref.readers import PaperReader
from dataref.training.entity_data import (AnnotatedPaper, gold_names, gsap_papers, label_entity, scier_papers,
                                          scinlp_papers, scirex_papers)
from dataref.linking.entity_features import FEATURES, EntityClassifier

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))
GOLD = ROOT / "corpus" / "gold" / "links.jsonl"
ENTITIES = "dataref_dataset_entities"
LATER = ["dataref_citation_linker", "dataref_identifiers", "dataref_dataset_roles"]


def candidate_pipeline(model: str):
    """The shipped pipeline up to the entity pipe, whose classifier is left out (every candidate kept)."""
    nlp = spacy.load(model)
    if "dataref_dataset_support" in nlp.pipe_names:
        nlp.remove_pipe("dataref_dataset_support")
    if ENTITIES in nlp.pipe_names:
        nlp.remove_pipe(ENTITIES)
    nlp.add_pipe(ENTITIES, after="dataref_abbreviations")
    return nlp


def gold_set_papers(split: str) -> Iterator[AnnotatedPaper]:
    for line in GOLD.read_text().splitlines():
        record = json.loads(line)
        if record["split"] == split:
            paper = AnnotatedPaper("gold", record["file"], split, "", field=record["field"])
            paper.names = [gold_names(d) for d in record["datasets"]]
            yield paper


def rows_of(nlp, papers: Iterator[AnnotatedPaper]) -> Iterator[dict]:
    entities = nlp.get_pipe(ENTITIES)
    reader = PaperReader(nlp, max_chars=1_000_000)  # one gold paper (PEGASUS, 252k characters) is over the default
    later = [name for name in LATER if name in nlp.pipe_names]

    def docs():
        for paper in papers:
            doc = reader(CORPORA / paper.id) if paper.corpus == "gold" else nlp.make_doc(paper.text)
            yield doc, paper

    with nlp.select_pipes(disable=later + [ENTITIES]):
        for doc, paper in nlp.pipe(docs(), as_tuples=True, batch_size=4):
            for members, features in entities.candidates(doc):
                label = label_entity(paper, [(m.start, m.end) for m in members], [m.text for m in members])
                if label is not None:
                    yield {"corpus": paper.corpus, "paper": paper.id, "split": paper.split, "field": paper.field,
                           "forms": sorted({m.text for m in members})[:5], "label": label, "features": features}


def collect(nlp, out: Path) -> list[dict]:
    """Candidate rows of every source, one file per source (a finished source is not run again)."""
    sources = {
        "scier-train": lambda: scier_papers(CORPORA / "scier" / "train.jsonl", "train"),
        "scier-dev": lambda: scier_papers(CORPORA / "scier" / "dev.jsonl", "dev"),
        "scirex": lambda: scirex_papers(CORPORA / "scirex" / "train.jsonl",
                                        CORPORA / "pwc-datasets" / "pwc_datasets.json"),
        "scinlp": lambda: scinlp_papers(CORPORA / "scinlp" / "train.json"),
        "gsap": lambda: gsap_papers(CORPORA / "gsap-ner" / "gsap_ner_documents.jsonl",
                                    CORPORA / "gsap-ner" / "10-fold-publication-filenames.json"),
        "gold-dev": lambda: gold_set_papers("dev"),
        "gold-test": lambda: gold_set_papers("test"),
    }
    rows = []
    for name, papers in sources.items():
        path = out / f"rows-{name}.jsonl"
        if not path.exists():
            start = time.time()
            found = [json.dumps(row) for row in rows_of(nlp, papers())]
            path.write_text("".join(line + "\n" for line in found))
            print(f"{name}: {len(found)} candidate entities in {time.time() - start:.0f} s", file=sys.stderr)
        rows.extend(json.loads(line) for line in path.read_text().splitlines())
    return rows


def fit(rows: list[dict], seed: int, C: float = 1.0) -> EntityClassifier:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X = np.array([[r["features"][f] for f in FEATURES] for r in rows])
    y = np.array([r["label"] for r in rows])
    # each corpus weighs as much as the others: SciREX alone has more candidates than the rest together
    per_corpus = Counter(r["corpus"] for r in rows)
    weights = np.array([len(rows) / (len(per_corpus) * per_corpus[r["corpus"]]) for r in rows])
    scaler = StandardScaler().fit(X)
    model = LogisticRegression(C=C, max_iter=2000, random_state=seed)
    model.fit(scaler.transform(X), y, sample_weight=weights)
    return EntityClassifier(features=list(FEATURES), mean=scaler.mean_.round(6).tolist(),
                            scale=scaler.scale_.round(6).tolist(), weights=model.coef_[0].round(6).tolist(),
                            bias=round(float(model.intercept_[0]), 6))


def report(classifier: EntityClassifier, rows: list[dict], threshold: float) -> dict:
    """Entity-level P/R/F per corpus part (candidate recall is the ceiling)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        p, _ = classifier.score(row["features"])
        part = f"{row['corpus']}-{row['split']}"
        c = counts[part]
        c["tp"] += row["label"] and p >= threshold
        c["fp"] += (not row["label"]) and p >= threshold
        c["fn"] += row["label"] and p < threshold
        c["keep_all_fp"] += not row["label"]
    out = {}
    for part, c in sorted(counts.items()):
        prec = c["tp"] / max(1, c["tp"] + c["fp"])
        rec = c["tp"] / max(1, c["tp"] + c["fn"])
        base = (c["tp"] + c["fn"]) / max(1, c["tp"] + c["fn"] + c["keep_all_fp"])
        out[part] = {"p": round(prec, 3), "r": round(rec, 3), "f": round(2 * prec * rec / max(1e-9, prec + rec), 3),
                     "keep_all_p": round(base, 3), "n": sum(c.values()) - c["keep_all_fp"]}
    return out


def main(out: Path, model: str = "en_dataref_sm", seed: int = 0, threshold: float = 0.5, C: float = 0.1,
         with_recognizer_train: bool = False, reuse_rows: bool = False) -> None:
    random.seed(seed)
    out.mkdir(parents=True, exist_ok=True)
    if not reuse_rows:
        for old in out.glob("rows-*.jsonl"):
            old.unlink()
    rows = collect(candidate_pipeline(model), out)
    held_out = {"gsap-test", "gold-test"}
    train = [r for r in rows if f"{r['corpus']}-{r['split']}" not in held_out
             and (with_recognizer_train or r["split"] != "train" or r["corpus"] == "gold")]
    classifier = fit(train, seed, C)
    (out / "classifier.json").write_text(json.dumps(classifier.to_dict(), indent=1))
    figures = {"trained_on": Counter(f"{r['corpus']}-{r['split']}" for r in train), "threshold": threshold,
               "parts": report(classifier, rows, threshold),
               "weights": dict(sorted(zip(classifier.features, classifier.weights, strict=True),
                                      key=lambda kv: -abs(kv[1])))}
    (out / "report.json").write_text(json.dumps(figures, indent=1))
    print(json.dumps(figures["parts"], indent=1))


if __name__ == "__main__":
    typer.run(main)
