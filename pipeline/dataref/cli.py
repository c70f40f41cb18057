"""The `dataref` command line: extract datasets and citations; convert training corpora."""
import os
from collections import Counter
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Find the datasets scientific papers use and the references they cite.")

DEFAULT_MODEL = "en_dataref_sm"


@app.callback()
def _group() -> None:
    """Keep `dataref` a group of commands."""


@app.command()
def convert(
    corpora: Path = typer.Argument(Path(os.environ.get("DATAREF_CORPORA", "../shared/corpora")),
                                   help="Folder holding scier/, dataset-sentences/, gsap-ner/"),
    output: Path = typer.Argument(Path("corpus"), help="Where the .spacy files go"),
) -> None:
    """Convert the annotated corpora into spaCy DocBin files with label DATASET."""
    import spacy

    from . import convert as conv

    nlp = spacy.blank("en")
    jobs = []
    scier = corpora / "scier"
    if scier.exists():
        for split in ("train", "dev"):
            jobs.append((f"{split}/scier.spacy", lambda st, s=split: conv.scier_docs(
                scier / f"{s}.jsonl", nlp, {"Dataset": conv.LABEL}, st)))
    sentences = corpora / "dataset-sentences" / "sentences.json"
    if sentences.exists():
        for split in ("train", "dev"):
            jobs.append((f"{split}/sentences.spacy", lambda st, s=split: (
                d for d in conv.sentence_docs(sentences, nlp, st) if conv.stable_split(d.text) == s)))
    gsap = corpora / "gsap-ner"
    if gsap.exists():
        for split in ("train", "dev", "test"):
            papers = conv.gsap_split(gsap / "10-fold-publication-filenames.json", split)
            jobs.append((f"{split}/gsap.spacy", lambda st, p=papers: conv.gsap_docs(
                gsap / "gsap_ner_documents.jsonl", p, nlp, st)))
    if not jobs:
        typer.echo(f"No corpus found under {corpora}; set DATAREF_CORPORA.", err=True)
        raise typer.Exit(1)
    for name, make in jobs:
        stats: Counter = Counter()
        count = conv.write_docbin(make(stats), output / name)
        typer.echo(f"{name}: {count} docs, {stats['placed']} DATASET mentions placed, "
                   f"{stats['unplaced']} not placed, {stats['generic']} generic (missing), "
                   f"{stats['overlapping']} overlapping dropped")


@app.command()
def extract(
    inputs: list[Path] = typer.Argument(..., help="TEI XML files or folders of them"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="JSONL file (default: stdout)"),
    model: str = typer.Option(DEFAULT_MODEL, "--model", "-m", help="Pipeline name or path"),
    resume: bool = typer.Option(False, "--resume", help="Skip papers already in the output"),
    n_process: int = typer.Option(1, "--n-process", help="Processes for the spaCy pipeline"),
    text: bool = typer.Option(False, "--text", help="Print a readable listing instead of JSONL"),
) -> None:
    """Find each paper's datasets and the bibliography entries they cite."""
    from .extract import run_extract

    summary = run_extract(inputs, output, model=model, resume=resume, n_process=n_process,
                          readable_text=text)
    typer.echo(summary.line(output), err=True)
    if summary.papers == 0 and (summary.errors or not summary.skipped):
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
