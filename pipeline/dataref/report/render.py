"""HTML reports: a page per paper (its text as displaCy renders it, with the markers that support a link tied
to their bibliography entries) and a page per corpus (counts, datasets across papers, a bar chart).

Everything taken from a paper is untrusted: Jinja2 escapes it (autoescape), displaCy escapes the text it
renders, the markup put around displaCy's entities is built with markupsafe, links leave the page only for
http(s) addresses, and a Content-Security-Policy lets no script run but the corpus page's own sorting code."""
import base64
import hashlib
import re
import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from spacy import displacy
from spacy.tokens import Doc
from tqdm import tqdm

from ..errors import DatarefError, Errors, Warnings
from ..extensions import HEADINGS, SECTIONS
from ..linking.names import normalize
from ..output.results import LABEL, doc_to_json
from ..output import records as result_files
from ..output.records import ResultRecord
from ..readers.docbuild import BLOCK_SEP
from ..readers.paper import PAPER_SUFFIXES

GENERATOR = "dataref report"
PAPERS_DIR = "papers"
INDEX = "index.html"
CHART_TOP = 15  # bars in the corpus chart
# displaCy fills {text} (escaped) and {label}; `open` and `close` are markupsafe-built per entity.
ENT_TEMPLATE = "{open}{text}{close}"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("dataref.report", "templates"), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def _script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf8")).digest()).decode("ascii")


def safe_url(url: str) -> str:
    """The address when it is http(s), else "" (a `javascript:` link from a paper must never be clickable)."""
    url = (url or "").strip()
    return url if re.match(r"https?://[^\s<>\"']+$", url, re.IGNORECASE) else ""


def doi_url(doi: str) -> str:
    doi = (doi or "").strip()
    return "https://doi.org/" + quote(doi, safe="/:;()._-") if doi.startswith("10.") else ""


def anchor(prefix: str, key: str) -> str:
    """An id for an HTML anchor: letters, digits, `_`, `.` and `-` only (a hash keeps changed keys apart)."""
    clean = re.sub(r"[^A-Za-z0-9_.-]", "_", key)
    if clean != key:
        clean += "-" + hashlib.sha1(key.encode("utf8", "backslashreplace")).hexdigest()[:6]
    return f"{prefix}-{clean}"


def short_label(entry: dict, bib_id: str) -> str:
    """"Krizhevsky 2009" for an entry, or its id."""
    surname = (entry.get("surnames") or [""])[0]
    label = " ".join(part for part in (surname + (" et al." if len(entry.get("surnames") or []) > 2 else ""),
                                       entry.get("year", "")) if part)
    return label or bib_id


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# a paper file's suffix, with GROBID's ".tei" before ".xml"
PAPER_SUFFIX = re.compile(r"(?:\.tei)?(?:" + "|".join(re.escape(s) for s in PAPER_SUFFIXES) + ")$", re.IGNORECASE)


def page_name(record: Mapping[str, Any]) -> str:
    """Where a paper's page goes inside the report folder: papers/<file stem>-<hash of its id>.html."""
    key = record.get("id") or record.get("path") or ""
    stem = PAPER_SUFFIX.sub("", Path(record.get("path") or "paper").name)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._")[:60] or "paper"
    return f"{PAPERS_DIR}/{stem}-{hashlib.sha1(key.encode('utf8', 'backslashreplace')).hexdigest()[:8]}.html"


# ---- per paper ------------------------------------------------------------------------------------

@dataclass
class _Link:
    dataset: int  # index in the record's datasets
    bib_id: str
    rule: str
    score: float
    resolution: str
    entry: list[str]


def role_reason(evidence: Mapping[str, Any]) -> str:
    """Why a dataset got its role, as the report shows it: what decided (the paper's own words, the
    known-datasets table, the role classifier) and the sentence it read."""
    source = evidence.get("source", "")
    how = {"introduced by this paper": "the paper introduces it", "known dataset": "a known dataset another paper "
           "introduced", "textcat": f"the role classifier ({evidence.get('score', 0.0):.2f})"}.get(source, "")
    sentence = (evidence.get("sentence") or "").strip()
    return f"{how}: “{sentence}”" if how and sentence else how


