"""Print what an annotator must read for the links gold set: by default the sentences with dataset cue
words or accession numbers, with each marker's bibliography entry; `--all` prints every sentence
under its section heading, each marker tagged with its bibliography id(s), then the whole bibliography.

    python scripts/gold_candidates.py ../shared/corpora/grobid-tei/s2orc-N18-3011.tei.xml
    python scripts/gold_candidates.py --all ../shared/corpora/ml-tei/1406.4729v4.tei.xml
"""
import re
import warnings
from pathlib import Path

import spacy
import typer

from dataref import PaperReader

CUES = re.compile(r"data ?sets?|corpus|corpora|database|benchmark|repositor|accession|GEO\b|GSE\d|GenBank|"
                  r"SRA\b|PRJ[A-Z]+\d|ArrayExpress|Dryad|Zenodo|figshare|PDB\b|UniProt|survey data|cohort|"
                  r"data (?:are|is|were|was) (?:available|deposited|obtained|downloaded)|downloaded", re.I)


def _tagged(sent, markers) -> str:
    """The sentence with each marker followed by {ids} (or {?} when GROBID gave it no known target)."""
    text, pos, out = sent.text, sent.start_char, []
    for m in markers:
        if sent.start <= m.start < sent.end:
            out.append(text[pos - sent.start_char:m.end_char - sent.start_char])
            out.append("{" + (",".join(m._.targets) or "?") + "}")
            pos = m.end_char
    out.append(text[pos - sent.start_char:])
    return re.sub(r"\s+", " ", "".join(out))


def main(paths: list[Path], width: int = 160, all: bool = typer.Option(False, "--all")) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    reader = PaperReader(nlp, max_chars=1_000_000)
    for path in paths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = nlp(reader(path))
        bib = doc._.bibliography
        print(f"=== {path.name}: {doc._.paper.get('title', '')[:100]} ({len(bib)} entries)")
        markers = list(doc.spans["citations"])
        if all:
            heading = None
            for sent in doc.sents:
                section = next((s.label_ for s in doc.spans["sections"] if s.start <= sent.start < s.end), "")
                if section != heading:
                    print(f"\n## {section}")
                    heading = section
                print("  ", _tagged(sent, markers))
            print("\n## BIBLIOGRAPHY")
            for key, entry in bib.items():
                print(f"  {key}: {entry['citation'][:width * 2]}")
            continue
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
