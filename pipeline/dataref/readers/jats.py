"""JATS (and NLM) journal-article XML → spaCy Doc, with the TEI reader's contract.

The same spans and extensions as `TEIReader`: sections (title, abstracts, body sections, back matter, figure
and table captions and rows, boxes, footnotes), headings, citation markers from `<xref ref-type="bibr">` with
their `rid`s as targets, the bibliography from `<ref-list>`, the paper's metadata. A marker covers the callout
as GROBID marks it (the brackets directly around it included: "[3]", "(Smith et al., 2019"), and a range
written as two callouts joined by a dash ("[3]–[6]") is one marker citing every entry between them in
reference-list order. `<sub-article>`s (peer reviews, replies, translations) are not read."""
import re
from dataclasses import dataclass, field
from typing import Iterator, Optional

from lxml import etree
from spacy.tokens import Doc

from .bibliography import BibEntry, assemble_citation
from .docbuild import Marker, TextBuilder, XMLReader, add_entry, build_doc, section
from ..errors import DatarefError, Errors
from ..linking.markers import MAX_RANGE
from ..linking.patterns import DOI, SPACE, YEAR
from .safe_xml import children, descendants, first, tag, text_of

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_RANGE_DASH = re.compile(r"^\s*[\])]?\s*[-–—‐‑]\s*[\[(]?\s*$")
_GROUP_SEP = re.compile(r"^\s*[,;\-–—‐‑]?\s*(?:and\s*)?$")
_OPENERS = {"(": ")", "[": "]"}
# Floats are read after the section they sit in, each a small section of its own.
_FLOATS = {"fig", "fig-group", "table-wrap", "table-wrap-group", "boxed-text", "supplementary-material",
           "chem-struct-wrap", "fn"}
_NOT_TEXT = {"graphic", "inline-graphic", "media", "tex-math", "disp-formula", "label", "alt-text", "long-desc",
             "ref-list", "object-id", "permissions", "sec-meta", "kwd-group"}
_SPACED = {"p", "list", "list-item", "def-list", "def-item", "term", "def", "disp-quote", "break", "tr",
           "element-citation", "mixed-citation"}
# Containers whose paragraphs are read as blocks of the section they are in.
_CONTAINERS = {"disp-quote", "statement", "verse-group", "speech", "def-list", "list", "list-item", "notes"}
_SECTIONS = {"sec": "Section", "app": "Appendix", "ack": "Acknowledgements", "notes": "Notes",
             "taxon-treatment": "Taxon treatment", "treatment-sec": "Treatment"}  # the last two: TaxonX (Pensoft)
_CITATIONS = ("mixed-citation", "element-citation", "citation", "nlm-citation")
_TITLES = ("article-title", "chapter-title", "data-title", "part-title")


class JATSReader(XMLReader):
    """Read a JATS article into a Doc with citation markers, sections and bibliography."""

    plain_doctype = True

    def read_root(self, root: etree._Element, name: str, path: str) -> Doc:
        if tag(root) != "article":
            raise DatarefError(Errors.E040.format(path=name, root=tag(root) or root.tag), name)
        notes: dict[str, dict] = {}
        bibliography, order = read_bibliography(root, notes)
        text = _ArticleText(order=order)
        text.read(root)
        if not text.builder.length:
            raise DatarefError(Errors.E042.format(path=name), name)
        return build_doc(self.nlp, text.builder, name=name, bibliography=bibliography, paper=read_paper(root, path),
                         notes=notes, limit=self.max_chars)



def _in_sub_article(el: etree._Element) -> bool:
    return any(tag(a) in ("sub-article", "response") for a in el.iterancestors())


def read_paper(root: etree._Element, path: str) -> dict:
    meta = first(root, "front", "article-meta")
    ids = {(i.get("pub-id-type") or "").lower(): text_of(i) for i in children(meta, "article-id")} if meta is not None \
        else {}
    return {"path": path, "title": text_of(first(meta, "title-group", "article-title")), "doi": ids.get("doi", ""),
            "pmid": ids.get("pmid", ""), "pmcid": ids.get("pmcid", "") or ids.get("pmc", ""),
            "article_type": root.get("article-type", "")}


# ---- bibliography ----------------------------------------------------------------------------------

def read_bibliography(root: etree._Element, notes: Optional[dict] = None) -> tuple[dict[str, BibEntry], list[str]]:
    """Entries of the article's reference lists keyed by `id` (duplicates keep the first, counted in `notes`),
    and every ref id in list order (for ranges)."""
    entries: dict[str, BibEntry] = {}
    order: list[str] = []
    n = 0
    for ref_list in descendants(root, "ref-list"):
        if _in_sub_article(ref_list) or any(tag(a) == "ref-list" for a in ref_list.iterancestors()):
            continue
        for ref in descendants(ref_list, "ref"):
            entry = parse_ref(ref, fallback_id=f"_{n}")
            n += 1
            if ref.get("id") and ref.get("id") not in order:
                order.append(ref.get("id", ""))
            add_entry(entries, entry, notes)
    return entries, order


