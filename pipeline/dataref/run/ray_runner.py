"""Run dataref on Ray Data: many papers, many machines, one Parquet folder of results.

`extract_with_ray(inputs, output_dir)` (or `dataref extract INPUT… --engine ray -o out/`) reads TEI and JATS
files from local folders or object stores (any URI pyarrow's filesystems open: s3://, gs://, hdfs://, file://),
runs one spaCy pipeline per Ray actor (`map_batches` with a class; `workers` actors of `cpus_per_worker` CPUs
each) and writes one row per paper (the schema of dataref.output.parquet: id, path, status, error, paper, datasets) as
Parquet files into the output folder as batches finish. `resume=True` skips the papers the folder already
holds, retries those with an error row (their rows are removed first) and drops a part file a killed run left
unreadable; so a run stopped half-way and started again gives each paper once. Inside a user's own Ray
program call `papers_dataset(...)` for the Dataset of records and write or join it as needed.

PDFs go to a pool of GROBID servers (`grobid_urls`, several `--grobid-url`): each PDF to the server its id
hashes to, the batch's PDFs in flight at once, the TEI cached by content hash in `tei_cache` (a folder every
worker can reach); a PDF no server converts gets an error row (E009), as does one named by a URI (E045)."""
import os
import sys
import time
import warnings
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, Union

from ..errors import DatarefError, Errors
from .extract import Summary, catch_pipe_errors, collect_inputs, error_record, paper_id, shown
from ..output.parquet import read_records, require_pyarrow, table_of, write_table
from ..readers.paper import OTHER_FILES, PDF_SUFFIXES, is_paper_file

PathLike = Union[str, Path]


@dataclass
class RaySummary(Summary):
    label = "dataref (ray)"
    dropped_parts: int = 0  # unreadable part files a killed run left (their papers run again)
    seconds: float = 0.0

    def where(self, output) -> str:
        return f"{super().where(output)} in {self.seconds:.1f} s"

    def notes(self) -> str:
        if self.dropped_parts:
            return f"; {self.dropped_parts} unreadable part files of a stopped run removed"
        return ""


def _is_uri(value: PathLike) -> bool:
    return "://" in str(value)


def _filesystem(uri: str):
    from pyarrow import fs

    return fs.FileSystem.from_uri(uri)


def list_inputs(inputs: Iterable[PathLike]) -> tuple[list[dict], Counter]:
    """One item per paper: {"id", "path", "source"}; local inputs exactly as `dataref extract` names them (folders
    walked, links followed, each file once), URIs listed through pyarrow's filesystems."""
    items: list[dict] = []
    local = [Path(i) for i in inputs if not _is_uri(i)]
    paths, skipped = collect_inputs(local)
    for path in paths:
        items.append({"id": paper_id(path), "path": shown(path), "source": os.path.abspath(path)})
    for uri in (str(i) for i in inputs if _is_uri(i)):
        from pyarrow import fs as pafs

        filesystem, root = _filesystem(uri)
        scheme = uri.split("://", 1)[0]
        info = filesystem.get_file_info(root)
        infos = (filesystem.get_file_info(pafs.FileSelector(root, recursive=True))
                 if info.type == pafs.FileType.Directory else [info])
        for entry in sorted(infos, key=lambda e: e.path):
            if entry.type != pafs.FileType.File:
                continue
            if not is_paper_file(entry.path):
                skipped.add(OTHER_FILES, f"{scheme}://{entry.path}")
                continue
            name = f"{scheme}://{entry.path}"
            items.append({"id": name, "path": name, "source": name})
    return items, skipped


