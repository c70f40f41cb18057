"""Dataset identifiers in text: repository DOIs and archive accessions (patterns and resolvers from bioregistry).

Pure functions over plain text. bioregistry's patterns are anchored for a whole local id (`^GSE\\d+$`); they are
compiled here into search patterns that only match a whole token (no letter, digit or id character either side).
Archives whose bare form is ambiguous (a PDB code "1ABC", a UniProt "P12345", a GenBank "AB123456") count only
with the archive's name nearby; look-alikes (article DOIs, grant, figure and table numbers) are dropped."""
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Iterable, Optional, TypedDict

from .patterns import DOI
from .sentences import text_sentence_around
from .lexicon import (ACCESSION_WORDS, ARCHIVE_NAMES, DATA_ARCHIVES, DATA_CONTEXT, DATA_DOI_PREFIXES,
                      DATA_STATEMENT_HEADING, DATA_URL_HOSTS, EXTRA_ARCHIVES, NOT_ACCESSION_BEFORE, NOT_DATA_DOI,
                      NOT_DATA_DOI_CONTEXT)

DOI_RESOLVER = "https://doi.org/"
# The rest of a DOI that PDF text cut after a slash or after a word and a dot ("…/dryad.\njh9w0vt9t",
# "…/MODIS/ MOD13A2.006"), or after a hyphen at a line end.
_CONTINUED = re.compile(r"\s{1,3}([A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9])")
_CUT = re.compile(r"(?:/|/[A-Za-z]+\.)$")
_ZENODO_RECORD = re.compile(r"\bzenodo\.org/(?:record|records)/(\d+)", re.I)
# Characters that may not touch an accession on either side (else it is part of a longer token).
_EDGE_BEFORE = r"(?<![A-Za-z0-9_\-./])"
_EDGE_AFTER = r"(?![A-Za-z0-9_\-]|\.\d)"
# Archives whose accessions the consistency component also tags as DATASET names (deposited data sets).
ENTITY_ARCHIVES = ("geo", "insdc.sra", "bioproject", "arrayexpress", "dbgap", "ega.study", "ega.dataset",
                   "empiar", "pride.project")
# Forms inside those archives that are not data: GEO platforms (GPL…) describe an instrument.
NOT_DATA_FORMS = re.compile(r"GPL\d+")
# Accessions of one sample, run or experiment inside a deposited study (GEO GSM…, SRA/ENA/DDBJ runs,
# experiments and samples): records of a data set rather than a data set of their own.
PART_FORMS = re.compile(r"GSM\d+|[SED]R[RXS]\d+")
DATA_CITATION_FORM = re.compile(r"\[\s*data\s?set\s*\]|\(\s*data\s?set\s*\)|\bdata from\s*:|\bdata repository\b",
                                re.I)
CONTEXT_CHARS = 160  # how far around an ambiguous accession its archive's name may stand
STATEMENT_CHARS = 2500  # the longest data-availability statement read after its heading


@dataclass(frozen=True)
class Archive:
    prefix: str  # the bioregistry prefix ("geo"), or an EXTRA_ARCHIVES key
    name: str
    search: re.Pattern
    uri_format: str  # "$1" stands for the accession
    needs_context: bool
    context: Optional[re.Pattern]
    generic: Optional[re.Pattern] = None  # accession words that vouch for it when no archive name does

    def url(self, accession: str) -> str:
        return self.uri_format.replace("$1", accession) if "$1" in self.uri_format else self.uri_format


@dataclass
class Identifier:
    id: str  # a DOI in lower case ("10.5061/dryad.x"), or an accession as written ("GSE12345")
    kind: str  # "doi" or "accession"
    archive: str  # bioregistry prefix, EXTRA_ARCHIVES key, or "doi"
    archive_name: str  # "Gene Expression Omnibus", "Dryad", …
    url: str  # resolver URL
    start: int
    end: int
    text: str  # as written
    in_statement: bool = False  # inside a data-availability statement
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class IdentifierRecord(TypedDict):
    """One data identifier as stored on the Doc (`doc._.identifiers`): an Identifier, where it was found and
    the DATASET mention it belongs to. Plain values, DocBin-safe."""
    id: str
    kind: str
    archive: str
    archive_name: str
    url: str
    text: str
    start: int
    end: int
    where: str  # "data_statement", "text" or "bibliography"
    bib_id: Optional[str]  # the bibliography entry it was found in
    evidence: list[str]
    sentence: str
    mention: Optional[str]  # the key ("start:end") of the DATASET mention it belongs to
    tie: Optional[str]  # how it was tied to that mention ("parenthetical", "same_sentence", "cited_entry", …)