def _evidence(record: dict) -> Iterator[tuple[dict, _Link]]:
    """Every piece of evidence of the paper's datasets, with the link it supports."""
    for index, dataset in enumerate(record.get("datasets", [])):
        for ref in dataset.get("references", []):
            for evidence in ref.get("evidence", []):
                yield evidence, _Link(index, ref["id"], evidence.get("rule", ""), ref.get("score", 0.0),
                                      evidence.get("resolution", ""), list(evidence.get("entry") or []))


def _markers_of(record: dict) -> dict[tuple[int, int], list[_Link]]:
    """The markers that support a link (by their offsets) and the links each supports."""
    markers: dict[tuple[int, int], list[_Link]] = {}
    for evidence, link in _evidence(record):
        if evidence.get("marker"):
            links = markers.setdefault((evidence["marker"][0], evidence["marker"][1]), [])
            if link not in links:
                links.append(link)
    return markers


def _mention_links(record: dict) -> dict[tuple[int, int], list[_Link]]:
    found: dict[tuple[int, int], list[_Link]] = {}
    for evidence, link in _evidence(record):
        found.setdefault((evidence["mention"][0], evidence["mention"][1]), []).append(link)
    return found


def _bibliography_view(record: Mapping[str, Any], bibliography: dict) -> tuple[list[dict], list[dict]]:
    """(entries cited for datasets, with their evidence; the other entries)."""
    cited: dict[str, dict] = {}
    datasets = record.get("datasets", [])
    for index, dataset in enumerate(datasets):
        for ref in dataset.get("references", []):
            entry = bibliography.get(ref["id"], {})
            view = cited.setdefault(ref["id"], _entry_view(ref["id"], {**ref, **entry}))
            for evidence in ref.get("evidence", []):
                marker = evidence.get("marker")
                row = {"dataset": dataset["name"], "dataset_anchor": f"ds-{index}", "rule": evidence.get("rule", ""),
                       "score": ref.get("score", 0.0), "resolution": evidence.get("resolution", ""),
                       "entry": ", ".join(evidence.get("entry") or []), "marker_text": evidence.get("marker_text", ""),
                       "marker_anchor": f"c-{marker[0]}-{marker[1]}" if marker else "",
                       "sentence": evidence.get("sentence", "")}
                same = next((e for e in view["evidence"] if all(e[k] == v for k, v in row.items())), None)
                if same is None:  # the same evidence for several mentions is one line, with their count
                    view["evidence"].append({**row, "mentions": 1,
                                             "mention_anchor": "m-{}-{}".format(*evidence["mention"])})
                else:
                    same["mentions"] += 1
    others = [_entry_view(bib_id, entry) for bib_id, entry in bibliography.items() if bib_id not in cited]
    return list(cited.values()), others


def _entry_view(bib_id: str, entry: dict) -> dict:
    return {"id": bib_id, "anchor": anchor("ref", bib_id), "label": short_label(entry, bib_id),
            "citation": entry.get("citation") or entry.get("raw") or entry.get("title") or "",
            "doi": entry.get("doi", ""), "doi_url": doi_url(entry.get("doi", "")),
            "url": safe_url(entry.get("url", "")), "evidence": []}


def _datasets_view(record: Mapping[str, Any], bibliography: dict) -> list[dict]:
    rows = []
    for index, dataset in enumerate(record.get("datasets", [])):
        kb = dataset.get("kb") or None
        refs = [{"id": ref["id"], "anchor": anchor("ref", ref["id"]),
                 "label": short_label({**ref, **bibliography.get(ref["id"], {})}, ref["id"]),
                 "citation": ref.get("citation", ""), "score": ref.get("score", 0.0),
                 "rules": sorted({e.get("rule", "") for e in ref.get("evidence", [])})}
                for ref in dataset.get("references", [])]
        rows.append({"anchor": f"ds-{index}", "name": dataset["name"],
                     "forms": [f for f in dataset.get("surface_forms", []) if f != dataset["name"]],
                     "mentions": dataset.get("mention_count", 0), "sections": dataset.get("sections", []),
                     "role": dataset.get("role", ""), "role_why": role_reason(dataset.get("role_evidence") or {}),
                     "linked": dataset.get("linked", False),
                     "unlinked_reason": dataset.get("unlinked_reason") or "", "references": refs,
                     "kb": None if kb is None else {
                         "id": kb.get("id", ""), "name": kb.get("name", ""), "full_name": kb.get("full_name", ""),
                         "homepage": safe_url(kb.get("homepage", "")),
                         "paper": (kb.get("paper") or {}).get("title", ""),
                         "paper_url": safe_url((kb.get("paper") or {}).get("url", "")),
                         "year": (kb.get("paper") or {}).get("year", "")}})
    return rows


