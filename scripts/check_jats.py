"""How many `<xref ref-type="bibr">` callouts of real JATS articles become citation spans resolved to an existing
`<ref>`: the JATS reader's target is all of them.

    python scripts/check_jats.py [FOLDER]        # default: $DATAREF_CORPORA/jats (../shared/corpora/jats)

A callout counts as found when a citation span contains its text and targets every one of its `rid`s, and
each of those is an entry of `doc._.bibliography`. Callouts inside `<sub-article>`s (peer reviews, replies,
translations) are counted apart: the reader does not read sub-articles. Checked against the XML with lxml
directly, not through the reader's own code."""
import json
import os
import re
import sys
import warnings
from pathlib import Path

import spacy
from lxml import etree

from dataref.readers.jats import JATSReader
from dataref.readers.safe_xml import parse_xml

_SPACE = re.compile(r"\s+")


def _text(el: etree._Element) -> str:
    return _SPACE.sub(" ", "".join(el.itertext())).strip()


def check_file(reader: JATSReader, path: Path) -> dict:
    root = parse_xml(path.read_bytes(), str(path), plain_doctype=True)
    xrefs = [x for x in root.iter("{*}xref") if (x.get("ref-type") or "").lower() == "bibr"]
    in_sub = [x for x in xrefs if any(etree.QName(a).localname in ("sub-article", "response")
                                      for a in x.iterancestors())]
    article = [x for x in xrefs if x not in in_sub]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        doc = reader(path)
    spans = list(doc.spans["citations"])
    bibliography = doc._.bibliography
    found = 0
    missed = []
    for xref in article:
        rids = (xref.get("rid") or "").split()
        text = _text(xref)
        if any(text in span.text and set(rids) <= set(span._.targets) and all(r in bibliography for r in rids)
               for span in spans):
            found += 1
        else:
            missed.append(f"{text!r} → {' '.join(rids)}")
    resolved = sum(1 for s in spans if s._.targets and all(t in bibliography for t in s.id_.split()))
    return {"file": path.name, "callouts": len(article), "found": found, "in_sub_articles": len(in_sub),
            "spans": len(spans), "spans_resolved": resolved, "entries": len(bibliography),
            "warnings": [str(w.message)[:120] for w in caught], "missed": missed[:5]}


def main() -> None:
    corpora = os.environ.get("DATAREF_CORPORA", Path(__file__).resolve().parent.parent.parent / "shared" / "corpora")
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(corpora) / "jats"
    files = sorted(folder.glob("*.xml"))
    if not files:
        sys.exit(f"no JATS files in {folder}")
    reader = JATSReader(spacy.blank("en"))
    rows = [check_file(reader, path) for path in files]
    for row in rows:
        flag = "" if row["found"] == row["callouts"] else f"  MISSED {row['missed']}"
        print(f"{row['file']:45s} callouts {row['found']:4d}/{row['callouts']:4d}  spans {row['spans_resolved']:4d}/"
              f"{row['spans']:4d} resolved  entries {row['entries']:4d}  in sub-articles {row['in_sub_articles']:3d}"
              f"{flag}{'  ' + str(row['warnings']) if row['warnings'] else ''}")
    callouts = sum(r["callouts"] for r in rows)
    found = sum(r["found"] for r in rows)
    spans = sum(r["spans"] for r in rows)
    resolved = sum(r["spans_resolved"] for r in rows)
    sub = sum(r["in_sub_articles"] for r in rows)
    print(f"\n{len(rows)} articles: {found} of {callouts} bibr callouts ({found / callouts:.1%}) are citation spans "
          f"resolved to an existing ref; {resolved} of {spans} spans resolve; {sub} callouts in sub-articles "
          f"(not read)")
    print(json.dumps({"articles": len(rows), "callouts": callouts, "found": found, "share": round(found / callouts, 4),
                      "spans": spans, "spans_resolved": resolved, "in_sub_articles": sub}))


if __name__ == "__main__":
    main()
