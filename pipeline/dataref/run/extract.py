"""Batch extraction: files in, one JSON line per paper out, errors recorded, resumable.

Resume semantics: every record carries `id`, the input's resolved path. `--resume` keeps the finished
records of an existing output, drops its error records and a line a kill cut in half, and runs every
input whose id has no finished record (so failed papers are tried again). Without `--resume` an
existing non-empty output is refused, and a file that is not dataref's output is never touched."""
import os
import signal
import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Mapping, Optional, Union

from tqdm import tqdm

from ..errors import DatarefError, Errors, Warnings
from .grobid import Grobid, GrobidOptions
from .lock import OutputLock
from ..output.records import read_results, record_line
from ..readers.paper import OTHER_FILES, PDF_SUFFIXES, is_paper_file

FORMATS = ("jsonl", "mdc")


class PassedOver(Counter):
    """How many files were passed over, by reason, and the first few names of each (`names[reason]`)."""

    SHOWN = 3  # names kept per reason

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, list[str]] = {}

    def add(self, reason: str, name: str) -> None:
        self[reason] += 1
        kept = self.names.setdefault(reason, [])
        if len(kept) < self.SHOWN:
            kept.append(name)

    def describe(self) -> str:
        """"2 other files (not …) (notes.md, data.csv), 1 listed twice (a.tei.xml)": every reason, a few names."""
        parts = []
        for why, n in sorted(self.items()):
            names = self.names.get(why, [])
            shown_names = f" ({', '.join(names)}{', …' if n > len(names) else ''})" if names else ""
            parts.append(f"{n} {why}{shown_names}")
        return ", ".join(parts)


@dataclass
class Summary:
    label = "dataref"  # a class attribute, not a field: what the summary line starts with
    papers: int = 0
    datasets: int = 0
    linked: int = 0
    errors: int = 0
    skipped: int = 0
    interrupted: int = 0  # the signal that stopped the run (2 = Ctrl-C, 15 = SIGTERM), else 0
    not_inputs: Counter = field(default_factory=PassedOver)
    refusal: str = ""  # a problem to fix before rerunning (no GROBID server for the PDFs)

    def where(self, output) -> str:
        return f" → {output}" if output else ""

    def notes(self) -> str:
        """What a particular runner adds to the line."""
        return ""

    def line(self, output: Union[Path, str, None]) -> str:
        text = (f"{self.label}: {_plural(self.papers, 'paper')}, {_plural(self.datasets, 'dataset')} "
                f"({self.linked} linked), {_plural(self.errors, 'error')}, {self.skipped} skipped "
                f"(already done){self.where(output)}{self.notes()}")
        if self.not_inputs:
            described = self.not_inputs.describe() if isinstance(self.not_inputs, PassedOver) else ", ".join(
                f"{n} {why}" for why, n in sorted(self.not_inputs.items()))
            text += "; passed over: " + described
        if self.interrupted:
            text += ("\ndataref: interrupted; every finished paper is written. Run the same command with "
                     "--resume to continue." if output else "\ndataref: interrupted.")
        return text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM: stop reading, keep what is written (a BaseException, like KeyboardInterrupt,
    so no component's error handler takes it for one paper's failure)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def paper_id(path: Path) -> str:
    """The stable key of an input: its resolved path (the same file named two ways is one paper), as
    text JSON can hold."""
    return shown(Path(os.path.realpath(path)))


def shown(path: Path) -> str:
    """The path as text JSON can hold: undecodable bytes of a file name become escapes, not a crash."""
    return os.fsdecode(path).encode("utf8", "backslashreplace").decode("utf8")


def collect_inputs(inputs: Iterable[Path]) -> tuple[list[Path], PassedOver]:
    """Files as given, folders walked (symbolic links followed, loops cut) for TEI and PDF files, in a
    stable order, each file once; what was passed over is counted by reason, with the first names."""
    found: list[Path] = []
    skipped = PassedOver()
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = paper_id(path)
        if key in seen:
            skipped.add("listed twice", shown(path))
        else:
            seen.add(key)
            found.append(path)

    for item in inputs:
        if not item.is_dir():
            add(item)
            continue
        walked: set[str] = set()
        for root, dirs, files in os.walk(item, followlinks=True,
                                         onerror=lambda err: skipped.add("unreadable folders",
                                                                         shown(Path(err.filename or "?")))):
            real = os.path.realpath(root)
            if real in walked:  # a link back up the tree
                dirs[:] = []
                continue
            walked.add(real)
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                if not is_paper_file(name):
                    skipped.add(OTHER_FILES, shown(path))
                elif not path.is_file():
                    skipped.add("special or broken files", shown(path))
                else:
                    add(path)
    return found, skipped


