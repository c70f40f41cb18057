import os
import re
import resource
import socket
import threading
import time
import warnings
from pathlib import Path

import pytest

from dataref.errors import DatarefError

from .conftest import bib, make_tei

SECRET = "dataref-secret-9f3a"


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture
def listener():
    """A TCP port that records every connection attempt."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    hits = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                hits.append(1)
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join()
    server.close()


def as_file(tmp_path, data: bytes, name: str = "attack.tei.xml"):
    """Attacks arrive as files: the refusal must name the file."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(reader, path) -> DatarefError:
    with pytest.raises(DatarefError) as info:
        reader(path)
    assert str(path) in str(info.value)
    return info.value


def tei_with_doctype(doctype: str, body: str) -> bytes:
    return make_tei(f"<p>{body}</p>").replace(b'<TEI xmlns', doctype.encode() + b'\n<TEI xmlns', 1)


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    return tei_with_doctype(f"<!DOCTYPE TEI [{''.join(entities)}]>", "&lol9;")


def test_billion_laughs_refused_fast_and_small(reader, tmp_path):
    path = as_file(tmp_path, billion_laughs())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    assert refused(reader, path).code == "E005"
    assert time.perf_counter() - start < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_external_entity_cannot_read_local_file(reader, secret_file, tmp_path):
    data = tei_with_doctype(f'<!DOCTYPE TEI [<!ENTITY xxe SYSTEM "file://{secret_file}">]>', "&xxe;")
    err = refused(reader, as_file(tmp_path, data))
    assert err.code == "E005" and SECRET not in str(err)


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE TEI [<!ENTITY % ext SYSTEM "http://127.0.0.1:{port}/x.dtd"> %ext;]>',  # parameter entity
    '<!DOCTYPE TEI SYSTEM "http://127.0.0.1:{port}/tei.dtd">',  # external DTD
])
def test_network_is_never_reached(reader, listener, tmp_path, doctype):
    port, hits = listener
    data = tei_with_doctype(doctype.format(port=port), "We use ImageNet.")
    assert refused(reader, as_file(tmp_path, data)).code == "E005"
    time.sleep(0.3)
    assert hits == []


def test_xinclude_is_not_processed(reader, secret_file):
    body = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret_file}" parse="text"/> text'
    doc = reader(make_tei(f"<p>{body}</p>"))
    assert SECRET not in doc.text


def test_size_limit(reader, monkeypatch, tmp_path):
    path = tmp_path / "big.tei.xml"
    path.write_bytes(make_tei("<p>" + "word " * 5000 + "</p>"))
    monkeypatch.setenv("DATAREF_MAX_BYTES", "10000")
    with pytest.raises(DatarefError) as info:
        reader(path)
    assert info.value.code == "E004" and "big.tei.xml" in str(info.value) and "DATAREF_MAX_BYTES" in str(info.value)


