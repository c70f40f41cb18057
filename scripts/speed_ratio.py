"""Whole-pipeline speed of a pipeline against a baseline pipeline, as a ratio taken within one run.

Both pipelines run the same papers, after a warm-up, in rounds (A B, B A, A B, …), so a machine that gets busier
or quieter during the run slows both alike; the ratio of their words per second is the figure.

    git show 8442077:packages/en_dataref_sm-0.3.0-py3-none-any.whl > /tmp/old.whl
    unzip -q -o /tmp/old.whl -d /tmp/old
    python scripts/speed_ratio.py /tmp/old/en_dataref_sm/en_dataref_sm-0.3.0 [--model en_dataref_sm] [--papers 60]
"""
import time
import warnings
from pathlib import Path
from typing import Optional

import spacy
import typer

from benchmark import tei_files
from dataref import TEIReader
from metrics_io import report_speed


def main(baseline: Path, model: str = "en_dataref_sm", papers: int = 60, rounds: int = 3,
         output: Optional[Path] = None) -> None:
    warnings.simplefilter("ignore")
    files = tei_files(papers)
    pipelines = {"baseline": spacy.load(baseline), "model": spacy.load(model)}
    reader = TEIReader(pipelines["model"])
    docs = [reader(p) for p in files]
    words = sum(len(d) for d in docs)
    seconds = {name: 0.0 for name in pipelines}
    for nlp in pipelines.values():  # warm-up: the first Doc through a pipeline pays for lazy set-up
        list(nlp.pipe(d.copy() for d in docs[:2]))
    for turn in range(rounds):
        order = list(pipelines.items())
        for name, nlp in order if turn % 2 == 0 else reversed(order):
            start = time.perf_counter()
            for _ in nlp.pipe(d.copy() for d in docs):
                pass
            seconds[name] += time.perf_counter() - start
    speed = {name: round(words * rounds / s) for name, s in seconds.items()}
    report_speed(len(docs), words, rounds, str(baseline), model, speed, output)


if __name__ == "__main__":
    typer.run(main)
