"""False positives on the gold set by class, for one or more `scripts/evaluate.py` outputs (before/after).

    python scripts/fp_classes.py metrics/evaluate-before.json metrics/evaluate.json --split dev

A predicted dataset that matches no gold dataset of its paper is put in the first class whose test it
passes; the tests look at the name only, so they describe rather than explain."""
import json
import re
import sys
from collections import Counter
from pathlib import Path

import typer

sys.path.insert(0, str(Path(__file__).parent))
from evaluate import GOLD, match  # noqa: E402

from dataref.linking.lexicon import CLAUSE_WORDS, ORGANISATION_HEADS, TRAILING_FUNCTION_WORDS  # noqa: E402
from dataref.linking.names import is_fragment  # noqa: E402

CLASSES = [
    ("upper-case headings and words", lambda n: re.fullmatch(r"[A-Z][A-Z .:-]+", n) is not None
     and (" " in n or len(n) >= 6)),
    ("organisations and funders", lambda n: n.split()[-1].lower().strip(".,") in ORGANISATION_HEADS),
    ("cut wrong (trailing word, joined names, open bracket, clause)",
     lambda n: n.split()[-1].lower() in TRAILING_FUNCTION_WORDS
     or re.search(r"\s(?:\+|nor|and)\s|\([^)]*$", n) is not None
     or any(w.lower() in CLAUSE_WORDS for w in n.split())),
    ("formula, table and label fragments", lambda n: is_fragment(n) and len(re.findall(r"[A-Za-z]", n)) > 2),
    ("initials and short acronyms (≤ 3 letters)", lambda n: len(re.findall(r"[A-Za-z]", n)) <= 3),
    ("other (methods, models, genes, places, tasks …)", lambda n: True),
]


def classify(name: str) -> str:
    return next(label for label, test in CLASSES if test(name))


def main(results: list[Path], split: str = typer.Option("dev")) -> None:
    gold = {r["file"]: r for r in map(json.loads, GOLD.read_text(encoding="utf8").splitlines())}
    table = {}
    for path in results:
        counts: Counter = Counter()
        for paper in json.loads(path.read_text(encoding="utf8"))["papers"]:
            if paper["split"] != split:
                continue
            predicted = [{"surface_forms": [n]} for n in paper["predicted"]]
            mapping = match(predicted, gold[paper["file"]]["datasets"])
            for i, name in enumerate(paper["predicted"]):
                if mapping[i] is None:
                    counts[classify(name)] += 1
        table[path.name] = counts
    print(f"{'class':62}" + "".join(f"{name[:22]:>24}" for name in table))
    for label, _ in CLASSES:
        print(f"{label:62}" + "".join(f"{c[label]:>24}" for c in table.values()))
    print(f"{'all false positives':62}" + "".join(f"{sum(c.values()):>24}" for c in table.values()))


if __name__ == "__main__":
    typer.run(main)
