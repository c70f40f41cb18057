"""Store a spaCy pipeline's transformer weights in fp16: about half the size on disk and in the wheel.

    python scripts/trf_half.py training/en_dataref_trf                  # in place
    python scripts/trf_half.py training/ner_trf/model-best --output /tmp/half
    python scripts/trf_half.py training/ner_trf/model-best -o /tmp/half --check corpus/dev/scier.spacy

spacy-transformers saves each `transformer` component as one msgpack file (`<component>/model`) that holds
the torch state dict as `torch.save` bytes. This rewrites those bytes with every fp32 matrix (embeddings and
weights: all but 0.1% of the bytes) in fp16, and touches nothing else; biases and layer norms stay fp32, which
halves the largest change of the outputs (all-MiniLM-L6-v2 after 2 steps: 4.4e-3 with every tensor in fp16, 2.0e-3 so).
Loading needs no code change: spacy-transformers builds the model in fp32 from its config and
`load_state_dict` copies the fp16 values into the fp32 parameters (rounding error about 5e-4 relative). A
matrix that fp16 cannot hold (|x| > 65504) stays fp32.
`--check DOCS` runs the pipeline before and after on the first 50 texts of a DocBin and fails when the
transformer's outputs move by 1e-2 or more (it prints how many entity sets changed). It compares the states
of the wordpieces that spaCy's tokens align to, which the ner reads; those of [CLS], [SEP] and padding move
more (up to 3e-2 measured) and nothing reads them.
"""
import shutil
from collections import OrderedDict
from io import BytesIO
from itertools import islice
from pathlib import Path
from typing import Mapping

import numpy
import spacy
import srsly
import torch
import typer
from spacy import util
from spacy.tokens import Doc, DocBin

TOLERANCE = 1e-2

app = typer.Typer(add_completion=False)


def transformer_dirs(pipeline: Path) -> list[Path]:
    """The folders of the pipeline's components made by the `transformer` factory."""
    config = util.load_config(pipeline / "config.cfg", interpolate=False)
    return [pipeline / name for name, component in config["components"].items()
            if component.get("factory") == "transformer"]


def half_tensors(tensors: Mapping[str, torch.Tensor]) -> tuple[OrderedDict[str, torch.Tensor], int]:
    """The fp32 matrices in fp16 where they stay finite (norms, biases and other dtypes as they are), and how many
    changed: the one rule for the shipped wheel (`halve`) and the weights carried to a GPU (`gpu_trf.py`)."""
    halved: OrderedDict[str, torch.Tensor] = OrderedDict()
    changed = 0
    for name, tensor in tensors.items():
        half = tensor.half() if tensor.dtype == torch.float32 and tensor.dim() >= 2 else tensor
        fits = bool(torch.isfinite(half).all()) or not bool(torch.isfinite(tensor).all())
        halved[name] = half if fits else tensor
        changed += halved[name] is not tensor
    return halved, changed


def half_state_dict(state: bytes) -> tuple[bytes, int]:
    """`torch.save` bytes of a state dict with its fp32 matrices in fp16, and how many tensors changed."""
    tensors = torch.load(BytesIO(state), map_location="cpu", weights_only=True)
    halved, changed = half_tensors(tensors)
    if hasattr(tensors, "_metadata"):  # per-module versions that load_state_dict reads
        halved._metadata = tensors._metadata  # type: ignore[attr-defined]
    buffer = BytesIO()
    torch.save(halved, buffer)
    return buffer.getvalue(), changed


def half_model_file(path: Path) -> int:
    """Rewrite one thinc model file in place with its transformer weights in fp16; returns tensors changed."""
    msg = srsly.msgpack_loads(path.read_bytes())
    changed = 0
    for node_shims in msg["shims"]:
        for i, shim_bytes in enumerate(node_shims):
            shim = srsly.msgpack_loads(shim_bytes)
            if isinstance(shim, dict) and shim.get("state"):
                shim["state"], count = half_state_dict(shim["state"])
                node_shims[i] = srsly.msgpack_dumps(shim)
                changed += count
    if changed:
        path.write_bytes(srsly.msgpack_dumps(msg))
    return changed


def halve(pipeline: Path, output: Path | None = None) -> Path:
    """Halve every transformer of the pipeline at `pipeline` (in place, or in a copy at `output`)."""
    if output is not None:
        shutil.copytree(pipeline, output, dirs_exist_ok=False)
        pipeline = output
    folders = transformer_dirs(pipeline)
    if not folders:
        raise SystemExit(f"{pipeline} has no transformer component")
    for folder in folders:
        before = (folder / "model").stat().st_size
        changed = half_model_file(folder / "model")
        after = (folder / "model").stat().st_size
        print(f"{folder}: {changed} tensors to fp16, {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB")
    return pipeline


def used_states(doc: Doc) -> numpy.ndarray:
    """The transformer's last hidden states at the wordpieces aligned to the doc's tokens (what ner reads)."""
    states = numpy.asarray(doc._.trf_data.tensors[0])
    return states.reshape(-1, states.shape[-1])[numpy.asarray(doc._.trf_data.align.data).ravel()]


def outputs(pipeline: Path, texts: list[str]) -> tuple[list[set], list[numpy.ndarray]]:
    """The entities and the used transformer states of the pipeline on `texts`."""
    nlp = spacy.load(pipeline)
    wanted = {"ner", *(folder.name for folder in transformer_dirs(pipeline))}
    with nlp.select_pipes(enable=[name for name in nlp.pipe_names if name in wanted]):
        docs = list(nlp.pipe(texts))
    return [{(e.start_char, e.end_char, e.label_) for e in doc.ents} for doc in docs], [used_states(d) for d in docs]


def compare(before: tuple[list[set], list[numpy.ndarray]], after: tuple[list[set], list[numpy.ndarray]]) -> float:
    """Print how far the halved pipeline's outputs are from the original's; returns the largest difference."""
    changed = sum(a != b for a, b in zip(before[0], after[0], strict=True))
    largest = max(float(numpy.abs(a - b).max()) for a, b in zip(before[1], after[1], strict=True))
    print(f"entity sets that differ: {changed} of {len(before[0])}; transformer output max abs difference "
          f"{largest:.2e}")
    return largest


@app.command()
def main(pipeline: Path,
         output: Path | None = typer.Option(None, "--output", "-o", help="write a halved copy here instead"),
         check: Path | None = typer.Option(None, help="a DocBin: outputs before and after on its first 50 texts")
         ) -> None:
    """Store the pipeline's transformer weights in fp16."""
    if check is None:
        halve(pipeline, output)
        return
    nlp = spacy.blank("en")
    texts = [doc.text for doc in islice(DocBin().from_disk(check).get_docs(nlp.vocab), 50)]
    before = outputs(pipeline, texts)
    if compare(before, outputs(halve(pipeline, output), texts)) >= TOLERANCE:
        raise SystemExit(f"the halved transformer's outputs moved by {TOLERANCE} or more")


if __name__ == "__main__":
    app()
