"""Peak memory of one process running the shipped pipeline on the largest paper the limits accept.

Builds a TEI paper of `--chars` characters of text (default: the DATAREF_MAX_CHARS limit) from the example
paper's paragraphs, runs it through the pipeline and the results, and prints the peak resident memory.

    python scripts/peak_memory.py [--model en_dataref_sm] [--chars 180000]
"""
import re
import resource
import time
import warnings
from pathlib import Path
from typing import Optional

import spacy
import typer

from dataref import TEIReader
from dataref.output.results import doc_to_json
from dataref.readers.safe_xml import max_chars

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "tiny-transformers.tei.xml"


def main(model: str = "en_dataref_sm", chars: Optional[int] = None) -> None:
    warnings.simplefilter("ignore")
    limit = max_chars()
    target = chars or limit
    nlp = spacy.load(model)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    tei = EXAMPLE.read_text(encoding="utf8")
    paragraphs = "".join(re.findall(r"<p>.*?</p>", tei, re.S))
    reader = TEIReader(nlp)
    size = len(reader(EXAMPLE).text)
    for reps in range(max(1, target // max(1, len(re.sub("<[^>]+>", "", paragraphs)))), 0, -1):
        paper = tei.replace("</body>", f"<div><head>More</head>{paragraphs * reps}</div></body>").encode()
        try:
            doc = reader(paper)
        except ValueError:
            continue  # over the limit: one repetition fewer
        size = len(doc.text)
        break
    start = time.perf_counter()
    record = doc_to_json(nlp(doc))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"paper of {size:,} characters (limit {limit:,}): {seconds:.1f} s, {len(record['datasets'])} datasets; "
          f"peak memory {peak} MB (pipeline loaded: {loaded} MB)")


if __name__ == "__main__":
    typer.run(main)
