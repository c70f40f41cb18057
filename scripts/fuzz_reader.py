"""Bounded mutation fuzzing of the paper reader and the shipped pipeline (TEI and JATS).

Seeds are real papers: GROBID TEI (../shared/corpora/grobid-tei, ml-tei, tei-samples), JATS articles
(../shared/corpora/jats) and the XML files in examples/. Each round mutates one seed and reads the mutant with
`dataref.PaperReader` (TEI or JATS by its root element). Mutations:

- structure (on the parsed tree, so the result stays well-formed): elements deleted, duplicated (a `<ref>` or
  `<biblStruct>` twice: duplicate ids), moved, nested hundreds deep, the bibliography emptied, TEI and JATS
  snippets inserted (`<xref ref-type="bibr" rid="B999">`, `<ref id="B1">` duplicates, `<mixed-citation>` garbage,
  markers with many targets, empty tables);
- text: runs of numbers, citation markers and capitalised words, very long words, odd Unicode (zero-width,
  right-to-left, combining marks, emoji), whitespace only, text removed;
- attributes: `target`, `xml:id`, `rid`, `id`, `ref-type`, `type` removed, pointed elsewhere, emptied, made huge
  (100,000 characters or thousands of ids), put where they do not belong;
- bytes (as before): truncation, deleted or repeated ranges, injected markup, random bytes.

Every `--full-every`-th input (default 10) runs the whole shipped pipeline `en_dataref_sm` (all components:
sentencizer, tok2vec, ner, consistency, known datasets, abbreviations, entities, linker, identifiers, roles);
the others run the reader and the rule components only (every component but tok2vec and ner), with a few
capitalised tokens tagged DATASET in place of the ner, so the stages after it have mentions to work on. Every
read Doc is also turned into its output record (`doc_to_json`), as `dataref extract` does.

Allowed outcomes: a Doc whose invariants hold, or a coded `DatarefError`. An input that raises anything else is
a defect; one that takes longer than `--budget` seconds (default 10, enforced with a timer signal and checked
afterwards) is a hang. Either is saved under tests/fixtures/fuzz/ (crash-*.xml, hang-*.xml; the smallest input
per distinct failure) and tests/test_fuzz_replay.py replays it.

    python scripts/fuzz_reader.py --count 10000
    python scripts/fuzz_reader.py --seconds 120
"""
import copy
import json
import os
import random
import re
import signal
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path
from typing import Optional

import spacy
import typer
from lxml import etree

from dataref import PaperReader
from dataref.errors import DatarefError
from dataref.output.results import doc_to_json

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))
CRASHES = ROOT / "tests" / "fixtures" / "fuzz"
MODEL = "en_dataref_sm"
NEURAL = ("tok2vec", "ner")  # left out on the rule-only rounds
TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

SNIPPETS = [b'<ref type="bibr" target="#b9999">[9999]</ref>', b'<ref type="bibr">', b"</ref>", b"</p>", b"<p>",
            b"<s>", b"</s>", b"&amp;", b"&#0;", b"\x00", b"\xff\xfe", b'xml:id="b0"', b"<div>", b"]]>",
            b'<ref type="bibr" target="#b0 #b1 #b2">[1-3]</ref>', b"<biblStruct>", b"<!--", b"-->",
            b'<xref ref-type="bibr" rid="B999">[999]</xref>', b'<xref ref-type="bibr" rid="">', b"</xref>",
            b'<ref id="B1">', b"<mixed-citation>", b"</mixed-citation>", b"<ref-list>", b"</sec>", b'rid="B1"',
            b'<!DOCTYPE article SYSTEM "http://example.org/x.dtd">', b"<?xml version='1.0'?>", b"&nbsp;"]

BALANCED = [b'<ref type="bibr" target="#b9999">[9999]</ref>', b'<ref type="bibr" target="#b0 #b1 #b2">[1-3]</ref>',
            b'<ref type="bibr">(Smith et al., 2009)</ref>', b"<hi>x</hi>", b"<s></s>", b"&amp;", b"\xc3\xa9",
            b'<ref type="bibr" target="#b1"></ref>', b"  \n\t ", b"<s>A. B.</s>", b'<ref type="bibr">[3, 7]</ref>',
            b'<xref ref-type="bibr" rid="B999">[999]</xref>', b'<xref ref-type="bibr" rid="B1 B2 B3">1-3</xref>',
            b'<xref ref-type="bibr" rid="">[]</xref>', b'<xref ref-type="bibr">(Smith, 2009)</xref>',
            b'<xref ref-type="fig" rid="B1">1</xref>', b"<italic>ImageNet</italic>", b"<sup>1</sup>"]