def _ent_markup(kind: str, attrs: dict[str, str], label: Markup, wrap_href: str = "") -> dict:
    """The markup displaCy puts around an entity's (escaped) text."""
    attributes = Markup("").join(Markup(' {}="{}"').format(k, v) for k, v in attrs.items() if v)
    link_open = Markup('<a href="#{}">').format(wrap_href) if wrap_href else Markup("")
    link_close = Markup("</a>") if wrap_href else Markup("")
    return {"open": Markup('<mark class="entity {}"{}>{}').format(kind, attributes, link_open),
            "close": Markup('{}<span class="label">{}</span></mark>').format(link_close, label)}


def _text_ents(doc: Doc, record: dict, datasets: list[dict], bibliography: dict) -> list[dict]:
    """displaCy's manual entities: the DATASET mentions and the citation markers, non-overlapping."""
    label = doc._.dataset_label or LABEL
    forms = {form: i for i, d in enumerate(record.get("datasets", [])) for form in d.get("surface_forms", [])}
    known = doc._.dataset_kb or {}
    mention_links = _mention_links(record)
    candidates: list[tuple[int, int, int, dict]] = []
    for ent in doc.ents:
        if ent.label_ != label:
            continue
        index = forms.get(ent.text)
        kb = known.get(f"{ent.start_char}:{ent.end_char}")
        links = mention_links.get((ent.start_char, ent.end_char), [])
        tip = [f"{label}: {ent.text}"]
        if kb:
            tip.append(f"known dataset: {kb.get('name', '')} ({kb.get('id', '')})")
        for link in links:
            tip.append(f"cites {short_label(bibliography.get(link.bib_id, {}), link.bib_id)} "
                       f"({link.rule}, {link.score:.2f})")
        if index is not None and not links:
            reason = datasets[index]["unlinked_reason"]
            tip.append("not linked here" + (f"; the dataset is unlinked: {reason}" if reason else ""))
        tag = Markup("{}").format(label) + (Markup(' <span class="kb">· {}</span>').format(kb.get("name", ""))
                                            if kb else Markup(""))
        params = _ent_markup("dataset" + (" known" if kb else "") + (" linked" if links else ""),
                             {"id": f"m-{ent.start_char}-{ent.end_char}", "title": "\n".join(tip),
                              "data-dataset": f"ds-{index}" if index is not None else ""}, tag)
        candidates.append((ent.start_char, ent.end_char, 0, {"label": label, "params": params}))
    supporting = _markers_of(record)
    for (start, end), marker_links in supporting.items():
        ids = list(dict.fromkeys(link.bib_id for link in marker_links))
        tips = []
        for bib_id in ids:
            entry = bibliography.get(bib_id, {})
            why = "; ".join(f"{record['datasets'][link.dataset]['name']}: {link.rule} ({link.score:.2f}, "
                            f"{link.resolution}{', ' + ', '.join(link.entry) if link.entry else ''})"
                            for link in marker_links if link.bib_id == bib_id)
            tips.append(f"[{bib_id}] {entry.get('citation') or entry.get('title') or ''}\nlinks {why}")
        targets = Markup(" ").join(Markup('<a class="ref-link" href="#{}">→ {}</a>').format(
            anchor("ref", bib_id), short_label(bibliography.get(bib_id, {}), bib_id)) for bib_id in ids)
        params = _ent_markup("cite", {"id": f"c-{start}-{end}", "title": "\n\n".join(tips),
                                      "data-refs": " ".join(anchor("ref", i) for i in ids)},
                             targets, wrap_href=anchor("ref", ids[0]))
        candidates.append((start, end, 1, {"label": "CITE", "params": params}))
    if "citations" in doc.spans:
        for span in doc.spans["citations"]:
            if (span.start_char, span.end_char) in supporting:
                continue
            ids = span._.targets
            other = "citation marker, not used for a dataset link" + (
                ": " + "; ".join(f"[{i}] {bibliography.get(i, {}).get('citation', '')}" for i in ids) if ids else "")
            params = {"open": Markup('<span class="cite-other" title="{}">').format(other),
                      "close": Markup("</span>")}
            candidates.append((span.start_char, span.end_char, 2, {"label": "MARKER", "params": params}))
    ents, last_end = [], -1
    for start, end, _, settings in sorted(candidates, key=lambda c: (c[0], c[2], -c[1])):
        if start >= last_end and end > start:
            ents.append({"start": start, "end": end, **settings})
            last_end = end
    return ents


