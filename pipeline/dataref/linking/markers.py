"""Resolve citation markers to bibliography ids: targets, numeric ranges, author–year."""
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Doc, Span

from ..extensions import CITATIONS
from .patterns import YEAR_FORM

_NUMERIC = re.compile(r"^[\[\(]?\s*\d+(?:\s*(?:[-–—,;]|and)\s*\d+)*\s*[\]\)]?[,;.]?$")
_RANGE = re.compile(r"(\d+)\s*(?:[-–—]\s*(\d+))?")
_BIB_NUM = re.compile(r"^b(\d+)$")
_YEAR = re.compile(rf"\b({YEAR_FORM})[a-z]?\b")
_SURNAME = re.compile(r"[^\W\d_][\w'’\-]+", re.UNICODE)
_NOT_NAMES = {"see", "e.g", "eg", "cf", "and", "et", "al", "in", "also", "i.e", "ie", "the"}
MAX_RANGE = 50


@dataclass
class ResolvedMarker:
    start: int  # token indices
    end: int
    start_char: int
    end_char: int
    text: str
    ids: list[str]
    resolution: str  # "target", "number" (ranges, lists), "author_year" or "none"


def fold(text: str) -> str:
    """Lower-case and strip accents, for comparing surnames."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def numbers(text: str) -> list[int]:
    """Numbers a numeric marker cites, ranges expanded: "[3-5]" → [3, 4, 5]."""
    if not _NUMERIC.match(text.strip()):
        return []
    found: list[int] = []
    for match in _RANGE.finditer(text):
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        if 0 <= high - low <= MAX_RANGE:
            found.extend(range(low, high + 1))
        else:
            found.append(low)
    return found


class Numbering:
    """How marker numbers map to GROBID ids (b{n+offset}), learned from the markers GROBID resolved. GROBID
    drops or merges entries, so the offset can change along the list ([4] → b3, then [14] → b4): a number is
    mapped only where the resolved numbers nearest below and above it have the paper's offset."""

    def __init__(self, markers: list[Span]) -> None:
        offsets: Counter = Counter()
        at: dict[int, Counter] = {}
        for span in markers:
            nums, targets = numbers(span.text), span._.targets
            if len(nums) == 1 and len(targets) == 1:
                match = _BIB_NUM.match(targets[0])
                if match:
                    offset = int(match.group(1)) - nums[0]
                    offsets[offset] += 1
                    at.setdefault(nums[0], Counter())[offset] += 1
        self.offset: Optional[int] = None
        if offsets:
            offset, count = offsets.most_common(1)[0]
            # Ranges are only expanded when the numbering is unambiguous in this paper.
            if count >= 2 and count / sum(offsets.values()) >= 0.8:
                self.offset = offset
        self._numbers = sorted(at)
        self._offset_at = {n: c.most_common(1)[0][0] for n, c in at.items()}

    def ids(self, nums: list[int], bibliography: dict) -> list[str]:
        """The entries the numbers stand for, where the numbering around each is the paper's."""
        if self.offset is None:
            return []
        found = []
        for n in nums:
            i = bisect_left(self._numbers, n)
            near = self._numbers[max(0, i - 1):i + 1]
            entry = f"b{n + self.offset}"
            if all(self._offset_at[a] == self.offset for a in near) and entry in bibliography:
                found.append(entry)
        return found


def author_year_index(bibliography: dict) -> dict[tuple[str, str], list[str]]:
    index: dict[tuple[str, str], list[str]] = {}
    for key, entry in bibliography.items():
        if entry.get("surnames") and entry.get("year"):
            index.setdefault((fold(entry["surnames"][0]), entry["year"]), []).append(key)
    return index


def author_year(text: str, index: dict) -> list[str]:
    """Ids for "(Krizhevsky, 2009)"-style markers; only a unique match counts."""
    year = _YEAR.search(text)
    if not year:
        return []
    names = [w for w in _SURNAME.findall(text[: year.start()]) if fold(w) not in _NOT_NAMES]
    if not names:
        return []
    ids = index.get((fold(names[0]), year.group(1)), [])
    return ids if len(ids) == 1 else []


# Callouts GROBID left as plain text: "(Smith et al., 2019; Lee, 2020)", "Smith et al. (2019)",
# "Smith et al. [2019]", "[12]", "[3, 5-7]".
_PAREN_AUTHOR_YEAR = re.compile(rf"\(([^()]{{2,200}}?{YEAR_FORM}[a-z]?)\)")
_NARRATIVE = re.compile(r"\b([A-Z][\w'’-]+(?:\s+et\s+al\.?|\s+(?:and|&)\s+[A-Z][\w'’-]+)?)"
                        rf"\s*[(\[]({YEAR_FORM}[a-z]?)[)\]]")
