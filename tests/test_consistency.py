import os
import subprocess
import sys

import pytest

import spacy
from spacy.tokens import DocBin

from dataref import TEIReader
from dataref.linking.names import clean_mention

from .conftest import ROOT, bib, make_tei


def run(reader, body: str, tagged: list[str]):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    consistency = nlp.add_pipe("dataref_dataset_consistency")
    doc = nlp(reader(make_tei(body)))
    spans = []
    for name in tagged:  # what the ner found: the first occurrence only
        start = doc.text.index(name)
        spans.append(doc.char_span(start, start + len(name), label="DATASET"))
    doc.ents = spans
    return consistency(doc)


def test_tagged_name_is_a_dataset_everywhere(reader):
    doc = run(reader, "<p>We use SQuAD here.</p><p>Results on SQuAD are good, SQuAD is hard.</p>", ["SQuAD"])
    assert [e.text for e in doc.ents] == ["SQuAD", "SQuAD", "SQuAD"]


def test_cue_phrase_adds_but_does_not_spread(reader):
    doc = run(reader, "<p>We train on the BookCorpus-2 corpus. BookCorpus-2 is big.</p>", [])
    assert [e.text for e in doc.ents] == ["BookCorpus-2"]
    doc = run(reader, "<p>We train on the data corpus of the lab.</p>", [])
    assert doc.ents == ()  # "data" names nothing specific


def test_mentions_are_cut_at_citation_markers(reader):
    body = "<p>We use MS COCO <ref type=\"bibr\">[4]</ref> too.</p>"
    nlp = spacy.blank("en")
    doc = reader(make_tei(body))
    start = doc.text.index("MS COCO")
    doc.ents = [doc.char_span(start, doc.text.index(" too"), label="DATASET")]
    doc = nlp.add_pipe("dataref_dataset_consistency")(doc)
    assert [e.text for e in doc.ents] == ["MS COCO"]


def test_n_process_2_and_docbin(reader):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "DATASET", "pattern": [{"TEXT": "SQuAD"}]}])
    nlp.add_pipe("dataref_dataset_consistency")
    texts = ["We use SQuAD and the WikiQA-2 dataset. SQuAD again."] * 4
    single = [[(e.text, e.start) for e in d.ents] for d in nlp.pipe(texts)]
    multi = [[(e.text, e.start) for e in d.ents] for d in nlp.pipe(texts, n_process=2)]
    assert multi == single and ("WikiQA-2", 5) in single[0]
    docbin = DocBin(docs=list(nlp.pipe(texts[:1])))
    restored = list(docbin.get_docs(nlp.vocab))[0]
    assert [e.text for e in restored.ents] == ["SQuAD", "WikiQA-2", "SQuAD"]


def test_determiners_and_letterless_mentions(reader):
    doc = run(reader, "<p>We use the CHEMDNER data and ages 12–64 only.</p>", ["the CHEMDNER", "12–64"])
    assert [e.text for e in doc.ents] == ["CHEMDNER"]


@pytest.mark.parametrize("text,expected", [
    ("Gigaword after", ["Gigaword"]), ("CNN/DailyMail of", ["CNN/DailyMail"]),
    ("C4 nor HugeNews", ["C4", "HugeNews"]), ("BookCorpus + English Wikipedia", ["BookCorpus", "English Wikipedia"]),
    ("ODS=.746", []), ("D T", []), ("MS", []), ("PH 0", []), ("S(x", []),
    ("Labeled Faces in the Wild (LFW", ["Labeled Faces in the Wild"]),
    ("MUTAG 188 2 125 63 PTC 344 2", []), ("Pascal VOC 2007", ["Pascal VOC 2007"]),
    ("SQuAD v1.1", ["SQuAD v1.1"]), ("Pride and prejudice", ["Pride and prejudice"]),
    ("MovieLens1M. Similar", ["MovieLens1M"]), ("U.S. Census", ["U.S. Census"]),  # ml-tei/1809.01703v3
    ("PROTEINS 1113 2 663", ["PROTEINS"]), ("VOC 2 0 1 2", ["VOC 2 0 1 2"]),  # ml-tei/1903.09022v3
])
def test_clean_mention(text, expected):
    assert [text[a:b] for a, b in clean_mention(text)] == expected


def test_fragments_keys_versions_and_headings(reader):
    body = ("<p>See [KLS06] and MS for details; SQuAD v1.1 is used.</p>"
            "<div><head>UPDATE MAGNITUDE</head><p>Numbers grow.</p></div>"
            "<div><head>Results on CIFAR-10</head><p>We train on CIFAR-10 only.</p></div>")
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    consistency = nlp.add_pipe("dataref_dataset_consistency")
    doc = nlp(reader(make_tei(body)))
    spans = []
    for name in ("KLS06", "MS", "SQuAD", "v1.1", "UPDATE MAGNITUDE", "CIFAR-10"):
        start = doc.text.index(name)
        spans.append(doc.char_span(start, start + len(name), label="DATASET"))
    doc.ents = spans
    doc = consistency(doc)
    # the citation key, the initials and the heading-only phrase go; the version joins its name;
    # a name the paper also uses in its text keeps its heading mention
    assert [e.text for e in doc.ents] == ["SQuAD v1.1", "CIFAR-10", "CIFAR-10"]


