"""Label unannotated papers with a teacher pipeline (en_dataref_trf) into silver DocBins for the CNN.

    python scripts/silver.py label en_dataref_trf corpus/silver [--part 0/2]
    python scripts/silver.py agree corpus/silver corpus/silver-agree --model training/ner/model-best

Papers: every other paper of ml-tei/ and grobid-tei-bulk/ from the second (`dataref convert` takes its ML
negatives from the first; its biomedical negatives take a few sentences of every paper, and no text used as
a negative becomes silver), less the gold-set papers and any paper that shares text with a held-out
evaluation set (corpus/dev, corpus/test). Each shard of `--shard` papers is one DocBin,
written when done, so a stopped run resumes where it was; `--part i/n` runs a share of the shards.
`agree` keeps the sentences on which a second recognizer finds the same mentions as the teacher.
"""
import os
import time
from collections import Counter
from pathlib import Path

import spacy
import typer
from spacy.tokens import DocBin

from dataref.training.convert import gold_papers, unlabelled_files
from dataref.training.distil import agreeing, held_out_shingles, silver_docs, teacher_pipeline

app = typer.Typer(add_completion=False)


def papers(corpora: Path, gold: set[str]) -> dict[str, list[Path]]:
    return {folder: unlabelled_files(corpora / folder, gold)[1::2] for folder in ("ml-tei", "grobid-tei-bulk")}


@app.command()
def label(model: str = typer.Argument("en_dataref_trf", help="Teacher pipeline"),
         output: Path = typer.Argument(Path("corpus/silver")),
         corpora: Path = typer.Option(Path(os.environ.get("DATAREF_CORPORA", "../shared/corpora")), "--corpora"),
         held_out: Path = typer.Option(Path("corpus/gold/links.jsonl"), "--held-out"),
         corpus: Path = typer.Option(Path("corpus"), "--corpus", help="Holds dev/ and test/, the evaluation sets"),
         shard: int = typer.Option(25, "--shard", help="Papers per DocBin"),
         part: str = typer.Option("0/1", "--part", help="i/n: run every n-th shard from the i-th"),
         limit: int = typer.Option(0, "--limit", help="Papers per folder (0: all)"),
         negatives: float = typer.Option(1.0, "--negatives", help="Sentences without a dataset per sentence with one"),
         rules: bool = typer.Option(True, "--rules/--no-rules", help="Whether the teacher's name consistency, "
                                    "known datasets and evidence filter run after its recognizer"),
         ) -> None:
    index, count = (int(x) for x in part.split("/"))
    gold = gold_papers(held_out)
    teacher = teacher_pipeline(spacy.load(model), rules=rules)
    student = spacy.blank("en")
    evaluation = held_out_shingles(sorted(corpus.glob("dev/*.spacy")) + sorted(corpus.glob("test/*.spacy")),
                                   student.vocab)
    skip = frozenset(d.text for p in sorted(corpus.glob("train/*negatives.spacy"))
                     for d in DocBin().from_disk(p).get_docs(student.vocab))
    output.mkdir(parents=True, exist_ok=True)
    for folder, files in papers(corpora, gold).items():
        files = files[:limit] if limit else files
        for number, start in enumerate(range(0, len(files), shard)):
            target = output / f"{folder}-{number:03d}.spacy"
            if number % count != index or target.exists():
                continue
            stats: Counter = Counter()
            began = time.perf_counter()
            docs = list(silver_docs(teacher, files[start:start + shard], student, stats, held_out=evaluation,
                                    skip=skip, negatives_per_positive=negatives))
            DocBin(docs=docs).to_disk(target)
            seconds = time.perf_counter() - began
            typer.echo(f"{target}: {stats['papers']} papers ({stats['held out']} held out), {len(docs)} sentences, "
                       f"{stats['mentions']} mentions, {stats['words'] / seconds:,.0f} words/s", err=True)


@app.command()
def agree(silver: Path = typer.Argument(Path("corpus/silver")),
          output: Path = typer.Argument(Path("corpus/silver-agree")),
          model: str = typer.Option("training/ner/model-best", "--model", help="The second recognizer")) -> None:
    other = spacy.load(model)
    output.mkdir(parents=True, exist_ok=True)
    total: Counter = Counter()
    for path in sorted(silver.glob("*.spacy")):
        stats: Counter = Counter()
        kept = list(agreeing(DocBin().from_disk(path).get_docs(other.vocab), other, stats))
        DocBin(docs=kept).to_disk(output / path.name)
        total += stats
        total["positive"] += sum(1 for d in kept if d.ents)
    typer.echo(f"{output}: kept {total['agree']} of {total['agree'] + total['disagree']} sentences "
               f"({total['positive']} with a dataset)")


if __name__ == "__main__":
    app()