def _text_blocks(doc: Doc, ents: list[dict]) -> list[dict]:
    """The paper's blocks (title, headings, paragraphs), each rendered by displaCy with its entities."""
    text = doc.text
    headings = {(s.start_char, s.end_char) for s in doc.spans[HEADINGS]} if HEADINGS in doc.spans else set()
    sections = {s.start_char: s.label_ for s in doc.spans[SECTIONS]} if SECTIONS in doc.spans else {}
    blocks, start, position = [], 0, 0
    bounds = [m.start() for m in re.finditer(re.escape(BLOCK_SEP), text)] + [len(text)]
    for end in bounds:
        block_ents = []
        while position < len(ents) and ents[position]["start"] < end:
            ent = ents[position]
            if ent["end"] <= end:
                block_ents.append({**ent, "start": ent["start"] - start, "end": ent["end"] - start})
            position += 1
        if text[start:end].strip():
            html = displacy.render({"text": text[start:end], "ents": block_ents}, style="ent", manual=True,
                                   page=False, jupyter=False, options={"template": ENT_TEMPLATE})
            label = sections.get(start, "")
            kind = ("title" if label == "Title" else "heading" if (start, end) in headings else "p")
            blocks.append({"kind": kind, "html": Markup(html),
                           "section": label if label and label != "Title" and kind == "p" else ""})
        start = end + len(BLOCK_SEP)
    return blocks


def render_paper(doc: Doc, *, record: Optional[dict] = None, corpus_href: str = "",
                 notes: Iterable[str] = ()) -> str:
    """One paper's page: its text with DATASET mentions and supporting markers, its datasets, the entries cited.

    `record` is the paper's result (`doc_to_json(doc)` when not given); `corpus_href` links back to the
    corpus page; `notes` are shown at the top."""
    record = record if record is not None else doc_to_json(doc)
    bibliography = doc._.bibliography or {}
    datasets = _datasets_view(record, bibliography)
    ents = _text_ents(doc, record, datasets, bibliography)
    return _paper_page(record, bibliography, datasets, _text_blocks(doc, ents), corpus_href, list(notes),
                       mentions=sum(1 for e in ents if e["label"] == (doc._.dataset_label or LABEL)),
                       markers=sum(1 for e in ents if e["label"] == "CITE"))


def render_record(record: Mapping[str, Any], *, corpus_href: str = "", notes: Iterable[str] = ()) -> str:
    """A paper's page from its result record alone (no text): datasets, cited entries and their evidence."""
    bibliography = {ref["id"]: ref for d in record.get("datasets", []) for ref in d.get("references", [])}
    return _paper_page(record, bibliography, _datasets_view(record, bibliography), None, corpus_href, list(notes),
                       mentions=0, markers=0)


