"""Per-paper results: one record per distinct dataset, and the JSON a user gets."""
import json
from collections import Counter
from typing import Optional

from spacy.tokens import Doc, Span

from .extensions import SECTIONS, key_of
from .names import NameGroups, normalize

LABEL = "DATASET"


def _section_of(doc: Doc, ent: Span) -> str:
    for section in doc.spans[SECTIONS] if SECTIONS in doc.spans else ():
        if section.start <= ent.start < section.end:
            return section.label_
    return ""


def datasets_of(doc: Doc, label: Optional[str] = None) -> list[dict]:
    """Distinct datasets (same name, or abbreviation and long form) with their references; the label is
    the linker's configured one (`doc._.dataset_label`), else DATASET."""
    label = label or doc._.dataset_label or LABEL
    ents = [e for e in doc.ents if e.label_ == label]
    groups = NameGroups.of_doc(ents, doc._.abbreviation_pairs)
    links = doc._.citation_links or {}
    bibliography = doc._.bibliography or {}
    notes = doc._.link_notes or {}
    members: dict[str, list[Span]] = {}
    for ent in ents:
        members.setdefault(groups.find(normalize(ent.text)), []).append(ent)
    known = doc._.dataset_kb or {}
    return [_record(doc, mentions, links, bibliography, notes.get(root), known)
            for root, mentions in members.items()]


def _sentence_text(doc: Doc, start: int, end: int) -> str:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return ""
    if not doc.has_annotation("SENT_START"):  # the words around it, without rebuilding the whole text
        return doc[max(0, span.start - 20):span.end + 20].text.strip()
    return span.sent.text.strip()


def _record(doc: Doc, mentions: list[Span], links: dict, bibliography: dict, note: Optional[str],
            known: dict) -> dict:
    forms = Counter(m.text for m in mentions)
    references: dict[str, dict] = {}
    for mention in mentions:
        for link in links.get(key_of(mention), []):
            ref = references.setdefault(link["id"], _reference(link["id"], bibliography))
            ref["mentions"] += 1
            ref["score"] = max(ref["score"], link["score"])
            marker = link["marker"]
            ref["evidence"].append({"rule": link["rule"], "resolution": link["resolution"],
                                    "mention": [mention.start_char, mention.end_char], "marker": marker,
                                    "marker_text": link.get("marker_text", ""),
                                    "entry": link.get("entry_evidence", []),
                                    "sentence": _sentence_text(doc, *(marker or [mention.start_char,
                                                                                 mention.end_char]))})
    ordered = sorted(references.values(), key=lambda r: (-r["score"], -r["mentions"]))
    return {
        "name": forms.most_common(1)[0][0],
        "surface_forms": sorted(forms),
        "mention_count": len(mentions),
        "sections": sorted({s for s in (_section_of(doc, m) for m in mentions) if s}),
        "linked": bool(ordered),
        "references": ordered,
        "unlinked_reason": None if ordered else (note or "no citation next to any mention"),
        "kb": _kb_of(mentions, known),
    }


def _kb_of(mentions: list[Span], known: dict) -> Optional[dict]:
    """The known-dataset record most of the mentions resolve to, or None."""
    found = Counter(json.dumps(known[k], sort_keys=True) for m in mentions
                    if (k := key_of(m)) in known)
    return json.loads(found.most_common(1)[0][0]) if found else None


def _reference(bib_id: str, bibliography: dict) -> dict:
    entry = bibliography.get(bib_id, {})
    return {"id": bib_id, "citation": entry.get("citation", ""), "title": entry.get("title", ""),
            "year": entry.get("year", ""), "doi": entry.get("doi", ""), "url": entry.get("url", ""),
            "score": 0.0, "mentions": 0, "evidence": []}


def doc_to_json(doc: Doc, path: Optional[str] = None) -> dict:
    """The JSON-ready result for one paper."""
    paper = dict(doc._.paper or {})
    return {
        "path": path if path is not None else paper.get("path", ""),
        "paper": {k: v for k, v in paper.items() if k != "path"},
        "datasets": doc._.datasets,
    }


def install_datasets_extension() -> None:
    """`doc._.datasets`: the per-paper records, computed when read (registered here, not in extensions.py,
    so that the module holding plain extension data imports nothing above it)."""
    if not Doc.has_extension("datasets"):
        Doc.set_extension("datasets", getter=datasets_of)