_TARGET = re.compile(rb'(?:target="#b\d+"|rid="[^"]*")')
_AFTER_TAG = re.compile(rb"<(?:p|s|head|title|ref[^>]*|xref[^>]*)>")

# Elements put into the tree (parsed in the seed's namespace: TEI or none).
TEI_ELEMENTS = [
    '<ref type="bibr" target="#b9999">[9999]</ref>', '<ref type="bibr" target="#b0 #b0 #b1">[1]</ref>',
    '<ref type="bibr" target="">[]</ref>', '<ref type="bibr">(Smith et al., 2009)</ref>',
    '<ref type="bibr" target="#b1">GLUE</ref>', '<ref type="bibr" target="b1">[1]</ref>',
    '<biblStruct xml:id="b0"><monogr><title>ImageNet</title><imprint><date when="99999"/></imprint></monogr>'
    '</biblStruct>',
    '<biblStruct xml:id="b1"/>', '<biblStruct><analytic><title/></analytic></biblStruct>',
    '<listBibl><biblStruct xml:id="b0"/></listBibl>', '<div type="references"><listBibl/></div>',
    '<p>We used the SQuAD dataset [1] and ImageNet (Deng et al., 2009).</p>', '<s/>', '<head/>', '<p/>',
    '<figure type="table"><table><row><cell/></row></table></figure>', '<note type="raw_reference">x</note>',
    '<idno type="DOI">10.</idno>', '<ptr target="https://doi.org/10.5281/zenodo.1"/>',
]
JATS_ELEMENTS = [
    '<xref ref-type="bibr" rid="B999">[999]</xref>', '<xref ref-type="bibr" rid="B1 B1 B2">1</xref>',
    '<xref ref-type="bibr" rid="">[]</xref>', '<xref ref-type="bibr">(Smith, 2009)</xref>',
    '<xref ref-type="BIBR" rid="B1">1</xref>', '<xref rid="B1">1</xref>', '<xref ref-type="table" rid="B1">T1</xref>',
    '<ref id="B1"><mixed-citation>garbage &amp; more garbage 2009</mixed-citation></ref>',
    '<ref id="B1"/>', '<ref><element-citation/></ref>', '<ref id=""><mixed-citation/></ref>',
    '<mixed-citation publication-type="journal"><person-group><name><surname/></name></person-group>'
    '<year>99999</year><pub-id pub-id-type="doi">10.</pub-id><pub-id pub-id-type="pmid">x</pub-id></mixed-citation>',
    '<mixed-citation><mixed-citation><year>2009</year></mixed-citation></mixed-citation>',
    '<ref-list><ref id="B1"><mixed-citation>a</mixed-citation></ref></ref-list>', '<ref-list/>',
    '<sec><title/><p/></sec>', '<p>We used the SQuAD dataset [<xref ref-type="bibr" rid="B1">1</xref>].</p>',
    '<table-wrap><table><tr><td/></tr></table></table-wrap>', '<fn><p/></fn>', '<title/>',
    '<ext-link ext-link-type="uri">https://doi.org/10.5281/zenodo.1</ext-link>', '<pub-id pub-id-type="doi"/>',
    '<front><article-meta><title-group/></article-meta></front>', '<back/>', '<body/>',
]
ATTRIBUTES = ("target", XML_ID, "rid", "id", "ref-type", "type", "when", "pub-id-type", "corresp")
WRONG_VALUES = ["", " ", "#", "#b", "#b-1", "#b9999", "#b0 #b0", "B999", "B1 B1", "b1", "#B1", "bibr", "BIBR",
                "table", "x y z", "\u200b", "\u202e#b1", "#b1\t#b2\n#b3", "&", "<", "'\"", "é", "💥", "10.1/x"]
TEXTS = ["", " ", "\u200b\u200b", "\u202eevitaler\u202c", "a\u0301\u0301\u0301", "💥🧪", "\u00a0\u2009", "A.B.C.",
         "SQuAD~", "(Smith et al., 2009)", "[1]", "[1-3, 5]", "10.5281/zenodo.1234", "GSE12345", "et al.",
         "ImageNet, CIFAR-10 and MNIST", "t½ ON kinetics", "e.g.", "...", "\t\n\t"]