class PaperBatch:
    """A Ray actor's work: one spaCy pipeline, loaded once, turning a batch of paper items into result rows."""

    def __init__(self, model: str, cwd: str = "", grobid_urls: tuple[str, ...] = (), tei_cache: str = "",
                 grobid_timeout: int = 180, grobid_concurrency: int = 4, consolidate_citations: bool = False) -> None:
        from .extract import load_pipeline
        from .grobid import Grobid, GrobidOptions
        from ..readers.paper import PaperReader

        if cwd and os.path.isdir(cwd):
            os.chdir(cwd)  # local runs: paths as the user gave them, so records match the single-process path
        warnings.filterwarnings("ignore", message=r"\[W00[123]\]")
        self.nlp = load_pipeline(model)
        self.reader = PaperReader(self.nlp)
        self.failures: dict[str, tuple[str, Exception]] = {}
        options = [GrobidOptions(url=url, timeout=grobid_timeout, concurrency=grobid_concurrency,
                                 consolidate_citations=consolidate_citations) for url in grobid_urls]
        self.grobids = [Grobid(option, Path(tei_cache or "tei-cache")) for option in options]
        self.concurrency = max(1, grobid_concurrency)

        catch_pipe_errors(self.nlp, self.failures)

    def _convert(self, item: dict):
        """A PDF's TEI path from the GROBID server its id hashes to (or the error), for a worker thread."""
        if not self.grobids or _is_uri(item["source"]):
            return DatarefError(Errors.E045.format(path=item["path"]), item["path"])
        grobid = self.grobids[zlib.crc32(item["id"].encode("utf8")) % len(self.grobids)]
        try:
            return grobid.to_tei(Path(item["path"]))
        except DatarefError as err:
            return err

    def _read(self, item: dict, tei=None):
        source = item["source"]
        if source.lower().endswith(PDF_SUFFIXES):
            if isinstance(tei, Exception):
                raise tei
            try:
                return self.reader(tei)
            except DatarefError as err:
                tei.unlink(missing_ok=True)  # a broken answer is not kept: a rerun asks again
                raise DatarefError(Errors.E013.format(path=item["path"], detail=err), item["path"]) from err
        if not _is_uri(source):
            return self.reader(item["path"])
        from ..readers.safe_xml import checked_bytes, max_bytes

        filesystem, path = _filesystem(source)
        limit = max_bytes()
        try:
            with filesystem.open_input_stream(path) as stream:
                data = stream.read(limit + 1)
        except OSError as err:
            raise DatarefError(Errors.E006.format(path=source, detail=err), source) from err
        return self.reader.read_data(checked_bytes(data, source, limit), source, source)

    def records(self, items: list[dict]) -> list[dict]:
        from ..output.results import doc_to_json

        done: dict[str, dict] = {}
        docs = []
        pdfs = [item for item in items if item["source"].lower().endswith(PDF_SUFFIXES)]
        # the batch's PDFs in flight at once, at most --concurrency of them per worker
        with ThreadPoolExecutor(max_workers=max(1, min(len(pdfs), self.concurrency))) as pool:
            teis = dict(zip((item["id"] for item in pdfs), pool.map(self._convert, pdfs), strict=True))
        for item in items:
            try:
                doc = self._read(item, teis.get(item["id"]))
            except Exception as err:  # a coded refusal, or a reader bug: this paper's error row, the rest go on
                done[item["id"]] = _error(item, err if isinstance(err, DatarefError) else DatarefError(
                    Errors.E015.format(path=item["path"], stage="the reader", detail=f"{type(err).__name__}: {err}"),
                    item["path"]))
                continue
            doc.user_data["dataref_id"] = item["id"]
            docs.append(doc)
        paths = {item["id"]: item["path"] for item in items}
        with self.nlp.memory_zone():
            try:
                for doc in self.nlp.pipe(docs):
                    key = doc.user_data["dataref_id"]
                    try:
                        done[key] = {"id": key, **doc_to_json(doc, paths[key])}
                    except Exception as err:
                        self.failures[key] = ("results", err)
            except Exception as err:  # a component without an error handler: its batch gets error rows
                for doc in docs:
                    self.failures.setdefault(doc.user_data["dataref_id"], ("the pipeline", err))
        for item in items:
            if item["id"] not in done:
                stage, failure = self.failures.pop(item["id"], ("the pipeline", RuntimeError("no result came back")))
                done[item["id"]] = _error(item, DatarefError(Errors.E015.format(
                    path=item["path"], stage=stage, detail=f"{type(failure).__name__}: {failure}"), item["path"]))
        return [done[item["id"]] for item in items]

    def __call__(self, batch):
        items = batch.select(["id", "path", "source"]).to_pylist()
        return table_of(self.records(items))


