"""The Make Data Count competition's CSV (2025): one row per (article, dataset identifier) with its type.

article_id is the input's file name without its extension; dataset_id a DOI as https://doi.org/… (lower case)
or an accession as written; type Primary (the paper created the data: role `created`) or Secondary (any
other role). Accessions count only from the archives in lexicon.MDC_ARCHIVES, the ones the competition's
annotators counted (see that list); every identifier stays in the JSON output."""
import csv
from pathlib import PurePath
from typing import IO

from ..linking.identifiers import DOI_RESOLVER
from ..linking.lexicon import MDC_ARCHIVES

HEADER = ("article_id", "dataset_id", "type")
_EXTENSIONS = (".tei.xml", ".xml", ".txt", ".pdf")


def article_id(path: str) -> str:
    name = PurePath(path).name
    for extension in _EXTENSIONS:
        if name.lower().endswith(extension):
            return name[:-len(extension)]
    return PurePath(name).stem


def mdc_rows(record: dict) -> list[tuple[str, str, str]]:
    """The competition rows of one paper's result record (none for an error record)."""
    if "error" in record:
        return []
    article = article_id(record["path"])
    types: dict[str, str] = {}
    for dataset in [*record.get("datasets", []), *record.get("identifiers", [])]:
        kind = "Primary" if dataset.get("role") == "created" else "Secondary"
        for identifier in dataset.get("identifiers", []):
            if identifier["kind"] == "doi":
                key = DOI_RESOLVER + identifier["id"].lower()
            elif identifier["archive"] in MDC_ARCHIVES:
                key = identifier["id"]
            else:
                continue
            if types.get(key) != "Primary":  # created anywhere in the paper wins
                types[key] = kind
    return [(article, key, kind) for key, kind in types.items()]


class MdcWriter:
    """Writes the CSV header once, then each paper's rows as it finishes (flushed, like the JSON lines)."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.csv = csv.writer(handle, lineterminator="\n")
        self.started = False

    def write(self, record: dict) -> None:
        if not self.started:
            self.csv.writerow(HEADER)
            self.started = True
        self.csv.writerows(mdc_rows(record))
        self.handle.flush()
