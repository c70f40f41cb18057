"""How each stage's time grows with a hostile input: a real GROBID paper with n, then 2n, hostile items appended
(numbers, citation markers, table cells, bibliography entries, dataset names, capitalised words; see
tests/hostile.py), each stage timed on its own. A ratio near 2 is linear; near 4 quadratic.

    python scripts/scaling.py [--model en_dataref_sm] [--kind numbers --kind markers ...] [--scale 1.0]

Prints one table per kind: stage, seconds at n, seconds at 2n, ratio (stages under 0.05 s at 2n are shown
without a ratio: too fast to measure). Each size runs in a fresh process, so one slow stage cannot hold the
others, and `--stage-limit` seconds ends a size that takes longer (shown as > limit)."""
import json
import multiprocessing
import sys
import time
import warnings
from pathlib import Path
from typing import Optional

import typer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE = {"numbers": 5_000, "markers": 5_000, "cells": 10_000, "bibliography": 2_000, "names": 1_000,
        "capitals": 15_000}


def _time_stages(model: str, kind: str, n: int, answer) -> None:
    import spacy

    from dataref import PaperReader
    from dataref.pipes.windows import window_pipes
    from dataref.output.results import doc_to_json
    from tests.hostile import hostile_tei

    warnings.simplefilter("ignore")
    nlp = window_pipes(spacy.load(model))  # as `dataref extract` loads it
    reader = PaperReader(nlp)
    data = hostile_tei(kind, n)
    times = {}
    start = time.perf_counter()
    doc = reader(data)
    times["read"] = time.perf_counter() - start
    answer.put(("stage", "read", times["read"]))
    for name, component in nlp.pipeline:
        start = time.perf_counter()
        doc = component(doc)
        answer.put(("stage", name, time.perf_counter() - start))
    start = time.perf_counter()
    doc_to_json(doc)
    answer.put(("stage", "results", time.perf_counter() - start))
    answer.put(("done", len(doc.text), len(doc)))


def measure(model: str, kind: str, n: int, limit: float) -> tuple[dict[str, Optional[float]], str]:
    """Seconds per stage for one size (None: the stage did not finish within the limit)."""
    context = multiprocessing.get_context("fork")
    answer = context.Queue()
    process = context.Process(target=_time_stages, args=(model, kind, n, answer), daemon=True)
    process.start()
    stages: dict[str, Optional[float]] = {}
    deadline = time.monotonic() + limit
    size = ""
    while True:
        left = deadline - time.monotonic()
        try:
            message = answer.get(timeout=max(0.1, left))
        except Exception:
            message = None
        if message is None:
            if time.monotonic() >= deadline or not process.is_alive():
                process.kill()
                stages["(unfinished)"] = None
                break
            continue
        if message[0] == "done":
            size = f"{message[1]:,} characters, {message[2]:,} tokens"
            break
        stages[message[1]] = message[2]
    process.join(5)
    return stages, size


def main(model: str = "en_dataref_sm", kind: list[str] = typer.Option(list(BASE), "--kind"),
         scale: float = 1.0, stage_limit: float = 300.0, json_out: Optional[Path] = None) -> None:
    results = {}
    for name in kind:
        n = max(1, int(BASE[name] * scale))
        small, small_size = measure(model, name, n, stage_limit)
        large, large_size = measure(model, name, 2 * n, stage_limit)
        print(f"\n{name}: n = {n:,} ({small_size}) and 2n = {2 * n:,} ({large_size})")
        print(f"  {'stage':<30} {'n (s)':>9} {'2n (s)':>9} {'ratio':>7}")
        rows = {}
        for stage in dict.fromkeys([*small, *large]):
            a, b = small.get(stage), large.get(stage)
            ratio = (b / a) if a and b is not None and b >= 0.05 and a > 0 else None
            shown_b = f"> {stage_limit:g}" if b is None else f"{b:9.2f}"
            shown_a = "-" if a is None else f"{a:9.2f}"
            print(f"  {stage:<30} {shown_a:>9} {shown_b:>9} {'' if ratio is None else f'{ratio:7.1f}':>7}")
            rows[stage] = {"n": a, "2n": b, "ratio": ratio}
        results[name] = {"n": n, "stages": rows}
    if json_out:
        json_out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    typer.run(main)
