"""Per-paper results: one record per distinct dataset, and the JSON a user gets."""
import json
from bisect import bisect_right
from collections import Counter
from itertools import pairwise
from typing import Optional

from spacy.tokens import Doc, Span

from ..extensions import SECTIONS, key_of
from ..linking.identifiers import is_dataset_by_itself
from ..linking.names import dataset_groups, normalize
from ..linking.sentences import Sentences, sentence_text

LABEL = "DATASET"


class _Sections:
    """The paper's sections, looked up by bisection on their sorted offsets (one scan per paper, not per
    mention); sections that overlap or come unordered are scanned as before. Its sentences, read once too."""

    def __init__(self, doc: Doc) -> None:
        self.sentences = Sentences(doc)
        self.spans = list(doc.spans[SECTIONS]) if SECTIONS in doc.spans else []
        self.start_chars = [s.start_char for s in self.spans]
        self.ordered = all(a.end <= b.start and a.end_char <= b.start_char for a, b in pairwise(self.spans))

    def at(self, char: int) -> str:
        if self.ordered:
            at = bisect_right(self.start_chars, char) - 1
            found = [self.spans[at]] if at >= 0 else []
        else:
            found = self.spans
        return next((s.label_ for s in found if s.start_char <= char < s.end_char), "")


def _section_of(doc: Doc, ent: Span, sections: Optional[_Sections] = None) -> str:
    return (sections or _Sections(doc)).at(ent.start_char)


def datasets_of(doc: Doc, label: Optional[str] = None) -> list[dict]:
    """Distinct datasets (same name, or abbreviation and long form) with their references; the label is
    the linker's configured one (`doc._.dataset_label`), else DATASET."""
    label = label or doc._.dataset_label or LABEL
    ents = [e for e in doc.ents if e.label_ == label]
    groups = dataset_groups(doc, ents)
    links = doc._.citation_links or {}
    bibliography = doc._.bibliography or {}
    notes = doc._.link_notes or {}
    members: dict[str, list[Span]] = {}
    for ent in ents:
        members.setdefault(groups.find(normalize(ent.text)), []).append(ent)
    known = doc._.dataset_kb or {}
    entities = {record["key"]: record for record in doc._.dataset_entities or [] if record["kept"]}
    sections = _Sections(doc)
    records = [_record(doc, mentions, links, bibliography, notes.get(root), known,
                       next((entities[m.id_] for m in mentions if m.id_ in entities), None), sections)
               for root, mentions in members.items()]
    if doc._.identifiers is None and doc._.dataset_roles is None:
        return records  # a pipeline without the identifier and role components: the records as before
    roles = doc._.dataset_roles or {}
    tied: dict[str, list[dict]] = {}
    alone: dict[str, list[dict]] = {}
    owner = {key_of(m): i for i, mentions in enumerate(members.values()) for m in mentions}
    # an identifier the paper also writes as a dataset name ("GSE44355") belongs to that dataset's record
    named = {normalize(m.text): key_of(m) for mentions in members.values() for m in mentions}
    for identifier in doc._.identifiers or []:
        if identifier.get("mention") in owner:
            tied.setdefault(identifier["mention"], []).append(identifier)
        elif normalize(identifier["id"]) in named:
            tied.setdefault(named[normalize(identifier["id"])], []).append(identifier)
        else:
            alone.setdefault(identifier["id"], []).append(identifier)
    for record, mentions in zip(records, members.values(), strict=True):
        found = [i for m in mentions for i in tied.get(key_of(m), [])]
        record["identifiers"] = _identifier_entries(found)
        _add_role(record, next((roles[key_of(m)] for m in mentions if key_of(m) in roles), None))
    for identifier, found in alone.items():
        if is_dataset_by_itself(found):
            records.append(_identifier_record(doc, identifier, found, bibliography, roles.get(f"id:{identifier}"),
                                              sections))
    return records


def other_identifiers_of(doc: Doc, datasets: list[dict]) -> list[dict]:
    """Data identifiers none of the paper's dataset records holds and that are not datasets by themselves
    (sequence and structure records, samples of a study, DOIs in a data-availability statement), in the
    record shape."""
    claimed = {entry["id"] for record in datasets for entry in record.get("identifiers", [])}
    alone: dict[str, list[dict]] = {}
    for identifier in doc._.identifiers or []:
        if identifier["id"] not in claimed:
            alone.setdefault(identifier["id"], []).append(identifier)
    roles = doc._.dataset_roles or {}
    sections = _Sections(doc)
    return [_identifier_record(doc, identifier, found, doc._.bibliography or {}, roles.get(f"id:{identifier}"),
                               sections) for identifier, found in alone.items() if not is_dataset_by_itself(found)]