def _paper_page(record: Mapping[str, Any], bibliography: dict, datasets: list[dict], blocks: Optional[list[dict]],
                corpus_href: str, notes: list[str], mentions: int, markers: int) -> str:
    cited, others = _bibliography_view(record, bibliography)
    paper = record.get("paper") or {}
    return _env().get_template("paper.html.j2").render(
        generator=GENERATOR, title=paper.get("title") or Path(record.get("path", "")).name or "Untitled paper",
        path=record.get("path", ""), doi=paper.get("doi", ""), doi_url=doi_url(paper.get("doi", "")),
        grobid_version=paper.get("grobid_version", ""), warnings=paper.get("warnings") or {},
        corpus_href=corpus_href, notes=notes, datasets=datasets, blocks=blocks, cited=cited, others=others,
        linked=sum(1 for d in datasets if d["linked"]), mentions=mentions, markers=markers,
        has_roles=any(d["role"] for d in datasets), label=LABEL)


# ---- per corpus -----------------------------------------------------------------------------------

def _dataset_key(dataset: dict) -> str:
    kb = dataset.get("kb") or {}
    return f"kb:{kb['id']}" if kb.get("id") else f"name:{normalize(dataset.get('name', ''))}"


def _entry_key(ref: dict) -> str:
    for part in (ref.get("doi", ""), ref.get("title", ""), ref.get("citation", "")):
        if part:
            return re.sub(r"\W+", " ", part.lower()).strip()
    return ref.get("id", "")


def corpus_view(records: list[Mapping[str, Any]], *, link_papers: bool = True) -> dict:
    """The figures and tables of the corpus page, as plain data."""
    papers = [r for r in records if "error" not in r]
    failed = [r for r in records if "error" in r]
    rows: dict[str, dict] = {}
    for record in papers:
        href = page_name(record) if link_papers else ""
        title = (record.get("paper") or {}).get("title") or Path(record.get("path", "")).name
        for dataset in record.get("datasets", []):
            row = rows.setdefault(_dataset_key(dataset), {
                "names": Counter(), "kb": dataset.get("kb") or None, "papers": [], "mentions": 0, "linked": 0,
                "entries": {}, "unlinked": Counter()})
            row["names"][dataset["name"]] += dataset.get("mention_count", 1)
            row["mentions"] += dataset.get("mention_count", 0)
            if not any(p["href"] == href and p["title"] == title for p in row["papers"]):
                row["papers"].append({"href": href, "title": title, "path": record.get("path", "")})
            row["linked"] += bool(dataset.get("linked"))
            if not dataset.get("linked"):
                row["unlinked"][dataset.get("unlinked_reason") or "no citation"] += 1
            for ref in dataset.get("references", []):
                entry = row["entries"].setdefault(_entry_key(ref), {"citation": ref.get("citation", ""),
                                                                    "title": ref.get("title", ""), "papers": 0})
                entry["papers"] += 1
    table = []
    for key, row in rows.items():
        kb = row["kb"]
        name = row["names"].most_common(1)[0][0]  # what the papers call it; the known id has its own column
        entries = sorted(row["entries"].values(), key=lambda e: -e["papers"])
        table.append({"key": key, "name": name, "kb_id": kb.get("id", "") if kb else "",
                      "homepage": safe_url(kb.get("homepage", "")) if kb else "",
                      "other_names": sorted(n for n in row["names"] if n != name),
                      "papers": row["papers"], "paper_count": len(row["papers"]), "mentions": row["mentions"],
                      "linked": row["linked"], "entries": entries,
                      "unlinked": [f"{reason} ({n})" for reason, n in row["unlinked"].most_common()]})
    table.sort(key=lambda r: (-r["paper_count"], -r["mentions"], r["name"].lower()))
    datasets = sum(len(r.get("datasets", [])) for r in papers)
    linked = sum(1 for r in papers for d in r.get("datasets", []) if d.get("linked"))
    return {
        "papers": [{"href": page_name(r) if link_papers else "",
                    "title": (r.get("paper") or {}).get("title") or Path(r.get("path", "")).name,
                    "path": r.get("path", ""), "datasets": len(r.get("datasets", [])),
                    "linked": sum(1 for d in r.get("datasets", []) if d.get("linked")),
                    "warnings": ", ".join(f"{code} ×{n}" for code, n in sorted(
                        ((r.get("paper") or {}).get("warnings") or {}).items()))} for r in papers],
        "failed": [{"path": r.get("path", ""), "code": (r.get("error") or {}).get("code", ""),
                    "message": (r.get("error") or {}).get("message", "")} for r in failed],
        "counts": {"papers": len(papers), "errors": len(failed), "datasets": datasets, "linked": linked,
                   "distinct": len(table), "known": sum(1 for r in table if r["kb_id"]),
                   "linked_share": f"{linked / datasets:.0%}" if datasets else "–"},
        "table": table,
        "chart": _chart(table[:CHART_TOP]),
    }


