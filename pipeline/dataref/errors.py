"""One catalog of dataref's errors and warnings, coded like spaCy's own."""
from spacy.errors import ErrorsWithCodes


class Warnings(metaclass=ErrorsWithCodes):
    W001 = ("{path}: {count} citation marker(s) do not align with token boundaries (first: '{text}' at "
            "characters {start}-{end}) and were left out of doc.spans['citations'].")
    W002 = ("{path}: {count} citation marker(s) point to ids not in the bibliography (first: '{text}' → "
            "'{target}'); they are kept without a link.")
    W003 = ("{path}: {count} bibliography id(s) occur more than once (first: '{id}'); the first entry of "
            "each is kept.")
    W010 = ("{path}: line {line} was cut short (a run stopped while writing it) and is left out of the report; "
            "`dataref extract ... --resume` completes it.")
    W011 = ("{path}: reading the paper again gives other results than {results} (another model or version); "
            "this page shows the new run, the corpus page the results file.")
    W012 = ("{path}: the paper's text is not shown ({detail}); this page shows its results only.")
    W013 = ("--n-process {asked} is more than the {cpus} CPU(s) this process may use; {cpus} worker process(es) "
            "are started.")
    W020 = ("The result field '{field}' is not in dataref's Parquet schema and is left out of Parquet output "
            "(the JSONL output keeps it); add it to dataref/output/parquet.py's schema.")


class Errors(metaclass=ErrorsWithCodes):
    E001 = "{path}: the file is empty."
    E002 = "{path}: not well-formed XML ({detail})."
    E003 = ("{path}: the XML root is <{root}>, not a TEI document. Give dataref "
            "GROBID TEI XML (or a PDF, which it sends to GROBID).")
    E004 = ("{path}: the file is {size} bytes, over the limit of {limit} bytes. "
            "Raise it with DATAREF_MAX_BYTES if the file is genuine.")
    E005 = ("{path}: the XML declares a DTD or entities, which dataref refuses to "
            "expand (they can read local files, reach the network or blow up memory).")
    E006 = "{path}: cannot read the file ({detail})."
    E007 = ("{path}: the TEI has no text: no title, abstract or body was found.")
    E008 = ("No GROBID server answers at {url}. Start one with `docker run --rm -p "
            "8070:8070 grobid/grobid:{version}` or point --grobid-url (or "
            "DATAREF_GROBID_URL) at a running server.")
    E009 = "{path}: GROBID could not process the PDF ({detail})."
    E010 = ("{path}: unsupported input; give TEI or JATS XML (.xml, .nxml), PDF (.pdf) or plain-text (.txt) "
            "files.")
    E011 = ("Cannot load the pipeline '{name}': {detail}. Install the shipped model "
            "with `pip install packages/en_dataref_sm-*.whl` or pass --model PATH.")
    E012 = "{path}: the XML nests deeper than {limit} levels."
    E013 = ("{path}: GROBID returned TEI that cannot be read ({detail}); it was not cached, "
            "so a rerun asks GROBID again.")
    E014 = ("{path}: the paper's text has {size} characters, over the limit of {limit}, more than any paper holds. "
            "Raise it with DATAREF_MAX_CHARS if the file is one genuine paper and memory allows (see "
            "scripts/peak_memory.py).")
    E015 = ("{path}: the pipeline failed on this paper in {stage} ({detail}); the other papers go on, "
            "and --resume tries this one again.")
    E016 = "{path}: not a regular file ({kind}); give TEI XML or PDF files, or folders of them."
    E017 = ("{path} already holds results. Pass --resume to continue it (papers already done are skipped, "
            "failed ones tried again) or choose another output file.")
    E018 = ("{path} is not dataref output (line {line} is not a result record); dataref will not touch it. "
            "Choose another output file.")
    E019 = "Cannot write the output {path}: {detail}."
    E020 = "{name}={value!r} is not a whole number of {unit}."
    E021 = ("{path}: the paper took more than {seconds} s, the time budget per paper, and was stopped in {stage}; "
            "the other papers go on. Raise the budget with --paper-timeout (or DATAREF_PAPER_TIMEOUT) if the paper "
            "is genuine; --resume tries it again.")
    E022 = ("{path} is being written by another dataref run ({holder}); wait for it to end or choose another "
            "output.")
    E024 = "Option {option}: {detail}."
    E030 = ("{path} is not a dataref results file (line {line}: {detail}); give the JSON lines `dataref extract "
            "-o` writes, or TEI files and folders.")
    E031 = "{path} holds no result records; run `dataref extract PAPERS -o {path}` first."
    E032 = "Cannot write the report to {path}: {detail}."
    E033 = ("{path} is a folder that holds files and no dataref report; choose a new or empty folder so that "
            "nothing there is overwritten.")
    E034 = ("Give either results files (JSON lines from `dataref extract`) or TEI files and folders, not both: "
            "{detail} are not results files.")
    E035 = "{path}: no TEI files (.xml) found; give TEI files, folders of them, or a results file."
    E036 = "{path}: cannot read the results file ({detail})."
    E037 = ("{path}: `dataref report` reads TEI, not PDF; run `dataref extract` on the PDFs (through GROBID) and "
            "give its results file.")
    E038 = "{path}: the report page could not be made ({detail}); the other papers go on."
    E040 = ("{path}: the XML root is <{root}>, not a JATS <article>. Give JATSReader JATS (or NLM) article XML, "
            "or read any paper with dataref.PaperReader.")
    E041 = ("{path}: the XML root is <{root}>, neither a TEI document nor a JATS <article>. Give dataref GROBID "
            "TEI XML, JATS XML, or a PDF (which it sends to GROBID).")
    E042 = "{path}: the JATS article has no text: no title, abstract, body or back matter was found."
    E043 = ("Parquet output needs pyarrow ({detail}). Install it with `pip install 'dataref[parquet]'` or write "
            "JSONL (-o results.jsonl).")
    E045 = ("{path}: the Ray engine sends PDFs to GROBID from local or shared folders only; copy them to one, "
            "or convert them first (`dataref extract PDFS --tei-cache tei/`) and give it the TEI files.")
    E046 = ("The Ray engine needs Ray ({detail}). Install it with `pip install 'dataref[ray]'`, or run without "
            "--engine ray.")
    E044 = ("{path} is not dataref Parquet output ({detail}); dataref will not touch it. Choose another output "
            "file or folder.")
    E050 = ("Cannot load the role classifier from {path} ({detail}). Train it with `python -m spacy train "
            "configs/role.cfg --output training/roles …` and point [initialize.components.dataref_dataset_roles] "
            "path at training/roles/model-best.")
    E051 = "{path}: cannot read the plain-text paper ({detail})."
    E052 = "Unknown output format {value!r}; use jsonl or mdc."
    E053 = ("--format mdc writes a whole CSV in one run: it does not take --resume or --text. Run without them, "
            "or write JSON lines and resume those.")
    E060 = ("Cannot load the dataset-entity classifier from {path} ({detail}). Train it with "
            "`python scripts/train_entities.py corpus/entities` or point [initialize.components."
            "dataref_dataset_entities] path at its classifier.json.")
    E061 = ("Cannot load the link ranker from {path} ({detail}). Train it with `python scripts/train_links.py "
            "corpus/links` or point [initialize.components.dataref_citation_linker] path at its ranker.json "
            "(null: the ordered rules alone).")


