"""A stand-in GROBID server for tests and benchmarks (GROBID itself cannot run here).

It answers GROBID's `/api/isalive` and `/api/processFulltextDocument` on 127.0.0.1.
A "PDF" sent to it is a small file whose content names the stored TEI to return
and how to behave: `%PDF-1.4 dataref-stub: tei=NAME; mode=MODE`, MODE being
`ok`, `busy2` (503 twice, then ok), `busy` (503 always), `error` (500),
`hang` (no answer for a long time) or `broken` (truncated XML).
"""
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional

_DIRECTIVE = re.compile(rb"dataref-stub: tei=([\w.\-]+); mode=(\w+)")


def fake_pdf(tei_name: str, mode: str = "ok", salt: str = "") -> bytes:
    """The bytes of a stand-in PDF; `salt` makes its content hash unique."""
    return f"%PDF-1.4\n% dataref-stub: tei={tei_name}; mode={mode}\n% {salt}\n%%EOF\n".encode()


class StubGrobid:
    """Start with `with StubGrobid(tei_dir) as server:`; `server.url` is its address."""

    def __init__(self, tei_dir: Path, delay: float = 0.0, hang_seconds: float = 30.0) -> None:
        self.tei = {p.name: p.read_bytes() for p in sorted(Path(tei_dir).glob("*.xml"))}
        self.delay = delay
        self.hang_seconds = hang_seconds
        self.requests: Counter = Counter()
        self.last_form: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "StubGrobid":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/api/isalive":
                    self._send(200, b"true", "text/plain")
                else:
                    self._send(404, b"not found", "text/plain")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.rstrip("/") != "/api/processFulltextDocument":
                    return self._send(404, b"not found", "text/plain")
                status, payload = stub.answer(body)
                if status:
                    self._send(status, payload, "application/xml")

            def _send(self, status: int, payload: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, body: bytes) -> tuple[int, bytes]:
        """Status and payload for one request (status 0: hang, send nothing)."""
        self.last_form = {name.decode(): value.decode() for name, value in
                          re.findall(rb'name="(\w+)"\r\n\r\n([^\r]*)\r\n', body)}
        match = _DIRECTIVE.search(body)
        if not match:
            return 500, b"[NO_BLOCKS] PDF parsing failed: not a PDF document"
        name, mode = match.group(1).decode(), match.group(2).decode()
        with self._lock:
            self.requests[name, mode] += 1
            count = self.requests[name, mode]
        if self.delay:
            time.sleep(self.delay)
        if mode == "busy" or (mode.startswith("busy") and count <= int(mode[4:] or 0)):
            return 503, b"busy"
        if mode == "error":
            return 500, b"[BAD_INPUT_DATA] cannot process the document"
        if mode == "hang":
            time.sleep(self.hang_seconds)
            return 0, b""
        tei = self.tei.get(name)
        if tei is None:
            return 500, f"no stored TEI named {name}".encode()
        return 200, tei[: len(tei) // 3] if mode == "broken" else tei
