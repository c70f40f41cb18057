"""Print the sentences of a TEI paper an annotator must read for the links gold set:
those with dataset cue words or accession numbers, with each marker's bibliography entry.

    python scripts/gold_candidates.py ../shared/corpora/grobid-tei/s2orc-N18-3011.tei.xml
"""
import re
import warnings
from pathlib import Path

import spacy
import typer

from dataref import TEIReader

CUES = re.compile(r"data ?sets?|corpus|corpora|database|benchmark|repositor|accession|GEO\b|GSE\d|GenBank|"
                  r"SRA\b|PRJ[A-Z]+\d|ArrayExpress|Dryad|Zenodo|figshare|PDB\b|UniProt|survey data|cohort|"
                  r"data (?:are|is|were|was) (?:available|deposited|obtained|downloaded)|downloaded", re.I)


def main(paths: list[Path], width: int = 160) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    reader = TEIReader(nlp)
    for path in paths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = nlp(reader(path))
        bib = doc._.bibliography
        print(f"=== {path.name}: {doc._.paper.get('title', '')[:100]} ({len(bib)} entries)")
        markers = list(doc.spans["citations"])
        for sent in doc.sents:
            if not CUES.search(sent.text):
                continue
            print("  *", re.sub(r"\s+", " ", sent.text)[:width * 3])
            for m in markers:
                if sent.start <= m.start < sent.end:
                    for target in m._.targets:
                        print(f"      {m.text} -> {target}: {bib[target]['citation'][:width]}")


if __name__ == "__main__":
    typer.run(main)
