"""Every word list dataref's rules use, in one place (components take them from their config)."""
import re

# Nouns that follow a dataset's name without being part of it: "the CoNLL-2003 dataset".
HEAD_NOUNS = ["dataset", "datasets", "data set", "data sets", "corpus", "corpora", "benchmark", "benchmarks",
              "database", "databases", "collection", "collections"]
# Cue words after a capitalised name that make it a dataset mention (consistency's "the X dataset").
CUE_WORDS = ["dataset", "datasets", "corpus", "corpora", "benchmark", "treebank", "database"]
# Words in a known name's sentence that let the known-datasets tables propose it: the cue words plus how
# papers speak of archives and deposited data ("data sets downloaded from the Gene Expression Omnibus",
# "GenBank accession"). On the dev part: biomedical datasets P 0.843 -> 0.825, R 0.754 -> 0.825.
KNOWN_CUE_WORDS = CUE_WORDS + ["data", "databases", "repository", "repositories", "archive", "archives",
                               "accession", "accessions", "deposited"]
# Words before "X dataset" that show X is a name, not the start of a sentence ("on GSM8K benchmark").
CUE_LEAD = ["the", "on", "of", "from", "in", "and", "or", "with", "using", "our", "popular", "public", "standard"]
# Nouns after a known but ambiguous name that show it is used as data ("English Wikipedia dump").
DATA_NOUNS = CUE_WORDS + ["data", "dump", "dumps", "articles", "pages", "split", "splits", "subset", "test",
                          "training", "dev", "validation", "images", "videos", "sentences", "documents"]
# A record's accession as papers write one after its archive's name ("GenBank: NM_172496.3", "PDB: 1PFO"): letters,
# maybe an underscore, then digits; a version after a dot.
ACCESSION_SHAPE = re.compile(r"^(?:[A-Z]{1,6}_?\d{3,}|\d(?=[A-Z0-9]*[A-Z])[A-Z0-9]{3})(?:\.\d+)?$")
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

# A bibliography title that introduces data: "a dataset/corpus/benchmark for …", "a large-scale …".
DATA_TITLE = re.compile(
    r"\b(?:data\s?sets?|corpus|corpora|benchmarks?|databases?|treebank|collection|challenge|shared task|"
    r"large[- ]scale|annotated|annotations?|repository|archive|atlas|images?|videos?|recordings?|"
    r"resource|test suite|evaluation set|questions?)\b", re.I)

# A data paper's title: a name, a colon, then what it is ("AgentHarm: A Benchmark for …", "HotpotQA: A Dataset for
# …"); narrower than DATA_TITLE, whose "large-scale" and "images" also open method papers' titles.
DATA_PAPER_TITLE = re.compile(
    r"^\s*([^\s:][^:]{0,40}?)\s*:\s+.*\b(?:data\s?sets?|corpus|corpora|benchmarks?|databases?|treebank)\b", re.I)

# The paper introduces a dataset of its own: "we present X", "our X corpus", "X, a new dataset".
OWN_DATA = re.compile(
    r"\b(?:we|this (?:paper|work)|here we)\s+(?:\w+\s+){0,2}?(?:introduce|present|release|propose|collect|"
    r"construct|create|build|contribute|describe|develop)[sd]?\b", re.I)
# A sentence in the paper's own words about data it made: what `created` needs beside the role textcat;
# a sentence that says the data came from elsewhere ("we analysed three datasets deposited in R2") does not.
CREATION_CUE = re.compile(
    r"\b(?:we|this (?:paper|work|study)|here we)\s+(?:\w+\s+){0,2}?(?:introduce|present|release|collect|construct|"
    r"create|build|contribute|generate|produce|sequence|record|assemble|annotate|curate)[sd]?\b|"
    r"\b(?:we|the authors)\s+(?:\w+\s+)?(?:deposit(?:ed)?|submit(?:ted)?|upload(?:ed)?|made (?:\w+ )?available)\b|"
    r"\bour (?:own |new )?(?:\w+ ){0,2}(?:data|datasets?|corpus|samples|sequences|measurements|recordings|images)\b|"
    r"\b(?:produced|generated|collected|sequenced) (?:in|by|for) (?:our|this)\b|"
    r"\b(?:has|have|had) been (?:deposited|submitted)\b|\b(?:were|was) (?:deposited|submitted) (?:in|to|at)\b|"
    r"\bsubmitted to\b|"
    r"\b(?:data|datasets?|sequences|reads) (?:are|is) (?:publicly |freely )?available (?:at|in|from|under)\b",
    re.I)
