"""dataref_abbreviations: scispaCy's abbreviation detector as its own pipe, one list per Doc."""
import warnings

from scispacy.abbreviation import AbbreviationDetector
from spacy.language import Language
from spacy.tokens import Doc


@Language.factory("dataref_abbreviations", assigns=["doc._.abbreviations"],
                  default_config={"make_serializable": True})
def make_abbreviations(nlp: Language, name: str, make_serializable: bool) -> "Abbreviations":
    return Abbreviations(nlp, name, make_serializable=make_serializable)


class Abbreviations(AbbreviationDetector):
    """scispaCy's detector, except that each Doc starts with its own empty list: scispaCy registers
    `doc._.abbreviations` with a mutable default shared by every Doc, so in a pipeline the second
    paper would inherit (and re-serialise) the first one's abbreviations."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.abbreviations = []
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"\[W036\]")  # its global matcher is empty between Docs
            return super().__call__(doc)
