import importlib.util
import json
import os
import shutil
import threading
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import DocBin
from typer.testing import CliRunner

from dataref import JATSReader, PaperReader, TEIReader
from dataref.cli import app
from dataref.errors import DatarefError

from .conftest import EXAMPLE, FIXTURES, ROOT, make_tei
from .test_safety import as_file, listener, refused  # noqa: F401  (listener is a fixture)

TINY = FIXTURES / "tiny-article.jats.xml"
DOCTYPE = ('<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2 20190208//EN" '
           '"JATS-journalpublishing1.dtd">')
REFS = "".join(f'<ref id="r{i}"><mixed-citation><person-group><name><surname>Author{i}</surname>'
               f'<given-names>A</given-names></name></person-group>. <article-title>Paper {i}</article-title>. '
               f'<year>20{10 + i}</year>.</mixed-citation></ref>' for i in range(1, 8))


def make_jats(body: str, refs: str = REFS, doctype: str = "", front: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<article article-type="research-article" '
            f'xmlns:xlink="http://www.w3.org/1999/xlink"><front><article-meta>{front}<title-group><article-title>'
            f'A test article</article-title></title-group></article-meta></front><body><sec><title>Methods</title>'
            f'{body}</sec></body><back><ref-list>{refs}</ref-list></back></article>').encode("utf8")


@pytest.fixture(scope="module")
def jats(nlp):
    return JATSReader(nlp)


def xref(rid: str, text: str) -> str:
    return f'<xref ref-type="bibr" rid="{rid}">{text}</xref>'


