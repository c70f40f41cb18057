"""GROBID TEI XML → spaCy Doc, as a preprocessor outside the nlp pipeline."""
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from lxml import etree
from spacy.language import Language
from spacy.tokens import Doc

from .bibliography import BibEntry, parse_bibl_struct
from .errors import DatarefError, Errors, Warnings
from .extensions import CITATIONS, HEADINGS, SECTIONS, install_extensions
from .safe_xml import descendants, first, max_chars, parse_xml, read_bytes, tag, text_of

Source = Union[str, Path, bytes]
BLOCK_SEP = "\n\n"
CITATION_LABEL = "CITATION"
_SPACE = re.compile(r"\s+")
_SKIP = {"formula", "table", "listbibl", "biblstruct", "graphic", "label"}


@dataclass
class Marker:
    start: int
    end: int
    target: str  # the raw @target, e.g. "#b3 #b4"


@dataclass
class TextBuilder:
    """Accumulates the Doc text while recording character offsets."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    last: str = "\n"
    markers: list[Marker] = field(default_factory=list)
    sent_starts: set[int] = field(default_factory=set)
    block_starts: set[int] = field(default_factory=set)
    sections: list[tuple[int, int, str]] = field(default_factory=list)
    headings: list[tuple[int, int]] = field(default_factory=list)

    def add(self, text: str) -> None:
        text = _SPACE.sub(" ", text)
        if self.last in " \n":
            text = text.lstrip(" ")
        if text:
            self.parts.append(text)
            self.length += len(text)
            self.last = text[-1]

    def space(self) -> None:
        if self.last not in " \n":
            self.add(" ")

    def open_block(self) -> int:
        """Start a block (heading, paragraph, caption) on its own."""
        self.close_block()
        if self.length:
            self.parts.append(BLOCK_SEP)
            self.length += len(BLOCK_SEP)
            self.last = "\n"
        self.block_starts.add(self.length)
        return self.length

    def close_block(self) -> None:
        """Drop a trailing space: separators stay outside every span."""
        if self.last == " ":
            self.parts[-1] = self.parts[-1][:-1]
            self.length -= 1
            if not self.parts[-1]:
                self.parts.pop()
            self.last = self.parts[-1][-1] if self.parts else "\n"

    @property
    def text(self) -> str:
        return "".join(self.parts)


class TEIReader:
    """Read GROBID TEI into a Doc with citation markers, sections and bibliography."""

    def __init__(self, nlp: Language, *, max_bytes: Optional[int] = None, max_chars: Optional[int] = None) -> None:
        install_extensions()
        self.nlp = nlp
        self.max_bytes = max_bytes
        self.max_chars = max_chars

    def __call__(self, source: Source) -> Doc:
        data, name = read_bytes(source, self.max_bytes)
        root = parse_xml(data, name)
        if tag(root) != "tei":
            raise DatarefError(Errors.E003.format(path=name, root=tag(root) or root.tag), name)
        notes: dict[str, dict] = {}  # per warning code: how many, and the first case, for one warning per paper
        bibliography = read_bibliography(root, notes)
        builder = TextBuilder()
        read_text(root, builder)
        if not builder.length:
            raise DatarefError(Errors.E007.format(path=name), name)
        limit = self.max_chars if self.max_chars is not None else max_chars()
        if builder.length > limit:
            raise DatarefError(Errors.E014.format(path=name, size=builder.length, limit=limit), name)
        doc = self._make_doc(builder)
        doc._.bibliography = {key: entry.to_dict() for key, entry in bibliography.items()}
        doc._.paper = read_paper(root, name if not isinstance(source, bytes) else "")
        add_citations(doc, builder.markers, doc._.bibliography, notes)
        add_sections(doc, builder.sections)
        for code, note in notes.items():
            warnings.warn(getattr(Warnings, code).format(path=name, **note))
        doc._.paper["warnings"] = {code: note["count"] for code, note in notes.items()}
        doc.spans[HEADINGS] = [span for start, end in builder.headings
                               if (span := doc.char_span(start, end, alignment_mode="strict")) is not None]
        return doc

    def pipe(self, sources: Iterable[Source]) -> Iterator[Doc]:
        for source in sources:
            yield self(source)

    def _make_doc(self, builder: TextBuilder) -> Doc:
        text = builder.text
        cuts = sorted({0, len(text)} | builder.block_starts | builder.sent_starts
                      | {m.start for m in builder.markers} | {m.end for m in builder.markers}
                      | {s - len(BLOCK_SEP) for s in builder.block_starts if s})
        words: list[str] = []
        spaces: list[bool] = []
        for start, end in zip(cuts, cuts[1:]):
            _append_tokens(self.nlp, text[start:end], words, spaces)
        return Doc(self.nlp.vocab, words=words, spaces=spaces,
                   sent_starts=_sent_starts(words, spaces, builder))


def _append_tokens(nlp: Language, segment: str, words: list[str], spaces: list[bool]) -> None:
    if segment == BLOCK_SEP:
        words.append(BLOCK_SEP)
        spaces.append(False)
        return
    if segment.startswith(" ") and words:
        spaces[-1] = True
    core = segment.strip(" ")
    if not core:
        return
    for token in nlp.tokenizer(core):
        words.append(token.text)
        spaces.append(bool(token.whitespace_))
    if segment.endswith(" "):
        spaces[-1] = True


def _sent_starts(words: list[str], spaces: list[bool], builder: TextBuilder) -> list[Union[bool, int, None]]:
    """GROBID's <s> decide when present; else block starts, the rest left to a sentencizer."""
    segmented = bool(builder.sent_starts)
    starts = builder.sent_starts | builder.block_starts
    inside: set[int] = set()
    for marker in builder.markers:
        inside.update(range(marker.start + 1, marker.end))
    values: list[Union[bool, int, None]] = []
    idx = 0
    for word, space in zip(words, spaces):
        if idx in starts:
            values.append(True)
        elif segmented or word.isspace() or idx in inside:
            values.append(False)
        else:
            values.append(None)
        idx += len(word) + space
    return values


