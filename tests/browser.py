"""Headless Chromium for the report tests: the DOM after load and screenshots (the `chromium` binary), and
clicks through chromedriver's WebDriver HTTP API (no selenium)."""
import base64
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, Optional

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)
CHROMEDRIVER = shutil.which("chromedriver")
NO_CHROMIUM = ("headless Chromium not found (install Debian's `chromium` and `chromium-driver`: "
               "apt-get install -y chromium chromium-driver)")


def flags(profile: Path) -> list[str]:
    found = ["--headless", "--disable-gpu", "--no-first-run", "--disable-extensions", "--hide-scrollbars",
             "--disable-background-networking", f"--user-data-dir={profile}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        found.append("--no-sandbox")  # Chromium will not start its sandbox as root (CI containers)
    return found


def dump_dom(page: Path, profile: Path) -> str:
    """The page's DOM after load, scripts run, as Chromium serialises it."""
    assert CHROMIUM
    done = subprocess.run([CHROMIUM, *flags(profile), "--dump-dom", page.resolve().as_uri()],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


def screenshot(page: Path, png: Path, profile: Path, size: tuple[int, int] = (1200, 1400)) -> Path:
    assert CHROMIUM
    done = subprocess.run([CHROMIUM, *flags(profile), f"--screenshot={png}", f"--window-size={size[0]},{size[1]}",
                           page.resolve().as_uri()], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and png.exists(), done.stderr[-2000:]
    return png


class WebDriver:
    """A chromedriver session: open a page, click, run a script, take a screenshot."""

    def __init__(self, profile: Path) -> None:
        assert CHROMEDRIVER
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen([CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if self._call("GET", "/status")["ready"]:
                    break
            except OSError:
                time.sleep(0.05)
        options: dict[str, Any] = {"args": flags(profile) + ["--window-size=1200,900"]}
        if CHROMIUM:
            options["binary"] = CHROMIUM
        try:
            self.session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": {
                "goog:chromeOptions": options}}})["sessionId"]
        except BaseException:
            self.process.terminate()
            raise

    def _call(self, method: str, path: str, body: Optional[dict] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())["value"]

    def _session(self, method: str, path: str, body: Optional[dict] = None) -> Any:
        return self._call(method, f"/session/{self.session}{path}", body)

    def open(self, page: Path) -> None:
        self._session("POST", "/url", {"url": page.resolve().as_uri()})

    def run(self, script: str, *args: Any) -> Any:
        return self._session("POST", "/execute/sync", {"script": script, "args": list(args)})

    def click(self, css: str) -> None:
        element = self._session("POST", "/element", {"using": "css selector", "value": css})
        self._session("POST", f"/element/{next(iter(element.values()))}/click", {})

    def screenshot(self, png: Path) -> Path:
        png.write_bytes(base64.b64decode(self._session("GET", "/screenshot")))
        return png

    def close(self) -> None:
        try:
            self._session("DELETE", "")
        finally:
            self.process.terminate()
            self.process.wait(timeout=10)

    def __enter__(self) -> "WebDriver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