def search_pattern(anchored: str) -> str:
    """A bioregistry pattern anchored for a whole id (`^…$`, alternatives possibly anchored one by one) as a
    search pattern for that id standing alone in text."""
    body = anchored
    if body.startswith("^"):
        body = body[1:]
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    return f"{_EDGE_BEFORE}(?:{body}){_EDGE_AFTER}"


def _names_pattern(names: Iterable[str]) -> Optional[re.Pattern]:
    names = sorted({n for n in names if len(n) >= 2}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(re.escape(n) for n in names) + r")(?![a-z])")


@lru_cache(maxsize=None)
def archives(prefixes: tuple[str, ...] = tuple(DATA_ARCHIVES)) -> tuple[Archive, ...]:
    """The archives to search, from bioregistry (its bundled registry: no network)."""
    import bioregistry  # 0.6 s to import: only when identifiers are first searched

    found = []
    for prefix in prefixes:
        resource = bioregistry.get_resource(prefix)
        if prefix in EXTRA_ARCHIVES:
            extra = EXTRA_ARCHIVES[prefix]
            found.append(Archive(prefix, extra["name"], re.compile(search_pattern(extra["pattern"])), extra["url"],
                                 False, None))
            continue
        if resource is None or not resource.get_pattern():
            continue
        pattern = resource.get_pattern_with_banana() or resource.get_pattern() or ""
        needs = DATA_ARCHIVES.get(prefix, "self") == "context"
        names = [resource.get_name() or "", *resource.get_synonyms(), *ARCHIVE_NAMES.get(prefix, [])]
        if needs and prefix not in ARCHIVE_NAMES:
            names.append(prefix.upper())
        uri = resource.get_uri_format() or ""
        found.append(Archive(prefix, resource.get_name() or prefix, re.compile(search_pattern(pattern)), uri, needs,
                             _names_pattern(names) if needs else None,
                             _names_pattern(ACCESSION_WORDS.get(prefix, []))))
    return tuple(found)


def all_archives() -> tuple[Archive, ...]:
    return archives(tuple(DATA_ARCHIVES) + tuple(EXTRA_ARCHIVES))


def archive_of(accession: str) -> str:
    """The prefix of the first archive whose pattern takes the whole accession ("GSE65963" → "geo"), else ""."""
    return next((a.prefix for a in all_archives() if a.search.fullmatch(accession)), "")


