"""Plain-text papers (`.txt`: text extracted from a PDF or XML, no markers, no bibliography) → spaCy Doc."""
import re
from pathlib import Path
from typing import Optional, Union

from spacy.language import Language
from spacy.tokens import Doc

from ..errors import DatarefError, Errors
from ..extensions import install_extensions
from ..linking.patterns import DOI_FORM, DOI_PREFIX_FORM
from .safe_xml import max_chars, read_bytes

# Characters PDF extraction leaves inside words and identifiers ("10.​5061/​dryad"): zero-width spaces and
# joiners, byte-order marks, soft hyphens. They are invisible, so dropping them changes no visible text.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_OWN_DOI = re.compile(rf"\bdoi\s*:?\s*({DOI_FORM})", re.I)  # "DOI: 10.…", not a doi.org link
_DOI_STEM = re.compile(rf"^({DOI_PREFIX_FORM})_(.+)$")  # "10.1002_ece3.4466": a DOI as a file name


class PlainTextReader:
    """Read a `.txt` paper into a Doc: `doc._.paper` (path, title "", the paper's DOI when the file name or its
    first page gives it), an empty bibliography, no citation markers or sections."""

    def __init__(self, nlp: Language, *, max_bytes: Optional[int] = None, max_chars: Optional[int] = None) -> None:
        install_extensions()
        self.nlp = nlp
        self.max_bytes = max_bytes
        self.max_chars = max_chars

    def __call__(self, source: Union[str, Path, bytes]) -> Doc:
        data, name = read_bytes(source, self.max_bytes)
        return self.read_data(data, name, "" if isinstance(source, bytes) else name)

    def read_data(self, data: bytes, name: str, path: str) -> Doc:
        """A paper from bytes read elsewhere; `name` is used in messages, `path` in doc._.paper."""
        try:
            text = data.decode("utf8")
        except UnicodeDecodeError as err:
            raise DatarefError(Errors.E051.format(path=name, detail=f"not UTF-8 text: {err.reason} at byte "
                                                                    f"{err.start}"), name) from err
        text = INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        limit = self.max_chars if self.max_chars is not None else max_chars()
        if len(text) > limit:
            raise DatarefError(Errors.E014.format(path=name, size=len(text), limit=limit), name)
        if not text.strip():
            raise DatarefError(Errors.E001.format(path=name), name)
        doc = self.nlp.tokenizer(text)  # the limit above is the one that counts, not spaCy's nlp.max_length
        doc._.bibliography = {}
        doc._.paper = {"path": path, "title": "", "doi": paper_doi(Path(path).stem if path else "", text),
                       "grobid_version": "", "format": "text"}
        return doc


def paper_doi(stem: str, text: str) -> str:
    """The paper's own DOI: from a file name that is a DOI ("10.1002_ece3.4466"), else the first "DOI: 10.…"
    of its first page."""
    if match := _DOI_STEM.match(stem):
        return f"{match.group(1)}/{match.group(2)}".lower()
    if match := _OWN_DOI.search(text[:3000]):
        return match.group(1).rstrip(".,;").lower()
    return ""
