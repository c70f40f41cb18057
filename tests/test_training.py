import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin
from spacy.util import load_config

from .conftest import ROOT

CONFIGS = sorted((ROOT / "configs").glob("*.cfg"))
MODEL = "en_dataref_sm"


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_validates(path, tmp_path):
    # pipeline.cfg sources the trained ner: on a clean clone that is the installed package
    overrides = ["--paths.ner_model", MODEL] if path.name == "pipeline.cfg" else []
    if path.name == "ner_trf.cfg":
        pytest.importorskip("spacy_transformers", reason="the transformer config needs the [trf] extra")
        overrides = ["--paths.transformer", str(tmp_path)]
    result = subprocess.run([sys.executable, "-m", "spacy", "debug", "config", str(path),
                             "--paths.train", str(tmp_path), "--paths.dev", str(tmp_path), *overrides],
                            capture_output=True, text=True, cwd=ROOT)
    assert "Config is valid" in result.stdout, result.stdout + result.stderr


def _tiny_corpus(path: Path) -> None:
    nlp = spacy.blank("en")
    docbin = DocBin()
    for name, rest in [("ImageNet", "is large ."), ("CIFAR-10", "has small images ."), ("SQuAD", "is for QA .")]:
        words = ["We", "use", name] + rest.split()
        doc = Doc(nlp.vocab, words=words, ents=["O", "O", "B-DATASET"] + ["O"] * len(rest.split()))
        docbin.add(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(path)


def test_training_smoke(tmp_path):
    corpus = tmp_path / "tiny.spacy"
    _tiny_corpus(corpus)
    out = tmp_path / "model"
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "train", str(ROOT / "configs" / "ner.cfg"), "--output", str(out),
         "--paths.train", str(corpus), "--paths.dev", str(corpus), "--training.max_steps", "10",
         "--training.eval_frequency", "5"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    nlp = spacy.load(out / "model-last")
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert nlp.get_pipe("ner").labels == ("DATASET",)


def _pipeline_from_config(order: list[str]):
    """The shipped config's components, untrained, in `order` (their requires/assigns are what is checked)."""
    config = load_config(ROOT / "configs" / "pipeline.cfg")
    nlp = spacy.blank("en")
    for name in order:
        settings = dict(config["components"][name])
        factory = settings.pop("factory", name)
        ours = {k: v for k, v in settings.items() if not isinstance(v, dict)} if factory.startswith("dataref") else {}
        nlp.add_pipe(factory, name=name, config=ours)
    return nlp


def test_pipeline_config_declares_what_each_component_reads():
    order = load_config(ROOT / "configs" / "pipeline.cfg")["nlp"]["pipeline"]
    problems = _pipeline_from_config(order).analyze_pipes(pretty=False)["problems"]
    assert problems == {name: [] for name in order}


def test_a_wrong_order_is_caught_by_analyze_pipes():
    order = load_config(ROOT / "configs" / "pipeline.cfg")["nlp"]["pipeline"]
    wrong = [p for p in order if p != "dataref_dataset_entities"] + ["dataref_dataset_entities"]
    problems = _pipeline_from_config(wrong).analyze_pipes(pretty=False)["problems"]
    assert "doc._.dataset_entities" in problems["dataref_citation_linker"]
    assert "doc._.dataset_entities" in problems["dataref_dataset_roles"]


def test_packaged_pipeline_loads_by_name_in_fresh_process():
    code = (
        "import spacy, json\n"
        f"nlp = spacy.load('{MODEL}')\n"
        "doc = nlp('We evaluate our parser on the OntoNotes-7 corpus and report F1.')\n"
        "print(json.dumps({'pipes': nlp.pipe_names, 'ents': [(e.text, e.label_) for e in doc.ents]}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if "Can't find model" in result.stderr:
        pytest.fail(f"{MODEL} is not installed: run the README's install command")
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert "dataref_citation_linker" in out["pipes"]
    assert ["OntoNotes-7", "DATASET"] in out["ents"]


def test_trf_pipeline_config_is_the_shipped_one_with_a_transformer(tmp_path):
    """en_dataref_trf's assembly config is derived from configs/pipeline.cfg, not kept as a second copy."""
    derived = tmp_path / "pipeline_trf.cfg"
    subprocess.run([sys.executable, "scripts/trf_config.py", "config", "configs/pipeline.cfg", "-o", str(derived)],
                   check=True, cwd=ROOT)
    sm, trf = load_config(ROOT / "configs" / "pipeline.cfg"), load_config(derived)
    assert trf["nlp"]["pipeline"] == [name.replace("tok2vec", "transformer") for name in sm["nlp"]["pipeline"]]
    assert trf["components"]["transformer"] == sm["components"]["tok2vec"] == {"source": "${paths.ner_model}"}
    assert {k: v for k, v in trf["components"].items() if k != "transformer"} == \
        {k: v for k, v in sm["components"].items() if k != "tok2vec"}


def test_assembled_pipeline_has_one_excluded_sections_pattern():
    """Every component that skips sections skips the ones linking/lexicon.py names: the config holds no copy."""
    from dataref.linking.lexicon import EXCLUDED_SECTIONS

    config = load_config(ROOT / "configs" / "pipeline.cfg", overrides={"paths.ner_model": MODEL})
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    found = {name: c["excluded_sections"] for name, c in nlp.config["components"].items() if "excluded_sections" in c}
    assert set(found) == {"dataref_dataset_consistency", "dataref_identifiers"}
    assert set(found.values()) == {EXCLUDED_SECTIONS}