def test_deep_nesting_refused_quickly(reader, tmp_path):
    depth = 100_000
    path = as_file(tmp_path, make_tei("<p>" + "<hi>" * depth + "deep" + "</hi>" * depth + "</p>"))
    start = time.perf_counter()
    assert refused(reader, path).code in ("E012", "E002")
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("data,code", [
    (b"", "E001"),
    (b"not xml at all", "E002"),
    (b"<html><body>hi</body></html>", "E003"),
    (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/></TEI>', "E007"),
    (b"\x00\x01\x02binary", "E002"),
    (b"   \n  ", "E001"),
    (b'<?xml version="1.0" encoding="klingon-8"?><TEI/>', "E002"),
    (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><div><p>We use ImageNet', "E002"),
    (b'<article><body><p>JATS, not TEI</p></body></article>', "E003"),
])
def test_broken_input_coded_errors(reader, data, code, tmp_path):
    err = refused(reader, as_file(tmp_path, data))
    assert err.code == code
    assert "<string>" not in str(err) and "lxml" not in str(err)  # what went wrong and where, not the parser's internals


def test_syntax_error_says_where(reader, tmp_path):
    err = refused(reader, as_file(tmp_path, b'<TEI><text><body><p>a &foo; b</p></body></text></TEI>'))
    assert str(err).endswith(": not well-formed XML (Entity 'foo' not defined, at line 1, column 28).")


def test_wrong_encoding_declaration_is_partial_not_crash(reader):
    data = make_tei("<p>Café ImageNet</p>").replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    doc = reader(data)  # mojibake, but a result
    assert "ImageNet" in doc.text


def test_tei_from_another_tool_without_header(reader):
    data = (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>We use '
            b'<ref type="bibr" target="#b0">[1]</ref>.</p></body></text></TEI>')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = reader(data)
    assert doc.text == "We use [1]."
    assert doc._.bibliography == {} and doc.spans["citations"][0]._.targets == []


def test_no_bibliography_and_missing_targets(link):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = link(make_tei('<p>We use ImageNet <ref type="bibr" target="#b3">[4]</ref>.</p>'), ["ImageNet"])
    assert doc._.bibliography == {}
    assert doc._.datasets[0]["linked"] is False


def test_duplicate_ids_keep_first_and_empty_entries_dropped(reader):
    bibl = bib("b0", "Deng", "2009", "First") + bib("b0", "Other", "2010", "Second") + \
        '<biblStruct xml:id="b1"><monogr/></biblStruct>'
    with pytest.warns(UserWarning, match="W003"):
        doc = reader(make_tei("<p>Text.</p>", bibl))
    assert list(doc._.bibliography) == ["b0"]
    assert doc._.bibliography["b0"]["title"] == "First"


def test_huge_bibliography_and_huge_paragraph(link):
    bibl = "".join(bib(f"b{i}", f"Author{i}", "2000", f"Title {i}") for i in range(1500))
    paragraph = "<p>" + "We measure things carefully. " * 6_000 + \
        'We use ImageNet <ref type="bibr" target="#b1499">[1500]</ref>.</p>'
    start = time.perf_counter()
    doc = link(make_tei(paragraph, bibl), ["ImageNet"])
    assert len(doc._.bibliography) == 1500
    assert doc.ents[0].kb_id_ == "b1499"
    assert time.perf_counter() - start < 30


def test_text_over_the_character_limit_is_refused(reader, monkeypatch):
    tei = make_tei("<p>" + "We measure things carefully. " * 200 + "</p>")
    monkeypatch.setenv("DATAREF_MAX_CHARS", "5000")
    with pytest.raises(DatarefError, match=r"\[E014\] <bytes>: the paper's text has \d+ characters, over the limit of 5000"):
        reader(tei)
    monkeypatch.setenv("DATAREF_MAX_CHARS", "abc")
    with pytest.raises(DatarefError, match=r"\[E020\] DATAREF_MAX_CHARS='abc' is not a whole number"):
        reader(tei)


@pytest.mark.parametrize("make,kind", [(lambda p: os.mkfifo(p), "a FIFO"), (None, "a character device")])
def test_special_files_are_refused_by_type(reader, tmp_path, make, kind):
    path = tmp_path / "fifo.tei.xml" if make else Path("/dev/zero")
    if make:
        make(path)
    with pytest.raises(DatarefError, match=rf"\[E016\] {re.escape(str(path))}: not a regular file \({kind}\)"):
        reader(path)


def real_text(chars: int) -> str:
    """At least `chars` characters of real text: plain-text papers (from PDFs) of the corpora, one after another."""
    from .conftest import CORPORA

    files = sorted((CORPORA / "mdc" / "text_from_pdf").glob("*.txt"))
    if not files:
        pytest.skip("no plain-text papers under ../shared/corpora/mdc/text_from_pdf")
    parts, size = [], 0
    for path in files:
        parts.append(path.read_text(encoding="utf8"))
        size += len(parts[-1])
        if size > chars:
            break
    return "\n\n".join(parts)


def test_papers_of_a_million_characters_are_read_and_what_is_no_paper_is_refused(tmp_path):
    import spacy

    from dataref import PaperReader
    from dataref.readers.safe_xml import DEFAULT_MAX_CHARS

    reader = PaperReader(spacy.blank("en"))  # nlp.max_length stays spaCy's 1,000,000
    text = real_text(1_050_000)
    paper = tmp_path / "thesis.txt"
    paper.write_text(text, encoding="utf8")
    assert len(reader(paper).text) > 1_000_000
    from xml.sax.saxutils import escape

    clean = re.sub(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd]", " ", text[:1_100_000])  # XML 1.0 characters only
    body = "".join(f"<p>{escape(line)}</p>" for line in clean.splitlines() if line.strip())
    (tmp_path / "thesis.tei.xml").write_bytes(make_tei(body))
    assert len(reader(tmp_path / "thesis.tei.xml").text) > 1_000_000
    assert DEFAULT_MAX_CHARS >= 1_000_000
    (tmp_path / "book.txt").write_text(text * (DEFAULT_MAX_CHARS // len(text) + 1), encoding="utf8")
    with pytest.raises(DatarefError, match=r"\[E014\].*more than any paper holds"):
        reader(tmp_path / "book.txt")
