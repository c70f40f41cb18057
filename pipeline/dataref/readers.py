"""One reader for any paper: GROBID TEI or JATS, chosen by the XML's root element."""
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from spacy.language import Language
from spacy.tokens import Doc

from .errors import DatarefError, Errors
from .jats import JATSReader
from .safe_xml import parse_xml, read_bytes, tag
from .tei import TEIReader

Source = Union[str, Path, bytes]


class PaperReader:
    """`<TEI>` goes to TEIReader, `<article>` to JATSReader, so folders may mix both. The file is parsed once;
    a JATS file may name its DTD (never read), a TEI file may not (GROBID never writes one)."""

    def __init__(self, nlp: Language, *, max_bytes: Optional[int] = None, max_chars: Optional[int] = None) -> None:
        self.max_bytes = max_bytes
        self.tei = TEIReader(nlp, max_bytes=max_bytes, max_chars=max_chars)
        self.jats = JATSReader(nlp, max_bytes=max_bytes, max_chars=max_chars)

    def __call__(self, source: Source) -> Doc:
        data, name = read_bytes(source, self.max_bytes)
        return self.read_data(data, name, "" if isinstance(source, bytes) else name)

    def read_data(self, data: bytes, name: str, path: str) -> Doc:
        """A paper from bytes read elsewhere (an object store); `name` is used in messages, `path` in doc._.paper."""
        root = parse_xml(data, name, plain_doctype=True)
        kind = tag(root)
        if kind == "tei":
            if root.getroottree().docinfo.doctype:
                raise DatarefError(Errors.E005.format(path=name), name)
            return self.tei.read_root(root, name, path)
        if kind == "article":
            return self.jats.read_root(root, name, path)
        raise DatarefError(Errors.E041.format(path=name, root=kind or root.tag), name)

    def pipe(self, sources: Iterable[Source]) -> Iterator[Doc]:
        for source in sources:
            yield self(source)
