"""End-to-end evaluation on the dataset→citation gold set (corpus/gold/links.jsonl).

Runs the full pipeline on each gold paper (TEI from DATAREF_CORPORA) and reports, per
paper and in total: dataset P/R/F (distinct datasets, names normalised), link P/R/F
over (dataset, bibliography id) pairs, the wrong-link rate, abstention accuracy on
datasets without a citation, and a breakdown by linker rule — for dataref's linker
and for a baseline (nearest marker in the sentence) run on the same entities.

    python scripts/evaluate.py [--model en_dataref_sm] [--output metrics/evaluate.json]
"""
import json
import os
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Optional

import spacy
import typer
from spacy.tokens import Doc

from dataref import TEIReader
from dataref.linker import key_of
from dataref.markers import resolve_markers
from dataref.names import normalize
from metrics_io import prf, write_json

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "corpus" / "gold" / "links.jsonl"
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))


def gold_keys(dataset: dict) -> set[str]:
    return {normalize(n) for n in [dataset["name"], *dataset.get("aliases", [])]}


def same(a: str, b: str) -> bool:
    """Normalised names match, or one contains the other (≥ 5 characters)."""
    short, long = sorted((a, b), key=len)
    return a == b or (len(short) >= 5 and short in long)


def match(predicted: list[dict], gold: list[dict]) -> dict[int, Optional[int]]:
    """Predicted dataset index → gold dataset index (or None)."""
    found = {}
    for i, p in enumerate(predicted):
        names = {normalize(f) for f in p["surface_forms"]}
        found[i] = next((j for j, g in enumerate(gold) if any(same(n, k) for n in names for k in gold_keys(g))), None)
    return found


def baseline_links(doc: Doc) -> dict[str, list[dict]]:
    """The simplest linker: every mention takes the nearest marker of its sentence."""
    markers = resolve_markers(doc)
    links = {}
    for ent in doc.ents:
        sent = ent.sent
        near = [m for m in markers if sent.start <= m.start < sent.end and m.ids]
        if near:
            best = min(near, key=lambda m: min(abs(m.start - ent.end), abs(ent.start - m.end)))
            links[key_of(ent)] = [{"id": i, "score": 1.0, "rule": "nearest_marker", "marker": None,
                                   "resolution": best.resolution} for i in best.ids]
    return links


def score_paper(datasets: list[dict], gold: list[dict], rules: Counter) -> Counter:
    counts: Counter = Counter()
    mapping = match(datasets, gold)
    matched_gold = {j for j in mapping.values() if j is not None}
    counts["ds_tp"] = len(matched_gold)
    counts["ds_fp"] = sum(1 for j in mapping.values() if j is None)
    counts["ds_fn"] = len(gold) - len(matched_gold)
    gold_pairs = {(j, r) for j, g in enumerate(gold) for r in g["refs"]}
    predicted_pairs: dict[tuple, set[str]] = {}
    for i, dataset in enumerate(datasets):
        j = mapping[i]
        for ref in dataset["references"]:
            pair = (j if j is not None else f"fp{i}", ref["id"])
            predicted_pairs.setdefault(pair, set()).update(e["rule"] for e in ref["evidence"])
    for pair, used in predicted_pairs.items():
        if isinstance(pair[0], int):  # the linker judged on datasets that are really there
            for rule in used:
                rules[rule, pair in gold_pairs] += 1
    counts["link_tp"] = sum(1 for p in predicted_pairs if p in gold_pairs)
    counts["link_fp"] = len(predicted_pairs) - counts["link_tp"]
    counts["link_fn"] = len(gold_pairs) - counts["link_tp"]
    counts["wrong_links"] = sum(1 for (j, r) in predicted_pairs if isinstance(j, int) and (j, r) not in gold_pairs)
    counts["links_on_gold_datasets"] = sum(1 for (j, _) in predicted_pairs if isinstance(j, int))
    counts["links_on_false_datasets"] = len(predicted_pairs) - counts["links_on_gold_datasets"]
    for j, g in enumerate(gold):
        if j in matched_gold and not g["refs"]:
            counts["abstain_total"] += 1
            counts["abstain_ok"] += not any(pj == j for pj, _ in predicted_pairs)
    return counts


def summarize(counts: Counter, rules: Counter) -> dict:
    return {
        "datasets": prf(counts["ds_tp"], counts["ds_fp"], counts["ds_fn"], 3),
        "links": prf(counts["link_tp"], counts["link_fp"], counts["link_fn"], 3),
        "wrong_link_rate": round(counts["wrong_links"] / counts["links_on_gold_datasets"], 3)
        if counts["links_on_gold_datasets"] else 0.0,
        "abstention_accuracy": round(counts["abstain_ok"] / counts["abstain_total"], 3)
        if counts["abstain_total"] else None,
        "counts": dict(counts),
        "rules": {rule: {"correct": rules[rule, True], "wrong": rules[rule, False]}
                  for rule in sorted({r for r, _ in rules})},
    }


def main(model: str = "en_dataref_sm", gold_path: Path = GOLD, output: Optional[Path] = None) -> None:
    if not CORPORA.exists():
        raise SystemExit(f"No corpora at {CORPORA}: set DATAREF_CORPORA.")
    nlp = spacy.load(model)
    reader = TEIReader(nlp)
    linker = nlp.get_pipe("dataref_citation_linker")
    totals = {"dataref": Counter(), "baseline": Counter()}
    rules = {"dataref": Counter(), "baseline": Counter()}
    papers = []
    start = time.perf_counter()
    for record in map(json.loads, gold_path.read_text(encoding="utf8").splitlines()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = nlp(reader(CORPORA / record["file"]))
        row = {"file": record["file"], "gold": len(record["datasets"])}
        for system in ("dataref", "baseline"):
            if system == "baseline":
                doc._.citation_links = baseline_links(doc)
            counts = score_paper(doc._.datasets, record["datasets"], rules[system])
            totals[system].update(counts)
            row[system] = {k: counts[k] for k in ("ds_tp", "ds_fp", "ds_fn", "link_tp", "link_fp", "link_fn")}
        linker(doc)  # restore dataref's links on the Doc
        papers.append(row)
    results = {"date": time.strftime("%Y-%m-%d"), "model": model, "papers": papers,
               "seconds": round(time.perf_counter() - start, 1),
               **{system: summarize(totals[system], rules[system]) for system in totals}}
    print(f"{'paper':58} {'datasets tp/fp/fn':>18} {'links tp/fp/fn':>15} {'baseline links':>15}")
    for row in papers:
        d, b = row["dataref"], row["baseline"]
        print(f"{row['file'][:58]:58} {d['ds_tp']:>6}/{d['ds_fp']}/{d['ds_fn']:<8} "
              f"{d['link_tp']:>6}/{d['link_fp']}/{d['link_fn']:<6} {b['link_tp']:>6}/{b['link_fp']}/{b['link_fn']}")
    for system in totals:
        s = results[system]
        print(f"\n{system}: datasets P {s['datasets']['p']} R {s['datasets']['r']} F {s['datasets']['f']} | "
              f"links P {s['links']['p']} R {s['links']['r']} F {s['links']['f']} | "
              f"wrong-link rate {s['wrong_link_rate']} | abstention accuracy {s['abstention_accuracy']}")
        print(f"    rules on gold datasets (links on false datasets: {s['counts'].get('links_on_false_datasets', 0)}):")
        for rule, c in s["rules"].items():
            print(f"    {rule:16} correct {c['correct']:3}  wrong {c['wrong']:3}")
    write_json(results, output)


if __name__ == "__main__":
    typer.run(main)
