"""PDF → TEI through a GROBID server's REST API, cached by the PDF's content hash.

requests with urllib3's `Retry` does what grobid-client-python's `process_pdf` does for one PDF, plus a
bounded exponential back-off on 503 (the client retries a busy server forever at a fixed pace, and
changing that meant overriding its private methods)."""
import hashlib
import os
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Union

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..errors import DatarefError, Errors

DEFAULT_URL = "http://localhost:8070"
GROBID_VERSION = "0.8.1"
SERVICE = "processFulltextDocument"


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
        self._session: Optional[requests.Session] = None
        self._hashes: dict[Path, str] = {}

    def cached(self, pdf: Path) -> Path:
        """Where the PDF's TEI is cached; each PDF is hashed once per run, not at the check and again at sending."""
        if pdf not in self._hashes:
            self._hashes[pdf] = content_hash(pdf)
        return self.cache_dir / f"{self._hashes[pdf]}.tei.xml"

    def check(self) -> None:
        """Fail before any work when no server answers."""
        try:
            alive = self.session().get(f"{self.options.url}/api/isalive", timeout=10).ok
        except requests.RequestException:
            alive = False
        if not alive:
            raise DatarefError(Errors.E008.format(url=self.options.url, version=GROBID_VERSION))

    def session(self) -> requests.Session:
        if self._session is None:
            # 503 = busy: retried after 1 s, 2 s, 4 s … (backoff doubling), then reported
            retry = Retry(total=self.options.max_retries, connect=0, read=False, status_forcelist=[503],
                          allowed_methods=None, backoff_factor=self.options.backoff,
                          respect_retry_after_header=False, raise_on_status=False)
            session = requests.Session()
            adapter = HTTPAdapter(max_retries=retry, pool_maxsize=max(4, self.options.concurrency))
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._session = session
        return self._session

    def to_tei(self, pdf: Path) -> Path:
        """The TEI for one PDF: from the cache, or from GROBID (retrying 503 with back-off)."""
        target = self.cached(pdf)
        if target.exists():
            return target
        form = {"includeRawCitations": "1", "segmentSentences": "1"}
        if self.options.consolidate_citations:
            form["consolidateCitations"] = "1"
        try:
            with pdf.open("rb") as handle:
                answer = self.session().post(f"{self.options.url}/api/{SERVICE}", data=form,
                                             files={"input": (pdf.name, handle, "application/pdf")},
                                             timeout=self.options.timeout)
            status, text = answer.status_code, answer.text
        except requests.Timeout:
            raise DatarefError(Errors.E009.format(
                path=pdf, detail=f"no answer within the timeout of {self.options.timeout} s"), str(pdf)) from None
        except (requests.RequestException, OSError) as err:
            raise DatarefError(Errors.E009.format(path=pdf, detail=err), str(pdf)) from err
        if status != 200 or not text:
            raise DatarefError(Errors.E009.format(path=pdf, detail=f"HTTP {status}: {(text or '').strip()[:200]}"),
                               str(pdf))
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