@lru_cache(maxsize=None)
def _token_patterns(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    import bioregistry

    patterns = []
    for prefix in prefixes:
        resource = bioregistry.get_resource(prefix)
        if resource is not None and resource.get_pattern():
            body = resource.get_pattern_with_banana() or resource.get_pattern() or ""
            patterns.append(body.lstrip("^").rstrip("$"))
    return tuple(patterns)


def token_patterns(prefixes: Iterable[str] = ENTITY_ARCHIVES) -> list[str]:
    """Whole-token regexes (no anchors) for the accessions of these archives, as the consistency and support
    components match them against one token; the samples, runs and platforms inside a study are left out."""
    not_a_study = f"(?!(?:{PART_FORMS.pattern}|{NOT_DATA_FORMS.pattern})$)"
    return [not_a_study + f"(?:{body})" for body in _token_patterns(tuple(prefixes))]


@lru_cache(maxsize=None)
def accession_patterns() -> tuple[str, ...]:
    """`token_patterns()` of the archives whose accessions are dataset names (ENTITY_ARCHIVES): what the
    consistency and support components match when their config says null. Built at first use, once per process
    (bioregistry takes a second to load), never at import."""
    return tuple(token_patterns())


def is_dataset_by_itself(found: list[dict]) -> bool:
    """Whether an identifier no named dataset claims stands for a data set of its own: a data citation in the
    bibliography, a DOI of a data repository, or the accession of a deposited study. Article DOIs in a
    data-availability statement, sequence, structure and protein records, and the samples or runs of a study
    stay identifiers of the paper, not datasets."""
    first = found[0]
    if any(item.get("bib_id") for item in found):
        return True
    if first["kind"] == "doi":
        return bool(repository_of(first["id"]))
    return first["archive"] in ENTITY_ARCHIVES and not PART_FORMS.fullmatch(first["id"])


def normalize_doi(doi: str) -> str:
    """A DOI as the key it is: lower case, without trailing punctuation or an unbalanced bracket."""
    doi = doi.rstrip(".,;:]/")
    while doi.endswith(")") and doi.count("(") < doi.count(")"):
        doi = doi[:-1].rstrip(".,;:")
    return doi.lower()


def doi_prefix(doi: str) -> str:
    return doi.split("/", 1)[0]


def repository_of(doi: str) -> str:
    """The data repository a DOI's prefix belongs to, or ''."""
    return DATA_DOI_PREFIXES.get(doi_prefix(doi), "")


def data_statements(text: str, sections: Iterable[tuple[str, int, int]] = ()) -> list[tuple[int, int]]:
    """Character ranges of the data-availability statements: sections with such a heading, or, in plain text, a
    heading line ("Data availability statement") up to the next heading-like line."""
    found = [(start, end) for label, start, end in sections if DATA_STATEMENT_HEADING.search(label)]
    for match in re.finditer(r"(?m)^[^\n]{0,80}$", text):
        line = match.group(0)
        if not DATA_STATEMENT_HEADING.match(line):
            continue
        start = match.start()
        end = min(len(text), start + STATEMENT_CHARS)
        # the statement ends at the next short heading-like line (a capitalised line without a full stop)
        for later in re.finditer(r"(?m)^[A-Z][A-Za-z ,&'-]{2,60}$", text[match.end() + 1:end]):
            if len(later.group(0).split()) <= 6 and not DATA_STATEMENT_HEADING.match(later.group(0)):
                end = match.end() + 1 + later.start()
                break
        found.append((start, end))
    return sorted(found)


def _inside(position: int, ranges: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in ranges)


def find_dois(text: str, statements: list[tuple[int, int]], exclude: Iterable[str] = ()) -> list[Identifier]:
    """Dataset DOIs: under a data repository's prefix, or in a data-availability statement or a sentence about
    data. Article DOIs (the paper's own, given in `exclude`, and any other without data context) are dropped."""
    excluded = {normalize_doi(d) for d in exclude if d}
    found = []
    for match in DOI.finditer(text):
        start, end = match.span()
        raw = match.group(0)
        cont = _CONTINUED.match(text, end)
        if cont and (_CUT.search(raw) or raw.endswith("-") and "\n" in cont.group(0)) and (
                any(c.isdigit() for c in cont.group(1)) or cont.group(1).islower()):
            raw, end = raw + cont.group(1), cont.end()
        doi = normalize_doi(raw)
        end = start + len(raw.rstrip(".,;:])")) if len(doi) < len(raw) else end
        if doi in excluded or "/" not in doi or len(doi.split("/", 1)[1]) < 2:
            continue
        repository = repository_of(doi)
        in_statement = _inside(start, statements)
        evidence = []
        if repository:
            evidence.append("data_repository_prefix")
        elif in_statement and DATA_CONTEXT.search(text_sentence_around(text, start, end)):
            evidence.append("data_statement")
        if not evidence or not_data_doi(doi) or NOT_DATA_DOI_CONTEXT.search(_line_before(text, start)):
            continue
        found.append(Identifier(doi, "doi", "doi", repository or "DOI", DOI_RESOLVER + doi, start, end,
                                text[start:end], in_statement, evidence))
    for match in _ZENODO_RECORD.finditer(text):
        doi = f"10.5281/zenodo.{match.group(1)}"
        found.append(Identifier(doi, "doi", "doi", "Zenodo", DOI_RESOLVER + doi, match.start(), match.end(),
                                match.group(0), _inside(match.start(), statements), ["data_repository_url"]))
    return found


def not_data_doi(doi: str) -> bool:
    """A DOI whose form says it is part of an article: a supplementary file ("….pone.0123456.s001"), a
    referee report ("10.5256/f1000research.11375.r19814")."""
    return bool(NOT_DATA_DOI.search(doi))


def _line_before(text: str, start: int) -> str:
    """The words before an identifier back to the previous sentence or reference-list entry (at most 200 chars)."""
    window = text[max(0, start - 200):start]
    cut = max(window.rfind(". "), window.rfind("\n\n"))
    return window[cut + 1:] if cut >= 0 else window


def find_accessions(text: str, statements: list[tuple[int, int]],
                    archive_list: Optional[tuple[Archive, ...]] = None) -> list[Identifier]:
    """Archive accessions standing alone as tokens. An ambiguous form needs its archive's name within
    CONTEXT_CHARS (or, for sequence archives, an accession word); a number right after "grant", "Fig.",
    "Table", "No." … is never an accession. Where two archives claim one string, a self-describing form wins,
    then an archive named nearby, then an accession word."""
    candidates = []
    for order, archive in enumerate(archive_list or all_archives()):
        for match in archive.search.finditer(text):
            start, end = match.span()
            accession = match.group(0)
            if NOT_DATA_FORMS.fullmatch(accession) or NOT_ACCESSION_BEFORE.search(text[max(0, start - 30):start]):
                continue
            strength, evidence = 3, "accession_form"
            if archive.needs_context:
                if not re.search(r"[A-Za-z]", accession) and archive.prefix != "cath":
                    continue  # "2019" has a PDB code's shape
                window = text[max(0, start - CONTEXT_CHARS):end + CONTEXT_CHARS // 2]
                if archive.context is not None and archive.context.search(window):
                    strength, evidence = 2, "archive_named_nearby"
                elif archive.generic is not None and archive.generic.search(window):
                    strength, evidence = 1, "accession_word_nearby"
                else:
                    continue
            candidates.append((-strength, order, start, end, accession, archive, evidence))
    found: list[Identifier] = []
    taken: list[tuple[int, int]] = []
    for _, _, start, end, accession, archive, evidence in sorted(candidates, key=lambda c: c[:3]):
        if any(s < end and start < e for s, e in taken):
            continue
        taken.append((start, end))
        found.append(Identifier(accession, "accession", archive.prefix, archive.name, archive.url(accession),
                                start, end, accession, _inside(start, statements), [evidence]))
    return sorted(found, key=lambda i: i.start)


def find_identifiers(text: str, sections: Iterable[tuple[str, int, int]] = (), exclude_dois: Iterable[str] = (),
                     skip: Iterable[tuple[int, int]] = ()) -> list[Identifier]:
    """Every dataset identifier in the text, in text order; those inside `skip` ranges (acknowledgements,
    funding) are left out, and an accession inside a DOI or URL already found is not counted twice."""
    statements = data_statements(text, sections)
    skipped = list(skip)
    dois = [d for d in find_dois(text, statements, exclude_dois) if not _inside(d.start, skipped)]
    covered = [(d.start, d.end) for d in dois]
    accessions = [a for a in find_accessions(text, statements)
                  if not _inside(a.start, skipped) and not any(s <= a.start < e for s, e in covered)]
    return sorted(dois + accessions, key=lambda i: i.start)


def entry_identifiers(entry: dict) -> list[Identifier]:
    """The dataset identifiers of one bibliography entry: its DOI under a data repository's prefix, a DOI or URL
    in an entry that says it is data ("Data from: …", "[Dataset]", a repository's URL), or an accession in it."""
    doi = normalize_doi(entry.get("doi") or "")
    text = " ".join(str(entry.get(k) or "") for k in ("title", "venue", "raw", "citation", "url"))
    url = (entry.get("url") or "").lower()
    # the forms data citations take ("[Dataset]", "Data from: …", "… [data set]"); a title that merely
    # talks about data ("Mining clinical data …") is an article's
    says_data = bool(DATA_CITATION_FORM.search(text))
    hosted = any(host in url for host in DATA_URL_HOSTS)
    found = []
    dois = {doi} if doi else set()
    dois.update(normalize_doi(m.group(0)) for m in DOI.finditer(text))
    for d in sorted(dois):
        repository = repository_of(d)
        if not_data_doi(d) or NOT_DATA_DOI_CONTEXT.search(text):
            continue
        if repository or says_data or hosted:
            found.append(Identifier(d, "doi", "doi", repository or "DOI", DOI_RESOLVER + d, -1, -1, d, False,
                                    ["data_repository_prefix" if repository else "data_citation"]))
    for accession in find_accessions(text, []):
        accession.start = accession.end = -1
        found.append(accession)
    return found
