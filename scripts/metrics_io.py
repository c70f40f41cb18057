"""Helpers shared by the evaluation and benchmark scripts."""
import json
import time
from pathlib import Path
from typing import Optional


def prf(tp: int, fp: int, fn: int, digits: int = 4) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, digits), "r": round(r, digits), "f": round(f, digits)}


def write_json(results: dict, output: Optional[Path]) -> None:
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=2))


def report_speed(papers: int, words: int, rounds: int, baseline: str, model: str, speed: dict[str, int],
                 output: Optional[Path]) -> None:
    """Print and write a within-one-run speed comparison: `speed` holds words/s for "baseline" and one other."""
    other = next(name for name in speed if name != "baseline")
    results = {"date": time.strftime("%Y-%m-%d"), "papers": papers, "words": words, "rounds": rounds,
               "baseline": baseline, "model": model, "words_per_second": speed,
               "ratio": round(speed[other] / speed["baseline"], 3)}
    print(json.dumps(results, indent=1))
    write_json(results, output)