def _citation_of(ref: etree._Element) -> Optional[etree._Element]:
    for name in _CITATIONS:
        for scope in (ref, first(ref, "citation-alternatives")):
            found = first(scope, name)
            if found is not None:
                return found
    return None


def parse_ref(ref: etree._Element, fallback_id: str = "") -> Optional[BibEntry]:
    """One `<ref>` → BibEntry: authors, title (article/chapter/data title, else the source), venue (the source),
    year, DOI and PMID from `pub-id`, URL from `ext-link`/`uri`; `raw` the citation's own text."""
    cit = _citation_of(ref)
    if cit is None:
        cit = ref
    authors, surnames = _authors(cit)
    title = next((text_of(t) for name in _TITLES for t in descendants(cit, name) if text_of(t)), "")
    source = text_of(next(descendants(cit, "source"), None))
    entry = BibEntry(id=ref.get("id") or fallback_id, authors=authors, surnames=surnames,
                     title=title or source, venue=source if title else "", year=_year(cit),
                     doi=_pub_id(cit, "doi") or _doi_link(cit), pmid=_pub_id(cit, "pmid"), url=_url(cit),
                     raw=spaced_text(cit))
    if not (entry.authors or entry.title or entry.raw or entry.venue or entry.doi or entry.url):
        return None
    entry.citation = entry.raw if _punctuated(cit) else assemble_citation(entry)
    return entry


def _authors(cit: etree._Element) -> tuple[list[str], list[str]]:
    """Names in author groups (or in no group), else the editors: ("given surname", surname)."""
    found: dict[str, list[tuple[str, str]]] = {"author": [], "other": []}
    for el in cit.iter("{*}name", "{*}string-name", "{*}collab"):
        if any(tag(a) == "collab" for a in el.iterancestors() if a is not cit):
            continue
        group = next((a for a in el.iterancestors() if tag(a) == "person-group"), None)
        kind = (group.get("person-group-type") or "author") if group is not None else "author"
        name = _name(el)
        if name[0]:
            found["author" if kind == "author" else "other"].append(name)
    names = found["author"] or found["other"]
    return [n for n, _ in names], [s for _, s in names]


def _name(el: etree._Element) -> tuple[str, str]:
    if tag(el) == "collab":
        full = text_of(el)
        return full, full
    surname = text_of(first(el, "surname"))
    given = text_of(first(el, "given-names"))
    if not surname:  # a plain "Smith J" string-name: the first word that is not initials
        full = text_of(el)
        words = [w for w in re.findall(r"[^\W\d_][\w'’-]+", full) if not w.isupper()]
        return full, words[0] if words else full
    return " ".join(p for p in (given, surname) if p), surname


def _year(cit: etree._Element) -> str:
    for name in ("year", "date", "date-in-citation"):
        for el in descendants(cit, name):
            match = YEAR.search(el.get("iso-8601-date", "") or text_of(el))
            if match:
                return match.group(0)
    return ""


def _pub_id(cit: etree._Element, kind: str) -> str:
    for name in ("pub-id", "object-id"):
        for el in descendants(cit, name):
            if (el.get("pub-id-type") or "").lower() == kind:
                return text_of(el)
    return ""


def _links(cit: etree._Element) -> Iterator[str]:
    for name in ("ext-link", "uri"):
        for el in descendants(cit, name):
            link = el.get(XLINK_HREF) or text_of(el)
            if link:
                yield link


def _doi_link(cit: etree._Element) -> str:
    for link in _links(cit):
        match = DOI.search(link) if "doi" in link.lower() else None
        if match:
            return match.group(0)
    return ""


def _url(cit: etree._Element) -> str:
    return next(_links(cit), "")


def _punctuated(cit: etree._Element) -> bool:
    """Does the citation carry its own punctuation (a mixed citation), or is it bare fields?"""
    return bool((cit.text or "").strip()) or any((child.tail or "").strip() for child in cit)