def _chart(rows: list[dict]) -> dict:
    """Bar geometry for the most-named datasets, drawn as SVG by the template: a bar for the papers naming
    each, a thin one under it for its mentions."""
    label_width, bar_width, height, gap = 230, 360, 14, 10
    papers = max((r["paper_count"] for r in rows), default=1) or 1
    mentions = max((r["mentions"] for r in rows), default=1) or 1
    bars = [{"name": r["name"] if len(r["name"]) <= 34 else r["name"][:33] + "…", "full": r["name"],
             "y": i * (height + gap), "width": max(2, round(bar_width * r["paper_count"] / papers)),
             "mentions_width": max(1, round(bar_width * r["mentions"] / mentions)),
             "value": f"{_plural(r['paper_count'], 'paper')} · {_plural(r['mentions'], 'mention')}",
             "anchor": f"d-{i}"} for i, r in enumerate(rows)]
    return {"bars": bars, "label_width": label_width, "bar_height": height, "bar_width": bar_width,
            "width": label_width + bar_width + 150, "height": max(1, len(bars) * (height + gap))}


PAGE_ROWS = 50  # datasets shown before "Show all", and papers listed open: a corpus page stays a page


def render_corpus(records: Iterable[Mapping[str, Any]], *, title: str = "dataref report", link_papers: bool = True,
                  notes: Iterable[str] = ()) -> str:
    """The corpus page from result records (`dataref extract`'s JSON lines, error records included); paper
    pages are linked where `write_report` puts them (`page_name`)."""
    view = corpus_view(list(records), link_papers=link_papers)
    script = _env().get_template("sort.js").render()
    return _env().get_template("corpus.html.j2").render(
        generator=GENERATOR, title=title, notes=list(notes), script=Markup(script),
        script_hash=_script_hash(script), page_rows=PAGE_ROWS, **view)


# ---- writing a report folder --------------------------------------------------------------------

@dataclass
class ReportSummary:
    papers: int = 0
    datasets: int = 0
    linked: int = 0
    errors: int = 0
    with_text: int = 0
    notes: Counter = field(default_factory=Counter)

    def line(self, output: Path) -> str:
        text = (f"dataref report: {_plural(self.papers, 'paper')} ({self.with_text} with their text), "
                f"{_plural(self.datasets, 'dataset')} ({self.linked} linked), {_plural(self.errors, 'error')} "
                f"→ {output / INDEX}")
        if self.notes:
            text += "; " + ", ".join(f"{n} × {code}" for code, n in sorted(self.notes.items()))
        return text


def is_results_file(path: Path) -> bool:
    """A results file (JSON lines) rather than a paper: a regular file whose first non-blank character is `{`."""
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson", ".parquet"):
        return True
    if not path.is_file() or path.suffix.lower() in PAPER_SUFFIXES:
        return False
    with path.open("rb") as handle:
        return handle.read(256).lstrip()[:1] == b"{"


def read_results(path: Path) -> list[ResultRecord]:
    """Records of a `dataref extract` output (JSON lines, or Parquet); a last line a kill cut short is left out
    (W010)."""
    if not path.is_file():
        raise DatarefError(Errors.E036.format(path=path, detail="no such file" if not path.exists()
                                              else "not a regular file"), str(path))
    if path.suffix.lower() == ".parquet":
        from ..output.parquet import read_records

        parquet_records = read_records(path)
        if not parquet_records:
            raise DatarefError(Errors.E031.format(path=path), str(path))
        return parquet_records  # type: ignore[return-value]
    results = result_files.read_results(path)
    if results.cut:
        warnings.warn(Warnings.W010.format(path=path, line=results.cut), stacklevel=2)
    if not results.records:
        raise DatarefError(Errors.E031.format(path=path), str(path))
    return results.records