def _note(notes: Optional[dict], code: str, **first) -> None:
    if notes is not None:
        notes.setdefault(code, {"count": 0, **first})["count"] += 1


def read_bibliography(root: etree._Element, notes: Optional[dict] = None) -> dict[str, BibEntry]:
    """Entries of every <listBibl>, keyed by xml:id; duplicates keep the first (counted in `notes`)."""
    entries: dict[str, BibEntry] = {}
    n = 0
    for list_bibl in descendants(root, "listbibl"):
        for el in descendants(list_bibl, "biblstruct"):
            entry = parse_bibl_struct(el, fallback_id=f"_{n}")
            n += 1
            if entry is None:
                continue
            if entry.id in entries:
                _note(notes, "W003", id=entry.id)
                continue
            entries[entry.id] = entry
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
            label = text_of(head) or _SPACE.sub(" ", el.text or "").strip()[:100] or (
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
    start = None
    for block in blocks:
        begin = builder.open_block()
        _inline(block, builder)
        builder.close_block()
        if builder.length == begin:  # empty block: take back the separator
            _drop_empty_block(builder, begin)
            continue
        if tag(block) == "head":
            builder.headings.append((begin, builder.length))
        start = begin if start is None else start
    if start is not None:
        builder.sections.append((start, builder.length, label))


def _drop_empty_block(builder: TextBuilder, begin: int) -> None:
    builder.block_starts.discard(begin)
    if builder.parts and builder.parts[-1] == BLOCK_SEP:
        builder.parts.pop()
        builder.length -= len(BLOCK_SEP)
        builder.last = builder.parts[-1][-1] if builder.parts else "\n"


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
    start = builder.length
    builder.add(text)
    builder.markers.append(Marker(start, builder.length, el.get("target") or ""))


def add_citations(doc: Doc, markers: list[Marker], bibliography: dict, notes: Optional[dict] = None) -> None:
    spans = []
    text = doc.text
    for marker in markers:
        span = doc.char_span(marker.start, marker.end, label=CITATION_LABEL, alignment_mode="strict")
        if span is None:
            _note(notes, "W001", text=text[marker.start:marker.end], start=marker.start, end=marker.end)
            continue
        targets = [t.lstrip("#") for t in marker.target.split()]
        known = [t for t in targets if t in bibliography]
        for target in targets:
            if target not in bibliography:
                _note(notes, "W002", text=span.text, target=target)
        span.kb_id_ = " ".join(known)
        span.id_ = marker.target
        spans.append(span)
    doc.spans[CITATIONS] = spans


def add_sections(doc: Doc, sections: list[tuple[int, int, str]]) -> None:
    spans = []
    for start, end, label in sections:
        span = doc.char_span(start, end, label=label[:200], alignment_mode="strict")
        if span is not None:
            spans.append(span)
    doc.spans[SECTIONS] = spans
