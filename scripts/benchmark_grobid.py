"""Throughput of the whole PDF path (GROBID client → cache → reader → pipeline → JSONL) against the
stand-in GROBID server, and whether dataref's own work overlaps with waiting on GROBID.

Each fake PDF asks the stand-in for a different real TEI file (../shared/corpora/grobid-tei-bulk).
With `--latency` the stand-in waits that long per request, like a real GROBID; if the waiting did not
overlap with dataref's work, the run would take about papers × latency / concurrency + CPU time.

    python scripts/benchmark_grobid.py --papers 100 --latency 0 --latency 2
"""
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Optional

import sys

import typer

from dataref.run.extract import run_extract
from dataref.run.grobid import GrobidOptions
from metrics_io import write_json

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from grobid_stub import StubGrobid, fake_pdf  # noqa: E402  (the stand-in server lives with the tests)
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(papers: int, latency: float, concurrency: int, model: str) -> dict:
    tei_dir = CORPORA / "grobid-tei-bulk"
    names = sorted(p.name for p in tei_dir.glob("*.xml"))[:papers]
    with tempfile.TemporaryDirectory() as tmp, StubGrobid(tei_dir, delay=latency) as stub:
        pdfs = Path(tmp) / "pdfs"
        pdfs.mkdir()
        for i, name in enumerate(names):
            (pdfs / f"p{i:04d}.pdf").write_bytes(fake_pdf(name, "ok", salt=str(latency)))
        out = Path(tmp) / "out.jsonl"
        options = GrobidOptions(url=stub.url, concurrency=concurrency)
        cpu, start = cpu_seconds(), time.perf_counter()
        summary = run_extract([pdfs], out, model=model, grobid_options=options)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        lines = out.read_text().splitlines()
    waiting = len(names) * latency / concurrency
    return {"papers": len(names), "latency_s": latency, "concurrency": concurrency,
            "results": len(lines), "errors": summary.errors, "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1), "papers_per_second": round(len(names) / wall, 2),
            "cpu_busy_share": round(cpu / wall, 2), "waiting_if_serial_s": round(waiting, 1),
            "overlap": round((cpu + waiting - wall) / waiting, 2) if waiting else None}


def main(papers: int = 100, latency: list[float] = typer.Option([0.0, 2.0]), concurrency: int = 4,
         model: str = "en_dataref_sm", output: Optional[Path] = None) -> None:
    runs = [run(papers, seconds, concurrency, model) for seconds in latency]
    results = {"date": time.strftime("%Y-%m-%d"), "runs": runs}
    print(json.dumps(results, indent=2))
    write_json(results, output)


if __name__ == "__main__":
    typer.run(main)