@pytest.mark.parametrize("body,expected", [
    # one callout; the brackets around it belong to the marker, as GROBID marks them
    (f"<p>We use ImageNet [{xref('r1', '1')}].</p>", [("[1]", ["r1"])]),
    # several rids in one xref
    (f"<p>COCO [{xref('r1 r2', '1, 2')}] again.</p>", [("[1, 2]", ["r1", "r2"])]),
    # a range written as two callouts: every entry between them, in reference-list order
    (f"<p>Benchmarks [{xref('r3', '3')}–{xref('r6', '6')}] help.</p>", [("[3–6]", ["r3", "r4", "r5", "r6"])]),
    (f"<p>Benchmarks [{xref('r3', '3')}]–[{xref('r5', '5')}] help.</p>", [("[3]–[5]", ["r3", "r4", "r5"])]),
    (f"<p>Benchmarks {xref('r2', '2')} - {xref('r4', '4')} help.</p>", [("2 - 4", ["r2", "r3", "r4"])]),
    (f"<p>Data<sup>{xref('r1', '1')},{xref('r2', '2')}</sup>.</p>", [("1", ["r1"]), ("2", ["r2"])]),
    # a backward "range" or an unknown end is not expanded: two markers
    (f"<p>See [{xref('r5', '5')}–{xref('r3', '3')}].</p>", [("[5", ["r5"]), ("3]", ["r3"])]),
    # an author-year group: the opening bracket on the first marker, the closing one on the last
    (f"<p>SVHN ({xref('r4', 'Netzer et al., 2011')}; {xref('r5', 'Lee, 2015')}) is used.</p>",
     [("(Netzer et al., 2011", ["r4"]), ("Lee, 2015)", ["r5"])]),
    (f"<p>As {xref('r2', 'Smith (2012)')} showed.</p>", [("Smith (2012)", ["r2"])]),
    # a callout with no text makes no marker; one to an id not in the list is kept without a target
    (f"<p>Nothing {xref('r1', '')} here, or [{xref('r99', '99')}].</p>", [("[99]", [])]),
])
def test_citation_markers(jats, body, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = jats(make_jats(body))
    found = [(span.text, span._.targets) for span in doc.spans["citations"]]
    assert found == expected
    for span in doc.spans["citations"]:
        assert span.label_ == "CITATION"
        assert doc.text[span.start_char:span.end_char] == span.text


def test_unknown_rid_warns_once_and_counts(jats):
    with pytest.warns(UserWarning, match=r"W002.*'\[99\]' → 'r99'"):
        doc = jats(make_jats(f"<p>As in [{xref('r99', '99')}] and [{xref('r98', '98')}].</p>"))
    assert doc._.paper["warnings"] == {"W002": 2}


def test_tiny_article_text_sections_and_headings(jats):
    doc = jats(TINY)
    assert doc.text.startswith("Tiny birds: a small test article\n\nWe train on ImageNet [1] and release TinyBirds.")
    assert [s.label_ for s in doc.spans["sections"]] == [
        "Title", "Abstract", "Data Availability", "Introduction", "Datasets", "Figure 1", "Results", "Table 1",
        "Acknowledgements", "Footnote"]
    sections = {s.label_: s.text for s in doc.spans["sections"]}
    assert sections["Abstract"] == "We train on ImageNet [1] and release TinyBirds."  # its own "Abstract" title left out
    assert sections["Figure 1"] == "Figure 1\n\nExamples from TinyBirds.\n\nImages as in [1]."
    # a table: label, caption, one block per row with the cells apart, and its footnotes
    assert sections["Table 1"] == "Table 1\n\nAccuracy.\n\nDataset | Accuracy\n\nCIFAR-10 [2] | 0.95\n\nMean of three runs."
    assert sections["Datasets"].startswith("Datasets\n\nWe use CIFAR-10")  # the section number (label) is not text
    assert [h.text for h in doc.spans["headings"]] == ["Introduction", "Datasets", "Figure 1", "Results", "Table 1"]
    assert "reviewer" not in doc.text.lower()  # sub-articles (reviews, replies, translations) are not read
    assert [(s.text, s._.targets) for s in doc.spans["citations"]] == [
        ("[1]", ["r1"]), ("[1–3]", ["r1", "r2", "r3"]), ("[2, 3]", ["r2", "r3"]), ("(Netzer et al., 2011", ["r4"]),
        ("Goodfellow et al., 2014)", ["r5"]), ("[1]", ["r1"]), ("[2]", ["r2"])]
    assert not any(token.is_sent_start for span in doc.spans["citations"] for token in span[1:])


def test_tiny_article_paper_and_bibliography(jats):
    doc = jats(TINY)
    assert doc._.paper == {"path": str(TINY), "title": "Tiny birds: a small test article", "doi": "10.1234/tiny.2024.1",
                           "pmid": "12345678", "pmcid": "PMC1234567", "article_type": "research-article",
                           "warnings": {}}
    bib = doc._.bibliography
    assert list(bib) == ["r1", "r2", "r3", "r4", "r5"]
    # a mixed citation: its own text, punctuation included, is the citation
    assert bib["r1"]["citation"] == bib["r1"]["raw"] == ("Deng J, Dong W. ImageNet: a large-scale hierarchical image "
                                                        "database. CVPR. 2009. 10.1109/CVPR.2009.5206848")
    assert (bib["r1"]["authors"], bib["r1"]["surnames"]) == (["J Deng", "W Dong"], ["Deng", "Dong"])
    assert (bib["r1"]["title"], bib["r1"]["venue"], bib["r1"]["year"], bib["r1"]["doi"]) == (
        "ImageNet: a large-scale hierarchical image database", "CVPR", "2009", "10.1109/CVPR.2009.5206848")
    # an element citation (bare fields): the citation is assembled from them; URL from ext-link
    assert bib["r2"]["citation"] == ("A Krizhevsky. (2009). Learning multiple layers of features from tiny images. "
                                     "Technical report, University of Toronto. "
                                     "https://www.cs.toronto.edu/~kriz/learning-features-2009-TR.pdf.")
    assert bib["r2"]["raw"].startswith("Krizhevsky A Learning multiple layers")  # fields kept apart by spaces
    # a book with editors only: they stand in for authors, the source is the title
    assert (bib["r3"]["authors"], bib["r3"]["title"], bib["r3"]["venue"]) == (["Y Bengio"], "Deep Learning Methods", "")
    assert bib["r4"]["pmid"] == "99999999" and bib["r4"]["doi"] == ""
    # a group author and a plain string name; the DOI from a doi.org link
    assert bib["r5"]["surnames"] == ["Google Street View Team", "Goodfellow"]
    assert bib["r5"]["doi"] == "10.48550/arXiv.1312.6082"


def test_docbin_round_trip(jats, nlp):
    doc = jats(TINY)
    restored = list(DocBin(docs=[doc], store_user_data=True).get_docs(nlp.vocab))[0]
    def plain(value):  # DocBin gives lists back as tuples
        return json.loads(json.dumps(value))

    assert plain(restored._.bibliography) == plain(doc._.bibliography) and plain(restored._.paper) == plain(doc._.paper)
    assert [(s.text, s.kb_id_) for s in restored.spans["citations"]] == [
        (s.text, s.kb_id_) for s in doc.spans["citations"]]


def test_pipe_and_paper_reader_dispatch(nlp):
    reader = PaperReader(nlp)
    tei, article = list(reader.pipe([EXAMPLE, TINY]))
    assert tei._.paper["grobid_version"] and "article_type" not in tei._.paper
    assert tei.text == TEIReader(nlp)(EXAMPLE).text
    assert article._.paper["article_type"] == "research-article"
    assert article.text == JATSReader(nlp)(TINY).text
    assert [d.text for d in JATSReader(nlp).pipe([TINY, TINY])] == [article.text] * 2


# ---- safety: the DTD a JATS file names is never read; declarations stay refused ----

def test_public_doctype_is_read_without_loading_the_dtd(jats, tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY secret "dataref-secret-9f3a"><!ATTLIST article article-type CDATA "from-the-dtd">')
    doctype = f'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS//EN" "{dtd.as_uri()}">'
    data = make_jats("<p>We use ImageNet and &secret; here.</p>", doctype=doctype).replace(
        b' article-type="research-article"', b"")
    doc = jats(as_file(tmp_path, data, "a.xml"))
    assert "dataref-secret" not in doc.text and "ImageNet" in doc.text
    assert doc._.paper["article_type"] == ""  # the DTD's attribute default was not applied


def test_doctype_naming_a_fifo_or_url_does_not_block_or_connect(jats, tmp_path, listener):  # noqa: F811
    port, hits = listener
    fifo = tmp_path / "dtd.fifo"
    os.mkfifo(fifo)
    results = []
    for system in (str(fifo), f"http://127.0.0.1:{port}/jats.dtd"):
        data = make_jats("<p>We use ImageNet.</p>", doctype=f'<!DOCTYPE article SYSTEM "{system}">')
        path = as_file(tmp_path, data, "a.xml")
        worker = threading.Thread(target=lambda p=path: results.append(jats(p).text), daemon=True)
        worker.start()
        worker.join(timeout=10)
        assert not worker.is_alive(), f"reading a JATS file whose DOCTYPE names {system} blocked"
    assert len(results) == 2 and hits == []


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE article [<!ENTITY x "y">]>',  # internal subset
    '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS//EN" "a.dtd" [<!ENTITY % p SYSTEM "http://127.0.0.1:1/p">]>',
    '<!DOCTYPE article SYSTEM "a.dtd"><!DOCTYPE article SYSTEM "b.dtd">',  # two declarations
])
def test_declarations_are_refused(jats, tmp_path, doctype):
    assert refused(jats, as_file(tmp_path, make_jats("<p>x</p>", doctype=doctype), "a.xml")).code == "E005"