_BRACKET_NUMBERS = re.compile(r"\[\s*\d+(?:\s*(?:[-–—,;]|and)\s*\d+)*\s*\]")


def plain_callouts(text: str, covered: list[tuple[int, int]], bibliography: dict,
                   numbering: Numbering) -> list[tuple[int, int, list[str]]]:
    """(start, end, ids) of citation callouts in the text that no GROBID marker covers, resolved
    against the bibliography: author–year by first author and year when exactly one entry fits,
    bracketed numbers only when the paper's own markers show how numbers map to ids."""
    index = author_year_index(bibliography)
    taken = sorted(covered)

    def free(start: int, end: int) -> bool:
        i = bisect_left(taken, (start, -1))
        return all(not (s < end and start < e) for s, e in taken[max(0, i - 1):i + 1])

    found = []
    for match in _PAREN_AUTHOR_YEAR.finditer(text):
        if not free(match.start(), match.end()):
            continue
        pos = match.start(1)
        for part in re.split(r";", match.group(1)):
            ids = author_year(part, index)
            start = pos + len(part) - len(part.lstrip())
            if ids:
                found.append((start, start + len(part.strip()), ids))
            pos += len(part) + 1
    for match in _NARRATIVE.finditer(text):
        if free(match.start(), match.end()):
            ids = author_year(f"{match.group(1)} {match.group(2)}", index)
            if ids:
                found.append((match.start(), match.end(), ids))
    if numbering.offset is not None:
        for match in _BRACKET_NUMBERS.finditer(text):
            if free(match.start(), match.end()):
                ids = numbering.ids(numbers(match.group()), bibliography)
                if ids:
                    found.append((match.start(), match.end(), ids))
    return sorted(found)


def _footnotes(markers: list[Span], min_bracketed: int = 5) -> set[int]:
    """Indices of the bare numbers GROBID took for citations in a paper that cites with brackets ("[1]",
    "[2, 3]"): footnote marks ("… at the EMOTIC website 1 ." became a citation of entry b0). None in a paper
    that cites with bare (superscript) numbers, nor a number inside a group of markers ("[1, 2, 3]" split)."""
    texts = [s.text.strip() for s in markers]
    numeric = [t for t in texts if _NUMERIC.match(t)]
    bracketed = sum(1 for t in numeric if t[:1] in "[(")
    if bracketed < min_bracketed or bracketed < 0.9 * len(numeric):
        return set()

    def grouped(i: int) -> bool:
        return (i > 0 and markers[i].start_char - markers[i - 1].end_char <= 3) or (
            i + 1 < len(markers) and markers[i + 1].start_char - markers[i].end_char <= 3)

    return {i for i, t in enumerate(texts) if t.isdigit() and not grouped(i)}


def resolve_markers(doc: Doc, plain_text: bool = True, text: Optional[str] = None) -> list[ResolvedMarker]:
    """Every citation marker of the Doc with the bibliography ids it stands for; with `plain_text`,
    also the callouts GROBID did not mark up (resolution "plain_text")."""
    bibliography = doc._.bibliography or {}
    if CITATIONS not in doc.spans:
        return []
    spans = list(doc.spans[CITATIONS])
    numbering = Numbering(spans)
    index = author_year_index(bibliography)
    footnotes = _footnotes(spans)
    resolved = []
    for at, span in enumerate(spans):
        ids, how = list(span._.targets), "target"
        nums = numbers(span.text)
        if at in footnotes:
            resolved.append(ResolvedMarker(span.start, span.end, span.start_char, span.end_char, span.text, [],
                                           "none"))
            continue
        if len(nums) > 1 or not ids:
            extra = [i for i in numbering.ids(nums, bibliography) if i not in ids]
            if extra:
                ids, how = ids + extra, "number"
        if not ids and not nums:
            ids, how = author_year(span.text, index), "author_year"
        resolved.append(ResolvedMarker(span.start, span.end, span.start_char, span.end_char,
                                       span.text, ids, how if ids else "none"))
    if plain_text and bibliography:
        covered = [(m.start_char, m.end_char) for m in resolved]
        for start, end, ids in plain_callouts(doc.text if text is None else text, covered, bibliography,
                                                     numbering):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None:
                resolved.append(ResolvedMarker(span.start, span.end, span.start_char, span.end_char,
                                               span.text, ids, "plain_text"))
        resolved.sort(key=lambda m: m.start_char)
    return resolved
