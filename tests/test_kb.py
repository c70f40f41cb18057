import json

import pytest
import spacy
from spacy.tokens import DocBin

from dataref.pipes.kb import forms_of, is_ambiguous, spellings, table_from_bioregistry, table_from_pwc, table_from_rc

from .conftest import bib, make_tei, set_datasets

ROWS = table_from_pwc([
    {"url": "https://paperswithcode.com/dataset/cifar-10", "name": "CIFAR-10", "full_name": "", "variants": ["CIFAR10", "CIFAR-10 - 10% labeled data"],
     "homepage": "https://www.cs.toronto.edu/~kriz/cifar.html", "introduced_date": "2009-01-01",
     "paper": {"title": "Learning Multiple Layers of Features from Tiny Images", "url": ""}, "modalities": ["Images"]},
    {"url": "https://paperswithcode.com/dataset/gsm8k", "name": "GSM8K", "full_name": "Grade School Math 8K", "variants": [],
     "homepage": "", "introduced_date": "2021-10-27",
     "paper": {"title": "Training Verifiers to Solve Math Word Problems", "url": ""}, "modalities": ["Texts"]},
    {"url": "https://paperswithcode.com/dataset/places", "name": "Places", "full_name": "", "variants": ["Places205"],
     "homepage": "", "introduced_date": "", "paper": {"title": "", "url": ""}, "modalities": []},
    {"url": "https://paperswithcode.com/dataset/mnist", "name": "MNIST", "full_name": "", "variants": [],
     "homepage": "", "introduced_date": "1998-01-01",
     "paper": {"title": "Gradient-based learning applied to document recognition", "url": ""}, "modalities": []},
])
BIBL = "".join([
    bib("b0", "Cobbe", "2021", "Training verifiers to solve math word problems"),
    bib("b1", "Srivastava", "2014", "Dropout: a simple way to prevent neural networks from overfitting"),
    bib("b2", "LeCun", "1998", "Gradient-based learning applied to document recognition"),
])


@pytest.fixture(scope="module")
def kb_nlp(tmp_path_factory):
    path = tmp_path_factory.mktemp("kb") / "datasets.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS))
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    nlp.add_pipe("dataref_dataset_kb")
    nlp.add_pipe("dataref_abbreviations")
    nlp.add_pipe("dataref_citation_linker")
    nlp.initialize()  # no path: an empty table
    nlp.get_pipe("dataref_dataset_kb").initialize(path=path)
    return nlp


def test_table_rows():
    cifar = next(r for r in ROWS if r["id"] == "cifar-10")
    assert forms_of(cifar) == ["CIFAR-10", "CIFAR10"]  # the leaderboard variant is not a name
    assert cifar["paper"] == {"title": "Learning Multiple Layers of Features from Tiny Images", "url": "", "year": "2009"}


@pytest.mark.parametrize("name,expected", [("Places", True), ("Office", True), ("CTC", True), ("GSM8K", False),
                                           ("ImageNet", False), ("MS COCO", False), ("COCO-Stuff", False)])
def test_ambiguous_names(name, expected):
    assert is_ambiguous(name) is expected


def test_lookup_is_normalised(kb_nlp):
    kb = kb_nlp.get_pipe("dataref_dataset_kb")
    assert kb.lookup("cifar 10")["id"] == kb.lookup("CIFAR10")["id"] == "cifar-10"
    assert kb.lookup("the CIFAR-10 dataset")["id"] == "cifar-10"
    assert kb.lookup("NotADataset") is None


@pytest.mark.parametrize("text,expected", [
    ("We evaluate on GSM8K, a benchmark of math problems.", ["GSM8K"]),
    ("Scores on GSM8K improve.", []),  # no support: no cue word, no marker, not tagged elsewhere
    ("We train on Places205 [3] images.", ["Places205"]),
    ("Places of interest are marked on the dataset map.", []),  # ambiguous: a cue nearby is not enough
    ("We use the Places dataset.", ["Places"]),
])
def test_proposals_need_support(kb_nlp, reader, text, expected):
    body = text.replace("[3]", '<ref type="bibr" target="#b0">[3]</ref>')
    doc = kb_nlp(reader(make_tei(f"<p>{body}</p>", BIBL)))
    assert [e.text for e in doc.ents] == expected


