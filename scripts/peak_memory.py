"""Peak memory of one process running the shipped pipeline on one long paper, and which stage raised it.

Builds a TEI paper of `--chars` characters of real text (default 1,000,000): the first GROBID paper of
`--source` (default ../shared/corpora/grobid-tei-bulk) with the paragraphs of the next ones appended, so the
words, citations and numbers are those of real papers, not one paragraph repeated. Or give `--paper` (a TEI,
JATS or .txt file) to measure that. Runs it through the reader, each component in turn and the results, and
prints the peak resident memory after each stage (ru_maxrss: a stage that does not raise it adds nothing).

    python scripts/peak_memory.py [--model en_dataref_sm] [--chars 1000000] [--paper PATH]
"""
import os
import re
import resource
import time
import warnings
from pathlib import Path
from typing import Optional

import spacy
import typer

from dataref import PaperReader
from dataref.pipes.windows import window_pipes
from dataref.output.results import doc_to_json

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))
_PARAGRAPH = re.compile(r"<p\b[^>]*>.*?</p>", re.S)


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def long_paper(source: Path, chars: int) -> bytes:
    """A real GROBID paper with other real papers' paragraphs appended to its body until the text reaches
    about `chars` characters."""
    files = sorted(source.glob("*.tei.xml"))
    base = files[0].read_text(encoding="utf8")
    parts, size = [], len(re.sub(r"<[^>]+>", "", base))
    for path in files[1:]:
        if size >= chars:
            break
        for paragraph in _PARAGRAPH.findall(path.read_text(encoding="utf8")):
            parts.append(paragraph)
            size += len(re.sub(r"<[^>]+>", "", paragraph)) + 1
    appended = f"<div><head>Appended</head>{''.join(parts)}</div>"
    return base.replace("</body>", appended + "</body>", 1).encode("utf8")


def main(model: str = "en_dataref_sm", chars: int = 1_000_000, paper: Optional[Path] = None,
         source: Path = CORPORA / "grobid-tei-bulk") -> None:
    warnings.simplefilter("ignore")
    nlp = window_pipes(spacy.load(model))  # as `dataref extract` loads it
    print(f"pipeline loaded: {peak_mb()} MB")
    reader = PaperReader(nlp)
    start = time.perf_counter()
    if paper is None:
        data = long_paper(source, chars)
        paper = Path("/tmp/dataref-peak-memory.tei.xml")
        paper.write_bytes(data)
    with nlp.memory_zone():  # the doc's strings go when it ends: everything below reads the doc inside it
        doc = reader(paper)
        size = len(doc.text)
        print(f"{'read':<32} {time.perf_counter() - start:7.1f} s  peak {peak_mb():6} MB  "
              f"({size:,} characters, {len(doc):,} tokens)")
        for name, component in nlp.pipeline:
            begin = time.perf_counter()
            doc = component(doc)
            print(f"{name:<32} {time.perf_counter() - begin:7.1f} s  peak {peak_mb():6} MB")
        begin = time.perf_counter()
        record = doc_to_json(doc)
        print(f"{'results':<32} {time.perf_counter() - begin:7.1f} s  peak {peak_mb():6} MB")
    print(f"paper of {size:,} characters: {time.perf_counter() - start:.1f} s, {len(record['datasets'])} "
          f"datasets; peak memory {peak_mb()} MB")


if __name__ == "__main__":
    typer.run(main)
