"""Building the reader's Doc: text with recorded offsets, then tokens, citation spans, sections and headings.

Shared by every input format (TEI, JATS), so that they honour one Doc contract."""
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Union

from lxml import etree
from spacy.language import Language
from spacy.tokens import Doc

from .bibliography import BibEntry
from ..errors import DatarefError, Errors, Warnings
from ..extensions import CITATIONS, HEADINGS, SECTIONS, install_extensions
from ..linking.patterns import SPACE
from .safe_xml import max_chars, parse_xml, read_bytes, tag

Source = Union[str, Path, bytes]
BLOCK_SEP = "\n\n"
CITATION_LABEL = "CITATION"


@dataclass
class Marker:
    start: int
    end: int
    target: str  # the raw target ids, e.g. TEI's "#b3 #b4" or JATS's "r3 r4"


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
        text = SPACE.sub(" ", text)
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


Inline = Callable[[etree._Element, TextBuilder], None]


def section(builder: TextBuilder, label: str, blocks: list[etree._Element], inline: Inline,
            heading_tags: tuple[str, ...] = ("head",)) -> None:
    """Each block on its own (empty ones take back their separator); the blocks together are one section."""
    start = None
    for block in blocks:
        begin = builder.open_block()
        inline(block, builder)
        builder.close_block()
        if builder.length == begin:
            _drop_empty_block(builder, begin)
            continue
        if tag(block) in heading_tags:
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


def note(notes: Optional[dict], code: str, **first) -> None:
    """Count a warning for the paper, keeping its first case (one warning per paper, not per marker)."""
    if notes is not None:
        notes.setdefault(code, {"count": 0, **first})["count"] += 1


def add_entry(entries: dict[str, BibEntry], entry: Optional[BibEntry], notes: Optional[dict]) -> None:
    """Keep a parsed bibliography entry; an empty one is dropped, a repeated id keeps the first (W003)."""
    if entry is None:
        return
    if entry.id in entries:
        note(notes, "W003", id=entry.id)
        return
    entries[entry.id] = entry


def build_doc(nlp: Language, builder: TextBuilder, *, name: str, bibliography: dict[str, BibEntry], paper: dict,
              notes: dict, limit: Optional[int] = None) -> Doc:
    """The Doc of one paper, from its text and markers: citation spans, sections, headings, bibliography, paper."""
    limit = limit if limit is not None else max_chars()
    if builder.length > limit:
        raise DatarefError(Errors.E014.format(path=name, size=builder.length, limit=limit), name)
    doc = make_doc(nlp, builder)
    doc._.bibliography = {key: entry.to_dict() for key, entry in bibliography.items()}
    doc._.paper = paper
    add_citations(doc, builder.markers, doc._.bibliography, notes)
    add_sections(doc, builder.sections)
    for code, first in notes.items():
        warnings.warn(getattr(Warnings, code).format(path=name, **first), stacklevel=2)
    doc._.paper["warnings"] = {code: first["count"] for code, first in notes.items()}
    doc.spans[HEADINGS] = [span for start, end in builder.headings
                           if (span := doc.char_span(start, end, alignment_mode="strict")) is not None]
    return doc


def make_doc(nlp: Language, builder: TextBuilder) -> Doc:
    """Tokens cut at every block, sentence and marker boundary, so each span aligns."""
    text = builder.text
    cuts = sorted({0, len(text)} | builder.block_starts | builder.sent_starts
                  | {m.start for m in builder.markers} | {m.end for m in builder.markers}
                  | {s - len(BLOCK_SEP) for s in builder.block_starts if s})
    words: list[str] = []
    spaces: list[bool] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        _append_tokens(nlp, text[start:end], words, spaces)
    return Doc(nlp.vocab, words=words, spaces=spaces, sent_starts=_sent_starts(words, spaces, builder))


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
    """The source's sentences (GROBID's <s>) decide when present; else block starts, the rest left to a
    sentencizer; never inside a marker."""
    segmented = bool(builder.sent_starts)
    starts = builder.sent_starts | builder.block_starts
    inside: set[int] = set()
    for marker in builder.markers:
        inside.update(range(marker.start + 1, marker.end))
    values: list[Union[bool, int, None]] = []
    idx = 0
    for word, space in zip(words, spaces, strict=True):
        if idx in starts:
            values.append(True)
        elif segmented or word.isspace() or idx in inside:
            values.append(False)
        else:
            values.append(None)
        idx += len(word) + space
    return values


def add_citations(doc: Doc, markers: list[Marker], bibliography: dict, notes: Optional[dict] = None) -> None:
    spans = []
    text = doc.text
    for marker in markers:
        span = doc.char_span(marker.start, marker.end, label=CITATION_LABEL, alignment_mode="strict")
        if span is None:
            note(notes, "W001", text=text[marker.start:marker.end], start=marker.start, end=marker.end)
            continue
        targets = [t.lstrip("#") for t in marker.target.split()]
        known = [t for t in targets if t in bibliography]
        for target in targets:
            if target not in bibliography:
                note(notes, "W002", text=span.text, target=target)
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


class XMLReader:
    """What every XML reader shares: limits, safe parsing of a path or bytes, `pipe`; `read_root` is the format's."""

    plain_doctype = False  # whether a plain public DOCTYPE (never read) is allowed, as JATS publishers write one

    def __init__(self, nlp: Language, *, max_bytes: Optional[int] = None, max_chars: Optional[int] = None) -> None:
        install_extensions()
        self.nlp = nlp
        self.max_bytes = max_bytes
        self.max_chars = max_chars

    def __call__(self, source: Source) -> Doc:
        data, name = read_bytes(source, self.max_bytes)
        root = parse_xml(data, name, plain_doctype=self.plain_doctype)
        return self.read_root(root, name, "" if isinstance(source, bytes) else name)

    def read_root(self, root: etree._Element, name: str, path: str) -> Doc:
        """The Doc of a parsed document; `name` is used in messages, `path` in doc._.paper."""
        raise NotImplementedError

    def pipe(self, sources: Iterable[Source]) -> Iterator[Doc]:
        for source in sources:
            yield self(source)