def test_billion_laughs_refused_in_jats(jats, tmp_path):
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">'
                                                    for i in range(1, 9)).replace("&a0;", "&a;")
    data = make_jats("<p>&a8;</p>", doctype=f"<!DOCTYPE article [{entities}]>")
    assert refused(jats, as_file(tmp_path, data, "a.xml")).code == "E005"


def test_tei_keeps_refusing_any_doctype_through_the_paper_reader(nlp, tmp_path):
    data = make_tei("<p>We use ImageNet.</p>").replace(b"<TEI xmlns", b'<!DOCTYPE TEI SYSTEM "tei.dtd">\n<TEI xmlns', 1)
    assert refused(PaperReader(nlp), as_file(tmp_path, data)).code == "E005"


@pytest.mark.parametrize("data,code", [
    (b"", "E001"),
    (b"not xml", "E002"),
    (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>TEI</p></body></text></TEI>', "E040"),
    (b"<article><front><article-meta/></front><body/></article>", "E042"),
    (make_jats("<p>cut off").replace(b"</sec></body>", b""), "E002"),
])
def test_broken_jats_coded_errors(jats, tmp_path, data, code):
    err = refused(jats, as_file(tmp_path, data, "a.xml"))
    assert err.code == code and "lxml" not in str(err)


def test_paper_reader_refuses_other_xml(nlp, tmp_path):
    err = refused(PaperReader(nlp), as_file(tmp_path, b"<html><body>hi</body></html>", "a.xml"))
    assert err.code == "E041" and "<html>" in str(err)


# ---- real JATS articles of several publishers and DTD versions ----

def _check_jats():
    spec = importlib.util.spec_from_file_location("check_jats", ROOT / "scripts" / "check_jats.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_bibr_callout_of_the_shared_articles_is_a_resolved_citation(corpora, nlp):
    files = sorted((corpora / "jats").glob("*.xml"))
    if not files:
        pytest.skip(f"no JATS articles in {corpora / 'jats'}")
    check = _check_jats()
    reader = JATSReader(nlp)
    rows = [check.check_file(reader, path) for path in files]
    assert [(r["file"], r["missed"]) for r in rows if r["found"] != r["callouts"]] == []
    assert all(r["spans_resolved"] == r["spans"] and not r["warnings"] for r in rows)
    assert sum(r["callouts"] for r in rows) >= 3000
    # ranges became single markers: fewer spans than callouts, never more
    assert sum(r["spans"] for r in rows) < sum(r["callouts"] for r in rows)


def test_a_real_article_reads_as_the_paper_says(corpora, jats):
    path = corpora / "jats" / "bmc-1471-2180-11-174.xml"
    if not path.exists():
        pytest.skip(f"{path} not found")
    doc = jats(path)
    # "…identical environments and genotypes [<xref rid="B1">1</xref>-<xref rid="B9">9</xref>]."
    first = doc.spans["citations"][0]
    assert (first.text, first._.targets) == ("[1-9]", [f"B{i}" for i in range(1, 10)])
    assert doc._.paper["title"] == "Factors influencing lysis time stochasticity in bacteriophage λ"
    assert doc._.bibliography["B1"]["title"] == "Microbial cell individuality and the underlying sources of heterogeneity"
    assert doc._.bibliography["B1"]["doi"] == "10.1038/nrmicro1460" and doc._.bibliography["B1"]["pmid"] == "16845428"


# ---- dataref extract on a folder mixing TEI and JATS ----

def test_extract_mixed_folder(model_dir, tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "a.tei.xml")
    shutil.copy(TINY, folder / "b.nxml")  # PubMed Central's name for JATS files
    (folder / "c.xml").write_bytes(make_jats("<p>x</p>", doctype='<!DOCTYPE article [<!ENTITY x "y">]>'))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["extract", str(folder), "-o", str(out), "--model", str(model_dir)])
    assert result.exit_code == 0, result.output
    rows = {r["path"].rsplit("/", 1)[-1]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["c.xml"]["error"]["code"] == "E005"
    assert rows["a.tei.xml"]["paper"]["grobid_version"]
    article = rows["b.nxml"]
    assert article["paper"]["doi"] == "10.1234/tiny.2024.1"
    datasets = {d["name"]: d for d in article["datasets"]}
    # "We train on ImageNet [1]": [1] is r1, Deng et al., "ImageNet: a large-scale hierarchical image database"
    imagenet = datasets["ImageNet"]["references"][0]
    assert imagenet["id"] == "r1" and imagenet["citation"].startswith("Deng J, Dong W. ImageNet")
    assert imagenet["evidence"][0]["marker_text"] == "[1]"
    # "SVHN (Netzer et al., 2011; …)": the adjacent author-year group, the entry it names first
    assert "r4" in [r["id"] for r in datasets["SVHN"]["references"]]
    assert datasets["TinyBirds"]["linked"] is False


def test_tei_reader_alone_still_refuses_jats(nlp):
    with pytest.raises(DatarefError) as info:
        TEIReader(nlp)(TINY)
    assert info.value.code == "E005"  # GROBID never writes a DOCTYPE; TEIReader keeps refusing any


# ---- mutated input: a Doc that keeps the contract, or a coded refusal, never anything else ----

JUNK = [b"", b'<xref ref-type="bibr" rid="r1">', b"</p>", b"<sec><title>", b"&amp;", b"]",
        b'<xref ref-type="bibr" rid="r1 r9">1</xref>-<xref ref-type="bibr" rid="r0">2</xref>',
        b'[<xref ref-type="bibr" rid="r5">5</xref>]\xe2\x80\x93[<xref ref-type="bibr" rid="r1">1</xref>]',
        b'<table-wrap><table><tr><td>(<xref ref-type="bibr" rid="r2">x</xref></td></tr></table></table-wrap>']


@settings(max_examples=120, deadline=None)
@given(where=st.integers(0, 4000), junk=st.sampled_from(JUNK), cut=st.integers(0, 4000), truncate=st.booleans())
def test_mutated_jats_keeps_the_contract_or_is_refused_with_a_code(jats, where, junk, cut, truncate):
    data = TINY.read_bytes()
    where = where % len(data)
    data = data[:where] + junk + data[where:]
    if truncate:
        data = data[:cut % len(data)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = jats(data)
    except DatarefError as err:
        assert err.code.startswith("E")
        return
    for span in doc.spans["citations"]:
        assert doc.text[span.start_char:span.end_char] == span.text
        assert set(span._.targets) <= set(doc._.bibliography)
