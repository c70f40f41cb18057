"""Bibliography entries as plain, serialisable records (GROBID <biblStruct> here; JATS <ref> in jats.py)."""
from dataclasses import asdict, dataclass, field
from typing import Optional

from .safe_xml import etree
from ..linking.patterns import YEAR

from .safe_xml import descendants, first, tag, text_of, xml_id



@dataclass
class BibEntry:
    id: str
    authors: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)
    title: str = ""
    venue: str = ""
    year: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    raw: str = ""
    citation: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _authors(el: etree._Element) -> tuple[list[str], list[str]]:
    names: list[str] = []
    surnames: list[str] = []
    scope = first(el, "analytic")
    if scope is None or first(scope, "author") is None:
        scope = first(el, "monogr")
    if scope is None:
        return names, surnames
    for author in (a for a in scope if tag(a) == "author"):
        pers = first(author, "persname")
        if pers is None:
            continue
        surname = text_of(first(pers, "surname"))
        given = " ".join(text_of(f) for f in pers if tag(f) == "forename")
        full = " ".join(p for p in (given, surname) if p)
        if full:
            names.append(full)
            surnames.append(surname)
    return names, surnames


def _title(el: etree._Element) -> str:
    for part in ("analytic", "monogr"):
        title = first(el, part, "title")
        if title is not None and text_of(title):
            return text_of(title)
    return ""


def _venue(el: etree._Element) -> str:
    monogr = first(el, "monogr")
    if monogr is None or first(el, "analytic") is None:
        return ""
    return text_of(first(monogr, "title"))


def _year(el: etree._Element) -> str:
    for date in descendants(el, "date"):
        match = YEAR.search(date.get("when", "") or text_of(date))
        if match:
            return match.group(0)
    return ""


def _idno(el: etree._Element, kind: str) -> str:
    for idno in descendants(el, "idno"):
        if (idno.get("type") or "").lower() == kind:
            return text_of(idno)
    return ""


def _url(el: etree._Element) -> str:
    for ptr in descendants(el, "ptr"):
        if ptr.get("target"):
            return ptr.get("target", "")
    return ""


def _raw(el: etree._Element) -> str:
    for note in (n for n in el if tag(n) == "note"):
        if (note.get("type") or "").lower() == "raw_reference":
            return text_of(note)
    return ""


def assemble_citation(entry: BibEntry) -> str:
    """A readable citation from the fields, for TEI without raw references."""
    authors = ", ".join(entry.authors[:6]) + (" et al." if len(entry.authors) > 6 else "")
    parts = [authors, f"({entry.year})" if entry.year else "", entry.title, entry.venue,
             f"doi:{entry.doi}" if entry.doi else "", entry.url]
    return ". ".join(p.strip(". ") for p in parts if p).strip() + "."


def parse_bibl_struct(el: etree._Element, fallback_id: str = "") -> Optional[BibEntry]:
    """One <biblStruct> → BibEntry; entries without a title are kept."""
    authors, surnames = _authors(el)
    entry = BibEntry(
        id=xml_id(el) or fallback_id,
        authors=authors,
        surnames=surnames,
        title=_title(el),
        venue=_venue(el),
        year=_year(el),
        doi=_idno(el, "doi"),
        pmid=_idno(el, "pmid"),
        url=_url(el),
        raw=_raw(el),
    )
    if not (entry.authors or entry.title or entry.raw or entry.venue or entry.doi or entry.url):
        return None
    entry.citation = entry.raw or assemble_citation(entry)
    return entry
