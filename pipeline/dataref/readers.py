"""One reader for any paper: GROBID TEI or JATS, chosen by the XML's root element."""
from typing import Optional

from lxml import etree
from spacy.language import Language
from spacy.tokens import Doc

from .docbuild import XMLReader
from .errors import DatarefError, Errors
from .jats import JATSReader
from .safe_xml import parse_xml, tag
from .tei import TEIReader

class PaperReader(XMLReader):
    """`<TEI>` goes to TEIReader, `<article>` to JATSReader, so folders may mix both. The file is parsed once;
    a JATS file may name its DTD (never read), a TEI file may not (GROBID never writes one)."""

    plain_doctype = True

    def __init__(self, nlp: Language, *, max_bytes: Optional[int] = None, max_chars: Optional[int] = None) -> None:
        super().__init__(nlp, max_bytes=max_bytes, max_chars=max_chars)
        self.tei = TEIReader(nlp, max_bytes=max_bytes, max_chars=max_chars)
        self.jats = JATSReader(nlp, max_bytes=max_bytes, max_chars=max_chars)

    def read_data(self, data: bytes, name: str, path: str) -> Doc:
        """A paper from bytes read elsewhere (an object store); `name` is used in messages, `path` in doc._.paper."""
        return self.read_root(parse_xml(data, name, plain_doctype=True), name, path)

    def read_root(self, root: etree._Element, name: str, path: str) -> Doc:
        kind = tag(root)
        if kind == "tei":
            if root.getroottree().docinfo.doctype:
                raise DatarefError(Errors.E005.format(path=name), name)
            return self.tei.read_root(root, name, path)
        if kind == "article":
            return self.jats.read_root(root, name, path)
        raise DatarefError(Errors.E041.format(path=name, root=kind or root.tag), name)