def _identifier_entries(found: list[dict]) -> list[dict]:
    """One entry per distinct identifier of a record: where it was found, how it is tied, and its evidence."""
    entries: dict[str, dict] = {}
    for item in found:
        entry = entries.setdefault(item["id"], {
            "id": item["id"], "kind": item["kind"], "archive": item["archive"], "archive_name": item["archive_name"],
            "url": item["url"], "tie": item.get("tie"), "found_in": [], "evidence": []})
        if item["where"] not in entry["found_in"]:
            entry["found_in"].append(item["where"])
        entry["evidence"].append({"rules": item["evidence"], "tie": item.get("tie"), "bib_id": item.get("bib_id"),
                                  "offsets": [item["start"], item["end"]] if item["start"] >= 0 else None,
                                  "sentence": item["sentence"]})
    return list(entries.values())


def _add_role(record: dict, role: Optional[dict]) -> None:
    role = role or {"role": "unknown", "evidence": "", "score": 0.0, "source": "none"}
    record["role"] = role["role"]
    record["role_evidence"] = {"sentence": role["evidence"], "score": role["score"], "source": role["source"],
                               "p_created": role.get("p_created", 0.0)}


def _identifier_record(doc: Doc, identifier: str, found: list[dict], bibliography: dict,
                       role: Optional[dict], sections: Optional[_Sections] = None) -> dict:
    """A dataset the paper gives only by its identifier (own unnamed data, a data citation in the bibliography)."""
    references: dict[str, dict] = {}
    for item in found:
        if item.get("bib_id"):
            ref = references.setdefault(item["bib_id"], _reference(item["bib_id"], bibliography))
            ref["mentions"] += 1
            ref["score"] = 1.0
            ref["evidence"].append({"rule": "entry_identifier", "resolution": "bibliography", "mention": None,
                                    "marker": None, "marker_text": "", "entry": item["evidence"],
                                    "sentence": item["sentence"]})
    in_text = [i for i in found if i["start"] >= 0]
    record = {
        "name": identifier,
        "surface_forms": sorted({i["text"] for i in in_text}),
        "mention_count": len(in_text),
        "mentions": [_mention(doc, i["start"], i["end"], sections) for i in in_text],
        "sections": sorted({s for s in (_section_at(doc, i["start"], sections) for i in in_text) if s}),
        "linked": bool(references),
        "references": list(references.values()),
        "unlinked_reason": None if references else "no citation next to any mention",
        "kb": None,
        "identifiers": _identifier_entries(found),
    }
    _add_role(record, role)
    if not references and record["role"] == "created":
        record["unlinked_reason"] = "introduced by this paper"
    return record


def _mention(doc: Doc, start: int, end: int, sections: Optional[_Sections] = None) -> dict:
    """Where one mention is: its offsets, section and sentence, so a wrong name can be traced without the Doc."""
    sections = sections or _Sections(doc)
    return {"start": start, "end": end, "section": sections.at(start),
            "sentence": sentence_text(sections.sentences, start, end)}


def _section_at(doc: Doc, char: int, sections: Optional[_Sections] = None) -> str:
    return (sections or _Sections(doc)).at(char)


def _record(doc: Doc, mentions: list[Span], links: dict, bibliography: dict, note: Optional[str],
            known: dict, entity: Optional[dict] = None, sections: Optional[_Sections] = None) -> dict:
    sections = sections or _Sections(doc)
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
                                    "sentence": sentence_text(sections.sentences,
                                                              *(marker or [mention.start_char, mention.end_char]))})
    ordered = sorted(references.values(), key=lambda r: (-r["score"], -r["mentions"]))
    record = {
        "name": entity["name"] if entity else forms.most_common(1)[0][0],
        "surface_forms": sorted(forms),
        "mention_count": len(mentions),
        "mentions": [_mention(doc, m.start_char, m.end_char, sections) for m in mentions],
        "sections": sorted({s for s in (_section_of(doc, m, sections) for m in mentions) if s}),
        "linked": bool(ordered),
        "references": ordered,
        "unlinked_reason": None if ordered else (note or "no citation next to any mention"),
        "kb": _kb_of(mentions, known),
    }
    if entity is not None:  # the entity pipe's decision and what decided it
        record.update({"key": entity["key"], "splits": entity["splits"], "parts": entity["parts"],
                       "decision": {"score": entity["score"], "rule": entity.get("rule"),
                                    "sources": entity["sources"], "evidence": entity["evidence"]}})
    return record


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
    datasets = doc._.datasets  # computed when read: once here
    record = {
        "path": path if path is not None else paper.get("path", ""),
        "paper": {k: v for k, v in paper.items() if k != "path"},
        "datasets": datasets,
    }
    if doc._.identifiers is not None:
        record["identifiers"] = other_identifiers_of(doc, datasets)
    return record


def install_datasets_extension() -> None:
    """`doc._.datasets`: the per-paper records, computed when read (registered here, not in extensions.py,
    so that the module holding plain extension data imports nothing above it)."""
    if not Doc.has_extension("datasets"):
        Doc.set_extension("datasets", getter=datasets_of)