def prepare_folder(output: Path) -> None:
    """Make the report folder; refuse a file, or a folder holding something other than a dataref report."""
    if output.exists() and not output.is_dir():
        raise DatarefError(Errors.E032.format(path=output, detail="it is a file; give a folder"))
    if output.is_dir() and any(output.iterdir()):
        index = output / INDEX
        ours = index.is_file() and f'content="{GENERATOR}' in index.read_text(encoding="utf8", errors="replace")[:2000]
        if not ours:
            raise DatarefError(Errors.E033.format(path=output))
    try:
        (output / PAPERS_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DatarefError(Errors.E032.format(path=output, detail=err.strerror or err)) from err
    for old in (output / PAPERS_DIR).glob("*.html"):  # pages of an earlier report, not of this one
        old.unlink()


def _signature(record: Mapping[str, Any]) -> list:
    return sorted((d["name"], [r["id"] for r in d.get("references", [])]) for d in record.get("datasets", []))


def _paper_file(record: Mapping[str, Any], results: Path) -> Optional[Path]:
    """The TEI of a record's paper when it can be found: its resolved path, its path from here or beside the
    results file, or (for a PDF) GROBID's cached TEI beside the results file."""
    from ..run.grobid import content_hash

    for candidate in (record.get("id"), record.get("path"), results.parent / record.get("path", "")):
        if candidate and Path(candidate).is_file():
            path = Path(candidate)
            if path.suffix.lower() == ".pdf":
                cached = results.parent / "tei-cache" / f"{content_hash(path)}.tei.xml"
                return cached if cached.is_file() else None
            return path
    return None


class _Papers:
    """The pipeline, loaded once and only when a paper has to be read."""

    def __init__(self, model: str) -> None:
        self.model = model
        self._nlp = None
        self._reader: Optional[Callable] = None

    @property
    def nlp(self):
        return self.load()

    def load(self):
        """The pipeline; a missing one is E011."""
        if self._nlp is None:
            from ..run.extract import load_pipeline
            from ..readers.paper import PaperReader

            nlp = load_pipeline(self.model)
            self._nlp, self._reader = nlp, PaperReader(nlp)
        return self._nlp

    def read(self, path: Path) -> Doc:
        """Read and annotate one paper; a failing component raises E015 naming it."""
        nlp = self.nlp
        assert self._reader is not None
        doc = self._reader(path)
        for name, component in nlp.pipeline:
            try:
                doc = component(doc)
            except Exception as err:
                raise DatarefError(Errors.E015.format(path=path, stage=name, detail=f"{type(err).__name__}: {err}"),
                                   str(path)) from err
        return doc


def write_report(inputs: list[Path], output: Path, *, model: str, records_only: bool = False) -> ReportSummary:
    """Write `output/index.html` and a page per paper under `output/papers/`, from results files or from
    papers and folders (read and annotated here). Every refusal comes before the folder is touched; a
    paper that fails is an error on the corpus page and the others go on."""
    from ..run.extract import collect_inputs

    results = [p for p in inputs if not p.is_dir() and is_results_file(p)]
    if results and len(results) != len(inputs):
        raise DatarefError(Errors.E034.format(detail=", ".join(str(p) for p in inputs if p not in results)))
    papers = _Papers(model)
    jobs: list[tuple[ResultRecord, Optional[Path], Path]] = []  # (record, its paper's TEI, its results file)
    paths: list[Path] = []
    if results:
        found: dict[str, tuple[ResultRecord, Path]] = {}  # the same paper in two results files: the last record counts
        for path in results:
            for record in read_results(path):
                found.pop(record.get("id") or record["path"], None)
                found[record.get("id") or record["path"]] = (record, path)
        jobs = [(record, None if records_only or "error" in record else _paper_file(record, path), path)
                for record, path in found.values()]
        if any(tei is not None for _, tei, _ in jobs):
            papers.load()  # no pipeline is a refusal now, not after half the pages
    else:
        paths, _ = collect_inputs(inputs)
        if not paths:
            raise DatarefError(Errors.E035.format(path=", ".join(str(p) for p in inputs)))
        papers.load()
    prepare_folder(output)
    summary = ReportSummary()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W00[123]\]")  # the TEI's own faults, counted in records
        if results:
            pages = _pages_from_results(jobs, output, papers, summary, records_only)
        else:
            pages = _pages_from_papers(paths, output, papers, summary)
        # progress on a terminal, as for extract; a page is counted once it is written
        records = list(tqdm(pages, total=len(jobs) if results else len(paths), unit="paper", file=sys.stderr,
                            disable=not sys.stderr.isatty()))
    for page in records:
        if "error" in page:
            summary.errors += 1
        else:
            summary.papers += 1
            summary.datasets += len(page.get("datasets", []))
            summary.linked += sum(1 for d in page.get("datasets", []) if d.get("linked"))
    title = f"dataref report: {', '.join(p.name for p in inputs[:3])}{' …' if len(inputs) > 3 else ''}"
    (output / INDEX).write_text(render_corpus(records, title=title), encoding="utf8")
    return summary