def check_writable(output: Optional[Path], folder: bool = False) -> None:
    """Refuse an output whose folder cannot be written, before any work (a Ray cluster is not started for
    it). `folder`: the output is a folder of parts (--engine ray) that may not exist yet."""
    if output is None or "://" in str(output):
        return
    target = output if folder and output.is_dir() else output.parent
    if not target.is_dir():
        raise DatarefError(Errors.E019.format(path=output, detail=f"the folder {target} does not exist"))
    if not os.access(target, os.W_OK | os.X_OK):
        raise DatarefError(Errors.E019.format(path=output, detail=f"the folder {target} is not writable"))


def prepare_output(output: Optional[Path], resume: bool) -> set[str]:
    """Check the output file and, with --resume, return the ids of the papers already done. Error records and
    a last line a kill cut short are dropped from the file (rewritten atomically) before the run appends."""
    if output is None:
        if resume:
            raise DatarefError(Errors.E024.format(option="--resume", detail="it needs an output file (-o)"))
        return set()
    if output.is_dir():
        raise DatarefError(Errors.E019.format(path=output, detail="it is a folder; give a file name"))
    if not output.parent.is_dir():
        raise DatarefError(Errors.E019.format(path=output, detail=f"the folder {output.parent} does not exist"))
    if not output.exists() or output.stat().st_size == 0:
        return set()
    if not resume:
        raise DatarefError(Errors.E017.format(path=output))
    results = read_results(output, refusal=Errors.E018)
    finished = results.finished
    if results.cut or len(finished) != len(results.records):
        partial = output.with_name(output.name + ".tmp")
        partial.write_text("".join(map(record_line, finished)), encoding="utf8")
        os.replace(partial, output)  # atomic: a kill now leaves the old file or the new one
    return {r.get("id") or paper_id(Path(r["path"])) for r in finished}