def _flood(rng: random.Random) -> str:
    """A long run of one kind of token (bounded: the fuzz run must not be a benchmark of long papers)."""
    n = rng.choice([50, 500, 3000])
    kind = rng.randrange(6)
    if kind == 0:
        return " ".join(str(rng.randrange(10 ** 6)) for _ in range(n))
    if kind == 1:
        return " ".join(f"[{rng.randrange(1, 200)}]" for _ in range(n))
    if kind == 2:
        return " ".join(rng.choice(["ImageNet", "SQuAD", "Table", "The", "GLUE", "COCO", "We"]) for _ in range(n))
    if kind == 3:
        return "x" * (n * 10)  # one very long word
    if kind == 4:
        return "(" * n + ")" * n
    return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(n))


def seeds(limit: int, max_bytes: int, rng: random.Random) -> list[bytes]:
    """Real papers: examples/*.xml and up to `limit` files per corpus folder (a fixed random choice)."""
    files = sorted((ROOT / "examples").glob("*.xml"))
    for sub in ("jats", "grobid-tei", "ml-tei", "tei-samples"):
        found = sorted(p for p in (CORPORA / sub).glob("*.xml") if p.stat().st_size <= max_bytes)
        files.extend(rng.sample(found, min(limit, len(found))))
    return [f.read_bytes() for f in files]


# ---- mutations on the parsed tree: always well-formed, so the reader and the pipeline get exercised ----

def _parse(data: bytes) -> Optional[etree._Element]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None


def _fragment(markup: str, tei: bool) -> etree._Element:
    ns = f' xmlns="{TEI_NS}"' if tei else ""
    return etree.fromstring(f"<wrap{ns}>{markup}</wrap>")[0]


def _set(setter, value: str) -> None:
    try:
        setter(value)
    except ValueError:  # characters XML cannot hold: lxml refuses them, the byte mutations cover them
        pass


def mutate_tree(root: etree._Element, rng: random.Random) -> None:
    tei = root.tag.startswith("{" + TEI_NS)
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for _ in range(rng.randint(1, 6)):
        element = rng.choice(elements)
        parent = element.getparent()
        op = rng.randrange(12)
        if op == 0 and parent is not None:  # delete, keeping what followed it
            tail = element.tail or ""
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
            parent.remove(element)
            elements = [e for e in root.iter() if isinstance(e.tag, str)]
        elif op == 1 and parent is not None:  # duplicate (ids and all): prefer bibliography entries
            entries = [e for e in elements if etree.QName(e).localname in ("ref", "biblStruct", "xref")]
            element = rng.choice(entries) if entries and rng.random() < 0.7 else element
            if element.getparent() is not None:
                for _ in range(rng.choice([1, 1, 2, 50])):
                    element.addnext(copy.deepcopy(element))
        elif op == 2 and parent is not None:  # move somewhere else (not into itself)
            inside = set(element.iter())
            places = [e for e in elements if e not in inside]
            if places:
                parent.remove(element)
                rng.choice(places).insert(rng.randint(0, 3), element)
                elements = [e for e in root.iter() if isinstance(e.tag, str)]
        elif op == 3:  # nest deep (past libxml2's 256 levels sometimes)
            depth = rng.choice([10, 100, 300])
            name = f"{{{TEI_NS}}}hi" if tei else "italic"
            node = element
            for _ in range(depth):
                node = etree.SubElement(node, name)
            node.text = "deep"
        elif op in (4, 5):  # insert a snippet of this format (sometimes of the other one)
            markup = rng.choice(TEI_ELEMENTS if tei == (rng.random() < 0.9) else JATS_ELEMENTS)
            element.insert(rng.randint(0, len(element)), _fragment(markup, tei))
            elements = [e for e in root.iter() if isinstance(e.tag, str)]
        elif op in (6, 7, 8):  # attributes
            _mutate_attribute(element, elements, rng)
        elif op in (9, 10):  # text
            value = _flood(rng) if rng.random() < 0.3 else rng.choice(TEXTS)
            if rng.random() < 0.5:
                _set(lambda v, e=element: setattr(e, "text", v), value)
            else:
                _set(lambda v, e=element: setattr(e, "tail", v), value)
        else:  # empty a list (the bibliography, a section) or reverse its order
            lists = [e for e in elements if etree.QName(e).localname in ("listBibl", "ref-list", "body", "div", "sec")]
            target = rng.choice(lists) if lists else element
            children = list(target)
            if rng.random() < 0.5:
                for child in children:
                    target.remove(child)
            else:
                for child in children:
                    target.remove(child)
                target.extend(reversed(children))
            elements = [e for e in root.iter() if isinstance(e.tag, str)]


