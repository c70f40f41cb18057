"""Papers per second on the same files, in the same run: the single-process path (`dataref extract -o x.jsonl`)
against the Ray engine with 1 and 2 workers in local mode, and Ray's overhead per paper.

    python scripts/benchmark_ray.py [--papers 40] [--model en_dataref_sm] [--cpus 2] [--output metrics/ray.json]

Half the papers are GROBID TEI (grobid-tei-bulk), half JATS (jats). Each figure is the wall time of a whole run:
loading the pipeline (once per process or actor) included, Ray's own start (`ray.init`) timed apart.
Overhead per paper = (Ray with 1 worker − single process) / papers, the single-process time being the mean of a
run before and a run after the Ray runs (the machine's load changes; both are printed)."""
import os
import platform
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Optional

import typer

from dataref.run.extract import run_extract
from metrics_io import write_json

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))


def papers_for(count: int) -> list[Path]:
    tei = sorted((CORPORA / "grobid-tei-bulk").glob("*.xml"))
    jats = sorted((CORPORA / "jats").glob("*.xml"))
    half = count // 2
    return tei[:count - min(half, len(jats))] + jats[:half]


def main(papers: int = typer.Option(40, help="How many papers (half TEI, half JATS)"),
         model: str = typer.Option("en_dataref_sm"),
         cpus: int = typer.Option(2, help="CPUs given to the local Ray"),
         output: Optional[Path] = typer.Option(None, help="Write the figures as JSON")) -> None:
    import ray

    from dataref.run.ray_runner import extract_with_ray

    files = papers_for(papers)
    n = len(files)
    work = Path(tempfile.mkdtemp(prefix="dataref-bench-"))
    warnings.filterwarnings("ignore")
    results: dict = {"papers": n, "tei": sum(1 for f in files if "grobid" in str(f)), "model": model,
                     "machine": f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}",
                     "load_average_before": os.getloadavg()}
    def single(run: int) -> float:
        start = time.perf_counter()
        summary = run_extract(files, work / f"plain-{run}.jsonl", model=model)
        seconds = time.perf_counter() - start
        assert summary.papers + summary.errors == n
        print(f"single process (run {run}): {n} papers in {seconds:.1f} s = {n / seconds:.2f} papers/s")
        return seconds

    # the single-process path runs before and after Ray, so a change in the machine's load shows
    first = single(1)

    start = time.perf_counter()
    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)
    results["ray_init_seconds"] = round(time.perf_counter() - start, 1)
    print(f"ray.init: {results['ray_init_seconds']} s")
    for workers in (1, 2):
        out = work / f"ray-{workers}"
        start = time.perf_counter()
        ray_summary = extract_with_ray(files, out, model=model, workers=workers)
        seconds = time.perf_counter() - start
        assert ray_summary.papers + ray_summary.errors == n
        results[f"ray_{workers}_workers"] = {"seconds": round(seconds, 1), "papers_per_s": round(n / seconds, 3)}
        print(f"ray, {workers} worker{'s' if workers > 1 else ''}: {n} papers in {seconds:.1f} s = "
              f"{n / seconds:.2f} papers/s")
    ray.shutdown()
    second = single(2)
    plain = (first + second) / 2
    results["single_process"] = {"seconds_before_ray": round(first, 1), "seconds_after_ray": round(second, 1),
                                 "seconds": round(plain, 1), "papers_per_s": round(n / plain, 3)}
    one, two = results["ray_1_workers"]["seconds"], results["ray_2_workers"]["seconds"]
    overhead = (one - plain) / n
    results["speedup_2_vs_1_workers"] = round(one / two, 2)
    results["speedup_2_workers_vs_single_process"] = round(plain / two, 2)
    results["ray_overhead_per_paper_seconds"] = round(overhead, 3)
    results["ray_overhead_share_of_paper_time"] = round(overhead / (plain / n), 3)
    results["load_average_after"] = os.getloadavg()
    print(f"2 workers vs 1: {one / two:.2f}x; 2 workers vs single process: {plain / two:.2f}x")
    print(f"Ray overhead: {overhead:.3f} s per paper = {overhead / (plain / n):.1%} of the single-process time per "
          f"paper ({plain / n:.2f} s)")
    print(f"load average before/after: {results['load_average_before']} / {results['load_average_after']}")
    write_json(results, output)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