class LineWriter:
    """Writes each record as one whole line and flushes it, so a kill never leaves half a record."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle

    def write(self, record: Mapping[str, Any]) -> None:
        self.handle.write(record_line(record))
        self.handle.flush()


def error_record(path: Path, err: Exception) -> dict:
    code = getattr(err, "code", "") or type(err).__name__
    return {"path": shown(path), "id": paper_id(path), "error": {"code": code, "message": str(err)}}


def load_pipeline(model: str):
    import spacy

    from ..pipes import identifiers, roles  # noqa: F401  (their factories, should the entry points be stale)
    from ..pipes.windows import window_pipes

    try:
        return window_pipes(spacy.load(model))  # tok2vec and ner over long papers in parts: memory bounded
    except (OSError, ImportError, ValueError) as err:
        raise DatarefError(Errors.E011.format(name=model, detail=err)) from err


def catch_pipe_errors(nlp, failures: dict[str, tuple[str, Exception]]) -> None:
    """Route an exception inside any component to `failures` (paper id → (component, error)), so the batch
    goes on and the paper gets an error record."""

    def on_error(name: str, component, docs, err: Exception) -> None:
        for doc in docs:
            failures[doc.user_data.get("dataref_id", "")] = (name, err)

    nlp.default_error_handler = on_error
    for _, component in nlp.pipeline:
        try:
            component.set_error_handler(on_error)
        except AttributeError:  # spaCy's Cython parser (the ner) cannot take one: its errors end the loop
            pass


def readable(record: Mapping[str, Any]) -> str:
    """A plain-text listing of one paper's datasets and their references."""
    if "error" in record:
        return f"{record['path']}: ERROR {record['error']['message']}\n"
    lines = [f"{record['path']}  ({record['paper'].get('title', '')})"]
    for dataset in record["datasets"]:
        count = dataset["mention_count"]
        lines.append(f"  - {dataset['name']}  [{_plural(count, 'mention')}]")
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
        for identifier in dataset.get("identifiers", []):
            lines.append(f"      identifier: {identifier['id']} ({identifier['archive_name']}, {identifier['url']})")
        if dataset.get("role"):
            lines.append(f"      role: {dataset['role']}")
    return "\n".join(lines) + "\n"


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_extract(inputs: Iterable[Path], output: Optional[Path], *, model: str, resume: bool = False,
                n_process: int = 1, readable_text: bool = False,
                grobid_options: Optional[GrobidOptions] = None,
                tei_cache: Optional[Path] = None, chunk_size: int = 500, output_format: str = "jsonl",
                paper_timeout: Optional[float] = None) -> Summary:
    """Run the pipeline over the inputs in worker processes, each paper under a time budget (`paper_timeout`
    seconds, default DATAREF_PAPER_TIMEOUT or 120); Ctrl-C and SIGTERM end it at once, every finished paper
    written (summary.interrupted). With `output_format="mdc"` the output is the Make Data Count CSV (see
    dataref.output.mdc) instead of JSON lines. `chunk_size` is kept for callers; each paper's strings are freed
    after it. One run at a time may write an output (E022)."""
    from .workers import paper_timeout as budget

    if output_format not in FORMATS:
        raise DatarefError(Errors.E052.format(value=output_format))
    if output_format == "mdc" and (resume or readable_text):
        raise DatarefError(Errors.E053)
    if n_process < 1:
        raise DatarefError(Errors.E024.format(option="--n-process", detail=f"{n_process} is not a number of "
                                              "processes (give 1 or more)"))
    seconds = budget(paper_timeout)
    if n_process > usable_cpus():
        warnings.warn(Warnings.W013.format(asked=n_process, cpus=usable_cpus()), stacklevel=2)
        n_process = usable_cpus()

    def stop(signum, frame):
        raise Interrupted(signum)  # the workers are killed as the run unwinds

    sink = None
    if output is not None and output.suffix.lower() == ".parquet":
        from ..output.parquet import ParquetSink

        sink = ParquetSink(output)  # records are journalled as JSON lines, the Parquet file written at the end
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    # Unresolvable markers and duplicate ids are the TEI's business, not a reason to flood stderr;
    # the filter lasts for this run only, not for the caller's process.
    try:
        with warnings.catch_warnings(), OutputLock(output):
            warnings.filterwarnings("ignore", message=r"\[W00[123]\]")
            already = sink.prepare(resume) if sink else set()
            summary = _run_extract(inputs, sink.journal if sink else output, model=model, resume=resume,
                                   n_process=n_process, readable_text=readable_text, grobid_options=grobid_options,
                                   tei_cache=tei_cache, already=already, output_format=output_format,
                                   paper_timeout=seconds)
            if sink:
                sink.finish()
            return summary
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run_extract(inputs: Iterable[Path], output: Optional[Path], *, model: str, resume: bool,
                 n_process: int, readable_text: bool, grobid_options: Optional[GrobidOptions],
                 tei_cache: Optional[Path], already: Optional[set[str]] = None,
                 output_format: str = "jsonl", paper_timeout: float = 120.0) -> Summary:
    from ..output.mdc import MdcWriter
    from ..readers.paper import PaperReader
    from ..readers.safe_xml import max_bytes, max_chars
    from .workers import WorkerPool, job_stream

    max_bytes(), max_chars()  # a malformed limit is a refusal before any work, not an error per paper
    summary = Summary()
    done = prepare_output(output, resume) | (already or set())
    paths, summary.not_inputs = collect_inputs(inputs)
    summary.skipped = sum(1 for p in paths if paper_id(p) in done)
    paths = [p for p in paths if paper_id(p) not in done]
    grobid = None
    pdfs = [p for p in paths if p.suffix.lower() in PDF_SUFFIXES]
    pdfs_failed: list[tuple[Path, Exception]] = []
    if pdfs:
        cache = tei_cache or (output.parent if output else Path(".")) / "tei-cache"
        grobid = Grobid(grobid_options or GrobidOptions.from_env(), cache)
        if not all(grobid.cached(p).exists() for p in pdfs if p.exists()):
            try:
                grobid.check()
            except DatarefError as err:  # no server: the PDFs get error records, the TEI files still run
                summary.refusal = str(err)
                pdfs_failed = [(p, DatarefError(Errors.E009.format(path=shown(p), detail=err), str(p))) for p in pdfs]
                grobid = None
    others = [p for p in paths if p.suffix.lower() not in PDF_SUFFIXES]
    nlp = load_pipeline(model)
    reader = PaperReader(nlp)

    try:
        handle = output.open("a", encoding="utf8") if output else sys.stdout
    except OSError as err:
        raise DatarefError(Errors.E019.format(path=output, detail=err.strerror or err)) from err
    writer = MdcWriter(handle) if output_format == "mdc" else LineWriter(handle)
    show = readable_text
    progress = tqdm(total=len(paths), unit="paper", file=sys.stderr, disable=not sys.stderr.isatty())

    def emit(record: dict) -> None:
        if "error" in record:
            summary.errors += 1
        else:
            summary.papers += 1
            summary.datasets += len(record["datasets"])
            summary.linked += sum(1 for d in record["datasets"] if d["linked"])
        if show and output is None:
            handle.write(readable(record))
            handle.flush()
        else:
            writer.write(record)
        progress.update(1)

    pool = None
    try:
        for pdf, refused in pdfs_failed:
            emit(error_record(pdf, refused))
        pool = WorkerPool(nlp, reader, n_process, paper_timeout)
        convert = grobid.convert_all if grobid is not None else None
        for _, record in pool.run(job_stream(others, pdfs if convert else [], convert)):
            emit(record)
    except (Interrupted, KeyboardInterrupt) as stop:
        summary.interrupted = getattr(stop, "signum", signal.SIGINT)
    finally:
        if pool is not None:
            pool.close()
        progress.close()
        if output:
            handle.close()
        if show and output is not None:
            for written in read_results(output).records:
                sys.stdout.write(readable(written))
    return summary
