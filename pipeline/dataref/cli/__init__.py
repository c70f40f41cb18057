"""The `dataref` command line: extract datasets and citations; convert training corpora."""
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]},
                  help="Find the datasets scientific papers use and the references they cite.")

DEFAULT_MODEL = "en_dataref_sm"


def _warnings_as_sentences() -> None:
    """dataref's own warnings ([W0..]) are printed as the sentences they are, without Python's file:line prefix."""
    import warnings

    original = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if str(message).startswith("[W0"):
            typer.echo(str(message), err=True)
        else:
            original(message, category, filename, lineno, file, line)

    warnings.showwarning = show


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"dataref {__version__}")
        raise typer.Exit()


@app.callback()
def _group(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                        help="Print the version and exit.")) -> None:
    """Keep `dataref` a group of commands."""


@app.command()
def convert(
    output: Path = typer.Argument(Path("corpus"), help="Where the .spacy files go"),
    corpora: Path = typer.Option(Path(os.environ.get("DATAREF_CORPORA", "../shared/corpora")), "--corpora",
                                 help="Folder holding scier/, dataset-sentences/, gsap-ner/, scirex/, scinlp/, "
                                      "tdmsci/, "
                                      "somesci/, grobid-tei-bulk/, ml-tei/, pwc-datasets/ "
                                      "(env DATAREF_CORPORA)"),
    held_out: Path = typer.Option(Path("corpus/gold/links.jsonl"), "--held-out",
                                  help="Gold-set papers kept out of the silver negatives"),
) -> None:
    """Convert the annotated corpora into spaCy DocBin files with label DATASET."""
    import spacy

    from ..training import convert as conv

    nlp = spacy.blank("en")
    jobs: list[tuple[str, Callable[..., Iterable]]] = []
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
    pwc = corpora / "pwc-datasets" / "pwc_datasets.json"
    known = conv.known_dataset_names(pwc) if pwc.exists() else set()
    scirex = corpora / "scirex" / "train.jsonl"
    if scirex.exists():
        for split in ("train", "dev"):
            jobs.append((f"{split}/scirex.spacy", lambda st, s=split: conv.scirex_docs(scirex, nlp, st, known, s)))
    scinlp = corpora / "scinlp" / "train.json"
    if scinlp.exists():
        for split in ("train", "dev"):
            jobs.append((f"{split}/scinlp.spacy", lambda st, s=split: conv.scinlp_docs(scinlp, nlp, st, s)))
    tdmsci = corpora / "tdmsci" / "train_1500_v2.conll"
    if tdmsci.exists():
        for split in ("train", "dev"):
            jobs.append((f"{split}/tdmsci.spacy", lambda st, s=split: conv.tdmsci_docs(tdmsci, nlp, st, s)))
    senter = spacy.blank("en")
    senter.add_pipe("sentencizer", config={"overwrite": False})
    if (corpora / "somesci").exists():
        jobs.append(("train/somesci-negatives.spacy", lambda st: conv.somesci_docs(corpora / "somesci", senter, st)))
    gold = conv.gold_papers(held_out)
    bulk = corpora / "grobid-tei-bulk"
    if bulk.exists():
        files = conv.unlabelled_files(bulk, gold)
        jobs.append(("train/bio-negatives.spacy", lambda st: conv.silver_negative_docs(files, senter, st)))
    ml = corpora / "ml-tei"
    if ml.exists():
        ml_files = conv.unlabelled_files(ml, gold)[::2]  # the other half is left to distillation (scripts/silver.py)
        jobs.append(("train/ml-negatives.spacy", lambda st: conv.silver_negative_docs(
            ml_files, senter, st, per_paper=4, known=known, headings=True)))
    if not jobs:
        typer.echo(f"No corpus found under {corpora}; set DATAREF_CORPORA.", err=True)
        raise typer.Exit(1)
    for name, make in jobs:
        stats: Counter = Counter()
        count = conv.write_docbin(make(stats), output / name)
        typer.echo(f"{name}: {count} docs, {stats['placed']} DATASET mentions placed, "
                   f"{stats['unplaced']} not placed, {stats['generic']} generic (missing), "
                   f"{stats['overlapping']} overlapping dropped")


kb_app = typer.Typer(add_completion=False, no_args_is_help=True, help="The known-datasets table.")
app.add_typer(kb_app, name="kb")


