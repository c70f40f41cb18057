"""The HTML report: plain HTML checks, and the pages as headless Chromium shows them (`browser` marker)."""
import json
import re
import shlex
import shutil
import warnings
from pathlib import Path

import lxml.html
import pytest
from typer.testing import CliRunner

from dataref import TEIReader
from dataref.cli import app
from dataref.run.extract import paper_id, run_extract
from dataref.linking.names import normalize
from dataref.report import page_name, render_corpus, render_paper, render_record, write_report
from dataref.output.results import doc_to_json

from . import browser
from .conftest import EXAMPLE, FIXTURES, cut_last_line

HOSTILE = FIXTURES / "hostile.tei.xml"
SCRIPT_TEXT = "<script>document.title='PWNED'</script>"
needs_chromium = pytest.mark.skipif(browser.CHROMIUM is None, reason=browser.NO_CHROMIUM)


def has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def tree_of(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def by_id(tree: lxml.html.HtmlElement, key: str) -> lxml.html.HtmlElement:
    found = tree.xpath(f"//*[@id='{key}']")
    assert len(found) == 1, f"no single element with id {key!r}"
    return found[0]


def mention_texts(tree: lxml.html.HtmlElement) -> list[str]:
    """The highlighted text of each DATASET mark (without displaCy's label)."""
    return [mark.text for mark in tree.xpath(f"//*[@id='paper-text']//mark[{has_class('dataset')}]")]


def cites(tree: lxml.html.HtmlElement) -> dict[str, lxml.html.HtmlElement]:
    """Marker text → its mark element, for the markers that support a link."""
    return {mark.find("a").text: mark for mark in tree.xpath(f"//*[@id='paper-text']//mark[{has_class('cite')}]")}


def assert_inert(tree: lxml.html.HtmlElement, scripts_allowed: int = 0) -> None:
    """Nothing in the page can run or load: no script but ours, no event handler, no image, no frame, and
    links only within the page, to the corpus page, or to http(s) addresses."""
    assert len(tree.xpath("//script")) == scripts_allowed
    assert not tree.xpath("//img | //iframe | //object | //embed | //form | //base")
    assert not [a for el in tree.iter() if isinstance(el.tag, str) for a in el.attrib if a.lower().startswith("on")]
    for href in tree.xpath("//@href"):
        assert re.match(r"#|https?://|\.\./index\.html$|papers/[\w.-]+\.html$", href), href
    policy = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert policy and "default-src 'none'" in policy[0]


@pytest.fixture(scope="module")
def example_doc(shipped):
    return shipped(TEIReader(shipped)(EXAMPLE))


@pytest.fixture
def hostile_doc(link):
    """The hostile paper with ImageNet and CIFAR-10 tagged (a stand-in for the recognizer) and linked."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return link(HOSTILE.read_bytes(), ["ImageNet", "CIFAR-10"])


# ---- a paper's page ---------------------------------------------------------------------------------

def test_paper_page_highlights_every_mention_with_displacy(example_doc):
    tree = tree_of(render_paper(example_doc))
    ents = [e for e in example_doc.ents if e.label_ == "DATASET"]
    assert mention_texts(tree) == [e.text for e in ents]
    assert {"CIFAR-10", "ImageNet", "TinyBirds", "SVHN"} <= set(mention_texts(tree))
    assert tree.xpath(f"//div[{has_class('entities')}]"), "the text is displaCy's entity markup"
    known = example_doc._.dataset_kb
    for ent in ents:
        mark = by_id(tree, f"m-{ent.start_char}-{ent.end_char}")
        record = known.get(f"{ent.start_char}:{ent.end_char}")
        assert ("known" in mark.get("class").split()) == bool(record)
        if record:  # the known dataset's name is on the label and in the hover text
            assert record["name"] in mark.find("span").text_content() and record["id"] in mark.get("title")
    assert int(by_id(tree, "count-mentions").text) == len(ents)


def test_marker_is_tied_to_the_entry_it_resolves_to(example_doc):
    """"CIFAR-10 (Krizhevsky, 2009)": the marker has no TEI target; it resolves by author and year to b1,
    "Learning multiple layers of features from tiny images" (read in the example TEI)."""
    tree = tree_of(render_paper(example_doc))
    marker = cites(tree)["(Krizhevsky, 2009)"]
    assert marker.find("a").get("href") == "#ref-b1"
    assert "A. Krizhevsky. Learning multiple layers of features from tiny images" in marker.get("title")
    assert "CIFAR-10: adjacent" in marker.get("title") and "author_year" in marker.get("title")
    entry = by_id(tree, "ref-b1")
    assert "Learning multiple layers of features from tiny images" in entry.text_content()
    assert "CIFAR-10" in entry.text_content() and "adjacent" in entry.xpath(".//b[@class='rule']/text()")
    back = entry.xpath(".//a[@class='back']/@href")
    assert back and all(tree.xpath(f"//*[@id='{h[1:]}']") for h in back)  # from the entry back to its markers
    # "[1]" after ImageNet cites b0 (Deng et al., ImageNet); "[8]" is ResNet's: not a dataset link, not marked
    assert cites(tree)["[1]"].find("a").get("href") == "#ref-b0"
    assert "[8]" not in cites(tree)
    assert "[8]" in [s.text for s in tree.xpath("//span[@class='cite-other']")]
    for mark in cites(tree).values():  # every marker's links land on an entry of the page
        for href in mark.xpath(".//a/@href"):
            assert by_id(tree, href[1:]).get("class") == "ref"


def test_datasets_table_of_a_paper(example_doc):
    tree = tree_of(render_paper(example_doc))
    rows = {row.xpath(".//b[@class='dataset-name']/text()")[0]: row
            for row in tree.xpath("//table[@id='datasets-table']/tbody/tr")}
    assert set(rows) == {d["name"] for d in example_doc._.datasets}
    # "Finally, we collected TinyBirds, a new dataset of 5,000 bird photographs taken by the authors"
    assert "unlinked: introduced by this paper" in rows["TinyBirds"].text_content()
    assert rows["CIFAR-10"].xpath(".//a[@class='ref-link']/@href") == ["#ref-b1"]
    assert "imagenet" in rows["ImageNet"].text_content()  # its known-dataset id
    # why each role: the paper's own words for TinyBirds, the known-datasets table for CIFAR-10
    assert rows["TinyBirds"].xpath(".//span[contains(@class, 'role-why')]/text()")[0].startswith(
        "the paper introduces it: “")
    assert "a known dataset another paper introduced" in rows["CIFAR-10"].text_content()


def test_hostile_paper_is_shown_as_text_and_nothing_runs(hostile_doc):
    html = render_paper(hostile_doc)
    assert SCRIPT_TEXT not in html and "<img" not in html and "javascript:" not in html
    tree = tree_of(html)
    assert_inert(tree)
    paper = hostile_doc._.paper
    assert tree.xpath("//h1")[0].text_content() == paper["title"]  # every character, shown as text
    assert tree.xpath("//title")[0].text_content() == paper["title"] + " · dataref"
    assert SCRIPT_TEXT + "Experiments" in [h.text_content() for h in tree.xpath(f"//div[{has_class('heading')}]")]
    marker = cites(tree)[f"[1{SCRIPT_TEXT}]"]
    assert marker.find("a").get("href") == "#ref-b0"
    citation = hostile_doc._.bibliography["b0"]["citation"]
    assert '" onmouseover="' in citation and citation in marker.get("title")  # the attribute kept whole
    assert by_id(tree, "ref-b0").xpath(".//span[@class='citation']")[0].text_content() == citation
    assert "onerror=" in by_id(tree, "paper-text").text_content()  # the paper's own words, as words


def test_page_from_a_record_alone_keeps_the_evidence(example_doc):
    record = json.loads(json.dumps(doc_to_json(example_doc)))
    tree = tree_of(render_record(record, notes=["a note"]))
    assert not tree.xpath("//*[@id='paper-text']") and by_id(tree, "notes").text_content() == "a note"
    entry = by_id(tree, "ref-b1")
    assert "(Krizhevsky, 2009)" in entry.text_content()
    assert "Most of our experiments use CIFAR-10 (Krizhevsky, 2009)" in entry.text_content()


# ---- the corpus page ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_results(corpora, tmp_path_factory):
    """`dataref extract` over the real GROBID papers and one broken file: (records, results file)."""
    folder = tmp_path_factory.mktemp("results")
    broken = folder / "broken.tei.xml"
    broken.write_text("<TEI><text>cut sho")
    out = folder / "results.jsonl"
    summary = run_extract([corpora / "grobid-tei", broken], out, model="en_dataref_sm")
    assert summary.papers >= 10 and summary.errors == 1
    return [json.loads(line) for line in out.read_text().splitlines()], out


def test_corpus_page_counts_and_errors(real_results):
    records, _ = real_results
    tree = tree_of(render_corpus(records))
    assert_inert(tree, scripts_allowed=1)
    papers = [r for r in records if "error" not in r]
    datasets = [d for r in papers for d in r["datasets"]]
    linked = sum(d["linked"] for d in datasets)
    assert int(by_id(tree, "count-papers").text) == len(papers)
    assert int(by_id(tree, "count-datasets").text) == len(datasets) > 0
    assert by_id(tree, "count-linked-share").text == f"{linked / len(datasets):.0%}"
    assert int(by_id(tree, "count-errors").text) == 1
    error = by_id(tree, "errors-table").xpath(".//tbody/tr")[0]
    assert "broken.tei.xml" in error.text_content() and "E002" in error.text_content()
    links = tree.xpath("//a[@class='paper-link']/@href")
    assert links == [page_name(r) for r in papers] and len(set(links)) == len(papers)


def test_corpus_table_names_every_dataset_and_its_papers(real_results):
    records, _ = real_results
    tree = tree_of(render_corpus(records))
    rows = tree.xpath("//table[@id='datasets-table']/tbody/tr")
    for record in (r for r in records if "error" not in r):
        for dataset in record["datasets"]:
            holding = [row for row in rows if dataset["name"] in row.text_content()
                       and page_name(record) in row.xpath(".//a/@href")]
            assert holding, (record["path"], dataset["name"])
            for ref in dataset["references"]:  # the entry it cites, by title or citation
                assert any((ref["title"] or ref["citation"])[:40] in row.text_content() for row in holding)
    counts = [int(row.xpath("td[3]/@data-value")[0]) for row in rows]
    assert counts == sorted(counts, reverse=True)
    for row, count in zip(rows, counts, strict=True):
        assert count == len(set(row.xpath("td[7]//a/@href")))  # papers naming it = papers linked from it
    # a dataset named in two papers under one normalised name is one row
    names = [normalize(row.xpath("td[1]/b/text()")[0]) for row in rows if not row.xpath("td[2]/a | td[2]/text()")]
    assert len(names) == len(set(names))


def test_corpus_chart_is_svg_of_the_most_named(real_results):
    records, _ = real_results
    tree = tree_of(render_corpus(records))
    rows = tree.xpath("//table[@id='datasets-table']/tbody/tr")
    bars = tree.xpath("//svg[@id='chart-svg']//rect[@class='bar']")
    lines = [int(r.get("width")) for r in tree.xpath("//svg[@id='chart-svg']//rect[@class='mentions']")]
    labels = tree.xpath("//svg[@id='chart-svg']//a/title/text()")
    assert len(bars) == min(15, len(rows)) > 0
    names = [row.xpath("td[1]/b/text()")[0] for row in rows]
    assert [label.split(": ")[0] for label in labels] == names[:len(bars)]
    widths = [int(b.get("width")) for b in bars]
    assert widths == sorted(widths, reverse=True)
    counts = [int(row.xpath("td[3]/@data-value")[0]) for row in rows[:len(bars)]]
    assert all(w == widths[0] for w, c in zip(widths, counts, strict=True) if c == counts[0])
    mentions = [int(row.xpath("td[4]/@data-value")[0]) for row in rows[:len(bars)]]
    assert len(lines) == len(bars) and lines.index(max(lines)) == mentions.index(max(mentions))
    placed = list(zip(mentions, lines, strict=True))
    for (m1, w1), (m2, w2) in zip(placed, placed[1:], strict=False):
        assert (m1 - m2) * (w1 - w2) >= 0  # more mentions, a line at least as long


def test_report_from_a_results_file_reads_the_papers_again(real_results, tmp_path):
    records, results = real_results
    chosen = [r for r in records if "s2orc-N18-3011" in r["path"] or "error" in r]
    changed = dict(next(r for r in records if "acl-main.207" in r["path"]), datasets=[])  # not what a run gives
    missing = dict(chosen[0], id="/nowhere/gone.tei.xml", path="/nowhere/gone.tei.xml")
    subset = results.parent / "subset.jsonl"
    subset.write_text("".join(json.dumps(r) + "\n" for r in [*chosen, changed, missing]))
    summary = write_report([subset], tmp_path / "report", model="en_dataref_sm")
    assert (summary.papers, summary.errors, summary.with_text) == (3, 1, 2)
    page = tree_of((tmp_path / "report" / page_name(chosen[0])).read_text())
    assert "BC5CDR" in mention_texts(page) and by_id(page, "paper-text") is not None
    assert not page.xpath("//*[@id='notes']")
    page = tree_of((tmp_path / "report" / page_name(changed)).read_text())
    assert "[W011]" in by_id(page, "notes").text_content()  # the page shows the new run, and says so
    page = tree_of((tmp_path / "report" / page_name(missing)).read_text())
    assert "[W012]" in by_id(page, "notes").text_content() and not page.xpath("//*[@id='paper-text']")
    index = tree_of((tmp_path / "report" / "index.html").read_text())
    assert int(by_id(index, "count-papers").text) == 3  # the corpus page keeps the file's records


def test_records_only_loads_no_pipeline(real_results, tmp_path):
    _, results = real_results
    summary = write_report([results], tmp_path / "r", model="no-such-model", records_only=True)
    assert summary.with_text == 0 and summary.papers >= 10
    assert len(list((tmp_path / "r" / "papers").glob("*.html"))) == summary.papers


# ---- the command ------------------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(app, ["report", *args])


def test_cli_report_on_tei_files_lists_failures(model_dir, tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    for source in (EXAMPLE, HOSTILE):
        (papers / source.name).write_bytes(source.read_bytes())
    (papers / "empty.tei.xml").write_text("")
    (papers / "scan.pdf").write_bytes(b"%PDF-1.4")
    out = tmp_path / "report"
    result = run(str(papers), "-o", str(out), "--model", str(model_dir))
    assert result.exit_code == 0, result.output
    assert "2 papers (2 with their text)" in result.output and "2 errors" in result.output
    index = tree_of((out / "index.html").read_text())
    errors = {row.xpath("td[1]")[0].text_content(): row.xpath("td[2]")[0].text_content()
              for row in by_id(index, "errors-table").xpath(".//tbody/tr")}
    assert errors == {str(papers / "empty.tei.xml"): "E001", str(papers / "scan.pdf"): "E037"}
    pages = sorted(p.name for p in (out / "papers").glob("*.html"))
    assert len(pages) == 2 and all(f"papers/{p}" in index.xpath("//a/@href") for p in pages)
    hostile = next(p for p in (out / "papers").glob("hostile*.html"))
    assert_inert(tree_of(hostile.read_text()))
    # a second run into the same folder replaces the report; its earlier pages go
    (out / "papers" / "stale-00000000.html").write_text("old")
    assert run(str(papers / EXAMPLE.name), "-o", str(out), "--model", str(model_dir)).exit_code == 0
    assert len(list((out / "papers").glob("*.html"))) == 1


def test_cli_report_reads_jats_and_text_papers(model_dir, corpora, tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    jats = sorted((corpora / "jats").glob("*.xml"))[0]
    (papers / jats.name).write_bytes(jats.read_bytes())
    (papers / "notes.txt").write_text("We train on ImageNet and evaluate on the CIFAR-10 dataset.\n")
    out = tmp_path / "report"
    result = run(str(papers), "-o", str(out), "--model", str(model_dir))
    assert result.exit_code == 0, result.output
    assert "2 papers (2 with their text)" in result.output and "0 errors" in result.output
    pages = {p.name.rsplit("-", 1)[0]: tree_of(p.read_text()) for p in (out / "papers").glob("*.html")}
    assert set(pages) == {jats.name.removesuffix(".xml"), "notes"}
    assert any(m.text_content().startswith("CIFAR-10") for m in pages["notes"].xpath("//mark"))


@pytest.mark.parametrize("content,code", [
    ("plain words\n", "E030"),
    ('{"path": "a.xml", "datasets": []}\n{"other": 1}\n', "E030"),
    ("", "E031"),
])
def test_cli_refuses_bad_results_files(tmp_path, content, code):
    results = tmp_path / "results.jsonl"
    results.write_text(content)
    result = run(str(results), "-o", str(tmp_path / "report"))
    assert result.exit_code == 2 and f"[{code}]" in result.output and str(results) in result.output
    assert not (tmp_path / "report").exists()


def test_cli_refusals_name_the_problem(tmp_path, model_dir):
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps({"path": "a.xml", "datasets": []}) + "\n")
    mixed = run(str(results), str(EXAMPLE), "-o", str(tmp_path / "r1"))
    assert mixed.exit_code == 2 and "[E034]" in mixed.output and str(EXAMPLE) in mixed.output
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    refused = run(str(results), "-o", str(taken))
    assert refused.exit_code == 2 and "[E033]" in refused.output and (taken / "notes.txt").read_text() == "mine"
    assert not (taken / "index.html").exists()
    a_file = run(str(results), "-o", str(results))
    assert a_file.exit_code == 2 and "[E032]" in a_file.output
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    empty = run(str(nothing), "-o", str(tmp_path / "r2"), "--model", str(model_dir))
    assert empty.exit_code == 2 and "[E035]" in empty.output
    no_model = run(str(EXAMPLE), "-o", str(tmp_path / "r3"), "--model", str(tmp_path / "no-model"))
    assert no_model.exit_code == 2 and "[E011]" in no_model.output
    assert not any((tmp_path / name).exists() for name in ("r1", "r2", "r3"))  # refused before writing anything


def test_cli_leaves_out_a_line_cut_short(model_dir, tmp_path):
    results = tmp_path / "results.jsonl"
    run_extract([EXAMPLE, FIXTURES / "tiny-article.jats.xml"], results, model=str(model_dir))
    cut_last_line(results)  # the JATS paper's real record, cut by a kill
    result = run(str(results), "-o", str(tmp_path / "report"), "--records-only")
    assert result.exit_code == 0 and "[W010]" in result.output and "1 paper " in result.output


def test_readme_report_commands_run(model_dir, tmp_path, monkeypatch):
    """The README's "Reports" block, each line as written (results.jsonl made by `dataref extract`)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf8")
    block = next(b for b in re.findall(r"```bash\n(.*?)```", readme, flags=re.S) if "dataref report" in b)
    commands = [shlex.split(line.split("#", 1)[0]) for line in block.splitlines() if line.strip()]
    assert len(commands) == 4 and all(c[:2] == ["dataref", "report"] for c in commands)
    monkeypatch.chdir(tmp_path)
    Path("papers").mkdir()
    for name in ("a.tei.xml", "b.tei.xml"):
        Path("papers", name).write_bytes(EXAMPLE.read_bytes())
    run_extract([Path("papers")], Path("results.jsonl"), model=str(model_dir))
    run_extract([Path("papers")], Path("results.parquet"), model=str(model_dir))
    for command in commands:
        shutil.rmtree("report", ignore_errors=True)
        result = CliRunner().invoke(app, command[1:])
        assert result.exit_code == 0, (command, result.output)
        assert "2 papers" in result.output and len(list(Path("report/papers").glob("*.html"))) == 2
        assert "ImageNet" in Path("report/index.html").read_text()


# ---- in a real browser --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_report(corpora, tmp_path_factory):
    """`dataref report` with the shipped model on two real GROBID papers and a broken file."""
    folder = tmp_path_factory.mktemp("real-report")
    broken = folder / "broken.tei.xml"
    broken.write_text("<TEI><text>cut sho")
    papers = [corpora / "grobid-tei" / name for name in ("s2orc-N18-3011.tei.xml", "s2orc-2020.acl-main.207.tei.xml")]
    result = run(*map(str, papers), str(broken), "-o", str(folder / "report"))
    assert result.exit_code == 0, result.output
    return folder / "report", papers


@pytest.mark.browser
@needs_chromium
def test_chromium_shows_real_mentions_and_resolved_links(real_report, tmp_path):
    report, papers = real_report
    index = tree_of(browser.dump_dom(report / "index.html", tmp_path / "profile"))
    assert index.get("data-sortable") == "ready"  # the page's own script ran under its policy
    for href in index.xpath("//a[@class='paper-link']/@href"):
        assert (report / href).is_file()
    assert "broken.tei.xml" in by_id(index, "errors-table").text_content()
    page = report / page_name({"id": paper_id(papers[0]), "path": str(papers[0])})
    dom = tree_of(browser.dump_dom(page, tmp_path / "profile"))
    # TEI: "trained on the BC5CDR <ref target="#b16">(Li et al., 2016)</ref>"; b16's raw reference: "Jiao Li, …
    # 2016. Biocreative v cdr task cor- pus: a resource for chemical disease relation extrac- tion. …"
    assert "BC5CDR" in mention_texts(dom)
    marker = cites(dom)["(Li et al., 2016)"]
    entry = by_id(dom, marker.find("a").get("href")[1:])
    assert "Biocreative v cdr task cor- pus" in entry.text_content() and "BC5CDR" in entry.text_content()
    for href in dom.xpath("//a[starts-with(@href, '#')]/@href"):  # every in-page link lands somewhere
        assert dom.xpath(f"//*[@id='{href[1:]}']"), href
    png = browser.screenshot(page, tmp_path / "paper.png", tmp_path / "profile")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


@pytest.mark.browser
@needs_chromium
def test_chromium_runs_no_script_from_a_hostile_paper(hostile_doc, tmp_path):
    record = {"id": "hostile", **doc_to_json(hostile_doc, "hostile.tei.xml")}
    (tmp_path / "papers").mkdir()
    page = tmp_path / page_name(record)
    page.write_text(render_paper(hostile_doc, record=record, corpus_href="../index.html"))
    (tmp_path / "index.html").write_text(render_corpus([record]))
    title = hostile_doc._.paper["title"]
    for shown in (page, tmp_path / "index.html"):
        dom = tree_of(browser.dump_dom(shown, tmp_path / "profile"))
        assert dom.get("data-pwned") is None
        assert "PWNED" != dom.xpath("//title")[0].text_content()
        assert title in dom.text_content()
    assert dom.get("data-sortable") == "ready"  # scripts do run in this browser: ours ran, the paper's did not
    dom = tree_of(browser.dump_dom(page, tmp_path / "profile"))
    assert not dom.xpath("//script | //img") and dom.xpath("//h1")[0].text_content() == title
    assert cites(dom)[f"[1{SCRIPT_TEXT}]"].find("a").get("href") == "#ref-b0"
    browser.screenshot(page, tmp_path / "hostile.png", tmp_path / "profile")


@pytest.mark.browser
@pytest.mark.skipif(browser.CHROMEDRIVER is None or browser.CHROMIUM is None, reason=browser.NO_CHROMIUM)
def test_clicks_sort_the_table_and_follow_a_marker(real_report, tmp_path):
    report, papers = real_report
    with browser.WebDriver(tmp_path / "profile") as chrome:
        chrome.open(report / "index.html")
        column = "#datasets-table tbody tr td:nth-child(4)"
        read = f"return Array.from(document.querySelectorAll('{column}')).map(td => +td.dataset.value)"
        chrome.click("#datasets-table th:nth-child(4)")
        up = chrome.run(read)
        assert up == sorted(up) and len(up) > 3
        chrome.click("#datasets-table th:nth-child(4)")
        assert chrome.run(read) == sorted(up, reverse=True)
        chrome.open(report / page_name({"id": paper_id(papers[0]), "path": str(papers[0])}))
        chrome.click("mark.cite[data-refs='ref-b16'] > a")
        assert chrome.run("return location.hash") == "#ref-b16"
        top = chrome.run("return document.getElementById('ref-b16').getBoundingClientRect().top")
        assert 0 <= top < chrome.run("return innerHeight")  # scrolled to the entry
        png = chrome.screenshot(tmp_path / "entry.png")
        assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.fixture(scope="module")
def large_corpus():
    """120 papers' records (the example's, each with its datasets renamed apart): a corpus page of 120 papers
    and over 600 distinct datasets."""
    from .conftest import linker_pipeline, set_datasets

    nlp = linker_pipeline()
    doc = nlp(set_datasets(TEIReader(nlp)(EXAMPLE), ["ImageNet", "CIFAR-10", "TinyBirds", "SVHN", "COCO"]))
    base = json.dumps({"id": "p", **doc_to_json(doc, "p.tei.xml")})
    records = []
    for i in range(120):
        text = base
        for name in ("ImageNet", "CIFAR-10", "TinyBirds", "SVHN", "COCO"):
            text = text.replace(name, f"{name}{i}")
        record = json.loads(text.replace('"p.tei.xml"', f'"paper{i}.tei.xml"').replace('"id": "p"',
                                                                                       f'"id": "paper{i}"'))
        record["paper"]["title"] = f"Paper number {i}"
        records.append(record)
    return records


def test_a_large_corpus_page_is_paged_and_has_a_search_box(large_corpus):
    tree = tree_of(render_corpus(large_corpus))
    rows = tree.xpath("//table[@id='datasets-table']/tbody/tr")
    assert len(rows) > 500  # every dataset is on the page, for the search and for sorting
    shown = [row for row in rows if row.get("hidden") is None]
    assert len(shown) == 50 and all("more" in row.get("class", "") for row in rows[50:])
    assert "Show all" in by_id(tree, "show-all").text_content()
    search = by_id(tree, "search")
    assert search.tag == "input" and search.get("type") == "search"
    papers = by_id(tree, "papers-list")
    assert papers.tag == "details" and papers.get("open") is None  # 120 papers: folded, one line until opened
    assert "120 papers" in papers.find("summary").text_content()
    script = tree.xpath("//script")[0].text_content()
    assert 'getElementById("search")' in script and "row.hidden" in script


def test_a_small_corpus_page_shows_everything(large_corpus):
    tree = tree_of(render_corpus(large_corpus[:3]))
    assert all(row.get("hidden") is None for row in tree.xpath("//table[@id='datasets-table']/tbody/tr"))
    assert by_id(tree, "papers-list").get("open") is not None and not tree.xpath("//*[@id='show-all']")


@pytest.mark.browser
@pytest.mark.skipif(browser.CHROMEDRIVER is None or browser.CHROMIUM is None, reason=browser.NO_CHROMIUM)
def test_typing_in_the_search_box_filters_the_rows(large_corpus, tmp_path):
    page = tmp_path / "index.html"
    page.write_text(render_corpus(large_corpus))
    visible = ("return Array.from(document.querySelectorAll('#datasets-table tbody tr, #papers-table tbody tr'))"
               ".filter(r => !r.hidden).map(r => r.cells[0].textContent.trim())")
    with browser.WebDriver(tmp_path / "profile") as chrome:
        chrome.open(page)
        assert len(chrome.run(visible)) == 50 + 120
        chrome.run("var box = document.getElementById('search'); box.value = 'SVHN117';"
                   "box.dispatchEvent(new Event('input'))")
        found = chrome.run(visible)
        assert any(name.startswith("SVHN117") for name in found) and len(found) < 5
        assert chrome.run("return document.getElementById('papers-list').open") is True
        height = chrome.run("var box = document.getElementById('search'); box.value = '';"
                            "box.dispatchEvent(new Event('input')); return document.body.scrollHeight")
        assert height < 18_000


STUB_DOM = """
function Row(text, more) { this.textContent = text; this.hidden = more; this.cells = [];
  this.classList = {contains: function (c) { return c === "more" && more; }}; }
function Element() { this.listeners = {}; this.hidden = false; this.textContent = ""; }
Element.prototype.addEventListener = function (kind, f) { this.listeners[kind] = f; };
var rows = JSON.parse(process.argv[1]);
var tables = {"datasets-table": rows.datasets, "papers-table": rows.papers};
var elements = {"search": new Element(), "search-count": new Element(), "show-all": new Element(),
                "papers-list": new Element()};
elements["papers-list"].open = false;
Object.keys(tables).forEach(function (id) {
  var body = {rows: tables[id].map(function (r) { return new Row(r[0], r[1]); })};
  elements[id] = {tBodies: [body]};
});
global.document = {getElementById: function (id) { return elements[id] || null; },
                   querySelectorAll: function () { return []; },
                   documentElement: {setAttribute: function () {}}};
eval(require("fs").readFileSync(0, "utf8"));
var shown = function () { return ["datasets-table", "papers-table"].map(function (id) {
  return elements[id].tBodies[0].rows.filter(function (r) { return !r.hidden; }).map(function (r) {
    return r.textContent; }); }); };
var out = {start: shown()};
elements.search.value = "svhn 117"; elements.search.listeners.input();
out.found = shown(); out.count = elements["search-count"].textContent; out.open = elements["papers-list"].open;
elements.search.value = ""; elements.search.listeners.input();
out.cleared = shown(); out.closed = !elements["papers-list"].open;
elements["show-all"].listeners.click();
out.all = shown();
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_search_script_filters_rows_and_pages_back(large_corpus):
    """The page's own script, run by node against a stand-in DOM (no browser needed)."""
    import subprocess

    tree = tree_of(render_corpus(large_corpus))
    script = tree.xpath("//script")[0].text_content()
    rows = {key: [[row.text_content(), row.get("hidden") is not None]
                  for row in tree.xpath(f"//table[@id='{key}-table']/tbody/tr")] for key in ("datasets", "papers")}
    done = subprocess.run(["node", "-e", STUB_DOM, json.dumps(rows)], input=script, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert [len(found) for found in out["start"]] == [50, 120]
    assert out["found"][0] and all("SVHN117" in text for text in out["found"][0]) and out["found"][1] == []
    assert out["count"].endswith("found") and out["open"] is True
    assert [len(found) for found in out["cleared"]] == [50, 120] and out["closed"]
    assert len(out["all"][0]) == len(rows["datasets"])
