"""Bounded mutation fuzzing of the TEI reader and the citation linker.

Seeds are real GROBID TEI files (../shared/corpora) and the shipped example; each
round mutates one seed (truncation, deleted or repeated ranges, injected markup,
random bytes), reads it, tags a few tokens as DATASET and links them. Allowed
outcomes: a Doc, or a coded DatarefError. Anything else is a defect: its input is
saved under tests/fixtures/fuzz/ so a regression test replays it.

    python scripts/fuzz_reader.py --seconds 120
"""
import os
import random
import re
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path

import spacy
import typer

from dataref import TEIReader
from dataref.errors import DatarefError

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))
CRASHES = ROOT / "tests" / "fixtures" / "fuzz"
SNIPPETS = [b'<ref type="bibr" target="#b9999">[9999]</ref>', b'<ref type="bibr">', b"</ref>", b"</p>", b"<p>",
            b"<s>", b"</s>", b"&amp;", b"&#0;", b"\x00", b"\xff\xfe", b'xml:id="b0"', b"<div>", b"]]>",
            b'<ref type="bibr" target="#b0 #b1 #b2">[1-3]</ref>', b"<biblStruct>", b"<!--", b"-->"]


def seeds(limit: int) -> list[bytes]:
    files = [ROOT / "examples" / "tiny-transformers.tei.xml"]
    for sub in ("grobid-tei", "tei-samples", "grobid-tei-bulk"):
        files.extend(sorted((CORPORA / sub).glob("*.xml"))[:limit])
    return [f.read_bytes() for f in files if f.exists()]


BALANCED = [b'<ref type="bibr" target="#b9999">[9999]</ref>', b'<ref type="bibr" target="#b0 #b1 #b2">[1-3]</ref>',
            b'<ref type="bibr">(Smith et al., 2009)</ref>', b"<hi>x</hi>", b"<s></s>", b"&amp;", b"\xc3\xa9",
            b'<ref type="bibr" target="#b1"></ref>', b"  \n\t ", b"<s>A. B.</s>", b'<ref type="bibr">[3, 7]</ref>']
_TARGET = re.compile(rb'target="#b\d+"')
_AFTER_TAG = re.compile(rb"<(?:p|s|head|ref[^>]*)>")


def mutate_wellformed(data: bytes, rng: random.Random) -> bytes:
    """Changes that keep the XML well-formed, so the reader and linker get exercised."""
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.5:
            spots = [m.end() for m in _AFTER_TAG.finditer(data)]
            if spots:
                i = rng.choice(spots)
                data = data[:i] + rng.choice(BALANCED) + data[i:]
        else:
            spots = list(_TARGET.finditer(data))
            if spots:
                m = rng.choice(spots)
                data = data[:m.start()] + f'target="#b{rng.randrange(-1, 500)}"'.encode() + data[m.end():]
    return data


def mutate(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.7:
        return mutate_wellformed(data, rng)
    for _ in range(rng.randint(1, 4)):
        i, j = sorted(rng.randrange(len(data) + 1) for _ in range(2))
        op = rng.randrange(5)
        if op == 0:
            data = data[:j]
        elif op == 1:
            data = data[:i] + data[j:j + 200] + data[j:]
        elif op == 2:
            data = data[:i] + data[min(j, i + 500):]
        elif op == 3:
            data = data[:i] + rng.choice(SNIPPETS) + data[i:]
        else:
            data = data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[i:]
    return data


def check(nlp, reader, data: bytes, rng: random.Random) -> str:
    """'ok', 'refused', or raises on a defect."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = reader(data)
        except DatarefError:
            return "refused"
    assert doc.text == "".join(t.text_with_ws for t in doc), "text not rebuilt from tokens"
    words = [t for t in doc if t.is_alpha and t.text[0].isupper()]
    spans = [doc[t.i:t.i + 1] for t in rng.sample(words, min(5, len(words)))]
    doc.ents = spacy.util.filter_spans([doc.char_span(s.start_char, s.end_char, label="DATASET") for s in spans])
    doc = nlp(doc)
    for span in doc.spans["citations"]:
        assert all(t in doc._.bibliography for t in span._.targets), "marker target outside bibliography"
    for ent in doc.ents:
        assert ent.kb_id_ == "NIL" or ent.kb_id_ in doc._.bibliography, "link outside bibliography"
    return "ok"


def main(seconds: float = 60.0, seed: int = 0, seeds_per_folder: int = 30) -> None:
    rng = random.Random(seed)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    nlp.add_pipe("dataref_citation_linker")
    reader = TEIReader(nlp)
    pool = seeds(seeds_per_folder)
    outcomes: Counter = Counter()
    defects: dict[str, bytes] = {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        data = mutate(rng.choice(pool), rng)
        try:
            outcomes[check(nlp, reader, data, rng)] += 1
        except Exception as err:  # a defect: anything but our coded refusal
            outcomes["defect"] += 1
            where = traceback.extract_tb(err.__traceback__)[-1]
            defects.setdefault(f"{type(err).__name__} at {Path(where.filename).name}:{where.lineno}", data)
    CRASHES.mkdir(parents=True, exist_ok=True)
    for n, (signature, data) in enumerate(defects.items()):
        (CRASHES / f"crash-{seed}-{n}.xml").write_bytes(data)
        print(f"DEFECT {signature} -> tests/fixtures/fuzz/crash-{seed}-{n}.xml")
    total = sum(outcomes.values())
    print(f"fuzz: {total} inputs in {seconds:.0f} s from {len(pool)} seeds: {outcomes['ok']} read, "
          f"{outcomes['refused']} refused with a coded error, {outcomes['defect']} unhandled "
          f"({len(defects)} distinct)")
    raise typer.Exit(1 if defects else 0)


if __name__ == "__main__":
    typer.run(main)