def _error(item: dict, err: DatarefError) -> dict:
    record = error_record(Path(item["path"]), err)
    record["id"], record["path"] = item["id"], item["path"]
    return record


# ---- the output folder ----------------------------------------------------------------------------

def _output(output_dir: PathLike):
    """(filesystem, path) of the output folder; a plain path is local."""
    from pyarrow import fs

    if _is_uri(output_dir):
        return _filesystem(str(output_dir))
    return fs.LocalFileSystem(), os.path.abspath(output_dir)


def prepare_output_dir(output_dir: PathLike, resume: bool) -> tuple[set[str], int]:
    """Check the output folder; with `resume`, the ids already done. Part files a killed run left unreadable
    are removed, and error rows taken out of their files (rewritten atomically) so those papers run again."""
    import pyarrow.parquet as pq
    from pyarrow import fs as pafs

    filesystem, root = _output(output_dir)
    info = filesystem.get_file_info(root)
    if info.type == pafs.FileType.File:
        raise DatarefError(Errors.E019.format(path=output_dir, detail="it is a file; --engine ray writes a folder"))
    if info.type == pafs.FileType.NotFound:
        return set(), 0
    parts = [e for e in filesystem.get_file_info(pafs.FileSelector(root, recursive=True))
             if e.type == pafs.FileType.File and not e.base_name.startswith((".", "_"))]
    if not parts:
        return set(), 0
    if not resume:
        raise DatarefError(Errors.E017.format(path=output_dir))
    done: set[str] = set()
    dropped = 0
    for part in parts:
        if not part.base_name.endswith(".parquet"):
            raise DatarefError(Errors.E044.format(path=part.path, detail="not a Parquet file in the output folder"))
        try:
            table = pq.read_table(part.path, filesystem=filesystem)
        except (OSError, ValueError):  # a part a kill cut short: its papers have no row, they run again
            filesystem.delete_file(part.path)
            dropped += 1
            continue
        if not {"id", "status"} <= set(table.column_names):
            raise DatarefError(Errors.E044.format(path=part.path, detail="it has no id and status columns"))
        statuses = table.column("status").to_pylist()
        ids = table.column("id").to_pylist()
        if "error" in statuses:
            kept = table.filter([s == "ok" for s in statuses])
            if isinstance(filesystem, pafs.LocalFileSystem):
                write_table(Path(part.path), kept)
            else:
                pq.write_table(kept, part.path, filesystem=filesystem)
        done.update(i for i, s in zip(ids, statuses, strict=True) if s == "ok")
    return done, dropped


def read_output(output_dir: PathLike) -> list[dict]:
    """Every record of an output folder, as the JSONL output would hold them."""
    import pyarrow.parquet as pq
    from pyarrow import fs as pafs

    from ..output.parquet import records_of

    filesystem, root = _output(output_dir)
    if isinstance(filesystem, pafs.LocalFileSystem):
        return read_records(Path(root))
    return records_of(pq.read_table(root, filesystem=filesystem))


# ---- running ---------------------------------------------------------------------------------------

