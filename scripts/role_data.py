"""Training data for the role textcat (configs/role.cfg): cue sentences labelled CREATION / USE / BACKGROUND.

Sources (never copied into the repository; read from DATAREF_CORPORA):
- epmc-data-citations/Datasets/Dataset23.csv: Europe PMC sentences citing an accession, labelled Use / Creation /
  Background (Compare, 2 rows, is left out);
- mdc/: the sentence around each labelled identifier of the MDC *dev* articles (Primary = CREATION,
  Secondary = USE), from text_from_xml when the article has it, else text_from_pdf.
The split is the fixed one of scripts/splits.py: Europe PMC PMCIDs and MDC article ids with crc32 % 10 in 0-5
train, 6 the textcat's dev set, 7-9 held out (never written here).

    python scripts/role_data.py corpus/roles
"""
import csv
import io
import os
import re
import sys
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from splits import part, role_split

LABELS = ("CREATION", "USE", "BACKGROUND")
EPMC_LABELS = {"Creation": "CREATION", "Use": "USE", "Background": "BACKGROUND"}
MDC_LABELS = {"Primary": "CREATION", "Secondary": "USE"}
INVISIBLE = re.compile("[\u200b\u200c\u200d\ufeff\u00ad]")


def epmc_rows(corpora: Path):
    data = (corpora / "epmc-data-citations" / "Datasets" / "Dataset23.csv").read_text(encoding="utf8")
    for row in csv.DictReader(io.StringIO(data), delimiter=";"):
        label = EPMC_LABELS.get(row["Categories"])
        if label:
            yield row["PMCID"], row["Citation"].strip(), label


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end] (plain-text split on '. ' and blank lines, at most 400 chars)."""
    left = max(text.rfind(". ", max(0, start - 300), start), text.rfind("\n\n", max(0, start - 300), start))
    left = left + 2 if left >= 0 else max(0, start - 300)
    rights = [i for i in (text.find(". ", end, end + 200), text.find("\n\n", end, end + 200)) if i >= 0]
    right = min(rights) + 1 if rights else min(len(text), end + 200)
    return " ".join(text[left:right].split())


def mdc_rows(corpora: Path):
    mdc = corpora / "mdc"
    with open(mdc / "train_labels.csv", encoding="utf8") as handle:
        labels = [r for r in csv.DictReader(handle) if r["type"] in MDC_LABELS and part(r["article_id"]) == "dev"]
    seen = set()
    for row in labels:
        article = row["article_id"]
        path = mdc / "text_from_xml" / f"{article}.txt"
        if not path.exists():
            path = mdc / "text_from_pdf" / f"{article}.txt"
        text = INVISIBLE.sub("", path.read_text(encoding="utf8"))
        key = row["dataset_id"].replace("https://doi.org/", "")
        match = re.search(re.escape(key), text, re.I)
        if match is None:
            continue
        sentence = sentence_around(text, match.start(), match.end())
        if (article, sentence) not in seen:
            seen.add((article, sentence))
            yield article, sentence, MDC_LABELS[row["type"]]


def main(output: Path) -> None:
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
    corpora = Path(os.environ.get("DATAREF_CORPORA", default))
    nlp = spacy.blank("en")
    bins = {"train": DocBin(), "dev": DocBin()}
    counts: dict = {}
    for source, rows in (("epmc", epmc_rows(corpora)), ("mdc", mdc_rows(corpora))):
        for key, text, label in rows:
            split = role_split(key)
            if split == "test" or not text:
                continue
            doc = nlp.make_doc(text)
            doc.cats = {name: float(name == label) for name in LABELS}
            bins[split].add(doc)
            counts[source, split, label] = counts.get((source, split, label), 0) + 1
    output.mkdir(parents=True, exist_ok=True)
    for split, docbin in bins.items():
        docbin.to_disk(output / f"{split}.spacy")
    for key in sorted(counts):
        print(*key, counts[key])


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus/roles"))