class DatarefError(ValueError):
    """A refusal of one input; its message names the file and the problem."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.code = message[1:5] if message.startswith("[E") else ""


# Where each code appears and what to do, for docs/errors.md (scripts/errors_doc.py writes it; a test checks that
# every code of the catalog has an entry here and that the page is up to date).
RECORD = "An error record in the output (the run goes on); "
REFUSAL = "A refusal before any work (exit status 2); "
REPORT = "`dataref report` (exit status 2 when it refuses); "
HELP = {
    "W001": "A warning while reading a TEI paper; the marker's text stays in the paper, only its link is lost. "
            "Usually a GROBID slip; nothing to do.",
    "W002": "A warning while reading a TEI paper; GROBID found a marker but no entry for it. Nothing to do: the "
            "dataset may still be linked by name.",
    "W003": "A warning while reading a TEI paper; GROBID wrote two entries with one id. Nothing to do.",
    "W010": "`dataref report` on a results file a killed run left; resume the run to complete the line.",
    "W011": "A note on a report page: the paper read now gives other results than the file (another model). "
            "Rerun `dataref extract` with the model the report uses to make them agree.",
    "W012": "A note on a report page: the page shows the record without the paper's text. Keep the papers where "
            "the results file names them to see the text.",
    "W013": "A warning at the start of `dataref extract`: more worker processes than CPUs only cost memory. "
            "Give --n-process at most the number of CPUs.",
    "W020": "A warning while writing Parquet: a field of the records is not in the Parquet schema. Read the JSONL "
            "output, or add the field to the schema.",
    "E001": RECORD + "the file holds nothing (or only whitespace). Check how it was made.",
    "E002": RECORD + "the XML is broken (often a truncated download or copy). Get the file again, or run GROBID "
            "on the PDF again.",
    "E003": RECORD + "an XML file that is neither TEI nor JATS. Give GROBID TEI, JATS, a PDF or plain text.",
    "E004": RECORD + "the file is larger than DATAREF_MAX_BYTES (50 MB by default). Raise the limit for a genuine "
            "paper.",
    "E005": RECORD + "the XML declares a DTD or entities, which dataref never expands (safety).",
    "E006": RECORD + "the operating system refused to read the file (permissions, a vanished file).",
    "E007": RECORD + "the TEI has no title, abstract or body: GROBID read nothing from the PDF.",
    "E008": "A refusal of the PDFs (exit status 2; TEI files still run): no GROBID server answers. Start one or "
            "point --grobid-url at one.",
    "E009": RECORD + "GROBID failed on that PDF (or no server answered); --resume sends it again.",
    "E010": RECORD + "a file named on the command line that dataref does not read (in folders such files are "
            "passed over and counted instead).",
    "E011": REFUSAL + "the pipeline named by --model cannot be loaded. Install the shipped model or give a path.",
    "E012": RECORD + "the XML nests deeper than 256 levels: not a paper.",
    "E013": RECORD + "GROBID answered with TEI that cannot be read; a rerun asks GROBID again.",
    "E014": RECORD + "the paper's text is longer than DATAREF_MAX_CHARS (2,000,000 characters by default), more "
            "than a paper holds. Raise it for a genuine long document if memory allows.",
    "E015": RECORD + "a component of the pipeline raised an error on this paper, or its worker process died "
            "(e.g. out of memory). --resume tries it again; report it as a bug with the paper if it repeats.",
    "E016": RECORD + "a FIFO, device or other special file was named: dataref reads regular files only.",
    "E017": REFUSAL + "the output file already holds results. Pass --resume or choose another file.",
    "E018": REFUSAL + "the output file is not dataref's; dataref never overwrites it. Choose another file.",
    "E019": REFUSAL + "the output cannot be written: its folder is missing or not writable, or it is a folder.",
    "E020": REFUSAL + "a limit set in the environment (DATAREF_MAX_BYTES, DATAREF_MAX_CHARS) is not a positive "
            "whole number.",
    "E021": RECORD + "the paper took longer than the time budget per paper (--paper-timeout, "
            "DATAREF_PAPER_TIMEOUT, 120 s by default) and its worker was stopped; the message names the stage. "
            "Raise the budget for a genuine long paper; --resume tries it again.",
    "E022": REFUSAL + "another dataref run is writing the same output (the message gives its pid). Wait for it, "
            "or write elsewhere; the lock ends with that run, even when it is killed.",
    "E024": REFUSAL + "an option has a value dataref cannot use; the message names the option and what to give.",
    "E030": REPORT + "a file given as results is not dataref's JSON lines.",
    "E031": REPORT + "the results file holds no records. Run `dataref extract` first.",
    "E032": REPORT + "the report folder cannot be written.",
    "E033": REPORT + "the report folder holds other files; choose a new or empty folder.",
    "E034": REPORT + "results files and papers were mixed on one command line; give one kind.",
    "E035": REPORT + "the folders given hold no paper files.",
    "E036": REPORT + "the results file cannot be read.",
    "E037": REPORT + "a PDF was given; run `dataref extract` on PDFs (through GROBID) and report its results.",
    "E038": REPORT + "one paper's page could not be made; it is listed as an error and the others go on.",
    "E040": "Raised by JATSReader (Python API) on XML that is not a JATS article; dataref.PaperReader reads any "
            "format.",
    "E041": RECORD + "an XML file whose root is neither TEI nor a JATS article.",
    "E042": RECORD + "the JATS article has no title, abstract, body or back matter.",
    "E043": REFUSAL + "Parquet output needs pyarrow; install the parquet extra or write JSONL.",
    "E044": REFUSAL + "the Parquet output named is not dataref's; dataref never overwrites it.",
    "E045": RECORD + "with --engine ray, a PDF that is not on a local or shared folder; convert it first.",
    "E046": REFUSAL + "--engine ray without Ray installed; install the ray extra.",
    "E050": "Raised when the pipeline loads: the role classifier's files are missing or broken.",
    "E060": "Raised when the pipeline is assembled or initialized: the entity classifier (classifier.json) is missing "
            "or broken.",
    "E061": "Raised when the pipeline is assembled or initialized: the link ranker (ranker.json) is missing or broken.",
    "E051": RECORD + "a .txt paper that is not UTF-8 text.",
    "E052": REFUSAL + "--format is neither jsonl nor mdc.",
    "E053": REFUSAL + "--format mdc writes one whole CSV: it takes neither --resume nor --text.",
}
