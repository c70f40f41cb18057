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


class DatarefError(ValueError):
    """A refusal of one input; its message names the file and the problem."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.code = message[1:5] if message.startswith("[E") else ""
