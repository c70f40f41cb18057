"""Results files: the JSON lines `dataref extract` writes, one record per paper, and the one reader of them.

`extract --resume`, `report` and the Parquet writer's journal all read results through `read_results`, so a
file is judged one way everywhere: every line a result or error record, except that a last line a kill cut
short (no newline, not JSON, begun as our writer begins a line) is left out and reported in `Results.cut`."""
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, TypedDict, TypeGuard

from ..errors import DatarefError, Errors


class ErrorInfo(TypedDict):
    code: str
    message: str


class ResultRecord(TypedDict, total=False):
    """One line of a results file: a paper's results (`datasets`) or its error (`error`)."""

    id: str  # the input's resolved path: the key --resume skips by
    path: str  # the input as the user named it
    paper: dict[str, Any]
    datasets: list[dict[str, Any]]
    identifiers: list[dict[str, Any]]
    error: ErrorInfo


# How our writers begin a line (a result record starts with its id, an error record with its path): a cut line
# begins this way, or is a beginning of one of them.
LINE_STARTS = ('{"id": ', '{"path": ')


@dataclass
class Results:
    records: list[ResultRecord] = field(default_factory=list)
    cut: int = 0  # the number of a last line a kill cut short, left out of `records`; 0 when there is none

    @property
    def finished(self) -> list[ResultRecord]:
        """The records of papers that were read (error records left out: those papers are tried again)."""
        return [r for r in self.records if "error" not in r]


def record_line(record: Mapping[str, Any]) -> str:
    """A record as one line of a results file, the newline included."""
    return json.dumps(record, ensure_ascii=False) + "\n"


def is_record(value: object) -> TypeGuard[ResultRecord]:
    return isinstance(value, dict) and isinstance(value.get("path"), str) and (
        isinstance(value.get("datasets"), list) or isinstance(value.get("error"), dict))


def _is_cut(line: bytes) -> bool:
    text = line.decode("utf8", "replace")
    return any(text.startswith(start) or start.startswith(text) for start in LINE_STARTS)


def read_results(path: Path, refusal: str = Errors.E030) -> Results:
    """The records of a results file, a last line a kill cut short left out (its number in `cut`). A line that
    is not a record is refused with `refusal` (formatted with path, line and detail); blank lines are passed
    over; an unreadable file is E036."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DatarefError(Errors.E036.format(path=path, detail=err.strerror or err), str(path)) from err
    *complete, tail = data.split(b"\n")
    results = Results()
    for number, line in enumerate([*complete, tail], 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf8"))
        except ValueError as err:  # UnicodeDecodeError is a ValueError too
            if number > len(complete) and _is_cut(line):
                results.cut = number
                continue
            raise DatarefError(refusal.format(path=path, line=number, detail=f"not JSON: {err}"), str(path)) from err
        if not is_record(record):
            raise DatarefError(refusal.format(path=path, line=number, detail="not a result record"), str(path))
        results.records.append(record)
    return results


SCHEMA_FILE = Path(__file__).with_name("schema.json")


def output_schema() -> dict:
    """The JSON Schema of one output line (`dataref extract`'s JSON lines), shipped with the package."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf8"))