def test_benchmark_names_and_cues_without_the(reader):
    doc = run(reader, "<p>We test on HarmBench and on GSM8K benchmark, then ODCV-Bench.</p>", [])
    assert [e.text for e in doc.ents] == ["HarmBench", "GSM8K", "ODCV-Bench"]


def test_support_keeps_names_with_evidence_in_papers_only():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "DATASET", "pattern": p} for p in ("GATA3", "TinyBirds", "LFW")])
    nlp.add_pipe("dataref_dataset_support")
    body = ("<p>GATA3 silencing defines a subgroup of patients with a poor outcome in both cohorts. "
            "We collected the TinyBirds corpus. "
            "LFW <ref type=\"bibr\" target=\"#b0\">[1]</ref> is hard.</p>")

    doc = nlp(TEIReader(nlp)(make_tei(body, bib("b0", "Huang", "2007", "Labeled faces in the wild: a database"))))
    assert [e.text for e in doc.ents] == ["TinyBirds", "LFW"]  # a cue word; a marker to a data paper
    assert [e.text for e in nlp("GATA3 silencing defines a subgroup.").ents] == ["GATA3"]  # plain text: kept


def test_appositive_names_a_dataset(reader):
    doc = run(reader, "<p>Finally, we collected TinyBirds, a new dataset of bird photographs.</p>", [])
    assert [e.text for e in doc.ents] == ["TinyBirds"]
    doc = run(reader, "<p>We use Adam, a method for stochastic optimisation.</p>", [])
    assert doc.ents == ()


@pytest.mark.parametrize("config,expected", [
    ({}, ["GSE12345", "PRJNA123456"]),
    ({"accession_patterns": []}, []),
])
def test_accession_patterns_option(reader, config, expected):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    consistency = nlp.add_pipe("dataref_dataset_consistency", config=config)
    doc = nlp(TEIReader(nlp)(make_tei("<p>Data are in GEO (GSE12345) and BioProject PRJNA123456.</p>")))
    assert [e.text for e in consistency(doc).ents] == expected


def test_samples_runs_and_platforms_of_a_study_are_not_datasets(reader):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    consistency = nlp.add_pipe("dataref_dataset_consistency")
    text = "<p>Series GSE12345 (platform GPL570) holds samples GSM242185 and GSM6191; runs SRR1234567 and SRP012345.</p>"
    doc = nlp(TEIReader(nlp)(make_tei(text)))
    assert [e.text for e in consistency(doc).ents] == ["GSE12345", "SRP012345"]


@pytest.mark.parametrize("excluded,expected", [
    (None, ["SQuAD"]),  # the default: acknowledgement sections name funders, not data
    ("", ["SQuAD", "SQuAD"]),
])
def test_excluded_sections_option(excluded, expected):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    consistency = nlp.add_pipe("dataref_dataset_consistency",
                               config={} if excluded is None else {"excluded_sections": excluded})
    body = "<p>We use SQuAD here.</p></div><div><head>Acknowledgements</head><p>Thanks to the SQuAD team.</p>"
    doc = nlp(TEIReader(nlp)(make_tei(body)))
    start = doc.text.index("SQuAD")
    doc.ents = [doc.char_span(start, start + 5, label="DATASET")]
    assert [e.text for e in consistency(doc).ents] == expected


def test_importing_the_components_builds_no_accession_patterns():
    """bioregistry's patterns are built when a component is made with a null `accession_patterns`, not when a
    process imports the package."""
    code = ("import sys, dataref.pipes.consistency, dataref.pipes.support\n"
            "from dataref.linking import identifiers\n"
            "print(identifiers._token_patterns.cache_info().currsize, 'bioregistry' in sys.modules)\n"
            "import spacy\n"
            "nlp = spacy.blank('en')\n"
            "nlp.add_pipe('dataref_dataset_consistency'); nlp.add_pipe('dataref_dataset_support')\n"
            "print(identifiers._token_patterns.cache_info().currsize,"
            " identifiers.accession_patterns.cache_info().hits)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "pipeline"), os.environ.get("PYTHONPATH", "")])}
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert found.stdout.split() == ["0", "False", "1", "1"]  # built once, for the first component, reused by the other


@pytest.mark.parametrize("text,expected", [
    ("C4 nor HugeNews", ["C4", "HugeNews"]),
    ("BookCorpus + English Wikipedia", ["BookCorpus", "English Wikipedia"]),
    ("Pride and prejudice", ["Pride and prejudice"]),
    ("NORB, CIFAR-10", ["NORB, CIFAR-10"]),  # inference does not split at commas, training does
])
def test_split_names_is_the_one_coordination_split(text, expected):
    from dataref.linking.lexicon import COORDINATION
    from dataref.linking.names import split_names
    from dataref.training.convert import harmonize

    assert [text[a:b] for a, b in split_names(text)] == expected
    assert [text[a:b] for a, b in split_names(text, COORDINATION)] == [text[a:b] for a, b in harmonize(text, 0)]