def spaced_text(el: etree._Element) -> str:
    """The text of an element, with a space where two child elements meet with nothing between them
    ("<surname>Avery</surname><given-names>SV</given-names>" → "Avery SV"); labels left out."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        parts.append(node.text or "")
        previous = None
        for child in node:
            if isinstance(child.tag, str) and tag(child) != "label":
                if previous is not None and not (previous.tail or ""):
                    parts.append(" ")
                walk(child)
            parts.append(child.tail or "")
            previous = child

    walk(el)
    return SPACE.sub(" ", "".join(parts)).strip()


# ---- text --------------------------------------------------------------------------------------------

@dataclass
class _ArticleText:
    """Reads an article's text in order into a TextBuilder; floats met on the way are read after their section."""

    order: list[str]
    builder: TextBuilder = field(default_factory=TextBuilder)
    floats: list[etree._Element] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)
    opened: str = ""  # the bracket that opened the current run of callouts, until it closes

    def __post_init__(self) -> None:
        self.position = {ref_id: i for i, ref_id in enumerate(self.order)}

    def read(self, root: etree._Element) -> None:
        meta = first(root, "front", "article-meta")
        title = first(meta, "title-group", "article-title")
        if title is not None:
            self._section("Title", [title])
        if meta is not None:
            for abstract in children(meta, "abstract"):
                label = "Abstract" if not abstract.get("abstract-type") else (
                    text_of(first(abstract, "title")) or "Abstract")
                self._section(label, self._blocks(abstract, flatten=True, own_title=False))
            self._data_statements(meta)
        body = first(root, "body")
        if body is not None:
            self._container(body)
        back = first(root, "back")
        if back is not None:
            self._back(back)
        group = first(root, "floats-group")
        if group is not None:
            self.floats.extend(c for c in group if tag(c) in _FLOATS)
        self._read_floats()

    def _data_statements(self, meta: etree._Element) -> None:
        """Data availability given as article metadata (PLOS's custom-meta, author notes)."""
        for custom in descendants(meta, "custom-meta"):
            name = text_of(first(custom, "meta-name"))
            if re.search(r"\bdata\b", name, re.I):
                self._section(name, [v for v in children(custom, "meta-value")])
        notes = first(meta, "author-notes")
        for fn in descendants(notes, "fn") if notes is not None else ():
            if "data" in (fn.get("fn-type") or "").lower():
                self._section("Data availability", self._blocks(fn, flatten=True))

    def _container(self, el: etree._Element) -> None:
        """A body: its sections in order; paragraphs outside any section are read as "Body"."""
        loose: list[etree._Element] = []
        for child in el:
            if tag(child) in _SECTIONS:
                self._section("Body", loose)
                loose = []
                self._sec(child)
            else:
                loose.extend(self._blocks_of(child, flatten=False))
        self._section("Body", loose)
        self._read_floats()

    def _back(self, back: etree._Element) -> None:
        for child in back:
            name = tag(child)
            if name in _SECTIONS:
                self._sec(child)
            elif name == "app-group":
                for app in child:
                    if tag(app) in _SECTIONS:
                        self._sec(app)
            elif name == "fn-group":
                self.floats.extend(fn for fn in child if tag(fn) == "fn")
            elif name in _FLOATS:
                self.floats.append(child)
            self._read_floats()

    def _sec(self, sec: etree._Element) -> None:
        """A section: its title and own paragraphs, then its floats, then its subsections, each their own."""
        name = tag(sec)
        title = first(sec, "title")
        label = text_of(title) or (sec.get("sec-type") or "").replace("-", " ").capitalize() or _SECTIONS[name]
        self._section(label, self._blocks(sec, flatten=False))
        self._read_floats()
        for child in sec:
            if tag(child) in _SECTIONS:
                self._sec(child)

    def _blocks(self, el: etree._Element, flatten: bool, own_title: bool = True) -> list[etree._Element]:
        """The title and paragraph-like blocks of a section (with `flatten`, of its subsections too)."""
        blocks: list[etree._Element] = []
        for child in el:
            if tag(child) == "title":
                if own_title:
                    blocks.append(child)
            elif tag(child) in _SECTIONS:
                if flatten:
                    blocks.extend(self._blocks(child, flatten=True))
            else:
                blocks.extend(self._blocks_of(child, flatten))
        return blocks

    def _blocks_of(self, child: etree._Element, flatten: bool) -> list[etree._Element]:
        name = tag(child)
        if name in ("p", "def-item", "tr", "title") or (name == "list-item" and first(child, "p") is None):
            return [child]
        if name == "caption":
            return [c for c in child if tag(c) in ("title", "p")]
        if name in _FLOATS:
            self.floats.append(child)
        elif name == "fn-group":
            self.floats.extend(fn for fn in child if tag(fn) == "fn")
        elif name in _CONTAINERS or (name not in _NOT_TEXT and first(child, "p") is not None):
            return self._blocks(child, flatten)  # unknown containers of paragraphs too: a publisher's own tags
        return []

    def _read_floats(self) -> None:
        while self.floats:
            self._float(self.floats.pop(0))

    def _float(self, el: etree._Element) -> None:
        name = tag(el)
        label_el = first(el, "label")
        caption = first(el, "caption")
        default = {"fig": "Figure", "table-wrap": "Table", "boxed-text": "Box", "fn": "Footnote",
                   "supplementary-material": "Supplementary material"}.get(name, "Figure")
        label = text_of(label_el) or text_of(first(caption, "title")) or (
            text_of(first(el, "title")) if name == "boxed-text" else "") or default
        if name == "fn":
            label = "Footnote"
        blocks: list[etree._Element] = [label_el] if label_el is not None and name != "fn" else []
        if name == "boxed-text":
            blocks.extend(self._blocks(el, flatten=True))
        else:
            blocks.extend(caption if caption is not None else [])
            blocks.extend(t for t in descendants(el, "tr") if not _in_float_below(t, el))
            for part in (p for p in el if tag(p) in ("table-wrap-foot", "p", "attrib")):
                blocks.extend(descendants(part, "p") if tag(part) == "table-wrap-foot" else [part])
        self._section(label, blocks, heading_tags=("label", "title") if name == "boxed-text" else ("label",))
        if name in ("fig-group", "table-wrap-group"):
            self.floats[:0] = [c for c in el if tag(c) in _FLOATS]

    def _section(self, label: str, blocks: list[etree._Element], heading_tags: tuple[str, ...] = ("title",)) -> None:
        if blocks:
            section(self.builder, label, blocks, self._inline, heading_tags)

    # ---- inline text and markers ----

    def _inline(self, el: etree._Element, builder: TextBuilder) -> None:
        if el.text:
            builder.add(el.text)
        kids = [k for k in el]
        i = 0
        while i < len(kids):
            child = kids[i]
            name = tag(child)
            if name == "xref" and (child.get("ref-type") or "").lower() == "bibr":
                i = self._marker(kids, i, builder)
                child = kids[i]
            elif name in _FLOATS:
                self.floats.append(child)
            elif name in ("td", "th"):
                if i and builder.last not in " \n":
                    builder.add(" | ")
                self._inline(child, builder)
            elif name in _SPACED:
                builder.space()
                self._inline(child, builder)
                builder.space()
            elif name and name not in _NOT_TEXT:
                self._inline(child, builder)
            if child.tail:
                builder.add(child.tail)
            i += 1

    def _marker(self, kids: list[etree._Element], i: int, builder: TextBuilder) -> int:
        """Record the callout kids[i] (and the callout a range joins it to); return the last child used."""
        xref = kids[i]
        text = text_of(xref)
        if not text:
            return i
        ids = (xref.get("rid") or "").split()
        last = i
        following = kids[i + 1] if i + 1 < len(kids) else None
        if (following is not None and tag(following) == "xref" and (following.get("ref-type") or "").lower() == "bibr"
                and _RANGE_DASH.match(xref.tail or "") and text_of(following)):
            more = (following.get("rid") or "").split()
            between = self._between(ids[-1] if ids else "", more[0] if more else "")
            if between:
                ids = list(dict.fromkeys(ids + between + more))
                last = i + 1
        previous = kids[i - 1] if i else None
        continues = (previous is not None and tag(previous) == "xref" and _GROUP_SEP.match(previous.tail or "")
                     and (previous.get("ref-type") or "").lower() == "bibr")
        start = builder.length
        if builder.last in _OPENERS:  # "(Smith, 2001)", "[3]": the bracket is part of the callout, as GROBID marks it
            start -= 1
            self.opened = builder.last
        elif not continues:
            self.opened = ""
        builder.add(text)
        if last > i:
            builder.add(xref.tail or "")
            builder.add(text_of(kids[last]))
        end = builder.length
        tail = kids[last].tail or ""
        if self.opened and tail[:1] == _OPENERS[self.opened]:
            end += 1  # the closing bracket comes with the tail, right after
            self.opened = ""
        builder.markers.append(Marker(start, end, " ".join(ids)))
        return last

    def _between(self, low: str, high: str) -> list[str]:
        """Ids from `low` to `high` in reference-list order, or [] when that is not a short forward range."""
        a, b = self.position.get(low), self.position.get(high)
        if a is None or b is None or not 0 < b - a <= MAX_RANGE:
            return []
        return self.order[a:b + 1]


def _in_float_below(el: etree._Element, top: etree._Element) -> bool:
    """Is `el` inside a float nested in `top` (read as that float's own section)?"""
    for ancestor in el.iterancestors():
        if ancestor is top:
            return False
        if tag(ancestor) in _FLOATS:
            return True
    return False
