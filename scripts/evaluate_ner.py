"""DATASET precision/recall/F1 per held-out corpus, recall on names never seen in training,
the effect of document-level consistency, and words per second — printed and saved as JSON.

    python scripts/evaluate_ner.py training/ner/model-best corpus --output metrics/ner.json
"""
import time
from itertools import groupby
from pathlib import Path
from typing import Optional

import spacy
import typer
from spacy.tokens import Doc, DocBin

from dataref.linking.names import normalize
from metrics_io import prf, write_json

HELD_OUT = {"scier-dev": "dev/scier.spacy", "sentences-dev": "dev/sentences.spacy",
            "scirex-dev": "dev/scirex.spacy", "scinlp-dev": "dev/scinlp.spacy", "tdmsci-dev": "dev/tdmsci.spacy",
            "gsap-test": "test/gsap.spacy"}


def load(nlp, path: Path) -> list[Doc]:
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def train_names(nlp, corpus: Path) -> set[str]:
    return {normalize(e.text) for path in sorted((corpus / "train").glob("*.spacy"))
            for d in load(nlp, path) for e in d.ents}


def score(gold: list[Doc], predicted: list[Doc], seen: set[str]) -> dict:
    tp = fp = fn = 0
    unseen_total = unseen_found = 0
    for g, p in zip(gold, predicted, strict=True):
        gold_spans = {(e.start_char, e.end_char) for e in g.ents if e.label_ == "DATASET"}
        # Tokens the corpus leaves unannotated (SciREX Material that may not be a dataset) judge nothing.
        missing = {t.idx for t in g if t.ent_iob == 0}
        pred_spans = {(e.start_char, e.end_char) for e in p.ents if e.label_ == "DATASET"
                      and not all(t.idx in missing for t in e)}
        tp += len(gold_spans & pred_spans)
        fp += len(pred_spans - gold_spans)
        fn += len(gold_spans - pred_spans)
        for e in g.ents:
            if normalize(e.text) not in seen:
                unseen_total += 1
                unseen_found += (e.start_char, e.end_char) in pred_spans
    result = prf(tp, fp, fn)
    result.update({"gold": tp + fn, "unseen_mentions": unseen_total,
                   "unseen_recall": round(unseen_found / unseen_total, 4) if unseen_total else None})
    return result


def by_paper(docs: list[Doc]) -> list[Doc]:
    """GSAP paragraphs joined back into one Doc per paper, for document-level rules."""
    keyed = [(d.user_data.get("doc_id", ""), d) for d in docs]
    return [Doc.from_docs([d for _, d in group], ensure_whitespace=True)
            for _, group in groupby(keyed, key=lambda x: x[0])]


def main(model: Path, corpus: Path, output: Optional[Path] = typer.Option(None)) -> None:
    nlp = spacy.load(model)
    consistency = spacy.blank("en").add_pipe("dataref_dataset_consistency")
    seen = train_names(nlp, corpus)
    results: dict = {"model": str(model), "date": time.strftime("%Y-%m-%d")}
    for name, rel in HELD_OUT.items():
        if not (corpus / rel).exists():
            continue
        gold = load(nlp, corpus / rel)
        start = time.perf_counter()
        predicted = list(nlp.pipe(nlp.make_doc(d.text) for d in gold))
        elapsed = time.perf_counter() - start
        results[name] = score(gold, predicted, seen)
        results[name]["words_per_second"] = round(sum(len(d) for d in gold) / elapsed)
        if name.startswith("gsap"):
            gold_papers = by_paper(gold)
            pred_papers = list(nlp.pipe(d.text for d in gold_papers))
            results[f"{name}-papers"] = score(gold_papers, pred_papers, seen)
            with_rules = [consistency(d) for d in pred_papers]
            results[f"{name}-papers+consistency"] = score(gold_papers, with_rules, seen)
    for name, r in results.items():
        if isinstance(r, dict):
            unseen = (f"  unseen R {r['unseen_recall']} ({r['unseen_mentions']})"
                      if r["unseen_recall"] is not None else "")
            wps = f"  {r['words_per_second']} words/s" if "words_per_second" in r else ""
            print(f"{name:34} P {r['p']:.3f}  R {r['r']:.3f}  F {r['f']:.3f}  (gold {r['gold']}){unseen}{wps}")
    write_json(results, output)


if __name__ == "__main__":
    typer.run(main)
