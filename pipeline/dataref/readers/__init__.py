"""Readers: files in, `Doc` out (GROBID TEI, JATS, plain text; `PaperReader` picks one by the file)."""
from .jats import JATSReader
from .paper import PaperReader
from .plaintext import PlainTextReader
from .tei import TEIReader

__all__ = ["JATSReader", "PaperReader", "PlainTextReader", "TEIReader"]
