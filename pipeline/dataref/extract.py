"""Batch extraction: files in, one JSON line per paper out, errors recorded, resumable."""
import json
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Optional

from tqdm import tqdm

from .errors import DatarefError, Errors
from .grobid import Grobid, GrobidOptions

TEI_SUFFIXES = (".xml",)
PDF_SUFFIXES = (".pdf",)


@dataclass
class Summary:
    papers: int = 0
    datasets: int = 0
    linked: int = 0
    errors: int = 0
    skipped: int = 0

    def line(self, output: Optional[Path]) -> str:
        where = f" → {output}" if output else ""
        return (f"dataref: {self.papers} papers, {self.datasets} datasets ({self.linked} linked), "
                f"{self.errors} errors, {self.skipped} skipped (already done){where}")


def collect_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files as given, folders expanded to their TEI and PDF files, in a stable order."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found.extend(sorted(p for p in item.rglob("*")
                                if p.is_file() and p.suffix.lower() in TEI_SUFFIXES + PDF_SUFFIXES))
        else:
            found.append(item)
    return found


def done_paths(output: Path) -> set[str]:
    """Paths already written whole; a line cut by a kill is dropped from the file."""
    if not output.exists():
        return set()
    data = output.read_bytes()
    cut = data.rfind(b"\n") + 1
    if cut != len(data):
        with output.open("r+b") as handle:
            handle.truncate(cut)
    done = set()
    for line in data[:cut].splitlines():
        try:
            done.add(json.loads(line)["path"])
        except (ValueError, KeyError, TypeError):
            continue
    return done


class LineWriter:
    """Writes each record as one whole line and flushes it, so a kill never leaves half a record."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle

    def write(self, record: dict) -> None:
        self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.handle.flush()


def error_record(path: Path, err: Exception) -> dict:
    code = getattr(err, "code", "") or type(err).__name__
    return {"path": str(path), "error": {"code": code, "message": str(err)}}


def load_pipeline(model: str):
    import spacy

    try:
        return spacy.load(model)
    except (OSError, ImportError, ValueError) as err:
        raise DatarefError(Errors.E011.format(name=model, detail=err)) from err


def read_docs(reader: Callable, paths: list[Path], grobid: Optional[Grobid],
              on_error: Callable[[Path, Exception], None]) -> Iterator[tuple]:
    """(Doc, path) for every readable input; the others go to on_error.

    PDFs are all sent to GROBID first, so the server works while TEI files are read."""
    pdfs = [p for p in paths if p.suffix.lower() in PDF_SUFFIXES]
    converted = grobid.convert_all(pdfs) if grobid is not None and pdfs else iter(())
    for path in paths:
        if path.suffix.lower() in PDF_SUFFIXES:
            continue
        if path.suffix.lower() not in TEI_SUFFIXES:
            on_error(path, DatarefError(Errors.E010.format(path=path), str(path)))
            continue
        try:
            yield reader(path), path
        except DatarefError as err:
            on_error(path, err)
    for pdf, tei in converted:
        if isinstance(tei, Exception):
            on_error(pdf, tei)
            continue
        try:
            yield reader(tei), pdf
        except DatarefError as err:
            tei.unlink(missing_ok=True)  # a broken answer is not kept: a rerun asks again
            on_error(pdf, DatarefError(Errors.E013.format(path=pdf, detail=err), str(pdf)))


def readable(record: dict) -> str:
    """A plain-text listing of one paper's datasets and their references."""
    if "error" in record:
        return f"{record['path']}: ERROR {record['error']['message']}\n"
    lines = [f"{record['path']}  ({record['paper'].get('title', '')})"]
    for dataset in record["datasets"]:
        count = dataset["mention_count"]
        lines.append(f"  - {dataset['name']}  [{count} mention{'s' if count != 1 else ''}]")
        if dataset.get("kb"):
            kb = dataset["kb"]
            intro = f"; introduced by: {kb['paper']['title']}" if kb["paper"].get("title") else ""
            lines.append(f"      known dataset: {kb['name']} (paperswithcode.com/dataset/{kb['id']}"
                         f"{', ' + kb['homepage'] if kb['homepage'] else ''}{intro})")
        for ref in dataset["references"]:
            rules = sorted({e["rule"] for e in ref["evidence"]})
            lines.append(f"      {ref['id']} ({', '.join(rules)}): {ref['citation']}")
        if not dataset["linked"]:
            lines.append(f"      (unlinked: {dataset.get('unlinked_reason') or 'no citation'})")
    return "\n".join(lines) + "\n"


def run_extract(inputs: Iterable[Path], output: Optional[Path], *, model: str, resume: bool = False,
                n_process: int = 1, readable_text: bool = False,
                grobid_options: Optional[GrobidOptions] = None,
                tei_cache: Optional[Path] = None) -> Summary:
    # Unresolvable markers and duplicate ids are the TEI's business, not a reason to flood stderr;
    # the filter lasts for this run only, not for the caller's process.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W00[123]\]")
        return _run_extract(inputs, output, model=model, resume=resume, n_process=n_process,
                            readable_text=readable_text, grobid_options=grobid_options, tei_cache=tei_cache)


def _run_extract(inputs: Iterable[Path], output: Optional[Path], *, model: str, resume: bool,
                 n_process: int, readable_text: bool, grobid_options: Optional[GrobidOptions],
                 tei_cache: Optional[Path]) -> Summary:
    from .results import doc_to_json
    from .tei import TEIReader

    summary = Summary()
    paths = collect_inputs(inputs)
    if resume and output is not None:
        done = done_paths(output)
        summary.skipped = sum(1 for p in paths if str(p) in done)
        paths = [p for p in paths if str(p) not in done]
    grobid = None
    pdfs = [p for p in paths if p.suffix.lower() in PDF_SUFFIXES]
    if pdfs:
        cache = tei_cache or (output.parent if output else Path(".")) / "tei-cache"
        grobid = Grobid(grobid_options or GrobidOptions.from_env(), cache)
        if not all(grobid.cached(p).exists() for p in pdfs if p.exists()):
            grobid.check()  # no server: say how to start one, before any work
    nlp = load_pipeline(model)
    reader = TEIReader(nlp)
    handle = output.open("a", encoding="utf8") if output else sys.stdout
    writer = LineWriter(handle)
    show = readable_text and output is None
    progress = tqdm(total=len(paths), unit="paper", file=sys.stderr, disable=not sys.stderr.isatty())

    def emit(record: dict) -> None:
        if show:
            handle.write(readable(record))
            handle.flush()
        else:
            writer.write(record)
        progress.update(1)

    def on_error(path: Path, err: Exception) -> None:
        summary.errors += 1
        emit(error_record(path, err))

    try:
        docs = nlp.pipe(read_docs(reader, paths, grobid, on_error), as_tuples=True, n_process=n_process)
        for doc, path in docs:
            record = doc_to_json(doc, str(path))
            summary.papers += 1
            summary.datasets += len(record["datasets"])
            summary.linked += sum(1 for d in record["datasets"] if d["linked"])
            emit(record)
    finally:
        progress.close()
        if output:
            handle.close()
    return summary
