"""Custom Doc and Span attributes, registered once and kept serialisable."""
from spacy.tokens import Doc, Span

NIL = "NIL"
CITATIONS = "citations"
SECTIONS = "sections"
DATASETS = "datasets"  # the kept dataset mentions; each span's id_ is its entity's key
HEADINGS = "headings"  # <head> blocks: section titles and figure/table labels, not running text


def key_of(span: Span) -> str:
    """How per-mention data is keyed in Doc extensions: the mention's character offsets ("start:end")."""
    return f"{span.start_char}:{span.end_char}"


def _span_targets(span: Span) -> list[str]:
    return span.kb_id_.split() if span.kb_id_ and span.kb_id_ != NIL else []


def _span_citations(span: Span) -> list[dict]:
    links = span.doc._.citation_links or {}
    return links.get(key_of(span), [])


def install_extensions() -> None:
    """Register dataref's attributes; safe to call many times."""
    # Plain values only (dicts, lists, str): they survive DocBin and n_process>1.
    for name in ("bibliography", "paper", "citation_links", "abbreviation_pairs", "link_notes", "dataset_kb",
                 "dataset_label", "identifiers", "dataset_roles", "dataset_entities"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Span.has_extension("targets"):
        Span.set_extension("targets", getter=_span_targets)
    if not Span.has_extension("citations"):
        Span.set_extension("citations", getter=_span_citations)
