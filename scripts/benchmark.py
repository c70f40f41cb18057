"""Speed of each stage on real GROBID TEI: reading TEI, NER, linking, the whole pipeline,
with n_process 1 and 2; papers and words per second, peak memory, share of time per stage,
and ratios taken within the same run (absolute times on shared machines vary).

    python scripts/benchmark.py [--model en_dataref_sm] [--papers 400] [--output metrics/benchmark.json]
"""
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Optional

import spacy
import typer

from dataref import TEIReader
from metrics_io import write_json

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))


def tei_files(limit: int) -> list[Path]:
    files = []
    for sub in ("grobid-tei-bulk", "tei-samples", "grobid-tei"):
        files.extend(sorted((CORPORA / sub).glob("*.xml")))
    files = [f for f in files if "mangled" not in f.name]
    repeated = (files * (limit // max(len(files), 1) + 1))[:limit]
    return repeated


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def read_all(reader: TEIReader, files: list[Path]) -> list:
    docs = []
    for path in files:
        try:
            docs.append(reader(path))
        except ValueError:
            continue
    return docs


def stream_peak_mb(model: str, files: list[Path]) -> int:
    """Peak memory of a fresh process that streams the papers through the pipeline the way
    `dataref extract` does (one Doc at a time, results kept as JSON only)."""
    code = ("import resource, sys, warnings, spacy, json; warnings.simplefilter('ignore');"
            "from dataref import TEIReader; from dataref.output.results import doc_to_json;"
            f"nlp = spacy.load({model!r}); reader = TEIReader(nlp);"
            "paths = sys.stdin.read().split(chr(10));"
            "n = sum(1 for d in nlp.pipe(reader(p) for p in paths) if doc_to_json(d));"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")
    done = subprocess.run([sys.executable, "-c", code], input="\n".join(map(str, files)), capture_output=True,
                          text=True, check=True)
    return int(done.stdout.split()[-1])


def main(model: str = "en_dataref_sm", papers: int = 400, output: Optional[Path] = None) -> None:
    warnings.simplefilter("ignore")
    files = tei_files(papers)
    # First, while this process is small: a child's peak RSS starts from its parent's size at fork.
    streaming_mb = stream_peak_mb(model, files)
    nlp = spacy.load(model)
    reader = TEIReader(nlp)
    read_s, docs = timed(lambda: read_all(reader, files))
    words = sum(len(d) for d in docs)
    ner_only = ["transformer" if "transformer" in nlp.pipe_names else "tok2vec", "ner"]  # en_dataref_trf or _sm
    rest = [p for p in nlp.pipe_names if p not in ner_only]
    stages = {}
    stages["read_tei"] = read_s
    with nlp.select_pipes(enable=ner_only):
        stages["ner"], tagged = timed(lambda: list(nlp.pipe(d.copy() for d in docs)))
    with nlp.select_pipes(enable=rest):
        stages["sentencizer+consistency+linker"], _ = timed(lambda: list(nlp.pipe(tagged)))
    whole = {}
    for n_process in (1, 2):
        # the pipeline's own batch size (4 papers): the same as the NER-alone stage above
        whole[n_process], _ = timed(lambda n=n_process: list(nlp.pipe((reader(p) for p in files), n_process=n)))
    total_stages = sum(stages.values())
    results = {
        "date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "model": model, "papers": len(docs), "words": words,
        "stages_seconds": {k: round(v, 2) for k, v in stages.items()},
        "stage_share": {k: round(v / total_stages, 3) for k, v in stages.items()},
        "papers_per_second": {
            "read_tei": round(len(docs) / stages["read_tei"], 1),
            "ner_only": round(len(docs) / stages["ner"], 2),
            "linking": round(len(docs) / stages["sentencizer+consistency+linker"], 1),
            "whole_n_process_1": round(len(files) / whole[1], 2),
            "whole_n_process_2": round(len(files) / whole[2], 2),
        },
        "words_per_second": {
            "read_tei": round(words / stages["read_tei"]),
            "ner_only": round(words / stages["ner"]),
            "whole_n_process_1": round(words / whole[1]),
            "whole_n_process_2": round(words / whole[2]),
        },
        "ratio_whole_vs_ner_only": round(stages["ner"] / whole[1], 3),
        "ratio_n_process_2_vs_1": round(whole[1] / whole[2], 3),
        "peak_memory_mb_all_docs_held": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_memory_mb_streaming": streaming_mb,
        "peak_memory_worker_mb_n_process_2": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }
    print(json.dumps(results, indent=2))
    write_json(results, output)


if __name__ == "__main__":
    typer.run(main)
