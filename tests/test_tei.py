import json
import warnings

import pytest
from spacy.tokens import DocBin

from dataref import TEIReader


from .conftest import EXAMPLE, bib, make_tei

BIBL = bib("b0", "Deng", "2009", "ImageNet: a database", raw="J. Deng. ImageNet: a database. CVPR 2009.") + \
    bib("b1", "Lin", "2014", "Microsoft COCO")


@pytest.mark.parametrize(
    "body,expected",
    [
        ('<p>We use ImageNet <ref type="bibr" target="#b0">[1]</ref>.</p>', [("[1]", ["b0"])]),
        ('<p>COCO <ref type="bibr" target="#b0 #b1">[1,2]</ref> again.</p>', [("[1,2]", ["b0", "b1"])]),
        ('<p>As in <ref type="bibr">[7]</ref>.</p>', [("[7]", [])]),
        ('<p>As in <ref type="bibr" target="#b99">[99]</ref>.</p>', [("[99]", [])]),
        ('<p>See<ref type="bibr" target="#b1">(Lin et al., 2014)</ref>.</p>', [("(Lin et al., 2014)", ["b1"])]),
        ('<p>Images<ref type="bibr" target="#b0">[1]</ref><ref type="bibr" target="#b1">[2]</ref>.</p>',
         [("[1]", ["b0"]), ("[2]", ["b1"])]),
        ('<p><s>One <ref type="bibr" target="#b0">[1]</ref>.</s><s>Two.</s></p>', [("[1]", ["b0"])]),
    ],
)
def test_citation_markers(reader, body, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = reader(make_tei(body, BIBL))
    found = [(span.text, span._.targets) for span in doc.spans["citations"]]
    assert found == expected
    for span in doc.spans["citations"]:
        assert span.label_ == "CITATION"
        assert doc.text[span.start_char:span.end_char] == span.text


def test_unknown_target_warns_and_stays_unlinked(reader):
    with pytest.warns(UserWarning, match="W002"):
        doc = reader(make_tei('<p>As in <ref type="bibr" target="#b99">[99]</ref>.</p>', BIBL))
    (span,) = doc.spans["citations"]
    assert span._.targets == [] and span.id_ == "#b99"


def test_one_warning_per_paper_and_counts_in_its_metadata(reader):
    body = "<p>" + " ".join(f'See <ref type="bibr" target="#b{90 + i}">[{91 + i}]</ref>.' for i in range(3)) + "</p>"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        doc = reader(make_tei(body, BIBL))
    messages = [str(w.message) for w in caught if "W002" in str(w.message)]
    assert len(messages) == 1 and "3 citation marker(s) point to ids not in the bibliography" in messages[0]
    assert "'[91]' → 'b90'" in messages[0]
    assert doc._.paper["warnings"] == {"W002": 3}


def test_bibliography_fields(reader):
    doc = reader(EXAMPLE)
    bib0 = doc._.bibliography["b0"]
    assert bib0["title"] == "ImageNet: A large-scale hierarchical image database"
    assert bib0["year"] == "2009" and bib0["venue"] == "CVPR"
    assert bib0["authors"][0] == "Jia Deng"
    assert bib0["citation"].startswith("J. Deng, W. Dong")  # GROBID's raw reference, verbatim
    bib3 = doc._.bibliography["b3"]
    assert bib3["doi"] == "10.1007/978-3-319-10602-1_48"
    bib4 = doc._.bibliography["b4"]  # no raw reference: assembled from the fields
    assert bib4["raw"] == ""
    assert "Microsoft COCO captions" in bib4["citation"] and "2015" in bib4["citation"]
    assert doc._.paper["title"] == "Tiny Transformers for Robust Image Classification"
    assert doc._.paper["doi"] == "10.0000/dataref.example.2026"


def test_entry_without_title_is_kept(reader):
    doc = reader(make_tei("<p>Text.</p>", bib("b0", "Smith", "2020")))
    assert doc._.bibliography["b0"]["title"] == ""
    assert doc._.bibliography["b0"]["citation"] == "A Smith. (2020)."


def test_sections_and_reading_order(reader):
    doc = reader(EXAMPLE)
    labels = [s.label_ for s in doc.spans["sections"]]
    assert labels == ["Title", "Abstract", "Introduction", "Datasets", "Results"]
    assert doc.text.startswith("Tiny Transformers for Robust Image Classification\n\nWe study")
    for span in doc.spans["sections"]:
        assert not span.text.startswith(("\n", " ")) and not span.text.endswith(("\n", " "))


def test_sentences_from_grobid_s(reader):
    doc = reader(make_tei("<p><s>First one, e.g. with dots.</s><s>Second one.</s></p>"))
    sents = [s.text.strip() for s in doc.sents]
    assert sents[-3:] == ["Experiments", "First one, e.g. with dots.", "Second one."]


def test_markers_never_start_a_sentence(nlp, reader):
    doc = nlp(reader(make_tei('<p>It works <ref type="bibr" target="#b0">(Deng et al. 2009)</ref>. Next.</p>', BIBL)))
    (span,) = doc.spans["citations"]
    assert all(not t.is_sent_start for t in span[1:])


def test_docbin_round_trip(nlp, reader):
    doc = reader(EXAMPLE)
    docbin = DocBin(store_user_data=True)
    docbin.add(doc)
    restored = list(DocBin().from_bytes(docbin.to_bytes()).get_docs(nlp.vocab))[0]
    assert restored.text == doc.text
    # msgpack hands lists back as tuples: compare as JSON
    assert json.dumps(restored._.bibliography) == json.dumps(doc._.bibliography)
    assert [(s.text, s._.targets) for s in restored.spans["citations"]] == \
        [(s.text, s._.targets) for s in doc.spans["citations"]]
    assert [s.label_ for s in restored.spans["sections"]] == [s.label_ for s in doc.spans["sections"]]


def test_real_grobid_files_parse_and_markers_resolve(nlp, corpora):
    files = sorted((corpora / "grobid-tei").glob("*.xml")) + sorted((corpora / "tei-samples").glob("*.xml"))
    assert len(files) >= 40
    reader = TEIReader(nlp, max_chars=1_000_000)  # parsing only: the two longest papers exceed the default limit
    for path in files:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = reader(path)
        assert doc.text == "".join(t.text_with_ws for t in doc), path
        for span in doc.spans["citations"]:
            assert all(t in doc._.bibliography for t in span._.targets), path
    # the s2orc SPECTER paper: 79 markers, 57 entries, raw references
    doc = reader(corpora / "grobid-tei" / "s2orc-2020.acl-main.207.tei.xml")
    assert len(doc._.bibliography) == 57
    assert doc.spans["citations"][0].text == "(Radford et al., 2018;"


def test_mangled_lowercase_tei_still_reads(reader, corpora):
    doc = reader(corpora / "grobid-tei" / "datastet-5e7255c7b2924f373d23e46a.test.tei.xml")
    assert len(doc._.bibliography) == 70
    assert doc.spans["citations"][0].text == "(Bierne et al., 2011)"
    assert doc.spans["citations"][0]._.targets == ["b12"]


def test_reader_pipe(reader):
    docs = list(reader.pipe([EXAMPLE, EXAMPLE.read_bytes()]))
    assert docs[0].text == docs[1].text
    assert docs[0]._.paper["path"] == str(EXAMPLE) and docs[1]._.paper["path"] == ""


def test_names_grobid_wrapped_in_targetless_refs_stay_text(reader, corpora):
    """`<ref type="bibr">CoNLL-2003</ref><ref type="bibr">and ACE-2005</ref><ref type="bibr">(e.g., Lample et al.,
    2016</ref>`: the first two are dataset names GROBID took for citations; only the third is a marker."""
    doc = reader(corpora / "grobid-tei" / "s2orc-N18-3011.tei.xml")
    start = doc.text.index("such as CoNLL-2003")
    near = [s.text for s in doc.spans["citations"] if start <= s.start_char < start + 80]
    assert near == ["(e.g., Lample et al., 2016"]
    assert doc.text[start:].startswith("such as CoNLL-2003 and ACE-2005 (e.g., Lample")