def _mutate_attribute(element: etree._Element, elements: list, rng: random.Random) -> None:
    """Remove, point elsewhere, empty, enlarge or misplace an attribute; prefer the ones the readers use."""
    having = [e for e in elements if any(a in e.attrib for a in ATTRIBUTES)]
    if having and rng.random() < 0.8:
        element = rng.choice(having)
        names = [a for a in ATTRIBUTES if a in element.attrib]
    else:
        names = [rng.choice(ATTRIBUTES)]
    name = rng.choice(names)
    op = rng.randrange(5)
    if op == 0:
        element.attrib.pop(name, None)
    elif op == 1:
        _set(lambda v: element.set(name, v), rng.choice(WRONG_VALUES))
    elif op == 2:  # another element's value (a marker pointing at another entry, two entries one id)
        values = [e.get(name) for e in elements if e.get(name)]
        if values:
            element.set(name, rng.choice(values))
    elif op == 3:  # huge
        kind = rng.randrange(3)
        if kind == 0:
            value = "x" * 100_000
        elif kind == 1:
            value = " ".join(f"#b{i}" for i in range(rng.choice([1000, 20_000])))
        else:
            value = " ".join(f"B{rng.randrange(1, 50)}" for _ in range(rng.choice([1000, 20_000])))
        element.set(name, value)
    else:  # an attribute where it does not belong
        other = rng.choice(elements)
        _set(lambda v: other.set(name, v), rng.choice(WRONG_VALUES + ["#b0", "B1", "bibr"]))


def mutate_via_tree(data: bytes, rng: random.Random) -> Optional[bytes]:
    root = _parse(data)
    if root is None:
        return None
    mutate_tree(root, rng)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


# ---- mutations on the bytes ----

def mutate_wellformed(data: bytes, rng: random.Random) -> bytes:
    """Small changes that usually keep the XML well-formed: balanced snippets, retargeted markers."""
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.5:
            spots = [m.end() for m in _AFTER_TAG.finditer(data)]
            if spots:
                i = rng.choice(spots)
                data = data[:i] + rng.choice(BALANCED) + data[i:]
        else:
            spots = list(_TARGET.finditer(data))
            if spots:
                m = rng.choice(spots)
                new = (f'target="#b{rng.randrange(-1, 500)}"' if m.group().startswith(b"target")
                       else f'rid="{rng.choice(["B", "R", "CR", "ref-", ""])}{rng.randrange(-1, 500)}"')
                data = data[:m.start()] + new.encode() + data[m.end():]
    return data


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 4)):
        i, j = sorted(rng.randrange(len(data) + 1) for _ in range(2))
        op = rng.randrange(5)
        if op == 0:
            data = data[:j]
        elif op == 1:
            data = data[:i] + data[j:j + 200] + data[j:]
        elif op == 2:
            data = data[:i] + data[min(j, i + 500):]
        elif op == 3:
            data = data[:i] + rng.choice(SNIPPETS) + data[i:]
        else:
            data = data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[i:]
    return data


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """(kind, mutant): 'tree' (structure, text, attributes), 'markup' (balanced snippets) or 'bytes'."""
    roll = rng.random()
    if roll < 0.55:
        mutant = mutate_via_tree(data, rng)
        if mutant is not None:
            return "tree", mutant
    if roll < 0.75:
        return "markup", mutate_wellformed(data, rng)
    return "bytes", mutate_bytes(data, rng)


# ---- one input ----

class Hang(BaseException):
    """Raised by the timer: a BaseException, so no `except Exception` in the package swallows it."""


def _alarm(signum, frame):
    raise Hang()


