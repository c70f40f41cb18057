"""The text forms dataref matches in several places, each written once: a DOI, a publication year, a run of white
space. Readers and rules import these (or build on the `*_FORM` strings) rather than keep their own copies."""
import re

# A DOI: "10." registrant "/" suffix; the suffix stops at white space, quotes and angle brackets.
DOI_PREFIX_FORM = r"10\.\d{4,9}"
DOI_FORM = DOI_PREFIX_FORM + r"/[^\s\"'<>]+"
DOI = re.compile(r"\b" + DOI_FORM)

# A publication year, 1800-2099 ("2019"; a letter after it, "2019a", is the reference list's own tie-break).
YEAR_FORM = r"(?:1[89]|20)\d\d"
YEAR = re.compile(YEAR_FORM)

# What a citation's text has: a year standing alone ("Lample et al., 2016", not the "2003" of "CoNLL-2003"), "et al",
# or nothing but numbers ("[12]", "3, 4"). GROBID also wraps dataset names and "[CLS]" in target-less <ref>s.
CITATION_SHAPE = re.compile(rf"(?:^|[\s(\[,;])(?:{YEAR_FORM})[a-z]?\b|\bet al\b|^[\W\d]*\d[\W\d]*$")

# A run of white space (collapsed to one space in text taken from XML).
SPACE = re.compile(r"\s+")
