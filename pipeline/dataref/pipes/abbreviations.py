"""dataref_abbreviations: scispaCy's abbreviation detector as its own pipe, one list per Doc."""
import warnings

from scispacy.abbreviation import AbbreviationDetector
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from ..linking.names import normalize

MAX_BRACKETED = 8  # scispaCy's filter_matches drops a bracketed short form or long form of more tokens


@Language.factory("dataref_abbreviations", assigns=["doc._.abbreviations"],
                  default_config={"make_serializable": True})
def make_abbreviations(nlp: Language, name: str, make_serializable: bool) -> "Abbreviations":
    return Abbreviations(nlp, name, make_serializable=make_serializable)


class Abbreviations(AbbreviationDetector):
    """scispaCy's detector, except that each Doc starts with its own empty list: scispaCy registers
    `doc._.abbreviations` with a mutable default shared by every Doc, so in a pipeline the second
    paper would inherit (and re-serialise) the first one's abbreviations.

    Its bracket pattern takes at most MAX_BRACKETED tokens between the brackets: scispaCy's `( + )` matches every
    opening bracket with every later closing one in the whole paper (millions of matches, gigabytes and minutes
    on a long paper) and then drops all those with more than 8 tokens inside; the matches kept, and their
    order, are the same."""

    def __init__(self, nlp: Language, name: str = "dataref_abbreviations", make_serializable: bool = False) -> None:
        super().__init__(nlp, name, make_serializable=make_serializable)
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add("parenthesis", [[{"ORTH": "("}, {"OP": f"{{1,{MAX_BRACKETED}}}"}, {"ORTH": ")"}]])

    def __call__(self, doc: Doc) -> Doc:
        doc._.abbreviations = []
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"\[W036\]")  # its global matcher is empty between Docs
            return super().__call__(doc)


def abbreviation_forms(doc: Doc) -> list[tuple[str, str]]:
    """(short, long) texts from scispaCy's abbreviation detector, when it ran (serialisable form)."""
    if not Doc.has_extension("abbreviations"):
        return []
    found = []
    for item in doc._.abbreviations or []:
        if isinstance(item, dict):
            found.append((item["short_text"], item["long_text"]))
        else:  # a Span whose long form is in ._.long_form
            found.append((item.text, item._.long_form.text))
    return found


def abbreviation_pairs(doc: Doc) -> list[list[str]]:
    """Normalised (short, long) pairs, the form kept in doc._.abbreviation_pairs for the results.
    Reads the Doc only: the caller's `set_annotations` writes them."""
    pairs = sorted({(normalize(short), normalize(long)) for short, long in abbreviation_forms(doc)})
    return [list(p) for p in pairs]