REUSE_CUE = re.compile(r"\bwe (?:\w+ )?(?:analy[sz]ed|used|downloaded|obtained|retrieved|re-?analy[sz]ed)\b|"
                       r"\b(?:downloaded|obtained|retrieved|taken) from\b|\bpublicly available (?:data|datasets?)\b",
                       re.I)
OWN_POSSESSIVE = re.compile(r"\bour\s+(?:new\s+|own\s+|proposed\s+)?$", re.I)
# The paper naming data it made: "We refer to this dataset as FlyingChairsOcc", "we call it X"
OWN_NAMING = re.compile(r"\bwe\s+(?:refer\s+to|call|name|dub|denote)\s+(?:it|this|these|them|(?:this|the|our)\s+"
                        r"(?:new\s+)?(?:data\s?sets?|corpus|corpora|benchmarks?|collection))\s+(?:as\s+)?$", re.I)
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
# How annotators' spans coordinate names ("NORB, CIFAR-10 and SVHN datasets"): training splits at these
# (commas too: an annotated span is a list when all its parts are names), inference at NAME_JOINERS only
# (a recognised mention with a comma is more often one name: "Penn Treebank, WSJ section").
COORDINATION = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+")
# Words a dataset name never starts with: dropped from training spans and from recognised mentions alike.
DETERMINERS = ("the", "a", "an")

# Verbs that say a cited work made the data: "introduced in [14]", "provided by [29]".
DATA_MADE_VERBS = r"introduced|proposed|released|provided|collected|created|constructed"
# The words just before a marker that say it cites where the data was made: "… that was introduced in [14]".
INTRO_BEFORE_MARKER = re.compile(rf"\b(?:{DATA_MADE_VERBS}|made available)\s+(?:in|by)\s*$", re.I)
# Words anywhere between a name and its marker that say the marker cites where the data comes from (a ranker
# feature).
INTRO_CUE = re.compile(rf"\b(?:{DATA_MADE_VERBS}|presented|described|published|developed|built|from|by|in)\b", re.I)

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

# ---- Dataset identifiers (identifiers.py) ----
# Archives whose accessions identify data, by bioregistry prefix: bioregistry gives each one's pattern, name,
# synonyms and resolver URL. "self": the accession's form names its archive (GSE…, PRJNA…, CHEMBL…, EMPIAR-…);
# "context": the bare form is ambiguous (PDB "1ABC", UniProt "P12345", GenBank "AB123456", CATH "3.40.50.300",
# KEGG "K00001" = the cell line K562's shape) and counts only with the archive's name near it.
DATA_ARCHIVES = {
    "geo": "self", "insdc.sra": "self", "bioproject": "self", "biosample": "self", "arrayexpress": "self",
    "biostudies": "self", "dbgap": "self", "ega.study": "self", "ega.dataset": "self", "empiar": "self",
    "emdb": "self", "chembl": "self", "interpro": "self", "pfam": "self", "pride.project": "self",
    "massive": "self", "metabolights": "self", "biomodels.db": "self", "cellosaurus": "self", "insdc.gca": "self",
    "pdb": "context", "uniprot": "context", "insdc": "context", "refseq": "context", "kegg.orthology": "context",
    "cath": "context",
}
# Names an author writes for an archive beside its bioregistry name and synonyms ("GenBank acc. no. X12345").
ARCHIVE_NAMES = {
    "pdb": ["PDB", "Protein Data Bank", "RCSB", "PDBe", "PDB ID", "PDB code", "PDB entry", "PDB entries"],
    "uniprot": ["UniProt", "UniProtKB", "Swiss-Prot", "SwissProt", "TrEMBL"],
    "insdc": ["GenBank", "ENA", "EMBL", "DDBJ", "NCBI", "nucleotide"],
    "refseq": ["RefSeq", "GenBank", "NCBI"],
    "kegg.orthology": ["KEGG", "KO", "orthology"],
    "cath": ["CATH"],
}
# Archives whose bare accessions also count after a generic word ("accession no. AB123456"), when no other
# archive's name claims the same string.
ACCESSION_WORDS = {"insdc": ["accession", "accessions", "acc. no", "accession number", "accession numbers"]}
# Archives bioregistry does not list, written out here (the one exception to bioregistry's patterns).
EXTRA_ARCHIVES = {
    "gisaid": {"name": "GISAID", "pattern": r"EPI(?:_ISL_|_SET_)?\d{6,}", "url": "https://gisaid.org/"},
}
# DOI prefixes of data repositories: a DOI under one of these is a dataset whatever the text around it says.
DATA_DOI_PREFIXES = {
    "10.5061": "Dryad", "10.5281": "Zenodo", "10.6084": "Figshare", "10.1594": "PANGAEA",
    "10.7910": "Dataverse", "10.17605": "OSF", "10.17632": "Mendeley Data", "10.5066": "USGS ScienceBase",
    "10.15468": "GBIF", "10.7937": "The Cancer Imaging Archive", "10.5067": "NASA EOSDIS",
    "10.6073": "Environmental Data Initiative", "10.17882": "SEANOE", "10.5285": "NERC Environmental Data Service",
    "10.4121": "4TU.ResearchData", "10.3886": "ICPSR", "10.5256": "F1000Research data", "10.5441": "Movebank",
    "10.3334": "ORNL DAAC", "10.5524": "GigaDB", "10.5518": "Research Data Leeds", "10.6075": "UC San Diego Library",
    "10.25349": "UC Santa Barbara data", "10.11588": "heiDATA", "10.15131": "ORDA Sheffield",
    "10.17862": "Cranfield Online Research Data", "10.17863": "Apollo Cambridge", "10.21942": "UvA/AUAS figshare",
    "10.34973": "Radboud Data Repository", "10.15485": "ESS-DIVE", "10.25326": "DataCite data repository",
}
# URL hosts of data repositories (a bibliography entry or link with such a URL is a data citation).
DATA_URL_HOSTS = ["datadryad.org", "zenodo.org", "figshare.com", "pangaea.de", "dataverse", "osf.io",
                  "data.mendeley.com", "sciencebase.gov", "gbif.org", "cancerimagingarchive.net"]
