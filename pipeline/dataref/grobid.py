"""PDF → TEI through a GROBID server (grobid-client-python), cached by the PDF's content hash."""
import hashlib
import logging
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Union

from grobid_client.grobid_client import GrobidClient, ServerUnavailableException

from .errors import DatarefError, Errors

DEFAULT_URL = "http://localhost:8070"
GROBID_VERSION = "0.8.1"
SERVICE = "processFulltextDocument"


class _Client(GrobidClient):
    """The stock client, except a 503 comes back to us: it would retry forever at a fixed pace."""

    def _handle_server_busy_retry(self, file_path, retry_func, *args, **kwargs):
        return (file_path, 503, "GROBID server busy (503)")

    def _configure_logging(self) -> None:
        super()._configure_logging()
        # Our error records say what failed; the client's console log would repeat it.
        self.logger.setLevel(logging.CRITICAL)


@dataclass
class GrobidOptions:
    url: str = DEFAULT_URL
    timeout: int = 180
    concurrency: int = 4
    consolidate_citations: bool = False
    max_retries: int = 5
    backoff: float = 1.0  # seconds before the first retry; doubles each time

    @classmethod
    def from_env(cls, url: str = "", **kwargs) -> "GrobidOptions":
        return cls(url=url or os.environ.get("DATAREF_GROBID_URL", DEFAULT_URL), **kwargs)


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Grobid:
    """Sends PDFs to GROBID's full-text service; the TEI is kept in a cache folder."""

    def __init__(self, options: GrobidOptions, cache_dir: Path) -> None:
        self.options = options
        self.cache_dir = cache_dir
        self._client: Optional[GrobidClient] = None
        self._hashes: dict[Path, str] = {}

    def cached(self, pdf: Path) -> Path:
        """Where the PDF's TEI is cached; each PDF is hashed once per run, not at the check and again at sending."""
        if pdf not in self._hashes:
            self._hashes[pdf] = content_hash(pdf)
        return self.cache_dir / f"{self._hashes[pdf]}.tei.xml"

    def check(self) -> None:
        """Fail before any work when no server answers."""
        client = self.client()
        try:
            alive, _ = client.ping()
        except (ServerUnavailableException, OSError):
            alive = False
        if not alive:
            raise DatarefError(Errors.E008.format(url=self.options.url, version=GROBID_VERSION))

    def client(self) -> GrobidClient:
        if self._client is None:
            self._client = _Client(grobid_server=self.options.url, timeout=self.options.timeout,
                                   sleep_time=0, check_server=False)
        return self._client

    def to_tei(self, pdf: Path) -> Path:
        """The TEI for one PDF: from the cache, or from GROBID (retrying 503 with back-off)."""
        target = self.cached(pdf)
        if target.exists():
            return target
        delay = self.options.backoff
        for attempt in range(self.options.max_retries + 1):
            _, status, text = self.client().process_pdf(
                SERVICE, str(pdf), consolidate_header=False,
                consolidate_citations=self.options.consolidate_citations,
                include_raw_citations=True, segment_sentences=True)
            if status != 503 or attempt == self.options.max_retries:
                break
            time.sleep(delay)
            delay *= 2
        if status != 200 or not text:
            detail = f"HTTP {status}: {(text or '').strip()[:200]}"
            if "timed out" in (text or "").lower():  # the client reports a read timeout as a 400
                detail = f"no answer within the timeout of {self.options.timeout} s"
            raise DatarefError(Errors.E009.format(path=pdf, detail=detail), str(pdf))
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.part")
        partial.write_text(text, encoding="utf8")
        partial.replace(target)  # atomic: a kill never leaves half a TEI in the cache
        return target

    def convert_all(self, pdfs: list[Path]) -> Iterator[tuple[Path, Union[Path, Exception]]]:
        """Send every PDF now, several in flight; iterate (pdf, tei path or error) as they finish."""
        pool = ThreadPoolExecutor(max_workers=max(1, self.options.concurrency))
        futures: dict[Future, Path] = {pool.submit(self.to_tei, pdf): pdf for pdf in pdfs}

        def results() -> Iterator[tuple[Path, Union[Path, Exception]]]:
            try:
                for future in as_completed(futures):
                    try:
                        yield futures[future], future.result()
                    except DatarefError as err:
                        yield futures[future], err
            finally:
                pool.shutdown(wait=False, cancel_futures=True)

        return results()
