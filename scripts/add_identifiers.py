"""A local copy of the shipped pipeline with the identifier and role components added, for evaluation.

    python scripts/add_identifiers.py [--base en_dataref_sm] [--roles training/roles/model-best] \
        [--output training/en_dataref_sm_ids]

The shipped package itself is rebuilt by `spacy project run assemble` from configs/pipeline.cfg (which lists
both components); this script only saves the lead a retrain of the NER to evaluate them."""
from pathlib import Path

import spacy
import typer

from dataref import identifier_linker, roles  # noqa: F401  (registers the factories)


def main(base: str = "en_dataref_sm", roles_model: Path = typer.Option(Path("training/roles/model-best"), "--roles"),
         output: Path = Path("training/en_dataref_sm_ids"), threshold: float = 0.5) -> None:
    nlp = spacy.load(base)
    nlp.add_pipe("dataref_identifiers")
    pipe = nlp.add_pipe("dataref_dataset_roles", config={"threshold": threshold})
    pipe.initialize(path=roles_model)
    nlp.to_disk(output)
    typer.echo(f"{output}: {nlp.pipe_names}")


if __name__ == "__main__":
    typer.run(main)
