"""Dataset identifiers (repository DOIs, archive accessions), their ties to datasets, roles, plain text, MDC CSV."""
import csv
import json

import bioregistry
import pytest
import spacy
from typer.testing import CliRunner

import dataref.pipes.identifiers  # noqa: F401  (registers the factories: the installed entry points may predate them)
import dataref.pipes.roles  # noqa: F401
from dataref.cli import app
from dataref.linking.identifiers import (archives, data_statements, entry_identifiers, find_identifiers,
                                         is_dataset_by_itself, search_pattern)
from dataref.linking.lexicon import DATA_ARCHIVES, MDC_ARCHIVES
from dataref.output.mdc import article_id, mdc_rows
from dataref.readers.plaintext import PlainTextReader, paper_doi
from dataref.pipes.roles import CREATED, OWN, UNKNOWN, USED, DatasetRoles

from .conftest import linker_pipeline, make_tei, set_datasets

runner = CliRunner()


def ids(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(i.id, i.archive) for i in find_identifiers(text, **kwargs)]


# ---- each archive's pattern on its real example (bioregistry's own example id) -----------------------------

@pytest.mark.parametrize("prefix", sorted(DATA_ARCHIVES))
def test_each_archive_finds_its_example_in_a_sentence(prefix):
    resource = bioregistry.get_resource(prefix)
    example = resource.get_example()
    if resource.get_banana():  # "EMPIAR-10595", "CVCL_0440": written with the archive's prefix
        example = f"{resource.get_banana()}{resource.get_banana_peel()}{example}"
    name = resource.get_name()
    text = f"The raw data were retrieved from {name} ({prefix.split('.')[0].upper()}) under accession {example}."
    found = find_identifiers(text)
    assert [(i.id, i.archive) for i in found] == [(example, prefix)], (text, found)
    assert found[0].url.startswith("http") and example in found[0].url


@pytest.mark.parametrize("text, expected", [
    ("Expression profiles are available in GEO under accession GSE67047.", [("GSE67047", "geo")]),
    ("Reads were deposited in the SRA (SRX1830060) under BioProject PRJNA664798.",
     [("SRX1830060", "insdc.sra"), ("PRJNA664798", "bioproject")]),
    ("Sample metadata: BioSample SAMN16233641.", [("SAMN16233641", "biosample")]),
    ("Arrays are in ArrayExpress (E-MTAB-5061).", [("E-MTAB-5061", "arrayexpress")]),
    ("Genotypes were obtained from dbGaP (phs000424.v8.p2).", [("phs000424.v8.p2", "dbgap")]),
    ("Data are held at the EGA, study EGAS00001002345.", [("EGAS00001002345", "ega.study")]),
    ("Micrographs were taken from EMPIAR-10028.", [("EMPIAR-10028", "empiar")]),
    ("The structure of the channel (PDB ID: 5VA1) was obtained from the RCSB Protein Data Bank.",
     [("5VA1", "pdb")]),
    ("Activities were taken from ChEMBL (CHEMBL1097).", [("CHEMBL1097", "chembl")]),
    ("Spectra are in PRIDE with identifier PXD001676.", [("PXD001676", "pride.project")]),
    ("Cells were CHO cells (RRID:CVCL_0213).", [("CVCL_0213", "cellosaurus")]),
    ("Sequences were downloaded from GISAID (EPI_ISL_402124).", [("EPI_ISL_402124", "gisaid")]),
    ("The genome of Rhodopirellula baltica (GenBank acc. no. BX119912.1) was compared.",
     [("BX119912.1", "insdc")]),
    ("Domains of CATH superfamily 3.40.50.1000 were kept.", [("3.40.50.1000", "cath")]),
    ("The model is in BioModels with identifier MODEL2106070001.", [("MODEL2106070001", "biomodels.db")]),
])
def test_archive_accessions_in_sentences(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize("doi, repository", [
    ("10.5061/dryad.r6nq870", "Dryad"), ("10.5281/zenodo.3667633", "Zenodo"),
    ("10.6084/m9.figshare.12764129.v1", "Figshare"), ("10.1594/PANGAEA.949117", "PANGAEA"),
    ("10.7910/DVN/FWCKSE", "Dataverse"), ("10.17605/OSF.IO/ABCDE", "OSF"),
    ("10.17632/jb4jjxsbb7.1", "Mendeley Data"),
])
def test_repository_dois(doi, repository):
    found = find_identifiers(f"All measurements are available at https://doi.org/{doi}.")
    assert [(i.id, i.archive_name, i.url) for i in found] == [(doi.lower(), repository, f"https://doi.org/{doi.lower()}")]


def test_search_patterns_match_whole_tokens_only():
    pattern = search_pattern("^GSE\\d+$")
    assert [m.group(0) for m in __import__("re").finditer(pattern, "GSE12 xGSE34 GSE56x GSE78.")] == ["GSE12", "GSE78"]


# ---- look-alikes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "As shown before (https://doi.org/10.1038/s41586-020-2649-2), the effect holds.",  # an article DOI
    "Supporting tables are in S1 Table (https://doi.org/10.1371/journal.pone.0262974.s001).",  # a supplement
    "The analysis code is available on Zenodo (software, https://doi.org/10.5281/zenodo.3946761).",  # software
    "This work was funded by grant GSE12345 and project PRJNA99999 of the council.",  # grant numbers
    "See Table 2019 and Fig. 1ABC for details.",  # figure numbers with a PDB code's shape
    "The 1ABC and 2XYZ mutants grew faster.",  # PDB-like strings with no PDB nearby
    "K562 cells were cultured in RPMI.",  # a cell line with a KEGG orthology id's shape
    "BRCA1 and TP53 were up-regulated; P17900 was not measured.",  # gene names; a UniProt shape with no UniProt
    "Our preprint is 10.1101/096297 and this article is doi:10.1002/ece3.4466.",
])
def test_look_alikes_are_dropped(text):
    assert ids(text, exclude_dois=["10.1002/ece3.4466"]) == []


