"""Papers read in worker processes that the parent can stop: the per-paper time budget and a prompt stop.

A Python signal handler runs only between bytecodes, so a paper stuck in compiled code (a matcher over a
long run of tokens) would hold a timer or a SIGTERM back for minutes. The pipeline therefore never runs in
the process that keeps the output: it is loaded once there and forked into workers (copy-on-write), each
reading, annotating and serialising one paper at a time and sending back its record. The parent only waits,
writes lines and watches the clock: a worker past the budget is killed, its paper gets an error record (E021)
naming the stage it was in, a fresh worker is forked, and the run goes on; Ctrl-C or SIGTERM kill the workers
at once."""
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Iterator, Optional, Union

from ..errors import DatarefError, Errors
from ..readers.paper import is_paper_file

DEFAULT_PAPER_TIMEOUT = 120.0  # seconds per paper; env DATAREF_PAPER_TIMEOUT, option --paper-timeout
TICK = 0.2  # how often the parent looks at the clock while workers run

# A job: (the input as given, what to read: the same path, the TEI GROBID made of a PDF, or the error that
# kept the PDF from being converted)
Job = tuple[Path, Union[Path, Exception]]


def paper_timeout(value: Optional[float] = None) -> float:
    """The budget per paper in seconds: the option's value, else DATAREF_PAPER_TIMEOUT, else 120; a value
    that is not a positive number is a refusal naming where it came from."""
    name = "--paper-timeout"
    if value is None:
        raw = os.environ.get("DATAREF_PAPER_TIMEOUT")
        if raw is None:
            return DEFAULT_PAPER_TIMEOUT
        name = "DATAREF_PAPER_TIMEOUT"
        try:
            value = float(raw)
        except ValueError:
            value = 0.0
    if not value > 0 or value == float("inf"):
        shown_value = os.environ.get("DATAREF_PAPER_TIMEOUT") if name != "--paper-timeout" else f"{value:g}"
        raise DatarefError(Errors.E024.format(option=name, detail=f"{shown_value!s} is not a number of seconds "
                                              "above 0 (the time budget per paper)"))
    return float(value)


def _child_setup() -> None:
    """In each worker: Ctrl-C is the parent's to handle, SIGTERM ends it quietly, and it dies with its parent
    (even after kill -9 of the parent)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: workers still stop when the parent closes their pipes
    torch = sys.modules.get("torch")  # a transformer pipeline: OpenMP's thread pool does not survive fork
    if torch is not None:
        torch.set_num_threads(1)


def process_paper(nlp, reader, path: Path, source: Union[Path, Exception],
                  on_stage: Callable[[str], None] = lambda stage: None) -> dict:
    """One paper's record (results, or an error record): read, every component in turn, serialised; the
    strings the paper adds to the vocabulary are freed afterwards."""
    from ..output.results import doc_to_json
    from .extract import error_record, paper_id, shown

    if isinstance(source, Exception):
        return error_record(path, source)
    if not is_paper_file(path.name):
        return error_record(path, DatarefError(Errors.E010.format(path=shown(path)), str(path)))

    def failed(stage: str, err: Exception) -> dict:
        return error_record(path, DatarefError(Errors.E015.format(path=shown(path), stage=stage,
                                                                  detail=f"{type(err).__name__}: {err}"), str(path)))

    with nlp.memory_zone():
        on_stage("reading")
        try:
            doc = reader(source)
        except DatarefError as err:
            if source != path:  # GROBID's TEI of a PDF: a broken answer is not kept, a rerun asks again
                Path(source).unlink(missing_ok=True)
                err = DatarefError(Errors.E013.format(path=path, detail=err), str(path))
            return error_record(path, err)
        except Exception as err:  # a reader's slip on one odd file must not stop the others
            return failed("reading", err)
        for name, component in nlp.pipeline:
            on_stage(name)
            try:
                doc = component(doc)
            except Exception as err:
                return failed(name, err)
        on_stage("results")
        try:
            return {"id": paper_id(path), **doc_to_json(doc, shown(path))}
        except Exception as err:
            return failed("results", err)


def _serve(conn: Connection, nlp, reader) -> None:
    """A worker's loop: a job in, stage names while it runs, its record out; None or a closed pipe ends it."""
    _child_setup()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        number, path, source = job
        def report_stage(stage: str, number: int = number) -> None:
            conn.send(("stage", number, stage))

        record = process_paper(nlp, reader, path, source, report_stage)
        conn.send(("done", number, record))


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    job: Optional[tuple[int, Path]] = None
    started: float = 0.0
    stage: str = "reading"


