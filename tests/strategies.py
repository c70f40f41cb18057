"""Hypothesis strategies for TEI-like documents (shared by the property tests and the fuzz script)."""
from xml.sax.saxutils import escape

from hypothesis import strategies as st

WORDS = st.sampled_from(["We", "use", "ImageNet", "CIFAR-10", "data", "(", ")", ",", ".", "e.g.", "et al.",
                         "[", "]", "dataset", "SQuAD", "the", "and", "~", "—", "ü", "数据", "3.5", "\t", "\n"])
TEXT = st.one_of(st.lists(WORDS, max_size=12).map(" ".join), st.text(max_size=20))
TARGETS = st.one_of(st.just(""), st.sampled_from(["#b0", "#b1", "#b2", "#b7", "#b99", "#b0 #b1", "b1", "#"]))


def _clean(text: str) -> str:
    """Text XML can carry: no control characters, no surrogates."""
    return "".join(c for c in text if c in "\t\n\r" or (ord(c) >= 32 and not 0xD800 <= ord(c) <= 0xDFFF))


@st.composite
def inline(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["text", "ref", "hi", "s", "figref"]))
        text = escape(_clean(draw(TEXT)))
        if kind == "ref":
            target = draw(TARGETS)
            attr = f' target="{target}"' if target else ""
            parts.append(f'<ref type="bibr"{attr}>{text}</ref>')
        elif kind == "hi":
            parts.append(f"<hi>{text}</hi>")
        elif kind == "s":
            parts.append(f"<s>{text}</s>")
        elif kind == "figref":
            parts.append(f'<ref type="figure" target="#fig_0">{text}</ref>')
        else:
            parts.append(text)
    return draw(st.sampled_from(["", " ", "\n"])).join(parts)


@st.composite
def tei_documents(draw) -> bytes:
    paragraphs = "".join(f"<p>{draw(inline())}</p>" for _ in range(draw(st.integers(0, 4))))
    head = escape(_clean(draw(TEXT)))
    bibl = "".join(
        f'<biblStruct xml:id="b{i}"><monogr><title>{escape(_clean(draw(TEXT)))}</title>'
        f'<author><persName><surname>{escape(_clean(draw(TEXT)))}</surname></persName></author>'
        f'<imprint><date when="{draw(st.sampled_from(["2009", "", "19xx"]))}"/></imprint></monogr></biblStruct>'
        for i in range(draw(st.integers(0, 3))))
    title = escape(_clean(draw(TEXT)))
    return (f'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>{title}</title>'
            f'</titleStmt></fileDesc></teiHeader><text><body><div><head>{head}</head>{paragraphs}</div></body>'
            f'<back><div type="references"><listBibl>{bibl}</listBibl></div></back></text></TEI>').encode("utf8")