def test_records_and_introducing_paper_choose_the_link(kb_nlp, reader):
    body = ('<p>We use MNIST <ref type="bibr" target="#b1">[2,</ref><ref type="bibr" target="#b2">3]</ref> '
            'and CIFAR10 here.</p><p>GSM8K is hard.</p><p>Later GSM8K results.</p>')
    doc = set_datasets(reader(make_tei(body, BIBL)), ["MNIST", "CIFAR10", "GSM8K"])
    doc = kb_nlp(doc)
    datasets = {d["name"]: d for d in doc._.datasets}
    assert datasets["CIFAR10"]["kb"]["id"] == "cifar-10"
    assert datasets["CIFAR10"]["kb"]["homepage"].startswith("https://www.cs.toronto.edu")
    # [2,3] after MNIST: the dropout paper is not its citation, LeCun 1998 is its introducing paper
    assert [r["id"] for r in datasets["MNIST"]["references"]] == ["b2"]
    assert datasets["MNIST"]["references"][0]["evidence"][0]["entry"] == ["entry_is_introducing_paper"]
    # no marker at all: the bibliography holds GSM8K's introducing paper, so that is its citation
    assert [(r["id"], r["evidence"][0]["rule"]) for r in datasets["GSM8K"]["references"]][0] == ("b0", "introducing_paper")


def test_serialisation(kb_nlp, reader, tmp_path):
    kb_nlp.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.get_pipe("dataref_dataset_kb").lookup("CIFAR10")["id"] == "cifar-10"
    fresh = spacy.blank("en").add_pipe("dataref_dataset_kb")
    fresh.from_bytes(kb_nlp.get_pipe("dataref_dataset_kb").to_bytes())
    assert fresh.lookup("GSM8K")["name"] == "GSM8K"
    doc = kb_nlp(reader(make_tei("<p>We evaluate on the GSM8K benchmark.</p>", BIBL)))
    docbin = DocBin(store_user_data=True)
    docbin.add(doc)
    restored = list(DocBin().from_bytes(docbin.to_bytes()).get_docs(kb_nlp.vocab))[0]
    assert restored._.dataset_kb == doc._.dataset_kb and list(doc._.dataset_kb.values())[0]["id"] == "gsm8k"


def test_real_papers_with_code_table(corpora):
    path = corpora / "pwc-datasets" / "pwc_datasets.json"
    rows = table_from_pwc(json.loads(path.read_text()))
    by_id = {r["id"]: r for r in rows}
    assert len(rows) == 6257
    assert by_id["imagenet"]["paper"]["title"].startswith("ImageNet: A large-scale hierarchical image database")
    assert all(" - " not in a for r in rows for a in r["aliases"])


def test_second_table_of_social_science_and_health_data(corpora):
    """Rich Context's 938 surveys, cohorts and agency data: rows of the same shape, ids marked "rc:", so a
    paper's "NHANES" gets the National Health and Nutrition Examination Survey's record."""
    rows = table_from_rc(json.loads((corpora / "rc-datasets" / "datasets.json").read_text()))
    assert len(rows) == 938 and all(r["id"].startswith("rc:") for r in rows)
    pipe = spacy.blank("en").add_pipe("dataref_dataset_kb")
    pipe.set_rows(table_from_pwc(json.loads((corpora / "pwc-datasets" / "pwc_datasets.json").read_text())) + rows)
    assert pipe.lookup("NHANES")["name"] == "National Health and Nutrition Examination Survey"
    assert pipe.lookup("Health and Retirement Study")["id"].startswith("rc:")
    assert pipe.lookup("CIFAR-10")["id"] in {"cifar-10", "cifar10"}  # the export holds both records


def test_third_table_of_databases_and_registries():
    """bioregistry's resources as papers write them: "GEO", "ClinVar" (its name is "ClinVar Variation"),
    "GenBank"; an ontology is in the table too, for the entity decision to tell apart."""
    rows = table_from_bioregistry()
    pipe = spacy.blank("en").add_pipe("dataref_dataset_kb")
    pipe.set_rows(rows)
    assert pipe.lookup("GEO")["name"] == "Gene Expression Omnibus"
    assert pipe.lookup("GenBank")["id"] == "bioregistry:genbank"
    assert pipe.lookup("Gene Ontology")["id"] == "bioregistry:go"
    assert all(r["id"].startswith("bioregistry:") for r in rows) and len(rows) > 2000