@kb_app.command("build")
def kb_build(
    output: Path = typer.Argument(Path("corpus/kb/datasets.jsonl"), help="The compact table (JSON lines)"),
    source: Optional[Path] = typer.Option(None, "--source", help="Papers with Code datasets.json (default: "
                                          "pwc-datasets/pwc_datasets.json under DATAREF_CORPORA)"),
    rc: Optional[Path] = typer.Option(None, "--rc", help="Rich Context datasets.json, the second table (default: "
                                      "rc-datasets/datasets.json under DATAREF_CORPORA, when present)"),
    registry: bool = typer.Option(True, "--registry/--no-registry", help="Add bioregistry's databases and "
                                  "registries as the third table"),
) -> None:
    """Build the known-datasets table the dataref_dataset_kb component loads in initialize()."""
    from ..pipes.kb import build_table

    corpora = Path(os.environ.get("DATAREF_CORPORA", "../shared/corpora"))
    source = source or corpora / "pwc-datasets" / "pwc_datasets.json"
    if not source.exists():
        typer.echo(f"No Papers with Code export at {source}; set DATAREF_CORPORA or pass --source.", err=True)
        raise typer.Exit(2)
    rc = rc or corpora / "rc-datasets" / "datasets.json"
    count = build_table(source, output, rc if rc.exists() else None, registry=registry)
    typer.echo(f"{output}: {count} known datasets")


@app.command()
def extract(
    inputs: list[Path] = typer.Argument(..., help="TEI or JATS XML, plain-text (.txt) and PDF files, or "
                                        "folders of them"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="JSONL, .parquet or (--format mdc) CSV "
                                          "file (default: stdout); with --engine ray, a folder of Parquet files"),
    model: str = typer.Option(DEFAULT_MODEL, "--model", "-m", help="Pipeline name or path"),
    resume: bool = typer.Option(False, "--resume", help="Skip papers already in the output"),
    n_process: int = typer.Option(1, "--n-process", help="Processes for the spaCy pipeline"),
    text: bool = typer.Option(False, "--text", help="Print a readable listing (with -o: JSONL to the file, "
                              "the listing on stdout)"),
    grobid_url: list[str] = typer.Option([], "--grobid-url", help="GROBID server (env DATAREF_GROBID_URL, "
                                         "default http://localhost:8070); with --engine ray, repeat it for a pool"),
    concurrency: int = typer.Option(4, "--concurrency", help="PDFs in flight at GROBID (with --engine ray: per "
                                    "worker)"),
    timeout: int = typer.Option(180, "--timeout", help="Seconds to wait for GROBID per PDF"),
    consolidate: bool = typer.Option(False, "--consolidate-citations",
                                     help="Ask GROBID to consolidate citations (slow, external)"),
    tei_cache: Optional[Path] = typer.Option(None, "--tei-cache", help="Where GROBID's TEI is kept "
                                             "(default: tei-cache/ beside the output)"),
    engine: str = typer.Option("local", "--engine", help="local (this machine, --n-process) or ray (a Ray "
                               "cluster; -o is a folder of Parquet files)"),
    address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (e.g. auto); default: "
                                          "a Ray started on this machine"),
    workers: int = typer.Option(2, "--workers", help="Ray actors, each holding one pipeline (--engine ray)"),
    cpus_per_worker: float = typer.Option(1.0, "--cpus-per-worker", help="CPUs Ray reserves per actor"),
    batch_size: int = typer.Option(4, "--batch-size", help="Papers per Ray batch, each written as one Parquet "
                                   "file when done (large corpora: 32-64, for fewer files)"),
    output_format: str = typer.Option("jsonl", "--format", help="jsonl (one record per paper) or mdc (the Make "
                                      "Data Count CSV: article_id,dataset_id,type)"),
    paper_timeout: Optional[float] = typer.Option(None, "--paper-timeout", help="Seconds one paper may take; a "
                                                  "paper over it gets an error record (E021) and the run goes on "
                                                  "(env DATAREF_PAPER_TIMEOUT, default 120)"),
) -> None:
    """Find each paper's datasets and the bibliography entries they cite.

    \b
    Examples:
      dataref extract paper.tei.xml --text                   a readable listing
      dataref extract papers/ -o results.jsonl               TEI and PDF files, folders walked
      dataref extract papers/ -o results.jsonl --resume      continue; failed papers are tried again
      dataref extract texts/ -o rows.csv --format mdc        plain-text papers, Make Data Count CSV

    \b
    Exit status: 0 at least one paper read; 1 none could be read; 2 a refusal (bad option, unusable
    output, no model, no GROBID server for the PDFs); 130/143 interrupted by Ctrl-C/SIGTERM
    (every finished paper is written: rerun with --resume)."""
    from ..errors import DatarefError, Errors
    from ..run.extract import check_writable, run_extract
    from ..run.grobid import GrobidOptions

    _warnings_as_sentences()

    def refuse(option: str, detail: str) -> None:
        typer.echo(str(Errors.E024.format(option=option, detail=detail)), err=True)
        raise typer.Exit(2)

    if engine not in ("local", "ray"):
        refuse("--engine", f"'{engine}' is not local or ray")
    if timeout < 1:
        refuse("--timeout", f"{timeout} is not a number of seconds to wait for GROBID (give 1 or more)")
    if concurrency < 1:
        refuse("--concurrency", f"{concurrency} is not a number of PDFs in flight (give 1 or more)")
    try:
        check_writable(output, folder=engine == "ray")
    except DatarefError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from err
    if engine == "ray":
        if text or n_process != 1:
            refuse("--engine ray", "--text and --n-process are for the local engine; Ray's workers are set with "
                   "--workers")
        if paper_timeout is not None:  # Ray's workers are not the killable ones the budget needs
            refuse("--engine ray", "--paper-timeout is for the local engine, whose workers can be stopped inside a "
                   "paper")
        if output_format != "jsonl":
            typer.echo(str(Errors.E019.format(path="--engine ray", detail=f"--format {output_format} is for the local "
                                              "engine, as Ray writes a folder of Parquet files")), err=True)
            raise typer.Exit(2)
        _extract_ray(inputs, output, model=model, resume=resume, address=address, workers=workers,
                     cpus_per_worker=cpus_per_worker, batch_size=batch_size, tei_cache=tei_cache,
                     grobid_timeout=timeout, grobid_concurrency=concurrency, consolidate_citations=consolidate,
                     grobid_urls=grobid_url or [GrobidOptions.from_env().url])
        return

    if len(grobid_url) > 1:
        refuse("--grobid-url", "several GROBID servers need --engine ray")
    options = GrobidOptions.from_env(grobid_url[0] if grobid_url else "", timeout=timeout, concurrency=concurrency,
                                     consolidate_citations=consolidate)
    try:
        summary = run_extract(inputs, output, model=model, resume=resume, n_process=n_process,
                              readable_text=text, grobid_options=options, tei_cache=tei_cache,
                              output_format=output_format, paper_timeout=paper_timeout)
    except DatarefError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from None
    typer.echo(summary.line(output), err=True)
    if summary.refusal:
        typer.echo(summary.refusal, err=True)
        raise typer.Exit(2)
    if summary.interrupted:
        # Every result is written and the output closed. A normal exit would now wait for spaCy's queue
        # feeder threads, which block on the pipes of the workers that were just stopped: leave at once.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + summary.interrupted)
    if summary.papers == 0 and (summary.errors or not summary.skipped):
        raise typer.Exit(1)