class WorkerPool:
    """`n` forked workers, each running one paper at a time under the time budget."""

    def __init__(self, nlp, reader, n: int, timeout: float) -> None:
        self.nlp, self.reader, self.timeout = nlp, reader, timeout
        self.context = multiprocessing.get_context("fork")  # the loaded pipeline is shared, not loaded again
        self.workers = [self._start() for _ in range(n)]

    def _start(self) -> _Worker:
        mine, theirs = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(theirs, self.nlp, self.reader), daemon=True,
                                       name="dataref-worker")
        process.start()
        theirs.close()
        return _Worker(process, mine)

    def _replace(self, worker: _Worker) -> None:
        self._stop(worker)
        self.workers[self.workers.index(worker)] = self._start()

    @staticmethod
    def _stop(worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(2)
        worker.conn.close()

    def close(self) -> None:
        """Stop every worker now (a finished run's workers are idle; an interrupted run's are not waited for)."""
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.kill()
        for worker in self.workers:
            worker.process.join(2)
            worker.conn.close()

    def run(self, jobs: Iterator[Optional[Job]]) -> Iterator[tuple[Path, dict]]:
        """(path, record) for every job, in the order they finish. `jobs` yields None while no job is ready yet
        (PDFs still at GROBID) and ends when there are no more."""
        from .extract import error_record, shown

        count = 0
        exhausted = False
        while True:
            for position in range(len(self.workers)):
                worker = self.workers[position]
                if worker.job is not None or exhausted:
                    continue
                try:
                    job = next(jobs)
                except StopIteration:
                    exhausted = True
                    break
                if job is None:  # nothing ready yet
                    break
                path, source = job
                count += 1
                try:
                    worker.conn.send((count, path, source))
                except OSError:  # it died while idle (killed from outside): the paper goes to a fresh one
                    self._replace(worker)
                    worker = self.workers[position]
                    worker.conn.send((count, path, source))
                worker.job, worker.started, worker.stage = (count, path), time.monotonic(), "reading"
            busy = [w for w in self.workers if w.job is not None]
            if not busy:
                if exhausted:
                    return
                time.sleep(TICK)
                continue
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=TICK)
            for worker in busy:
                number, path = worker.job  # type: ignore[misc]
                try:
                    while worker.conn.poll():
                        kind, done, payload = worker.conn.recv()
                        if done != number:
                            continue
                        if kind == "stage":
                            worker.stage = payload
                        else:
                            worker.job = None
                            yield path, payload
                            break
                except (EOFError, OSError):
                    pass
                if worker.job is None:
                    continue
                spent = time.monotonic() - worker.started
                if spent > self.timeout:
                    stage = worker.stage
                    self._replace(worker)
                    yield path, error_record(path, DatarefError(Errors.E021.format(
                        path=shown(path), seconds=f"{self.timeout:g}", stage=stage), str(path)))
                elif not worker.process.is_alive():
                    stage = worker.stage
                    code = worker.process.exitcode
                    self._replace(worker)
                    why = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
                    yield path, error_record(path, DatarefError(Errors.E015.format(
                        path=shown(path), stage=stage, detail=f"the worker process ended ({why}), e.g. out of "
                                                              "memory"), str(path)))


def job_stream(paths: list[Path], pdfs: list[Path], convert) -> Iterator[Optional[Job]]:
    """Jobs for the papers in order, then each PDF's TEI as GROBID finishes it; None while a PDF is still on its
    way. The PDFs go to GROBID at once, on a thread, so that the server works while the workers read papers."""
    ready: "queue.Queue[object]" = queue.Queue()
    end = object()

    def feed() -> None:
        try:
            for pdf, tei in convert(pdfs):
                ready.put((pdf, tei))
        finally:
            ready.put(end)

    if pdfs:
        threading.Thread(target=feed, daemon=True, name="dataref-grobid").start()

    def jobs() -> Iterator[Optional[Job]]:
        for path in paths:
            yield path, path
        while pdfs:
            try:
                item = ready.get_nowait()
            except queue.Empty:
                yield None
                continue
            if item is end:
                return
            yield item  # type: ignore[misc]

    return jobs()
