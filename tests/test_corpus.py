import json

from spacy.util import registry

from .conftest import EXAMPLE, set_datasets


def test_tei_corpus_reader_feeds_evaluate(nlp, reader, tmp_path):
    folder = tmp_path / "tei"
    folder.mkdir()
    (folder / "paper.tei.xml").write_bytes(EXAMPLE.read_bytes())
    doc = reader(EXAMPLE)
    text = doc.text
    gold = [{"start": text.index("ImageNet"), "end": text.index("ImageNet") + 8, "kb_id": "b0"},
            {"start": text.index("TinyBirds"), "end": text.index("TinyBirds") + 9, "kb_id": "NIL"},
            {"start": text.index("CIFAR-10 (Kriz"), "end": text.index("CIFAR-10 (Kriz") + 8, "kb_id": "b7"}]
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text(json.dumps({"file": "paper.tei.xml", "ents": gold}) + "\n")
    corpus = registry.resolve({"c": {"@readers": "dataref.TEICorpus.v1", "path": str(folder),
                                     "gold_path": str(gold_path)}})["c"]
    examples = list(corpus(nlp))
    assert len(examples) == 1
    example = examples[0]
    # the predicted Doc keeps what the reader built: markers and bibliography
    assert len(example.predicted.spans["citations"]) == len(doc.spans["citations"])
    assert "b0" in example.predicted._.bibliography
    assert [(e.text, e.kb_id_) for e in example.reference.ents] == [
        ("ImageNet", "b0"), ("TinyBirds", "NIL"), ("CIFAR-10", "b7")]
    # stand in for the ner with the gold mentions, then score the linker as `spacy evaluate` would
    set_datasets(example.predicted, ["ImageNet", "CIFAR-10", "TinyBirds"])
    example.predicted = nlp(example.predicted)
    scores = nlp.get_pipe("dataref_citation_linker").score([example])
    # ImageNet → b0 right; CIFAR-10 → b1 where gold says b7: 1 of 2 links right
    assert scores["nel_micro_p"] == 0.5 and scores["nel_micro_r"] == 0.5
