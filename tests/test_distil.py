from collections import Counter

import spacy
from spacy.tokens import DocBin
from spacy.util import registry

from dataref import TEIReader
from dataref.training.convert import silver_negative_docs
from dataref.training.distil import agreeing, held_out_shingles, labelled_sentences, silver_docs, teacher_pipeline

from .conftest import EXAMPLE

NAMES = ["CIFAR-10", "ImageNet", "SVHN", "MS COCO", "TinyBirds"]


def make_teacher():
    """A rule teacher that tags the example paper's datasets, with a component that must not run."""
    teacher = spacy.blank("en")
    teacher.add_pipe("sentencizer", config={"overwrite": False})
    ruler = teacher.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "DATASET", "pattern": name} for name in NAMES])
    teacher.add_pipe("dataref_citation_linker")
    return teacher_pipeline(teacher)


def read(path, teacher=None):
    teacher = teacher or make_teacher()
    return list(silver_docs(teacher, [path], spacy.blank("en"), Counter()))


def test_teacher_keeps_only_the_components_that_set_entities():
    assert make_teacher().pipe_names == ["sentencizer", "ner"]
    with_rules = spacy.blank("en")
    for name in ("sentencizer", "dataref_dataset_consistency", "dataref_citation_linker"):
        with_rules.add_pipe(name)
    assert teacher_pipeline(with_rules).pipe_names == ["sentencizer", "dataref_dataset_consistency"]
    assert teacher_pipeline(with_rules, rules=False).pipe_names == ["sentencizer"]


def test_silver_sentences_carry_the_teachers_mentions_and_as_many_without():
    teacher = make_teacher()
    doc = teacher(TEIReader(teacher)(EXAMPLE))
    stats: Counter = Counter()
    examples = labelled_sentences(doc, spacy.blank("en"), stats)
    positives = [e for e in examples if e.ents]
    negatives = [e for e in examples if not e.ents]
    assert positives and negatives and len(negatives) <= len(positives)
    # every mention the teacher made inside a chosen sentence is there, at the same words
    for example in positives:
        for name in NAMES:
            if f" {name} " in f" {example.text} ":
                assert name in [e.text for e in example.ents], (name, example.text)
    # the other tokens are 'O', not missing: the student learns they are not datasets
    assert all(t.ent_iob_ in ("O", "B", "I") for e in examples for t in e)
    assert stats["mentions"] == sum(len(e.ents) for e in positives)
    # headings ("Datasets") and short lines are never examples
    assert all(len(e) >= 6 for e in examples)
    assert "Datasets" not in [e.text for e in examples]


def test_silver_leaves_out_other_training_texts_and_held_out_papers(tmp_path):
    teacher = make_teacher()
    first = read(EXAMPLE, teacher)
    skipped = first[0].text
    again = list(silver_docs(teacher, [EXAMPLE], spacy.blank("en"), Counter(), skip=frozenset({skipped})))
    assert skipped not in [e.text for e in again]
    # a paper whose text is in an evaluation set is not labelled at all
    held = tmp_path / "dev.spacy"
    DocBin(docs=first).to_disk(held)
    stats: Counter = Counter()
    shingles = held_out_shingles([held], teacher.vocab)
    assert list(silver_docs(teacher, [EXAMPLE], spacy.blank("en"), stats, held_out=shingles)) == []
    assert stats["held out"] == 1 and stats["papers"] == 0


def test_corpora_reader_adds_silver_after_the_annotated_corpus(tmp_path):
    student = spacy.blank("en")
    gold, silver = tmp_path / "train", tmp_path / "silver"
    gold.mkdir()
    silver.mkdir()
    annotated = student("A gold sentence about SQuAD .")
    annotated.set_ents([annotated.char_span(22, 27, label="DATASET")], default="outside")
    DocBin(docs=[annotated]).to_disk(gold / "gold.spacy")
    DocBin(docs=read(EXAMPLE)).to_disk(silver / "ml-tei-000.spacy")

    def texts(config):
        corpus = registry.resolve({"c": {"@readers": "dataref.Corpora.v1", **config}})["c"]
        return [eg.reference.text for eg in corpus(student)]

    assert texts({"path": str(gold)}) == [annotated.text]
    both = texts({"path": str(gold), "silver": str(silver)})
    assert both[0] == annotated.text and len(both) == 1 + len(read(EXAMPLE))


def test_agreeing_keeps_the_sentences_a_second_recognizer_labels_the_same():
    examples = read(EXAMPLE)
    other = spacy.blank("en")
    other.add_pipe("entity_ruler").add_patterns([{"label": "DATASET", "pattern": n} for n in NAMES if n != "SVHN"])
    stats: Counter = Counter()
    kept = list(agreeing(examples, other, stats))
    with_svhn = [e.text for e in examples if "SVHN" in [m.text for m in e.ents]]
    assert with_svhn and not set(with_svhn) & {e.text for e in kept}
    assert len(kept) == len(examples) - len(with_svhn) == stats["agree"]
    assert stats["disagree"] == len(with_svhn)


def test_unreadable_papers_are_counted_and_the_others_read(tmp_path):
    broken = tmp_path / "broken.tei.xml"
    broken.write_text("<TEI><text>")
    stats: Counter = Counter()
    examples = list(silver_docs(make_teacher(), [broken, EXAMPLE], spacy.blank("en"), stats))
    assert examples and stats["unreadable"] == 1 and stats["papers"] == 1
    senter = spacy.blank("en")
    senter.add_pipe("sentencizer", config={"overwrite": False})
    negatives: Counter = Counter()
    sentences = list(silver_negative_docs([broken, EXAMPLE], senter, negatives, per_paper=3))
    assert negatives["unreadable"] == 1 and 0 < len(sentences) <= 3
    assert all(not s.ents for s in sentences)  # sentences without data words, all 'O'
