"""Whole-pipeline speed of this checkout's dataref code against another checkout's, the same installed model, as a
ratio taken within one run.

One process cannot hold two versions of a package, so each timing is a child process with the other checkout's
`pipeline/` first on PYTHONPATH or not; the children alternate (A B, B A, …) so that a machine that gets busier
or quieter slows both alike. (`scripts/speed_ratio.py` compares two models under one code.)

    git worktree add /tmp/oldcode <rev>
    python scripts/speed_code.py /tmp/oldcode [--model en_dataref_sm] [--papers 40] [--rounds 3]
"""
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import typer

from metrics_io import report_speed

HERE = Path(__file__).resolve().parent
# The child: read the papers, one warm-up, then time nlp.pipe over them; prints words and seconds as JSON.
CHILD = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {scripts!r})
import spacy
from benchmark import tei_files
from dataref import TEIReader
nlp = spacy.load({model!r})
docs = [TEIReader(nlp)(p) for p in tei_files({papers})]
list(nlp.pipe(d.copy() for d in docs[:2]))
start = time.perf_counter()
for _ in nlp.pipe(d.copy() for d in docs):
    pass
print(json.dumps({{"words": sum(len(d) for d in docs), "seconds": time.perf_counter() - start}}))
"""


def timed(checkout: Optional[Path], model: str, papers: int) -> dict:
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(checkout / "pipeline"), env.get("PYTHONPATH")]))
    code = CHILD.format(scripts=str(HERE), model=model, papers=papers)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(baseline: Path, model: str = "en_dataref_sm", papers: int = 40, rounds: int = 3,
         output: Optional[Path] = None) -> None:
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    for turn in range(rounds):
        order = [("baseline", baseline), ("this", None)]
        for name, checkout in order if turn % 2 == 0 else reversed(order):
            runs[name].append(timed(checkout, model, papers))
    words = runs["this"][0]["words"]
    speed = {name: round(words * len(found) / sum(r["seconds"] for r in found)) for name, found in runs.items()}
    report_speed(papers, words, rounds, str(baseline), model, speed, output)


if __name__ == "__main__":
    typer.run(main)