def test_the_papers_own_doi_is_dropped_even_under_a_repository_prefix():
    assert ids("Cite as https://doi.org/10.5281/zenodo.100", exclude_dois=["10.5281/zenodo.100"]) == []


def test_a_doi_cut_by_a_pdf_line_break_is_joined():
    text = "is openly available [Dryad] https://doi.org/10.5061/dryad.\njh9w0vt9t, respectively."
    assert ids(text) == [("10.5061/dryad.jh9w0vt9t", "doi")]
    # a complete DOI at a line end keeps its length: the next line is a footnote
    assert ids("available at dx.doi.org/10.5281/zenodo.1135372.\n1To whom correspondence") == [
        ("10.5281/zenodo.1135372", "doi")]


# ---- data availability statements -----------------------------------------------------------------------

STATEMENT = ("Results\nThe model fits the data well (10.5061/dryad.aaa111 holds the older data).\n"
             "Data Availability Statement\nThe data generated in this study have been deposited in Dryad "
             "(https://doi.org/10.5061/dryad.zw3r22854) and the reads in the SRA under BioProject PRJNA780103.\n"
             "Author contributions\nAB wrote the paper.\n")


def test_a_data_availability_statement_in_plain_text():
    (start, end), = data_statements(STATEMENT)
    assert STATEMENT[start:end].startswith("Data Availability Statement")
    assert "Author contributions" not in STATEMENT[start:end]
    found = {i.id: i.in_statement for i in find_identifiers(STATEMENT)}
    assert found == {"10.5061/dryad.aaa111": False, "10.5061/dryad.zw3r22854": True, "PRJNA780103": True}


def test_a_statement_from_a_tei_section_label():
    text = "We deposited everything at https://doi.org/10.1234/abcd.5678 (the data archive)."
    assert ids(text) == []  # an unknown prefix outside a statement is not taken for data
    assert ids(text, sections=[("Data availability", 0, len(text))]) == [("10.1234/abcd.5678", "doi")]


def test_a_real_pdf_data_availability_statement(corpora):
    path = corpora / "mdc" / "text_from_pdf" / "10.1002_esp.5058.txt"
    if not path.exists():
        pytest.skip(f"{path} not found")
    doc = PlainTextReader(spacy.blank("en"))(path)
    found = {i.id: i.in_statement for i in find_identifiers(doc.text, exclude_dois=[doc._.paper["doi"]])}
    # read in the file: "…available [USGS data release] at http://doi.\norg/10.5066/P9FW6E8K and [Dryad]
    # https://doi.org/10.5061/dryad.\njh9w0vt9t, respectively." under "DATA AVAILABILITY STATEMENT"
    assert found == {"10.5066/p9fw6e8k": True, "10.5061/dryad.jh9w0vt9t": True}


# ---- ties to dataset records, bibliography data citations -------------------------------------------------