def papers_dataset(items: list[dict], *, model: str = "en_dataref_sm", workers: int = 2,
                   cpus_per_worker: float = 1.0, batch_size: int = 4, grobid_urls: Iterable[str] = (),
                   tei_cache: str = "tei-cache", grobid_timeout: int = 180, grobid_concurrency: int = 4,
                   consolidate_citations: bool = False):
    """The Ray Dataset of result rows for these paper items (see `list_inputs`), for use in a Ray program."""
    import ray.data

    blocks = max(1, -(-len(items) // batch_size))  # one block per batch: each is written as soon as it is done
    dataset = ray.data.from_items([{k: item[k] for k in ("id", "path", "source")} for item in items],
                                  override_num_blocks=blocks)
    kwargs = {"model": model, "cwd": os.getcwd(), "grobid_urls": tuple(grobid_urls),
              "tei_cache": os.path.abspath(tei_cache), "grobid_timeout": grobid_timeout,
              "grobid_concurrency": grobid_concurrency, "consolidate_citations": consolidate_citations}
    # a fixed pool of `workers` actors (Ray's current API: `concurrency=` is deprecated for this)
    return dataset.map_batches(PaperBatch, fn_constructor_kwargs=kwargs, batch_size=batch_size,
                               batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=workers),
                               num_cpus=cpus_per_worker)


def extract_with_ray(inputs: Iterable[PathLike], output_dir: PathLike, *, model: str = "en_dataref_sm",
                     workers: int = 2, cpus_per_worker: float = 1.0, batch_size: int = 4,
                     address: Optional[str] = None, resume: bool = False, grobid_urls: Iterable[str] = (),
                     tei_cache: Optional[PathLike] = None, grobid_timeout: int = 180, grobid_concurrency: int = 4,
                     consolidate_citations: bool = False, init_kwargs: Optional[dict[str, Any]] = None) -> RaySummary:
    """Run the pipeline over the inputs on Ray, writing Parquet parts into `output_dir`; resumable."""
    try:
        import ray
    except ImportError as err:
        raise DatarefError(Errors.E046.format(detail=err)) from err
    require_pyarrow()
    if workers < 1 or cpus_per_worker <= 0 or batch_size < 1:
        raise DatarefError(Errors.E024.format(option="--engine ray", detail=f"--workers {workers}, "
                                              f"--cpus-per-worker {cpus_per_worker} and --batch-size {batch_size} "
                                              "must be positive"))
    from ..readers.safe_xml import max_bytes, max_chars

    max_bytes(), max_chars()  # a malformed limit is a refusal before any work
    start = time.perf_counter()
    summary = RaySummary()
    done, summary.dropped_parts = prepare_output_dir(output_dir, resume)
    items, summary.not_inputs = list_inputs(inputs)
    summary.skipped = sum(1 for item in items if item["id"] in done)
    items = [item for item in items if item["id"] not in done]
    started = False
    if not ray.is_initialized():
        options: dict[str, Any] = {"address": address, "include_dashboard": False, "log_to_driver": False}
        options.update(init_kwargs or {})
        ray.init(**options)
        started = True
    try:
        if items:
            before = set(_part_names(output_dir))
            cache = str(tei_cache) if tei_cache else os.path.join(
                os.path.dirname(os.path.abspath(output_dir)) if not _is_uri(output_dir) else ".", "tei-cache")
            papers_dataset(items, model=model, workers=workers, cpus_per_worker=cpus_per_worker,
                           batch_size=batch_size, grobid_urls=grobid_urls, tei_cache=cache,
                           grobid_timeout=grobid_timeout, grobid_concurrency=grobid_concurrency,
                           consolidate_citations=consolidate_citations).write_parquet(
                str(output_dir), ray_remote_args={"num_cpus": 0})  # writing waits for no CPU an actor holds
            _count(summary, output_dir, set(_part_names(output_dir)) - before)
    finally:
        if started:
            ray.shutdown()
    summary.seconds = time.perf_counter() - start
    return summary


def _part_names(output_dir: PathLike) -> list[str]:
    from pyarrow import fs as pafs

    filesystem, root = _output(output_dir)
    if filesystem.get_file_info(root).type != pafs.FileType.Directory:
        return []
    return [e.path for e in filesystem.get_file_info(pafs.FileSelector(root, recursive=True))
            if e.type == pafs.FileType.File and e.base_name.endswith(".parquet")]


def _count(summary: RaySummary, output_dir: PathLike, parts: set[str]) -> None:
    import pyarrow.parquet as pq

    filesystem, _ = _output(output_dir)
    for part in sorted(parts):
        for row in pq.read_table(part, filesystem=filesystem, columns=["status", "datasets"]).to_pylist():
            if row["status"] == "ok":
                summary.papers += 1
                summary.datasets += len(row["datasets"] or [])
                summary.linked += sum(1 for d in row["datasets"] or [] if d["linked"])
            else:
                summary.errors += 1


def main_ray(inputs: list[Path], output: Optional[Path], **options) -> RaySummary:
    """`dataref extract --engine ray`: the output must be a folder."""
    if output is None:
        raise DatarefError(Errors.E024.format(option="--engine ray", detail="it needs an output folder (-o out/)"))
    from .lock import OutputLock

    with OutputLock(output):  # one run per output folder, as for the local engine
        summary = extract_with_ray(inputs, output, **options)
    print(summary.line(str(output)), file=sys.stderr)
    return summary
