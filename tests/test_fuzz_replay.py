"""Replays what scripts/fuzz_reader.py saved (tests/fixtures/fuzz/crash-*.xml, hang-*.xml) through the reader
and the whole shipped pipeline: each input must now give a Doc or a coded refusal, within the fuzzer's budget.
Also runs the fuzzer itself on a few inputs, so the script keeps working."""
import json
import os
import random
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from dataref import PaperReader
from dataref.errors import DatarefError
from dataref.output.results import doc_to_json

ROOT = Path(__file__).resolve().parent.parent
SAVED = sorted((ROOT / "tests" / "fixtures" / "fuzz").glob("*.xml"))
BUDGET = 10.0  # the fuzzer's default per-input budget


@pytest.mark.parametrize("path", SAVED, ids=[p.name for p in SAVED])
def test_saved_fuzz_input_is_read_or_refused(shipped, path):
    reader = PaperReader(shipped)
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = reader(path.read_bytes())
        except DatarefError as err:
            assert err.code, f"refusal without a code: {err}"
            return
        doc = shipped(doc)
        json.dumps(doc_to_json(doc, path.name))
    assert time.monotonic() - started < BUDGET


def test_fuzzer_runs_clean_on_a_few_inputs(tmp_path):
    """A short run: the script starts, tries TEI and JATS mutants through the shipped pipeline, exits 0."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "fuzz_reader.py"), "--count", "12",
                             "--seeds-per-folder", "2", "--full-every", "4", "--seed", "7"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "pipeline")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "12 inputs tried" in result.stdout and "0 unhandled exceptions, 0 hangs" in result.stdout


def test_fuzzer_counts_a_slow_input_as_a_hang(monkeypatch):
    """The per-input budget: an input past it raises the fuzzer's Hang (not an Exception the package could
    swallow) and is reported where it was."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import fuzz_reader
    finally:
        sys.path.pop(0)
    signal.signal(signal.SIGALRM, fuzz_reader._alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    with pytest.raises(fuzz_reader.Hang):
        try:
            while True:
                time.sleep(0.01)
        except Exception:  # what a careless `except Exception` in the package would do
            pytest.fail("the hang was swallowed")
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    # mutations keep JATS seeds well-formed JATS most of the time
    rng = random.Random(3)
    seed = (ROOT / "tests" / "fixtures" / "tiny-article.jats.xml").read_bytes()
    kinds = [fuzz_reader.mutate(seed, rng)[0] for _ in range(40)]
    assert {"tree", "markup", "bytes"} <= set(kinds)