# Words around an identifier that say it names data (a DOI outside the repository list needs them).
DATA_CONTEXT = re.compile(
    r"\b(?:data\s?sets?|data|datasets?|deposited|archived|repositor(?:y|ies)|accession|available (?:at|from|in|on)|"
    r"database|data release|sequences?|raw reads|files)\b", re.I)
# Words just before a number that make it a grant, figure, table or catalogue number, not an accession.
NOT_ACCESSION_BEFORE = re.compile(
    r"\b(?:grants?|awards?|contracts?|project|funding|(?<!acc\. )(?<!accession )no\.|(?<!accession )numbers?|"
    r"fig(?:ure)?s?\.?|tables?|supplementary|protocol|ethics|approval|permit|license|licence|isbn|issn|"
    r"catalog(?:ue)?|cat\.|lot|strain)\s*[:#]?\s*$", re.I)
# Headings of data-availability statements (the paper's own data is deposited there, or reused data named).
DATA_STATEMENT_HEADING = re.compile(
    r"^\s*(?:data(?:,? (?:code|materials?|software)(?: and (?:code|materials?|software))?)? (?:and (?:code|materials?|"
    r"software) )?(?:availability|accessibility|access|deposition|archiving|sharing)(?: statement)?|"
    r"availability of (?:data|supporting data|data and materials?|materials and data)|accession (?:numbers?|codes?)|"
    r"data (?:statement|records?|citations?)|open research|code and data availability|"
    r"deposited data|data and code|underlying data)\b", re.I)
# DOI forms that are part of an article, not data: supplementary files, F1000 referee reports, figshare
# collections of a journal's supplementary material.
NOT_DATA_DOI = re.compile(r"\.s\d{3}$|/suppl|\.sd\d+$|^10\.5256/f1000research\.\d+\.r\d+$", re.I)
# Words before a DOI (in its sentence or reference entry) that make it software or an article's supplement.
NOT_DATA_DOI_CONTEXT = re.compile(
    r"\b(?:software|source code|code (?:is|are|used)|python|package|toolkit|library|framework|firmware|"
    r"computer program|scripts?|supplementary (?:material|information|file)|electronic supplementary|"
    r"referee (?:response|report))\b"
    # a software release: a semantic version ("taxa v0.2.0 (Version 0.2.0). Zenodo"), or a GitHub release archived
    # on Zenodo, titled "owner/repository: …" ("pandas-dev/pandas: Pandas")
    r"|\bv\d+\.\d+\.\d+\b|\(version \d+\.\d+\.\d+\)|(?<![\w/.])[a-z][\w.-]*/[a-z][\w.-]*:\s", re.I)
