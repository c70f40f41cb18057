"""Make Data Count figures: F1 on (article, dataset id, type) rows and on (article, dataset id) pairs.

Runs `dataref extract --format mdc` (the same code, through run_extract) over the plain-text MDC articles of one
part of the fixed split (scripts/splits.py: crc32(article id) % 10 >= 7 is the held-out part; the rest is dev,
the part the rules and thresholds were tuned on), then scores the CSV against mdc/train_labels.csv (rows of type
Missing are not rows to find). Text: mdc/text_from_xml/<id>.txt when the article has one, else text_from_pdf
(`--text xml|pdf|best`, default best).

    python scripts/evaluate_mdc.py [--model en_dataref_sm] [--split dev|test|all] [--text best]
        [--output metrics/mdc.json] [--show-errors]
"""
import csv
import os
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Optional

import typer

from dataref.run.extract import run_extract
from metrics_io import prf, write_json
from splits import part

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))


def gold_rows(labels: Path, split: str) -> tuple[set, set]:
    """(article, id, type) rows and the article ids of the split; DOIs in lower case."""
    with open(labels, encoding="utf8") as handle:
        rows = list(csv.DictReader(handle))
    articles = {r["article_id"] for r in rows if split == "all" or part(r["article_id"]) == split}
    gold = {(r["article_id"], _key(r["dataset_id"]), r["type"]) for r in rows
            if r["article_id"] in articles and r["type"] != "Missing"}
    return gold, articles


def _key(dataset_id: str) -> str:
    return dataset_id.lower() if dataset_id.lower().startswith("https://doi.org/") else dataset_id


def text_file(mdc: Path, article: str, text: str) -> Path:
    xml, pdf = mdc / "text_from_xml" / f"{article}.txt", mdc / "text_from_pdf" / f"{article}.txt"
    if text == "xml" or (text == "best" and xml.exists()):
        return xml if xml.exists() else pdf
    return pdf


def score(gold: set, predicted: set) -> dict:
    typed = prf(len(gold & predicted), len(predicted - gold), len(gold - predicted))
    gold_pairs, predicted_pairs = {g[:2] for g in gold}, {p[:2] for p in predicted}
    untyped = prf(len(gold_pairs & predicted_pairs), len(predicted_pairs - gold_pairs),
                  len(gold_pairs - predicted_pairs))
    both = {p[:2]: p[2] for p in predicted}
    types = Counter((g[2], both[g[:2]]) for g in gold if g[:2] in both)
    return {"typed": typed, "untyped": untyped, "gold_rows": len(gold), "predicted_rows": len(predicted),
            "type_confusion (gold -> predicted)": {f"{a} -> {b}": n for (a, b), n in sorted(types.items())}}


def evaluate(model: str, split: str, text: str, show_errors: bool) -> dict:
    mdc = CORPORA / "mdc"
    gold, articles = gold_rows(mdc / "train_labels.csv", split)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "papers"
        folder.mkdir()
        for article in sorted(articles):
            shutil.copy(text_file(mdc, article, text), folder / f"{article}.txt")
        out = Path(tmp) / "rows.csv"
        start = time.perf_counter()
        summary = run_extract([folder], out, model=model, output_format="mdc")
        seconds = time.perf_counter() - start
        with open(out, encoding="utf8") as handle:
            predicted = {(r["article_id"], _key(r["dataset_id"]), r["type"]) for r in csv.DictReader(handle)}
    result = {"split": split, "text": text, "articles": len(articles), "errors": summary.errors,
              "seconds_per_paper": round(seconds / max(1, len(articles)), 3), **score(gold, predicted)}
    if show_errors:
        pairs = {p[:2]: p[2] for p in predicted}
        gold_pairs = {g[:2]: g[2] for g in gold}
        for key in sorted(set(pairs) | set(gold_pairs)):
            if pairs.get(key) != gold_pairs.get(key):
                typer.echo(f"  {key[0]}  {key[1]}  gold={gold_pairs.get(key, '-')}  predicted={pairs.get(key, '-')}")
    return result


def main(model: str = "en_dataref_sm", split: str = "dev", text: str = "best",
         output: Optional[Path] = None, show_errors: bool = False, max_chars: int = 600_000) -> None:
    # Five MDC texts exceed extract's default 180,000-character limit (one held-out, four dev): raised here so
    # that no article is refused (peak memory ~2.4 GB for the longest, 401,714 characters).
    os.environ.setdefault("DATAREF_MAX_CHARS", str(max_chars))
    results = {}
    for name in (["dev", "test"] if split == "both" else [split]):
        results[name] = evaluate(model, name, text, show_errors)
        r = results[name]
        typer.echo(f"{name}: {r['articles']} articles, {r['gold_rows']} gold rows, {r['predicted_rows']} predicted; "
                   f"typed P {r['typed']['p']:.3f} R {r['typed']['r']:.3f} F1 {r['typed']['f']:.3f}; "
                   f"untyped P {r['untyped']['p']:.3f} R {r['untyped']['r']:.3f} F1 {r['untyped']['f']:.3f}; "
                   f"{r['seconds_per_paper']} s/paper; types {r['type_confusion (gold -> predicted)']}")
    write_json(results, output)


if __name__ == "__main__":
    typer.run(main)
