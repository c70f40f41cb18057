"""Safe XML parsing and small element helpers shared by the TEI readers."""
import os
import re
import stat
from pathlib import Path
from typing import Iterator, Optional, Union

from lxml import etree

from ..errors import DatarefError, Errors
from ..linking.patterns import SPACE

DEFAULT_MAX_BYTES = 50_000_000
# Long papers (theses, reviews, supplements: up to about 1,000,000 characters) are read; twice that is clearly
# not one paper (a book, a concatenation, generated text). Time and memory grow with the text: see
# scripts/peak_memory.py and scripts/scaling.py for the figures.
DEFAULT_MAX_CHARS = 2_000_000
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
# GROBID never writes a DTD; any DOCTYPE or ENTITY is refused before parsing. JATS files name their DTD
# (`<!DOCTYPE article PUBLIC "-//NLM//DTD JATS …" "JATS-archivearticle1.dtd">`): such a plain declaration, with
# no internal subset, may be allowed; the DTD itself is never read (see _NoExternal).
_DTD_DECL = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_QUOTED = rb"(?:\"[^\"<>]*\"|'[^'<>]*')"
_PLAIN_DOCTYPE = re.compile(rb"<!DOCTYPE\s+[\w:.-]+(?:\s+(?:PUBLIC\s+" + _QUOTED + rb"(?:\s*" + _QUOTED
                            + rb")?|SYSTEM\s+" + _QUOTED + rb"))?\s*>", re.IGNORECASE)


def env_limit(name: str, default: int, unit: str) -> int:
    """A positive whole-number limit from the environment, or a coded refusal naming the setting."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise DatarefError(Errors.E020.format(name=name, value=value, unit=unit))
    return number


def max_bytes() -> int:
    """The size limit for one input file (env DATAREF_MAX_BYTES)."""
    return env_limit("DATAREF_MAX_BYTES", DEFAULT_MAX_BYTES, "bytes")


def max_chars() -> int:
    """The limit on one paper's text (env DATAREF_MAX_CHARS): memory and time grow with it."""
    return env_limit("DATAREF_MAX_CHARS", DEFAULT_MAX_CHARS, "characters")


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return kind
    return "a special file"


class _NoExternal(etree.Resolver):
    """Every external DTD or entity resolves to nothing: libxml2 still asks for a declared external DTD
    with load_dtd=False (a FIFO named there would hang the parse, a URL would be a network request)."""

    def resolve(self, system_url, public_id, context):
        return self.resolve_string("", context)


def _parser() -> etree.XMLParser:
    # No DTD, no entity expansion, no network: a TEI file can never make us
    # read a local file or open a connection.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,  # duplicate xml:ids are a GROBID slip, not a reason to refuse the file
    )
    parser.resolvers.add(_NoExternal())
    return parser


def read_bytes(source: Union[str, Path, bytes], limit: Optional[int] = None) -> tuple[bytes, str]:
    """Return the bytes of a source and the name used in messages."""
    limit = max_bytes() if limit is None else limit
    if isinstance(source, bytes):
        name, data = "<bytes>", source
    else:
        name = str(source)
        try:
            info = os.stat(source)
            if not stat.S_ISREG(info.st_mode):  # a FIFO would hang, /dev/zero would fill memory
                raise DatarefError(Errors.E016.format(path=name, kind=_kind(info.st_mode)), name)
            if info.st_size > limit:
                raise DatarefError(Errors.E004.format(path=name, size=info.st_size, limit=limit), name)
            with open(source, "rb") as handle:
                data = handle.read(limit + 1)  # never more than the limit, whatever the size said
        except OSError as err:
            raise DatarefError(Errors.E006.format(path=name, detail=err.strerror or err), name) from err
    return checked_bytes(data, name, limit), name


def checked_bytes(data: bytes, name: str, limit: int) -> bytes:
    """The bytes of a paper read with at most `limit + 1` bytes, refused when over the limit or empty."""
    if len(data) > limit:
        raise DatarefError(Errors.E004.format(path=name, size=len(data), limit=limit), name)
    if not data.strip():
        raise DatarefError(Errors.E001.format(path=name), name)
    return data


def _syntax_detail(err: etree.XMLSyntaxError) -> str:
    """libxml2's message and where, without lxml's "(<string>, line 1)" and repeated positions."""
    message = re.sub(r",? line \d+, column \d+.*$", "", err.msg or str(err)).strip()
    line, column = err.position if err.position else (err.lineno, 0)
    return f"{message}, at line {line}, column {column}"


def parse_xml(data: bytes, name: str, plain_doctype: bool = False) -> etree._Element:
    """Parse XML bytes safely, raising a coded DatarefError naming the file. Any DTD or entity declaration
    is refused; with `plain_doctype`, one DOCTYPE that only names an external DTD is allowed (not read)."""
    declarations = list(_DTD_DECL.finditer(data))
    if declarations and not (plain_doctype and len(declarations) == 1
                             and _PLAIN_DOCTYPE.match(data, declarations[0].start())):
        raise DatarefError(Errors.E005.format(path=name), name)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as err:
        if "depth" in str(err).lower():
            raise DatarefError(Errors.E012.format(path=name, limit=256), name) from err
        raise DatarefError(Errors.E002.format(path=name, detail=_syntax_detail(err)), name) from err
    except ValueError as err:  # e.g. an unknown encoding declaration
        raise DatarefError(Errors.E002.format(path=name, detail=err), name) from err
    if root is None:
        raise DatarefError(Errors.E002.format(path=name, detail="no root element"), name)
    return root


def tag(el: etree._Element) -> str:
    """Local element name, lower-cased: HTML-serialised TEI lower-cases names."""
    if not isinstance(el.tag, str):
        return ""
    return etree.QName(el).localname.lower()


def children(el: etree._Element, name: str) -> Iterator[etree._Element]:
    return (c for c in el if tag(c) == name)


def first(el: Optional[etree._Element], *path: str) -> Optional[etree._Element]:
    """Follow a path of child names; None when any step is missing."""
    for name in path:
        if el is None:
            return None
        el = next(children(el, name), None)
    return el


# TEI's camel-cased names; HTML-serialised TEI has them lower-cased.
_CAMEL = {"listbibl": "listBibl", "biblstruct": "biblStruct", "teiheader": "teiHeader"}


def descendants(el: etree._Element, name: str) -> Iterator[etree._Element]:
    """Elements below `el` (itself included) with this local name, in any namespace."""
    names = {f"{{*}}{name}", f"{{*}}{_CAMEL.get(name, name)}"}
    return el.iter(*names)


def text_of(el: Optional[etree._Element]) -> str:
    """All text under an element, whitespace collapsed."""
    if el is None:
        return ""
    return SPACE.sub(" ", "".join(el.itertext())).strip()


def xml_id(el: etree._Element) -> str:
    return el.get(XML_ID) or el.get("xml:id") or el.get("id") or ""
