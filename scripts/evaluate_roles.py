"""Role accuracy on the held-out Europe PMC data-citation sentences: Use vs Creation.

The textcat of the role component (trained by configs/role.cfg on the train part of scripts/splits.py) reads
each held-out sentence (PMCID with crc32 % 10 >= 7) labelled Use or Creation and answers the more likely of
CREATION and USE; accuracy, per-class P/R and the confusion are printed. Background sentences are scored apart
(how often each role is given to them).

    python scripts/evaluate_roles.py [--model training/roles/model-best] [--split test|dev|train]
        [--output metrics/roles.json]
"""
import os
import time
from collections import Counter
from pathlib import Path
from typing import Optional

import spacy
import typer

from metrics_io import prf, write_json
from role_data import epmc_rows
from splits import role_split

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))


def main(model: Path = Path("training/roles/model-best"), split: str = "test", output: Optional[Path] = None) -> None:
    nlp = spacy.load(model)
    rows = [(text, label) for key, text, label in epmc_rows(CORPORA) if role_split(key) == split]
    start = time.perf_counter()
    docs = list(nlp.pipe(text for text, _ in rows))
    seconds = time.perf_counter() - start
    confusion: Counter = Counter()
    background: Counter = Counter()
    for doc, (_, label) in zip(docs, rows, strict=True):
        guess = "CREATION" if doc.cats["CREATION"] >= doc.cats["USE"] else "USE"
        if label == "BACKGROUND":
            background[guess] += 1
        else:
            confusion[label, guess] += 1
    total = sum(confusion.values())
    right = confusion["CREATION", "CREATION"] + confusion["USE", "USE"]
    result = {
        "split": split, "sentences": total, "accuracy": round(right / total, 4) if total else 0.0,
        "creation": prf(confusion["CREATION", "CREATION"], confusion["USE", "CREATION"], confusion["CREATION", "USE"]),
        "use": prf(confusion["USE", "USE"], confusion["CREATION", "USE"], confusion["USE", "CREATION"]),
        "confusion (gold -> predicted)": {f"{a} -> {b}": n for (a, b), n in sorted(confusion.items())},
        "background_sentences_as": dict(background), "sentences_per_second": round(len(docs) / seconds, 1),
    }
    typer.echo(f"{split}: {total} Use/Creation sentences, accuracy {result['accuracy']:.3f}; creation "
               f"P {result['creation']['p']:.3f} R {result['creation']['r']:.3f}; use P {result['use']['p']:.3f} "
               f"R {result['use']['r']:.3f}; confusion {result['confusion (gold -> predicted)']}; "
               f"background as {dict(background)}")
    write_json(result, output)


if __name__ == "__main__":
    typer.run(main)
