"""Time linear in the input: a real paper with n, then 2n, hostile items appended (tests/hostile.py); each stage's
time at 2n over its time at n stays about 2 (near 4 is a pairwise loop). Ratios within one run, not absolute
times; stages too fast to measure at 2n (under MIN_SECONDS) are not judged."""
import time
import warnings

import pytest
import spacy

from dataref import PaperReader
from dataref.output.results import doc_to_json
from dataref.pipes.windows import window_pipes

from .hostile import hostile_tei

MAX_RATIO = 2.6
MIN_SECONDS = 0.5
REPEATS = 3  # each size's time is the best of three: other work on the machine only ever adds time
SIZES = {"numbers": 5_000, "markers": 5_000, "names": 1_000, "capitals": 15_000}


@pytest.fixture(scope="module")
def pipeline():
    try:
        return window_pipes(spacy.load("en_dataref_sm"))
    except OSError:
        pytest.fail("en_dataref_sm is not installed: run the README's install command")


def stage_seconds(nlp, data: bytes) -> dict[str, float]:
    times = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        doc = PaperReader(nlp)(data)
        times["read"] = time.perf_counter() - start
        for name, component in nlp.pipeline:
            start = time.perf_counter()
            doc = component(doc)
            times[name] = time.perf_counter() - start
        start = time.perf_counter()
        doc_to_json(doc)
        times["results"] = time.perf_counter() - start
    return times


def best_of(nlp, data: bytes) -> dict[str, float]:
    runs = [stage_seconds(nlp, data) for _ in range(REPEATS)]
    return {stage: min(run[stage] for run in runs) for stage in runs[0]}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(SIZES))
def test_time_grows_linearly(pipeline, kind):
    n = SIZES[kind]
    stage_seconds(pipeline, hostile_tei(kind, n // 10))  # warm up (first calls compile regexes, fill caches)
    small = best_of(pipeline, hostile_tei(kind, n))
    large = best_of(pipeline, hostile_tei(kind, 2 * n))
    ratios = {stage: large[stage] / small[stage] for stage in large
              if large[stage] >= MIN_SECONDS and small.get(stage)}
    assert all(r <= MAX_RATIO for r in ratios.values()), (kind, {s: round(r, 2) for s, r in ratios.items()})


def test_windows_cover_the_doc_in_parts_of_at_most_max_chars():
    from dataref.pipes.windows import windows

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp("This is one. " * 50 + "x " * 300 + "End here. Another one.")
    parts = list(windows(doc, 100))
    assert parts[0][0] == 0 and parts[-1][1] == len(doc)
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:], strict=False))
    assert all(doc[b - 1].idx + len(doc[b - 1]) - doc[a].idx <= 100 for a, b in parts)


def test_entry_index_finds_what_comparing_every_entry_finds():
    from dataref.linking.rules import EntryIndex, names_dataset

    bibliography = {
        "b0": {"title": "ImageNet: a large-scale hierarchical image database"},
        "b1": {"title": "Microsoft COCO: common objects in context"},
        "b2": {"title": "Labeled faces in the wild: a database", "venue": "Tech report"},
        "b3": {"title": "The Set12 data set of things", "url": "https://example.org/set12"},
        "b4": {"title": "Deep residual learning"},
    }
    index = EntryIndex(bibliography)
    for names in (["ImageNet"], ["MS COCO"], ["LFW"], ["Set12"], ["Set12 dataset"], ["ResNet"], ["imagenetlarge"],
                  ["the data"], ["Labeled Faces in the Wild"]):
        assert index.naming(names) == [k for k, e in bibliography.items() if names_dataset(names, e)], names