DATA_BIBL = ('<biblStruct xml:id="b0"><analytic><title level="a" type="main">Data from: bird photographs of '
             'the Alps</title></analytic><monogr><title level="m">Dryad Digital Repository</title><imprint>'
             '<date when="2020"/></imprint></monogr><idno type="DOI">10.5061/dryad.b8gtht7h3</idno></biblStruct>'
             '<biblStruct xml:id="b1"><analytic><title level="a" type="main">Soil cores of the Jura</title>'
             '</analytic><monogr><title level="m">PANGAEA</title><imprint><date when="2019"/></imprint></monogr>'
             '<idno type="DOI">10.1594/PANGAEA.964081</idno></biblStruct>'
             '<biblStruct xml:id="b2"><analytic><title level="a" type="main">Deep residual learning</title>'
             '</analytic><monogr><imprint><date when="2016"/></imprint></monogr>'
             '<idno type="DOI">10.1109/CVPR.2016.90</idno></biblStruct>')


@pytest.fixture(scope="module")
def id_nlp():
    return linker_pipeline("dataref_identifiers", "dataref_dataset_roles")


def run(nlp, tei: bytes, names: list[str]):
    from dataref import TEIReader

    return nlp(set_datasets(TEIReader(nlp)(tei), names))


def test_a_data_citation_in_the_bibliography(id_nlp):
    body = ('<p>We use AlpBirds <ref type="bibr" target="#b0">[1]</ref> and a network <ref type="bibr" '
            'target="#b2">[3]</ref>.</p><p>Soil data were taken from an earlier survey.</p>')
    doc = run(id_nlp, make_tei(body, DATA_BIBL), ["AlpBirds"])
    records = {d["name"]: d for d in doc._.datasets}
    alp = records["AlpBirds"]
    assert [(i["id"], i["tie"], i["found_in"]) for i in alp["identifiers"]] == [
        ("10.5061/dryad.b8gtht7h3", "cited_entry", ["bibliography"])]
    assert alp["identifiers"][0]["url"] == "https://doi.org/10.5061/dryad.b8gtht7h3"
    # an entry no dataset mention cites is a record of its own, linked to that entry; the article DOI is not data
    soil = records["10.1594/pangaea.964081"]
    assert soil["linked"] and soil["references"][0]["id"] == "b1"
    assert soil["identifiers"][0]["archive_name"] == "PANGAEA"
    assert "10.1109/cvpr.2016.90" not in records
    assert all(set(d) >= {"name", "references", "linked", "identifiers", "role", "role_evidence"}
               for d in records.values())


def test_an_accession_in_brackets_joins_its_dataset(id_nlp):
    body = "<p>We reanalysed the TCGA-BRCA cohort (GEO: GSE62944) with our method.</p>"
    doc = run(id_nlp, make_tei(body), ["TCGA-BRCA"])
    record, = doc._.datasets
    assert record["name"] == "TCGA-BRCA"
    assert [(i["id"], i["tie"], i["archive"]) for i in record["identifiers"]] == [("GSE62944", "parenthetical", "geo")]
    assert record["identifiers"][0]["evidence"][0]["sentence"].startswith("We reanalysed the TCGA-BRCA cohort")


def test_entry_identifiers_need_data_evidence():
    assert [i.id for i in entry_identifiers({"doi": "10.1038/nature14539", "title": "Deep learning"})] == []
    assert [i.id for i in entry_identifiers({"doi": "10.1234/xyz", "title": "Data from: lizards",
                                             "venue": "Dryad"})] == ["10.1234/xyz"]


def test_software_releases_archived_on_zenodo_are_no_data(corpora):
    """Real JATS entries: "Foster Z … taxa v0.2.0 (Version 0.2.0). Zenodo." and "pandas-dev/pandas: Pandas … Zenodo"
    are software; "Data from: counting crows … Dryad Digital Repository" is data."""
    from dataref import PaperReader

    reader = PaperReader(spacy.blank("en"))

    def entry(path: str, key: str) -> dict:
        return reader(corpora / "jats" / path)._.bibliography[key]

    assert entry_identifiers(entry("f1000research-14013.2.xml", "ref-6")) == []
    assert entry_identifiers(entry("biorxiv-2023.04.25.537217.xml", "c62")) == []
    assert [i.id for i in entry_identifiers(entry("oup-beheco-ary157.xml", "CIT0074"))] == ["10.5061/dryad.t0g149j"]


# ---- roles ------------------------------------------------------------------------------------------------

