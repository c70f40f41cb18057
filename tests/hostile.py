"""Hostile papers built from a real one: a GROBID TEI from ../shared/corpora with a section appended that holds
`n` of one thing (numbers, citation markers, table cells, bibliography entries, dataset names with as many
entries, capitalised words). They are ordinary TEI the limits accept: the tests and scripts/scaling.py use them
for the time budget, interruption and scaling."""
import random
import re
from pathlib import Path
from typing import Optional

from .conftest import CORPORA, EXAMPLE

REAL = "datastet-10.1371_journal.pone.0209976.tei.xml"
KINDS = ("numbers", "markers", "cells", "bibliography", "names", "capitals")


def real_paper() -> bytes:
    path = CORPORA / "grobid-tei" / REAL
    return (path if path.exists() else EXAMPLE).read_bytes()


def _words(kind: str, n: int, rng: random.Random) -> tuple[str, str]:
    """(body XML, bibliography XML) for n items of the kind."""
    if kind == "numbers":
        return "<p>" + " ".join(f"{rng.randint(0, 99999)}.{rng.randint(0, 9)}" for _ in range(n)) + "</p>", ""
    if kind == "markers":
        return "<p>" + " ".join(f'<ref type="bibr" target="#b{i % 40}">[{i % 40 + 1}]</ref>' for i in range(n)) \
            + "</p>", ""
    if kind == "cells":  # a table as PDF extraction leaves it in the running text: a line of cells per row
        return "".join("<p>" + " ".join(f"{rng.randint(0, 999)}.{rng.randint(0, 99)} ± {rng.randint(0, 9)}"
                                        for _ in range(10)) + "</p>" for _ in range(max(1, n // 10))), ""
    if kind == "bibliography":
        entries = "".join(f'<biblStruct xml:id="h{i}"><analytic><title level="a" type="main">Study number {i} of '
                          f'things</title></analytic><monogr><imprint><date when="{1990 + i % 30}"/></imprint>'
                          f'</monogr></biblStruct>' for i in range(n))
        return "<p>We use the Hostile Corpus (HC) data set.</p>", entries
    if kind == "names":  # n dataset names against n bibliography entries: the linker compares them
        entries = "".join(f'<biblStruct xml:id="h{i}"><analytic><title level="a" type="main">The Set{i} data set '
                          f'of things</title></analytic><monogr><imprint><date when="{1990 + i % 30}"/></imprint>'
                          f'</monogr></biblStruct>' for i in range(n))
        return "<p>" + " ".join(f"We use the Set{i} dataset [{i % 40 + 1}]." for i in range(n)) + "</p>", entries
    if kind == "capitals":
        return "<p>" + " ".join(f"Alpha{rng.randint(0, 10 ** 6)} Beta Gamma" for _ in range(n // 3)) + "</p>", ""
    raise ValueError(kind)


def hostile_tei(kind: str, n: int, base: Optional[bytes] = None, seed: int = 0) -> bytes:
    """A real paper with a section of `n` hostile items appended to its body (and, for "bibliography", `n`
    entries appended to its bibliography)."""
    data = (base or real_paper()).decode("utf8")
    body, bibl = _words(kind, n, random.Random(seed))
    section = f"<div><head>Appendix</head>{body}</div>"
    data = re.sub(r"</body>", lambda m: section + "</body>", data, count=1)
    if bibl:
        data = re.sub(r"</listBibl>", lambda m: bibl + "</listBibl>", data, count=1)
    return data.encode("utf8")


def write_hostile(folder: Path, kind: str, n: int) -> Path:
    path = folder / f"hostile-{kind}-{n}.tei.xml"
    path.write_bytes(hostile_tei(kind, n))
    return path