def check(nlp, reader, data: bytes, rng: random.Random, full: bool) -> str:
    """'read' or 'E0xx' (the refusal's code); raises on a defect."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = reader(data)
        except DatarefError as err:
            return err.code or "uncoded"
        assert doc.text == "".join(t.text_with_ws for t in doc), "text not rebuilt from tokens"
        if not full:  # a stand-in for the ner: a few capitalised tokens
            words = [t for t in doc if t.is_alpha and t.text[0].isupper()]
            spans = [doc[t.i:t.i + 1] for t in rng.sample(words, min(5, len(words)))]
            doc.ents = spacy.util.filter_spans(
                [doc.char_span(s.start_char, s.end_char, label="DATASET") for s in spans])
        for name, component in nlp.pipeline:
            if full or name not in NEURAL:
                doc = component(doc)
        for span in doc.spans["citations"]:
            assert all(t in doc._.bibliography for t in span._.targets), "marker target outside bibliography"
        for ent in doc.ents:
            assert ent.kb_id_ in ("", "NIL") or all(t in doc._.bibliography for t in ent.kb_id_.split()), \
                "link outside bibliography"
        json.dumps(doc_to_json(doc, "fuzz.xml"))
    return "read"


def main(count: int = typer.Option(0, help="Inputs to try (0: no limit; --seconds still applies)."),
         seconds: float = typer.Option(0.0, help="Time to run (0: no limit; the default without --count is 60)."),
         seed: int = 0, seeds_per_folder: int = 30,
         budget: float = typer.Option(10.0, help="Seconds per input; slower is a hang."),
         full_every: int = typer.Option(10, help="Run the whole pipeline (tok2vec, ner too) on every N-th input."),
         max_seed_bytes: int = typer.Option(250_000, help="Seeds larger than this are left out (speed).")) -> None:
    if not count and not seconds:
        seconds = 60.0
    rng = random.Random(seed)
    nlp = spacy.load(MODEL)
    reader = PaperReader(nlp)
    pool = seeds(seeds_per_folder, max_seed_bytes, rng)
    outcomes: Counter = Counter()
    kinds: Counter = Counter()
    failures: dict[str, tuple[str, bytes]] = {}  # signature -> (crash|hang, smallest input)
    slowest = 0.0
    signal.signal(signal.SIGALRM, _alarm)
    start = time.monotonic()
    end = start + seconds if seconds else float("inf")
    tried = 0
    while (not count or tried < count) and time.monotonic() < end:
        kind, data = mutate(rng.choice(pool), rng)
        kinds[kind] += 1
        full = tried % full_every == 0
        tried += 1
        began = time.monotonic()
        signature, what = "", ""
        try:
            signal.setitimer(signal.ITIMER_REAL, budget)
            try:
                outcome = check(nlp, reader, data, rng, full)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            took = time.monotonic() - began
            if took > budget:  # the timer waits for compiled code to return: count it here as well
                signature, what = f"{took:.0f} s ({'full' if full else 'rules'}) over the budget", "hang"
            outcomes[outcome] += 1
        except Hang as err:  # where it was when the timer rang (the last frame is the timer's handler)
            where = traceback.extract_tb(err.__traceback__)[-2]
            signature, what = f"past {budget:g} s in {Path(where.filename).name}:{where.lineno}", "hang"
        except Exception as err:  # a defect: anything but a coded refusal
            where = traceback.extract_tb(err.__traceback__)[-1]
            signature = f"{type(err).__name__} at {Path(where.filename).name}:{where.lineno}: {err}"[:300]
            what = "crash"
        took = time.monotonic() - began
        slowest = max(slowest, took)
        if what:
            outcomes[what] += 1
            if signature not in failures or len(data) < len(failures[signature][1]):
                failures[signature] = (what, data)
        if tried % 500 == 0:
            print(f"  {tried} inputs, {time.monotonic() - start:.0f} s, {dict(outcomes)}", flush=True)
    elapsed = time.monotonic() - start
    CRASHES.mkdir(parents=True, exist_ok=True)
    for n, (signature, (what, data)) in enumerate(failures.items()):
        path = CRASHES / f"{what}-{seed}-{n}.xml"
        path.write_bytes(data)
        print(f"{what.upper()} {signature} -> {path.relative_to(ROOT)}")
    refused = {k: v for k, v in sorted(outcomes.items()) if k.startswith("E") or k == "uncoded"}
    print(f"fuzz: {tried} inputs tried in {elapsed:.0f} s ({tried / elapsed:.1f}/s) from {len(pool)} seeds "
          f"(mutations: {dict(kinds)}; whole pipeline on {(tried + full_every - 1) // full_every}); "
          f"{outcomes['read']} read, {sum(refused.values())} refused with a coded error {refused}, "
          f"{outcomes['crash']} unhandled exceptions, {outcomes['hang']} hangs past {budget:g} s "
          f"({len(failures)} distinct saved); slowest input {slowest:.1f} s")
    raise typer.Exit(1 if failures else 0)


if __name__ == "__main__":
    typer.run(main)