def _extract_ray(inputs: list[Path], output: Optional[Path], **options) -> None:
    from ..errors import DatarefError
    from ..run.ray_runner import main_ray

    try:
        summary = main_ray(inputs, output, **options)
    except DatarefError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo("dataref: interrupted; every finished batch is written. Run the same command with --resume "
                   "to continue.", err=True)
        raise typer.Exit(130) from None
    if summary.papers == 0 and (summary.errors or not summary.skipped):
        raise typer.Exit(1)


@app.command()
def report(
    inputs: list[Path] = typer.Argument(..., help="A results file of `dataref extract` (JSON lines), or papers "
                                        "(TEI, JATS, .txt) and folders"),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for index.html and papers/*.html"),
    model: str = typer.Option(DEFAULT_MODEL, "--model", "-m", help="Pipeline name or path (to read papers)"),
    records_only: bool = typer.Option(False, "--records-only", help="From a results file: paper pages from the "
                                      "records alone, without reading the papers again"),
) -> None:
    """Write static HTML: a page per paper (its text with the dataset mentions and the markers that link them)
    and a corpus page (counts, datasets across papers, a chart, errors).

    \b
    Examples:
      dataref report papers/ -o report/            read and annotate the papers, then write the pages
      dataref report results.jsonl -o report/      from `dataref extract` results (papers re-read if found)
      dataref report results.jsonl -o report/ --records-only

    \b
    Exit status: 0 at least one paper reported; 1 none could be read; 2 a refusal (bad input, output
    folder that holds other files, no model)."""
    import warnings

    from ..errors import DatarefError
    from ..report.render import write_report

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            summary = write_report(inputs, output, model=model, records_only=records_only)
    except DatarefError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from None
    for message in dict.fromkeys(str(warning.message) for warning in caught):
        typer.echo(message, err=True)
    typer.echo(summary.line(output), err=True)
    if summary.papers == 0:
        raise typer.Exit(1)


def main() -> None:
    app()