def test_role_decisions_from_cue_probabilities():
    roles = DatasetRoles(spacy.blank("en"), threshold=0.5)
    sentences = ["We deposited the reads in the SRA.", "Reads were mapped with BWA."]
    created = roles.decide(sentences, [{"CREATION": 0.9, "USE": 0.05, "BACKGROUND": 0.05},
                                       {"CREATION": 0.1, "USE": 0.8, "BACKGROUND": 0.1}], own=False)
    assert (created["role"], created["evidence"]) == (CREATED, sentences[0])
    used = roles.decide(sentences, [{"CREATION": 0.2, "USE": 0.7, "BACKGROUND": 0.1}] * 2, own=False)
    assert used["role"] == USED
    background = roles.decide(sentences[:1], [{"CREATION": 0.1, "USE": 0.2, "BACKGROUND": 0.7}], own=False)
    assert background["role"] == UNKNOWN
    own = roles.decide(sentences[1:], [{"CREATION": 0.0, "USE": 1.0, "BACKGROUND": 0.0}], own=True)
    assert (own["role"], own["source"]) == (CREATED, OWN)
    assert roles.decide([], [], own=False)["role"] == UNKNOWN


def test_own_named_data_is_created_and_unlinked(id_nlp):
    body = ("<p>Finally, we collected TinyBirds, a new dataset of 5,000 bird photographs taken by the authors.</p>"
            "<p>We use ImageNet.</p>")
    doc = run(id_nlp, make_tei(body), ["TinyBirds", "ImageNet"])
    records = {d["name"]: d for d in doc._.datasets}
    assert records["TinyBirds"]["role"] == CREATED and records["TinyBirds"]["unlinked_reason"] == OWN
    assert records["TinyBirds"]["role_evidence"]["source"] == OWN
    assert records["ImageNet"]["role"] == UNKNOWN  # no trained classifier in this pipeline: no guess


def tiny_classifier(tmp_path):
    """A textcat trained here on a few cue sentences (the real one: configs/role.cfg)."""
    from spacy.training import Example
    from spacy.util import fix_random_seed

    fix_random_seed(0)  # the same tiny model whatever ran before
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat")
    data = [("The sequences generated in this study were deposited in GenBank.", "CREATION"),
            ("We deposited our raw reads in the SRA.", "CREATION"),
            ("Data generated here are available at Dryad.", "CREATION"),
            ("We downloaded expression data from GEO.", "USE"),
            ("Structures were retrieved from the PDB.", "USE"),
            ("We reanalysed a public dataset from GEO.", "USE"),
            ("GEO is a public repository of expression data.", "BACKGROUND")]
    examples = [Example.from_dict(nlp.make_doc(t), {"cats": {c: float(c == y) for c in ("CREATION", "USE",
                                                                                         "BACKGROUND")}})
                for t, y in data]
    for label in ("CREATION", "USE", "BACKGROUND"):
        textcat.add_label(label)
    nlp.initialize(lambda: examples)
    for _ in range(60):
        nlp.update(examples)
    nlp.to_disk(tmp_path / "roles")
    return tmp_path / "roles"


