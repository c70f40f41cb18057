"""Results as Parquet: one row per paper, the same records as the JSONL output, under one fixed schema.

Columns: `id`, `path`, `status` ("ok" or "error"), `error` (code, message; null when ok), `paper` (title, doi,
grobid_version, pmid, pmcid, article_type, warnings; null for an error) and `datasets` (the JSONL `datasets`
list, nested). `records_of(table)` gives back exactly the JSONL records (fields a paper does not have, such as
a TEI paper's `pmid`, are null in the row and absent from the record).

The single-machine writer (`ParquetSink`) journals each finished paper as a JSON line beside the output
(`<output>.partial.jsonl`, flushed per paper, so a kill loses nothing) and writes the Parquet file at the
end of the run, atomically: old rows kept, new rows after them. `--resume` skips the papers the file (and a
journal a killed run left) already holds, retries the ones with an error row, and rewrites the file once."""
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Union

from ..errors import DatarefError, Errors, Warnings
from .records import read_results

if TYPE_CHECKING:
    import pyarrow as pa

PARQUET_SUFFIX = ".parquet"
_WARNED: set[str] = set()
# set by the identifier, role and entity components
_OPTIONAL_DATASET_FIELDS = ("identifiers", "role", "role_evidence", "key", "splits", "parts", "decision")


def require_pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError as err:
        raise DatarefError(Errors.E043.format(detail=err)) from err
    return pyarrow


def schema() -> "pa.Schema":
    pa = require_pyarrow()
    text, number, strings, ints = pa.string(), pa.int64(), pa.list_(pa.string()), pa.list_(pa.int64())
    evidence = pa.struct([("rule", text), ("resolution", text), ("mention", ints), ("marker", ints),
                          ("marker_text", text), ("entry", strings), ("sentence", text)])
    reference = pa.struct([("id", text), ("citation", text), ("title", text), ("year", text), ("doi", text),
                           ("url", text), ("score", pa.float64()), ("mentions", number),
                           ("evidence", pa.list_(evidence))])
    kb = pa.struct([("id", text), ("name", text), ("full_name", text), ("homepage", text),
                    ("paper", pa.struct([("title", text), ("url", text), ("year", text)]))])
    identifier_evidence = pa.struct([("rules", strings), ("tie", text), ("bib_id", text), ("offsets", ints),
                                     ("sentence", text)])
    identifier = pa.struct([("id", text), ("kind", text), ("archive", text), ("archive_name", text), ("url", text),
                            ("tie", text), ("found_in", strings), ("evidence", pa.list_(identifier_evidence))])
    role_evidence = pa.struct([("sentence", text), ("score", pa.float64()), ("source", text),
                               ("p_created", pa.float64())])
    mention = pa.struct([("start", number), ("end", number), ("section", text), ("sentence", text)])
    decision = pa.struct([("score", pa.float64()), ("rule", text), ("sources", strings),
                          ("evidence", pa.list_(pa.struct([("feature", text), ("value", pa.float64()),
                                                           ("push", pa.float64())])))])
    dataset = pa.struct([("name", text), ("key", text), ("surface_forms", strings), ("mention_count", number),
                         ("mentions", pa.list_(mention)), ("splits", strings), ("parts", strings),
                         ("decision", decision), ("sections", strings),
                         ("linked", pa.bool_()), ("unlinked_reason", text), ("kb", kb),
                         ("references", pa.list_(reference)), ("identifiers", pa.list_(identifier)),
                         ("role", text), ("role_evidence", role_evidence)])
    paper = pa.struct([("title", text), ("doi", text), ("grobid_version", text), ("pmid", text), ("pmcid", text),
                       ("article_type", text), ("warnings", pa.map_(text, number))])
    return pa.schema([("id", text), ("path", text), ("status", text),
                      ("error", pa.struct([("code", text), ("message", text)])), ("paper", paper),
                      ("datasets", pa.list_(dataset)), ("identifiers", pa.list_(dataset))])


def _fields(struct_type) -> set[str]:
    return {struct_type.field(i).name for i in range(struct_type.num_fields)}


def _warn_unknown(record: Mapping[str, Any], paper_fields: set[str], dataset_fields: set[str]) -> None:
    """A field the schema does not know would be left out silently: say so, once per field."""
    unknown = set(record.get("paper") or {}) - paper_fields - {"path"}
    for dataset in [*(record.get("datasets") or ()), *(record.get("identifiers") or ())]:
        unknown |= set(dataset) - dataset_fields
    for name in sorted(unknown - _WARNED):
        _WARNED.add(name)
        warnings.warn(Warnings.W020.format(field=name), stacklevel=2)