def _pages_from_results(jobs: list[tuple[ResultRecord, Optional[Path], Path]], output: Path, papers: _Papers,
                        summary: ReportSummary, records_only: bool) -> Iterator[Mapping[str, Any]]:
    """Each record's page: from its paper read again when the file is there (a note says when that run's
    results differ from the file's), else from the record alone; the corpus page keeps the file's records."""
    for record, tei, results in jobs:
        yield record
        if "error" in record:
            continue
        notes: list[str] = []
        html = None
        if tei is None and not records_only:
            notes.append(Warnings.W012.format(path=record["path"], detail="the file is not found"))
        if tei is not None:
            with papers.nlp.memory_zone():  # the strings a paper adds to the vocabulary go with it
                try:
                    doc = papers.read(tei)
                    fresh = {"id": record.get("id", ""), **doc_to_json(doc, record["path"])}
                    if _signature(fresh) != _signature(record):
                        notes.append(Warnings.W011.format(path=record["path"], results=results))
                    html = render_paper(doc, record=fresh, corpus_href="../" + INDEX, notes=notes)
                    summary.with_text += 1
                except Exception as err:  # the record's own page instead; the other papers go on
                    notes.append(Warnings.W012.format(path=record["path"], detail=err if isinstance(
                        err, DatarefError) else f"{type(err).__name__}: {err}"))
        summary.notes.update(note[1:5] for note in notes)
        if html is None:
            html = render_record(record, corpus_href="../" + INDEX, notes=notes)
        (output / page_name(record)).write_text(html, encoding="utf8")


def _pages_from_papers(paths: list[Path], output: Path, papers: _Papers,
                       summary: ReportSummary) -> Iterator[Mapping[str, Any]]:
    """Read and annotate each paper (TEI, JATS, .txt) and write its page; a file that fails becomes an error record."""
    from ..run.extract import error_record, paper_id, shown

    for path in paths:
        if path.suffix.lower() == ".pdf":
            yield error_record(path, DatarefError(Errors.E037.format(path=shown(path)), str(path)))
            continue
        with papers.nlp.memory_zone():  # the strings a paper adds to the vocabulary go with it
            try:
                doc = papers.read(path)
                record = {"id": paper_id(path), **doc_to_json(doc, shown(path))}
            except DatarefError as err:
                yield error_record(path, err)
                continue
            try:
                html = render_paper(doc, record=record, corpus_href="../" + INDEX)
            except Exception as err:  # one paper's page must not stop the others
                detail = f"{type(err).__name__}: {err}"
                yield error_record(path, DatarefError(Errors.E038.format(path=shown(path), detail=detail), str(path)))
                continue
        (output / page_name(record)).write_text(html, encoding="utf8")
        summary.with_text += 1
        yield record
