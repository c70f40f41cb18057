"""Draw the papers added to the gold set (seeded, reproducible) and assign every gold paper to dev or test.

    python scripts/gold_sample.py            # prints the new papers, one corpus-relative path a line
    python scripts/gold_sample.py --fresh    # the fresh test part (20 JATS, 16 ML), annotated after the build
    python scripts/gold_sample.py --jats-dev # the other 15 JATS articles: a dev part for JATS input (2026-12-02)
    python scripts/gold_sample.py --fresh2   # a second fresh test part (10 ML, 10 biomedical), scored once

Split: the 20 papers of the first gold set were looked at while building, so they are all dev; each
added paper goes to test when crc32(file name) is odd, else dev. The split is written once into
links.jsonl ("split") and never recomputed.
"""
import json
import os
import random
import zlib
from pathlib import Path

CORPORA = Path(os.environ.get("DATAREF_CORPORA", "../shared/corpora"))
GOLD = Path(__file__).resolve().parents[1] / "corpus" / "gold" / "links.jsonl"
SEED = 2026


FRESH_SEED = 2027  # the fresh test part, drawn on 2026-12-02 after the entity layer was built


def fresh_sample() -> list[str]:
    """The fresh test part: 20 JATS articles (read with the JATS reader) and 16 unseen ML papers."""
    taken = {json.loads(line)["file"] for line in GOLD.read_text().splitlines()}
    rng = random.Random(FRESH_SEED)
    jats = sorted(p for p in (CORPORA / "jats").glob("*.xml"))
    ml = sorted(p for p in (CORPORA / "ml-tei").glob("*.tei.xml")
                if 30_000 < p.stat().st_size < 200_000 and str(p.relative_to(CORPORA)) not in taken)
    return [str(p.relative_to(CORPORA)) for p in rng.sample(jats, 20) + rng.sample(ml, 16)]


FRESH2_SEED = 2028  # the second fresh test part, drawn on 2026-12-02 (fourth session) before its changes were built


def _taken() -> set[str]:
    return {json.loads(line)["file"] for line in GOLD.read_text().splitlines()}


def jats_dev() -> list[str]:
    """The JATS articles the fresh part did not draw: a dev part to tune JATS input on (every JATS article in the
    gold set was a fresh one)."""
    taken = _taken()
    return [str(p.relative_to(CORPORA)) for p in sorted((CORPORA / "jats").glob("*.xml"))
            if str(p.relative_to(CORPORA)) not in taken]


def second_fresh_sample() -> list[str]:
    """A second fresh test part: 10 unseen ML papers and 10 unseen biomedical papers (the test part holds only 3)."""
    taken = _taken()
    rng = random.Random(FRESH2_SEED)
    ml = sorted(p for p in (CORPORA / "ml-tei").glob("*.tei.xml")
                if 30_000 < p.stat().st_size < 200_000 and str(p.relative_to(CORPORA)) not in taken)
    bio = sorted(p for p in (CORPORA / "grobid-tei-bulk").glob("*.tei.xml")
                 if 30_000 < p.stat().st_size < 200_000 and str(p.relative_to(CORPORA)) not in taken)
    return [str(p.relative_to(CORPORA)) for p in rng.sample(ml, 10) + rng.sample(bio, 10)]


def split_of(name: str) -> str:
    return "test" if zlib.crc32(Path(name).name.encode()) % 2 else "dev"


def sample() -> list[str]:
    taken = {json.loads(line)["file"] for line in GOLD.read_text().splitlines()}
    rng = random.Random(SEED)
    ml = sorted(p for p in (CORPORA / "ml-tei").glob("*.tei.xml") if 30_000 < p.stat().st_size < 200_000)
    cs = sorted(p for p in (CORPORA / "tei-samples").glob("*.tei.xml")
                if "paragraphs" not in p.name and p.stat().st_size < 400_000)
    bio = sorted(p for p in (CORPORA / "grobid-tei-bulk").glob("*.tei.xml") if 30_000 < p.stat().st_size < 200_000)
    picked = rng.sample(ml, 32) + rng.sample(cs, 6) + rng.sample(bio, 6)
    return [str(p.relative_to(CORPORA)) for p in picked if str(p.relative_to(CORPORA)) not in taken]


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--fresh"]:
        for name in fresh_sample():
            print(name, "fresh")
    elif sys.argv[1:] == ["--jats-dev"]:
        for name in jats_dev():
            print(name, "dev")
    elif sys.argv[1:] == ["--fresh2"]:
        for name in second_fresh_sample():
            print(name, "fresh2")
    else:
        for name in sample():
            print(name, split_of(name))
