"""Every word list dataref's rules use, in one place (components take them from their config)."""
import re

# Nouns that follow a dataset's name without being part of it: "the CoNLL-2003 dataset".
HEAD_NOUNS = ["dataset", "datasets", "data set", "data sets", "corpus", "corpora", "benchmark", "benchmarks",
              "database", "databases", "collection", "collections"]
# Cue words after a capitalised name that make it a dataset mention (consistency's "the X dataset").
CUE_WORDS = ["dataset", "datasets", "corpus", "corpora", "benchmark", "treebank", "database"]
# Words before "X dataset" that show X is a name, not the start of a sentence ("on GSM8K benchmark").
CUE_LEAD = ["the", "on", "of", "from", "in", "and", "or", "with", "using", "our", "popular", "public", "standard"]
# Nouns after a known but ambiguous name that show it is used as data ("English Wikipedia dump").
DATA_NOUNS = CUE_WORDS + ["data", "dump", "dumps", "articles", "pages", "split", "splits", "subset", "test",
                          "training", "dev", "validation", "images", "videos", "sentences", "documents"]
# Name endings that mark a benchmark whatever the model says: "HarmBench", "ODCV-Bench".
BENCHMARK_SUFFIX = r"(?:[A-Z][A-Za-z0-9]*-?Bench|[A-Za-z0-9]+-Bench)(?:-?\d+)?"
_HEAD_ALT = "|".join(sorted({h.replace(" ", r"\s?") for h in HEAD_NOUNS}, key=len, reverse=True))
# A lower-case head noun (or several) at the end of a mention; "Penn Treebank", "Brown Corpus" keep theirs.
HEAD_SUFFIX = re.compile(rf"(?:\s+(?:test\s+)?(?:{_HEAD_ALT}))+$")
HEAD_SUFFIX_ANY_CASE = re.compile(rf"(?:\s+(?:{_HEAD_ALT}))+$", re.I)

# Sentences that talk about data (left out of the silver negatives: they may name a dataset).
DATA_CUES = re.compile(
    r"data|corpus|corpora|benchmark|repositor|accession|archive|deposit|download|cohort|registry|"
    r"survey|atlas|omnibus|GSE\d|PRJ|SRA\b|GenBank|consortium|collection|available|study|studies|"
    r"project|bank|records?\b|catalog", re.I)

# Sections that name funders, grants and contributors, never the data used.
EXCLUDED_SECTIONS = (r"(?i)acknowledg|funding|^foundation|grants?\b|sponsor|author(?:s'|'s)? contribution"
                     r"|competing interest|conflicts? of interest|financial disclosure")

# Identifiers of deposited data in the public archives (GEO, SRA/ENA/DDBJ, BioProject,
# ArrayExpress, dbGaP, EGA): each is a dataset whatever the text around it says.
ACCESSIONS = [r"GSE\d{3,}", r"PRJ[NED][A-Z]?\d{3,}", r"[SED]R[PAX]\d{5,}", r"E-[A-Z]{4}-\d+",
              r"phs\d{6}(?:\.v\d+)?", r"EGA[SD]\d{8,}"]

# A bibliography title that introduces data: "a dataset/corpus/benchmark for …", "a large-scale …".
DATA_TITLE = re.compile(
    r"\b(?:data\s?sets?|corpus|corpora|benchmarks?|databases?|treebank|collection|challenge|shared task|"
    r"large[- ]scale|annotated|annotations?|repository|archive|atlas|images?|videos?|recordings?|"
    r"resource|test suite|evaluation set|questions?)\b", re.I)

# The paper introduces a dataset of its own: "we present X", "our X corpus", "X, a new dataset".
OWN_DATA = re.compile(
    r"\b(?:we|this (?:paper|work)|here we)\s+(?:\w+\s+){0,2}?(?:introduce|present|release|propose|collect|"
    r"construct|create|build|contribute|describe|develop)[sd]?\b", re.I)
OWN_POSSESSIVE = re.compile(r"\bour\s+(?:new\s+|own\s+|proposed\s+)?$", re.I)
NEW_DATA = re.compile(r"^\W{0,3}(?:a|an)\s+(?:new|novel|large[- ]scale)\b", re.I)

# Words that may stand between a name and its marker: "the WMT17 dataset [3]", "CIFAR-10 (v2) [4]".
GAP_WORDS = (r"data\s?sets?|corpus|corpora|benchmarks?|databases?|collections?|challenges?|data|splits?|"
             r"subsets?|tasks?|v?\d+(?:\.\d+)*")

# Trailing function words that never end a dataset name: "Gigaword after", "CNN/DailyMail of".
TRAILING_FUNCTION_WORDS = {"of", "after", "before", "nor", "and", "or", "with", "in", "on", "for", "to", "from",
                           "by", "at", "as", "via", "than", "is", "are", "was", "were", "the", "a", "an", "vs",
                           "versus", "which", "that", "where", "while"}
# Separators that join two names into one wrong mention: "C4 nor HugeNews", "BookCorpus + English Wikipedia".
NAME_JOINERS = re.compile(r"\s+(?:and|or|nor|\+|&|plus)\s+|\s*\+\s*|\s*;\s*")

# Between a dataset and a marker later in its sentence, words that say the marker cites a method, model,
# tool or protocol: "on QM9 we use the single-target training following [8]".
METHOD_CUES = re.compile(
    r"\b(?:follow(?:ing|s|ed)?|as in|similar(?:ly)? to|according to|using|uses?|used|trained|training|models?|"
    r"methods?|approach(?:es)?|algorithms?|networks?|optimi[sz]er|loss|metrics?|protocols?|settings?|"
    r"implementations?|code|toolkit|software|package|library|architectures?|baselines?|state[- ]of[- ]the[- ]art|"
    r"work|studies|results?|performance|accuracy|outperform\w*|proposed|pre-?trained|fine-?tuned)\b", re.I)

# Last words of organisation names, never of a dataset's: "German Cancer Aid", "Dutch Cancer Society".
ORGANISATION_HEADS = {"society", "foundation", "institute", "institutes", "aid", "council", "agency", "ministry",
                      "university", "universität", "gemeinschaft", "fund", "trust", "alliance", "association",
                      "programme", "department", "committee", "consortium", "organization", "organisation",
                      "inc", "ltd", "gmbh", "corporation", "company", "laboratories", "hospital", "center", "centre"}
# Words that make a long "name" a clause of running text: "… cells were transfected with …".
CLAUSE_WORDS = {"was", "were", "is", "are", "has", "have", "had", "using", "used", "been", "which", "that"}

# Words near a mention that show it names data (the evidence dataref_dataset_support looks for).
SUPPORT_CUES = (r"\b(?:data\s?sets?|data|corpus|corpora|benchmarks?|databases?|treebanks?|collections?|"
                r"repositor(?:y|ies)|"
                r"archives?|accessions?|challenges?|shared tasks?|images|videos|samples|sentences|documents|"
                r"articles|annotat\w+|labell?ed|splits?|train(?:ing)? set|test set|dev set|validation set|"
                r"downloaded|released|available at|deposited|collected|crawled|scraped)\b")
