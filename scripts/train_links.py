"""Train the link ranker (dataref_citation_linker's (entity, entry) decision) on the gold set's dev part.

Runs the shipped pipeline on each gold paper, asks the linker for every (entity, entry) pair the markers near
the entity's mentions reach (`CitationLinker.pair_candidates`: the features inference uses), labels a pair 1
when the gold record of the entity cites that entry, 0 when it does not, and leaves out pairs whose entry the
gold marks `acceptable` and entities that match no gold dataset. A logistic regression is fitted on the dev
part (its C chosen by cross-validation by paper). The linker keeps a link the rules propose only when the
ranker scores its pair at the threshold or more; that decision is compared with the rules alone on the dev
part (cross-validated) and the test part, and the ranker is shipped only where it beats them
(`scripts/evaluate.py --ranker` for whole papers).

    python scripts/train_links.py corpus/links [--model en_dataref_sm] [--seed 0]
"""
import json
import sys
import warnings
from collections import Counter
from pathlib import Path

import spacy
import typer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate import CORPORA, GOLD, match  # noqa: E402

from dataref.linking.link_features import LINK_FEATURES  # noqa: E402
from dataref.linking.logistic import LogisticModel  # noqa: E402
from dataref.linking.names import normalize  # noqa: E402
from dataref.pipes.windows import window_pipes  # noqa: E402
from dataref.readers import PaperReader  # noqa: E402

LINKER = "dataref_citation_linker"


def rows_of(nlp, record: dict, reader: PaperReader) -> list[dict]:
    """The labelled (entity, entry) pairs of one gold paper."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = nlp(reader(CORPORA / record["file"]))
    linker = nlp.get_pipe(LINKER)
    state = linker.rule_links(doc)
    if state is None:
        return []
    forms: dict[str, set[str]] = {}
    for ent in state.ents:
        forms.setdefault(state.groups.find(normalize(ent.text)), set()).add(ent.text)
    roots = sorted(forms)
    mapping = match([{"surface_forms": sorted(forms[r])} for r in roots], record["datasets"])
    gold_of = {root: record["datasets"][mapping[i]] for i, root in enumerate(roots) if mapping[i] is not None}
    rows = []
    for candidate in linker.pair_candidates(doc, state):
        gold = gold_of.get(candidate.root)
        if gold is None or candidate.entry in gold.get("acceptable", []) and candidate.entry not in gold["refs"]:
            continue
        rows.append({"file": record["file"], "split": record["split"], "root": candidate.root,
                     "entry": candidate.entry, "label": int(candidate.entry in gold["refs"]),
                     "features": candidate.features})
    return rows


def fit(rows: list[dict], C: float, seed: int) -> LogisticModel:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X = np.array([[r["features"][f] for f in LINK_FEATURES] for r in rows])
    y = np.array([r["label"] for r in rows])
    scaler = StandardScaler().fit(X)
    model = LogisticRegression(C=C, max_iter=5000, random_state=seed).fit(scaler.transform(X), y)
    return LogisticModel(features=list(LINK_FEATURES), mean=scaler.mean_.round(6).tolist(),
                         scale=scaler.scale_.round(6).tolist(), weights=model.coef_[0].round(6).tolist(),
                         bias=round(float(model.intercept_[0]), 6))


def pair_scores(rows: list[dict], decide) -> dict:
    """Pair-level P/R/F of a decision (row → bool)."""
    c: Counter = Counter()
    for row in rows:
        yes = decide(row)
        c["tp"] += yes and row["label"]
        c["fp"] += yes and not row["label"]
        c["fn"] += (not yes) and row["label"]
    p = c["tp"] / max(1, c["tp"] + c["fp"])
    r = c["tp"] / max(1, c["tp"] + c["fn"])
    return {"p": round(p, 3), "r": round(r, 3), "f": round(2 * p * r / max(1e-9, p + r), 3), **c}


def cross_validate(rows: list[dict], C: float, seed: int, threshold: float, folds: int = 5) -> dict:
    """Pairs of each paper scored by a ranker fitted on the other folds' papers."""
    files = sorted({r["file"] for r in rows})
    fold_of = {f: i % folds for i, f in enumerate(files)}
    decided = []
    for k in range(folds):
        model = fit([r for r in rows if fold_of[r["file"]] != k], C, seed)
        decided += [(r, model.score(r["features"])[0] >= threshold) for r in rows if fold_of[r["file"]] == k]
    kept = {id(r): yes for r, yes in decided}
    return pair_scores([r for r, _ in decided], lambda r: proposed(r) and kept[id(r)])


def proposed(row: dict) -> bool:
    """The ordered rules link the pair."""
    return row["features"]["rule_score"] > 0


def main(out: Path, model: str = "en_dataref_sm", seed: int = 0, threshold: float = 0.25,
         reuse_rows: bool = typer.Option(False, help="Refit on the rows of an earlier run")) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rows_file = out / "rows.jsonl"
    if reuse_rows and rows_file.exists():
        rows = [json.loads(line) for line in rows_file.read_text().splitlines()]
    else:
        nlp = window_pipes(spacy.load(model))
        nlp.get_pipe(LINKER).ranker = None  # the rules' links are features: never the ranker's own
        reader = PaperReader(nlp, max_chars=1_000_000)
        records = [json.loads(line) for line in GOLD.read_text().splitlines()]
        rows = [row for record in records if record["split"] in ("dev", "test") for row in rows_of(nlp, record, reader)]
        rows_file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    dev = [r for r in rows if r["split"] == "dev"]
    test = [r for r in rows if r["split"] == "test"]
    choices = {C: cross_validate(dev, C, seed, threshold) for C in (0.01, 0.03, 0.1, 0.3, 1.0)}
    best = max(choices, key=lambda C: (choices[C]["f"], -C))
    ranker = fit(dev, best, seed)
    (out / "ranker.json").write_text(json.dumps(ranker.to_dict(), indent=1))

    figures = {
        "pairs": {"dev": len(dev), "test": len(test), "dev_positive": sum(r["label"] for r in dev)},
        "cross_validation_by_C": choices, "C": best, "threshold": threshold,
        "dev_cv": {"ranker": choices[best], "rules": pair_scores(dev, proposed)},
        "test": {"ranker": pair_scores(test, lambda r: proposed(r) and ranker.score(r["features"])[0] >= threshold),
                 "rules": pair_scores(test, proposed)},
        "weights": dict(sorted(zip(ranker.features, ranker.weights, strict=True), key=lambda kv: -abs(kv[1]))),
    }
    (out / "report.json").write_text(json.dumps(figures, indent=1))
    print(json.dumps({k: figures[k] for k in ("pairs", "C", "dev_cv", "test", "weights")}, indent=1))


if __name__ == "__main__":
    typer.run(main)