def row_of(record: Mapping[str, Any]) -> dict:
    """The Parquet row of one JSONL record (a result or an error record)."""
    if "error" in record:
        return {"id": record.get("id"), "path": record["path"], "status": "error", "error": record["error"],
                "paper": None, "datasets": None, "identifiers": None}
    paper = {k: v for k, v in (record.get("paper") or {}).items() if k != "path"}
    return {"id": record.get("id"), "path": record["path"], "status": "ok", "error": None, "paper": paper,
            "datasets": record.get("datasets") or [], "identifiers": record.get("identifiers")}


def table_of(records: Iterable[Mapping[str, Any]]) -> "pa.Table":
    pa = require_pyarrow()
    target = schema()
    paper_fields = _fields(target.field("paper").type)
    dataset_fields = _fields(target.field("datasets").type.value_type)
    rows = []
    for record in records:
        _warn_unknown(record, paper_fields, dataset_fields)
        rows.append(row_of(record))
    return pa.Table.from_pylist(rows, schema=target)


def record_of(row: dict) -> dict:
    """The JSONL record of one Parquet row."""
    if row["status"] == "error":
        return {"path": row["path"], "id": row["id"], "error": row["error"]}
    paper = {k: v for k, v in (row["paper"] or {}).items() if v is not None}
    if "warnings" in paper:
        paper["warnings"] = dict(paper["warnings"])
    record = {"id": row["id"], "path": row["path"], "paper": paper,
              "datasets": [_dataset_of(d) for d in row["datasets"] or []]}
    if row.get("identifiers") is not None:  # written by a pipeline with the identifier component
        record["identifiers"] = [_dataset_of(d) for d in row["identifiers"]]
    return record


def _dataset_of(row: dict) -> dict:
    """A dataset record as the JSON has it: the identifier and role fields only where the pipeline set them."""
    return {k: v for k, v in row.items() if v is not None or k not in _OPTIONAL_DATASET_FIELDS}


def records_of(table: "pa.Table") -> list[dict]:
    return [record_of(row) for row in table.to_pylist()]


def read_table(path: Union[str, Path], columns: Optional[list[str]] = None) -> "pa.Table":
    """A dataref Parquet file (or folder of them), refused with a coded error when it is not one."""
    path = Path(path)
    require_pyarrow()
    import pyarrow.parquet as pq

    try:
        found = pq.read_schema(path) if path.is_file() else None
        table = pq.read_table(path, columns=columns)
    except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
        raise DatarefError(Errors.E044.format(path=path, detail=str(err).splitlines()[0])) from err
    names = set(found.names if found is not None else table.column_names)
    if not {"id", "path", "status"} <= names:
        raise DatarefError(Errors.E044.format(path=path, detail="it has no id, path and status columns"))
    return table


def write_table(path: Path, table: "pa.Table") -> None:
    """Write atomically: a kill leaves the old file or the new one, never half of one."""
    import pyarrow.parquet as pq

    partial = path.with_name(path.name + ".tmp")
    pq.write_table(table, partial)
    os.replace(partial, path)


def read_records(path: Union[str, Path]) -> list[dict]:
    """The records of a dataref Parquet file (a path or its name as text), as the JSONL output would hold them."""
    return records_of(read_table(path))


class ParquetSink:
    """`-o results.parquet` for the single-machine run: a JSONL journal during the run, Parquet at its end."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.journal = output.with_name(output.name + ".partial.jsonl")

    def prepare(self, resume: bool) -> set[str]:
        """Check the output; with `resume`, the ids of the papers the Parquet file already holds (error rows
        excepted: they are tried again). The journal is checked by the JSONL writer."""
        require_pyarrow()
        if self.output.is_dir():
            raise DatarefError(Errors.E019.format(path=self.output, detail="it is a folder; give a file name"))
        if not self.output.exists() or self.output.stat().st_size == 0:
            return set()
        if not resume:
            raise DatarefError(Errors.E017.format(path=self.output))
        table = read_table(self.output, columns=["id", "status"])
        ids, statuses = table.column("id").to_pylist(), table.column("status").to_pylist()
        return {i for i, s in zip(ids, statuses, strict=True) if s == "ok"}

    def finish(self) -> int:
        """Merge the file's finished rows and the journal into the Parquet file; remove the journal."""
        kept: list[dict[str, Any]] = []
        if self.output.exists() and self.output.stat().st_size:
            kept = [r for r in read_records(self.output) if "error" not in r]
        new = []
        done = {r["id"] for r in kept}
        if self.journal.exists():  # a half line a kill left is not read: that paper runs again next time
            for record in read_results(self.journal, refusal=Errors.E018).records:
                if record.get("id") not in done:  # a kill between writing the file and removing the journal
                    new.append(record)
        write_table(self.output, table_of([*kept, *new]))
        self.journal.unlink(missing_ok=True)
        return len(kept) + len(new)