def test_role_cues_through_a_trained_textcat_and_a_disk_round_trip(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("dataref_identifiers")
    roles = nlp.add_pipe("dataref_dataset_roles")
    roles.initialize(path=tiny_classifier(tmp_path))
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    doc = loaded("We deposited our raw reads in the SRA under SRP123456. We downloaded expression data from GEO "
                 "(GSE62944).")
    records = {d["name"]: d["role"] for d in doc._.datasets}
    assert records == {"SRP123456": CREATED, "GSE62944": USED}


# ---- plain text and the MDC CSV ---------------------------------------------------------------------------

def test_plain_text_reader(tmp_path):
    path = tmp_path / "10.1002_ece3.4466.txt"
    path.write_text("Title\u200b line\r\nData are at https://doi.org/10.5061/\u200bdryad.r6nq870.\n", encoding="utf8")
    doc = PlainTextReader(spacy.blank("en"))(path)
    assert doc.text == "Title line\nData are at https://doi.org/10.5061/dryad.r6nq870.\n"
    assert doc._.paper["doi"] == "10.1002/ece3.4466" and doc._.bibliography == {}
    assert paper_doi("notes", "Journal X\nDOI: 10.1111/mec.16743\nAbstract") == "10.1111/mec.16743"
    # the one reader every runner uses (extract, Ray) sends a .txt file to the plain-text reader
    from dataref import PaperReader

    same = PaperReader(spacy.blank("en"))(path)
    assert same.text == doc.text and same._.paper == doc._.paper


@pytest.mark.parametrize("found, alone", [
    ([{"id": "10.5061/dryad.r6nq870", "kind": "doi", "archive": "doi"}], True),  # a data repository's DOI
    ([{"id": "10.1001/jamanetworkopen.2019.6700", "kind": "doi", "archive": "doi"}], False),  # an article's
    ([{"id": "10.1001/jamanetworkopen.2019.6700", "kind": "doi", "archive": "doi", "bib_id": "b3"}], True),
    ([{"id": "GSE62944", "kind": "accession", "archive": "geo"}], True),  # a deposited study
    ([{"id": "GSM242185", "kind": "accession", "archive": "geo"}], False),  # one sample of a study
    ([{"id": "SRR1234567", "kind": "accession", "archive": "insdc.sra"}], False),  # one run
    ([{"id": "PRJNA780103", "kind": "accession", "archive": "bioproject"}], True),
    ([{"id": "KR920359", "kind": "accession", "archive": "insdc"}], False),  # a sequence record
    ([{"id": "5VA1", "kind": "accession", "archive": "pdb"}], False),  # a structure
])
def test_which_identifiers_are_datasets_by_themselves(found, alone):
    assert is_dataset_by_itself(found) is alone


def test_mdc_rows_and_article_ids():
    record = {"path": "/x/10.1002_ece3.4466.txt", "datasets": [
        {"role": "created", "identifiers": [{"id": "10.5061/dryad.r6nq870", "kind": "doi", "archive": "doi"}]},
        {"role": "used", "identifiers": [{"id": "CHEMBL1097", "kind": "accession", "archive": "chembl"},
                                         {"id": "GSE62944", "kind": "accession", "archive": "geo"}]}]}
    assert mdc_rows(record) == [("10.1002_ece3.4466", "https://doi.org/10.5061/dryad.r6nq870", "Primary"),
                                ("10.1002_ece3.4466", "CHEMBL1097", "Secondary")]
    assert "geo" not in MDC_ARCHIVES  # counted in the JSON output, not in the competition's rows
    assert article_id("a/b/paper.tei.xml") == "paper" and mdc_rows({"path": "x.txt", "error": {}}) == []


def test_extract_plain_text_papers_to_jsonl_and_mdc(tmp_path, model_dir):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "paper-a.txt").write_text(STATEMENT, encoding="utf8")
    (papers / "paper-b.txt").write_text("We trained on ImageNet. Compounds were taken from ChEMBL (CHEMBL1097).\n",
                                        encoding="utf8")
    pipeline = spacy.load(model_dir)
    pipeline.add_pipe("dataref_identifiers")
    pipeline.add_pipe("dataref_dataset_roles")
    pipeline.to_disk(tmp_path / "model")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(papers), "-o", str(out), "--model", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    records = {r["path"].rsplit("/", 1)[-1]: r for r in map(json.loads, out.read_text().splitlines())}
    names_a = {d["name"] for d in records["paper-a.txt"]["datasets"]}
    assert {"10.5061/dryad.zw3r22854", "PRJNA780103"} <= names_a
    # a compound record is an identifier of the paper, not a dataset of its own; the MDC rows still count it
    assert {d["name"] for d in records["paper-b.txt"]["datasets"]} == {"ImageNet"}
    assert [i["name"] for i in records["paper-b.txt"]["identifiers"]] == ["CHEMBL1097"]
    rows_path = tmp_path / "rows.csv"
    result = runner.invoke(app, ["extract", str(papers), "-o", str(rows_path), "--format", "mdc", "--model",
                                 str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(rows_path.open()))
    assert {(r["article_id"], r["dataset_id"]) for r in rows} == {
        ("paper-a", "https://doi.org/10.5061/dryad.aaa111"), ("paper-a", "https://doi.org/10.5061/dryad.zw3r22854"),
        ("paper-b", "CHEMBL1097")}
    assert {r["type"] for r in rows} <= {"Primary", "Secondary"}
    refused = runner.invoke(app, ["extract", str(papers), "-o", str(tmp_path / "r.csv"), "--format", "mdc",
                                  "--resume", "--model", str(tmp_path / "model")])
    assert refused.exit_code == 2 and "E053" in refused.output


def test_archives_come_from_bioregistry():
    found = {a.prefix: a for a in archives()}
    assert found["geo"].url("GSE1") == bioregistry.get_resource("geo").get_uri_format().replace("$1", "GSE1")
    assert found["pdb"].needs_context and not found["chembl"].needs_context
