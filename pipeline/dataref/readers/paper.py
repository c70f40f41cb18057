"""One reader for any paper: GROBID TEI or JATS, chosen by the XML's root element."""
from typing import Optional

from lxml import etree
from spacy.language import Language
from spacy.tokens import Doc

from .docbuild import Source, XMLReader
from ..errors import DatarefError, Errors
from .jats import JATSReader
from .plaintext import PlainTextReader
from .safe_xml import parse_xml, read_bytes, tag
from .tei import TEIReader

XML_SUFFIXES = (".xml", ".nxml")  # TEI or JATS (PubMed Central names its JATS files .nxml)
PDF_SUFFIXES = (".pdf",)
TEXT_SUFFIXES = (".txt",)  # plain-text papers: no markers, no bibliography
PAPER_SUFFIXES = XML_SUFFIXES + PDF_SUFFIXES + TEXT_SUFFIXES
OTHER_FILES = "other files (not .xml, .nxml, .txt or .pdf)"  # how a run counts what it passed over


def is_paper_file(name: str) -> bool:
    return name.lower().endswith(PAPER_SUFFIXES)

class PaperReader(XMLReader):
    """`<TEI>` goes to TEIReader, `<article>` to JATSReader, so folders may mix both; a `.txt` file to
    PlainTextReader. The file is parsed once; a JATS file may name its DTD (never read), a TEI file may not
    (GROBID never writes one)."""

    plain_doctype = True

    def __init__(self, nlp: Language, *, max_bytes: Optional[int] = None, max_chars: Optional[int] = None) -> None:
        super().__init__(nlp, max_bytes=max_bytes, max_chars=max_chars)
        self.tei = TEIReader(nlp, max_bytes=max_bytes, max_chars=max_chars)
        self.jats = JATSReader(nlp, max_bytes=max_bytes, max_chars=max_chars)
        self.text = PlainTextReader(nlp, max_bytes=max_bytes, max_chars=max_chars)

    def __call__(self, source: Source) -> Doc:
        data, name = read_bytes(source, self.max_bytes)
        return self.read_data(data, name, "" if isinstance(source, bytes) else name)

    def read_data(self, data: bytes, name: str, path: str) -> Doc:
        """A paper from bytes read elsewhere (an object store); `name` is used in messages, `path` in doc._.paper."""
        if name.lower().endswith(TEXT_SUFFIXES):
            return self.text.read_data(data, name, path)
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