# The archives whose accessions the Make Data Count labels count (`--format mdc`): measured on the dev part of
# ../shared/corpora/mdc (scripts/splits.py), an archive is left out when its accessions found there were labelled
# less than half the time (right/wrong): GEO 2/66, BioProject 1/25, SRA 0/49, GenBank/ENA 1/59, assemblies
# 0/74, PDB 1/25, Pfam 2/4, RefSeq 1/4, MassIVE 0/7, InterPro 0/1, EGA datasets 0/2; the others were labelled
# (ChEMBL 29/0, GISAID 28/0, BioSample 41/14, Cellosaurus 16/2, EMPIAR 12/0, ArrayExpress 12/9, PRIDE 10/4,
# CATH 4/0, BioModels 1/0, UniProt 1/0) or not seen (kept).
MDC_ARCHIVES = ["chembl", "gisaid", "biosample", "cellosaurus", "empiar", "arrayexpress", "pride.project", "cath",
                "biomodels.db", "uniprot", "dbgap", "ega.study", "biostudies", "metabolights", "emdb", "kegg.orthology"]

# Ids of the second known-datasets table's rows (Rich Context: surveys, cohorts, agency data) and of the third's
# (bioregistry's databases and registries, many of them ontologies or identifier spaces rather than data).
RC_PREFIX = "rc:"
REGISTRY_PREFIX = "bioregistry:"
# Last words of a bioregistry name that name its records, not the database: "ClinVar Variation", "PDB Structure".
REGISTRY_RECORD_WORDS = {"variation", "variant", "structure", "protein", "gene", "genes", "family", "entry",
                         "entries", "record", "records", "accession", "identifier", "id", "term", "terms", "sample",
                         "samples", "compound", "compounds", "project", "study", "series", "dataset", "datasets"}

# ---- Dataset entities (linking/entities.py, linking/entity_features.py) ----
# Words after a dataset's name that name one of its splits, not another dataset: "VOC 2012 test set".
SPLIT_WORDS = {"train", "training", "test", "testing", "dev", "development", "validation", "val", "valid",
               "held-out", "heldout", "trainval", "eval", "evaluation", "test-standard", "test-dev", "test-challenge",
               "minival", "val2014", "train2014", "val2017", "train2017", "public", "private"}
# Words that close a split or a mention without changing the dataset: "VOC training data", "the SQuAD split".
SET_WORDS = {"set", "sets", "split", "splits", "subset", "subsets", "partition", "portion", "data", "dataset",
             "datasets", "data set", "corpus", "corpora", "benchmark", "benchmarks", "collection", "dump", "dumps",
             "version", "release", "sample", "samples"}
# Parts of a dataset named after it: "COCO boxes", "VOC masks", "VQA questions".
PART_WORDS = {"boxes", "box", "masks", "mask", "annotations", "annotation", "labels", "label", "captions",
              "caption", "images", "image", "videos", "video", "questions", "answers", "sentences", "documents",
              "segmentations", "categories", "classes", "pairs", "articles", "pages", "tweets",
              "dialogues", "dialogs", "utterances", "reviews", "frames", "clips", "scans", "records", "entries",
              "samples", "examples", "instances", "queries", "passages", "texts", "abstracts", "ground-truth"}
# Before a name, words that say it is used as data: "trained on X", "results on the X", "collected from X".
DATA_USE_BEFORE = (r"\b(?:(?:train(?:ed|ing)?|evaluat\w*|test(?:ed|ing)?|experiments?|results?|accuracy|"
                   r"perform\w*|fine-?tun\w*|pre-?train\w*|benchmark\w*)\s+(?:\w+\s+){0,2}?(?:on|with|using|over)"
                   r"|(?:collected|downloaded|obtained|extracted|retrieved|taken|derived|sampled|drawn|crawled)"
                   r"\s+from)\s+(?:the\s+)?(?:\w+\s+)?$")
# Words right after a name that make it a model, method, metric or tool rather than data: "SGD training"
# is not among them (a dataset is trained on too); "VideoBERT model", "BLEU score" are.
MODEL_WORDS = {"model", "models", "network", "networks", "net", "method", "methods", "algorithm", "algorithms",
               "optimizer", "optimiser", "architecture", "architectures", "framework", "loss", "layer", "layers",
               "embedding", "embeddings", "tokenizer", "score", "scores", "metric", "metrics", "toolkit", "library",
               "software", "package", "encoder", "decoder", "classifier", "baseline", "baselines", "approach",
               "parser", "tagger", "kernel", "module", "backbone", "representations", "features", "regularization",
               "solver", "estimator", "criterion", "objective", "measure", "implementation", "tool", "system",
               "gene", "genes", "protein", "cells", "cell", "mice", "patients", "inhibitor", "antibody", "kit"}
