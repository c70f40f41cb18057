"""GROBID TEI XML → spaCy Doc, as a preprocessor outside the nlp pipeline."""
from typing import Optional

from lxml import etree
from spacy.tokens import Doc

from .bibliography import BibEntry, parse_bibl_struct
from .docbuild import Marker, TextBuilder, XMLReader, add_entry, build_doc, section
from ..errors import DatarefError, Errors
from ..linking.patterns import CITATION_SHAPE, SPACE
from .safe_xml import descendants, first, tag, text_of

_SKIP = {"formula", "table", "listbibl", "biblstruct", "graphic", "label"}


class TEIReader(XMLReader):
    """Read GROBID TEI into a Doc with citation markers, sections and bibliography."""

    def read_root(self, root: etree._Element, name: str, path: str) -> Doc:
        if tag(root) != "tei":
            raise DatarefError(Errors.E003.format(path=name, root=tag(root) or root.tag), name)
        notes: dict[str, dict] = {}  # per warning code: how many, and the first case, for one warning per paper
        bibliography = read_bibliography(root, notes)
        builder = TextBuilder()
        read_text(root, builder)
        if not builder.length:
            raise DatarefError(Errors.E007.format(path=name), name)
        return build_doc(self.nlp, builder, name=name, bibliography=bibliography, paper=read_paper(root, path),
                         notes=notes, limit=self.max_chars)



def read_bibliography(root: etree._Element, notes: Optional[dict] = None) -> dict[str, BibEntry]:
    """Entries of every <listBibl>, keyed by xml:id; duplicates keep the first (counted in `notes`)."""
    entries: dict[str, BibEntry] = {}
    n = 0
    for list_bibl in descendants(root, "listbibl"):
        for el in descendants(list_bibl, "biblstruct"):
            add_entry(entries, parse_bibl_struct(el, fallback_id=f"_{n}"), notes)
            n += 1
    return entries


def read_paper(root: etree._Element, path: str) -> dict:
    header = first(root, "teiheader")
    title = text_of(first(header, "filedesc", "titlestmt", "title"))
    source = first(header, "filedesc", "sourcedesc", "biblstruct")
    doi = ""
    if source is not None:
        for idno in descendants(source, "idno"):
            if (idno.get("type") or "").lower() == "doi":
                doi = text_of(idno)
                break
    app = next((a for a in descendants(root, "application") if a.get("ident") == "GROBID"), None)
    return {"path": path, "title": title, "doi": doi,
            "grobid_version": app.get("version", "") if app is not None else ""}


def read_text(root: etree._Element, builder: TextBuilder) -> None:
    """Title, abstract, body, back matter, captions and footnotes in reading order."""
    header = first(root, "teiheader")
    title = first(header, "filedesc", "titlestmt", "title")
    if title is not None and text_of(title):
        _section(builder, "Title", [title])
    abstract = first(header, "profiledesc", "abstract")
    if abstract is not None:
        _section(builder, "Abstract", _blocks(abstract))
    text = first(root, "text")
    if text is None:
        return
    body = first(text, "body")
    # HTML-serialised TEI loses <body>: its divisions then sit right under <text>.
    for container in (text if body is None else body, first(text, "back")):
        if container is not None:
            _read_container(container, builder)


def _read_container(container: etree._Element, builder: TextBuilder) -> None:
    loose: list[etree._Element] = []
    for el in container:
        name = tag(el)
        if name == "div":
            if (el.get("type") or "").lower() == "references":
                continue
            head = first(el, "head")
            label = text_of(head) or SPACE.sub(" ", el.text or "").strip()[:100] or (
                el.get("type") or "Section").capitalize()
            _section(builder, label, _blocks(el))
            _read_floats(el, builder)
        elif name in ("p", "head"):
            loose.append(el)
    if loose:
        _section(builder, "Body", loose)
    _read_floats(container, builder, direct=True)


def _read_floats(el: etree._Element, builder: TextBuilder, direct: bool = False) -> None:
    """Figure and table captions, and footnotes, each a small section."""
    for child in el:
        name = tag(child)
        if name == "figure":
            label = text_of(first(child, "head")) or (
                "Table" if child.get("type") == "table" else "Figure")
            blocks = [b for b in child if tag(b) in ("head", "figdesc")]
            _section(builder, label, blocks)
        elif name == "note" and (child.get("place") or "").startswith("foot"):
            _section(builder, "Footnote", [child])


def _blocks(el: etree._Element) -> list[etree._Element]:
    """The head, paragraphs and nested divisions' paragraphs, in order."""
    blocks = []
    for child in el:
        name = tag(child)
        if name in ("head", "p"):
            blocks.append(child)
        elif name == "div":
            blocks.extend(_blocks(child))
    return blocks


def _section(builder: TextBuilder, label: str, blocks: list[etree._Element]) -> None:
    section(builder, label, blocks, _inline)


def _inline(el: etree._Element, builder: TextBuilder) -> None:
    """Text of a block with citation markers and sentence starts recorded."""
    if el.text:
        builder.add(el.text)
    for child in el:
        name = tag(child)
        if name == "s":
            builder.space()
            builder.sent_starts.add(builder.length)
            _inline(child, builder)
        elif name == "ref" and (child.get("type") or "").lower() == "bibr":
            _marker(child, builder)
        elif name not in _SKIP and name:
            _inline(child, builder)
        if child.tail:
            builder.add(child.tail)


def _marker(el: etree._Element, builder: TextBuilder) -> None:
    text = text_of(el)
    if not text:
        return
    if not el.get("target") and not CITATION_SHAPE.search(text):  # "<ref>CoNLL-2003</ref>": text, not a marker
        # GROBID drops the space between such refs: "<ref>CoNLL-2003</ref><ref>and ACE-2005</ref><ref>(e.g., …"
        if builder.last.isalnum() and text[0].isalnum():
            builder.space()
        builder.add(text)
        following = el.getnext()
        if not el.tail and following is not None and tag(following) == "ref":
            builder.space()
        return
    start = builder.length
    builder.add(text)
    builder.markers.append(Marker(start, builder.length, el.get("target") or ""))