def test_archives_are_proposed_where_papers_speak_of_their_data(corpora):
    """A real biomedical paper's "transcriptome data sets downloaded from the Gene Expression Omnibus (GEO; …)":
    the archive is a candidate from its sentence's data words, as is a "GenBank accession"."""
    from dataref.readers import PaperReader

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    nlp.add_pipe("dataref_dataset_kb").set_rows(table_from_bioregistry())
    proposed = {e.text for path in ("5ec9dc00-631d-4dc0-a310-6db68addce4f", "5805de03-5222-41ac-875a-aae9f6ea0667")
                for e in nlp(PaperReader(nlp)(corpora / "grobid-tei-bulk" / f"{path}.tei.xml")).ents}
    assert {"Gene Expression Omnibus", "GenBank"} <= proposed


def test_n_process_2(kb_nlp):
    texts = ["We evaluate on the GSM8K benchmark and CIFAR-10 images.", "Places of interest."] * 3
    single = [json.dumps(d._.dataset_kb, sort_keys=True) for d in kb_nlp.pipe(texts)]
    multi = [json.dumps(d._.dataset_kb, sort_keys=True) for d in kb_nlp.pipe(texts, n_process=2, batch_size=1)]
    assert multi == single and "gsm8k" in single[0] and single[1] == "{}"


def test_spellings_of_a_name_and_its_year_or_size():
    assert spellings("ACE 2005") == {"ACE 2005", "ACE-2005", "ACE2005"}
    assert spellings("MovieLens20M") == {"MovieLens20M"}
    assert spellings("C4") == {"C4"}


def test_known_names_as_papers_write_them(corpora):
    """Real ML papers write "mC4" (lower-case first), "SBU Captions" (the table's "SBU Captions Dataset" without
    its head noun) and "Libri-light" (the table's "Libri-Light"); a biomedical paper's "NCBI gene" is a gene
    record, not the table's "NCBI Gene" database, and stays untagged."""
    from dataref.readers import PaperReader

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"overwrite": False})
    kb = nlp.add_pipe("dataref_dataset_kb")
    kb.set_rows(table_from_pwc(json.loads((corpora / "pwc-datasets" / "pwc_datasets.json").read_text()))
                + table_from_bioregistry())

    def proposed(path: str) -> set[str]:
        return {e.text for e in nlp(PaperReader(nlp, max_chars=1_000_000)(corpora / path)).ents}

    assert "Libri-light" in proposed("ml-tei/2010.11430v1.tei.xml")
    assert "NCBI gene" not in proposed("grobid-tei-bulk/14292edf-acbe-4f76-a3be-e329c90b9961.tei.xml")
    # the table's "ACE 2005" and "CoNLL 2002" as papers join their years: "ACE-2005", "CoNLL-2002"
    assert "ACE-2005" in proposed("grobid-tei/s2orc-N18-3011.tei.xml")
    assert "CoNLL-2002" in proposed("ml-tei/2007.07683v1.tei.xml")
    # an archive named with one of its records: "The murine Cobl gene comprises 15 exons (GenBank: NM_172496.3)"
    assert "GenBank" in proposed("grobid-tei-bulk/d411cc64-fc4e-4f99-ba5a-2594e0baa306.tei.xml")
    # a marker after the abbreviation in brackets: "Visual Question Answering (VQA) [2]"
    assert {"mC4", "SBU Captions", "Visual Question Answering", "VQA"} <= proposed("ml-tei/2103.01913v2.tei.xml")


def test_a_name_without_its_head_noun_is_matched_only_when_it_is_still_a_name():
    """The table holds "The Benchmark" and "AND Dataset": without their head nouns they would match every "The
    dataset" of every paper; "SBU Captions Dataset" without it is the name papers write."""
    nlp = spacy.blank("en")
    kb = nlp.add_pipe("dataref_dataset_kb")
    rows = [{"id": i, "name": n, "full_name": "", "aliases": [], "homepage": "", "paper": {}, "modalities": []}
            for i, n in [("the-benchmark", "The Benchmark"), ("and-dataset", "AND Dataset"),
                         ("sbu", "SBU Captions Dataset")]]
    kb.set_rows(rows)
    assert "the" not in kb.forms and "and" not in kb.forms
    assert kb.forms["sbu captions"] == {"SBU Captions"}
