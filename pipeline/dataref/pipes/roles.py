"""dataref_dataset_roles: was each dataset created by this paper or used (reused) by it?

A textcat trained by `spacy train configs/role.cfg` (Europe PMC data-citation sentences labelled Use /
Creation / Background, and MDC sentences around labelled identifiers) reads the cue sentences of each dataset
record: the sentences of its mentions and identifiers. The citation linker's "introduced by this paper" is taken
as the strongest evidence of `created`."""
import re
from pathlib import Path
from typing import Iterable, Optional, Union

import srsly
from spacy import util
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span
from thinc.api import Config

from ..errors import DatarefError, Errors
from ..extensions import install_extensions, key_of
from ..linking.lexicon import CREATION_CUE, REUSE_CUE
from ..linking.rules import OWN, introduced_elsewhere, paper_title_matches
from ..linking.names import dataset_groups, normalize
from ..linking.sentences import Sentences, sentence_text

CREATED, USED, UNKNOWN = "created", "used", "unknown"
_DATA_FROM = re.compile(r"^\s*data from\s*:\s*(.+)", re.I)
KNOWN_DATASET = "known dataset"  # the role's source when the known-datasets table says who introduced it
MODEL_DIR = "textcat"
# sentences per textcat batch: spaCy's default (1,000) held 600 MB on a paper naming 1,000 datasets
CLASSIFY_BATCH = 32


@Language.factory(
    "dataref_dataset_roles",
    requires=["doc.ents", "doc.sents", "doc._.identifiers", "doc._.dataset_entities", "doc._.link_notes",
              "doc._.dataset_kb"],
    assigns=["doc._.dataset_roles"],
    default_config={"label": "DATASET", "threshold": 0.5, "max_sentences": 12},
)
def make_dataset_roles(nlp: Language, name: str, label: str, threshold: float,
                       max_sentences: int) -> "DatasetRoles":
    return DatasetRoles(nlp, name, label=label, threshold=threshold, max_sentences=max_sentences)


class DatasetRoles(Pipe):
    """Sets `doc._.dataset_roles`: for every DATASET mention ("start:end") and every identifier that stands alone
    ("id:" + identifier), {role, evidence, score, source}. Without a trained textcat (not initialized) only the
    linker's evidence is used and the rest is `unknown`."""

    def __init__(self, nlp: Language, name: str = "dataref_dataset_roles", *, label: str = "DATASET",
                 threshold: float = 0.5, max_sentences: int = 12) -> None:
        install_extensions()
        self.name = name
        self.label = label
        self.threshold = threshold
        self.max_sentences = max_sentences
        self.classifier: Optional[Language] = None

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None,
                   path: Optional[Union[str, Path]] = None) -> None:
        """Load the trained textcat pipeline ([initialize.components.dataref_dataset_roles] path)."""
        if path is not None:
            self.classifier = _load(Path(path))

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def predict(self, docs: Iterable[Doc]) -> list[dict[str, dict]]:
        return [self._roles(doc) for doc in docs]

    def set_annotations(self, docs: Iterable[Doc], roles: list[dict[str, dict]]) -> None:
        for doc, found in zip(docs, roles, strict=True):
            doc._.dataset_roles = found

    def classify(self, sentences: list[str]) -> list[dict[str, float]]:
        """CREATION / USE / BACKGROUND probabilities per sentence."""
        if self.classifier is None or not sentences:
            return [{} for _ in sentences]
        return [dict(d.cats) for d in self.classifier.pipe(sentences, batch_size=CLASSIFY_BATCH)]

    def decide(self, sentences: list[str], cats: list[dict[str, float]], own: bool, known: bool = False,
               statement: bool = False) -> dict:
        """The role of one dataset record from its cue sentences' probabilities. `created` needs the paper's
        own words ("we collected", "our data", "deposited under"): the textcat alone, trained on biomedical
        sentences, calls a table row ("SVHN Accuracy.") creation; inside a data-availability statement
        (`statement`) the heading says it ("Underlying data: Figshare: SURE2018.zip. https://doi.org/…"). A known
        dataset the paper did not introduce is `used`."""
        scored = [(c.get("CREATION", 0.0), c.get("USE", 0.0), s) for s, c in zip(sentences, cats, strict=True) if c]
        p_created = round(max((x[0] for x in scored), default=0.0), 4)  # kept so a threshold can be tuned offline
        if own:
            return {"role": CREATED, "evidence": sentences[0] if sentences else "", "score": 1.0, "source": OWN,
                    "p_created": p_created}
        if known:
            return {"role": USED, "evidence": sentences[0] if sentences else "", "score": 1.0,
                    "source": KNOWN_DATASET, "p_created": p_created}
        scored = [x if (statement or CREATION_CUE.search(x[2])) and not REUSE_CUE.search(x[2]) else (0.0, x[1], x[2])
                  for x in scored]
        if not scored:
            return {"role": UNKNOWN, "evidence": sentences[0] if sentences else "", "score": 0.0, "source": "none",
                    "p_created": 0.0}
        created = max(scored, key=lambda x: x[0])
        if created[0] >= self.threshold:
            return {"role": CREATED, "evidence": created[2], "score": round(created[0], 4), "source": "textcat",
                    "p_created": p_created}
        used = max(scored, key=lambda x: x[1])
        role = USED if used[1] >= max(1.0 - used[1] - created[0], 0.0) else UNKNOWN  # USE outweighs BACKGROUND
        return {"role": role, "evidence": used[2], "score": round(used[1], 4), "source": "textcat",
                "p_created": p_created}

    def _roles(self, doc: Doc) -> dict[str, dict]:
        ents = [e for e in doc.ents if e.label_ == self.label]
        groups = dataset_groups(doc, ents)
        notes = doc._.link_notes or {}
        members: dict[str, list[Span]] = {}
        for ent in ents:
            members.setdefault(groups.find(normalize(ent.text)), []).append(ent)
        identifiers = doc._.identifiers or []
        tied: dict[str, list[dict]] = {}
        alone: dict[str, list[dict]] = {}
        root_of = {key_of(e): groups.find(normalize(e.text)) for e in ents}
        for identifier in identifiers:
            if identifier.get("mention") in root_of:
                tied.setdefault(root_of[identifier["mention"]], []).append(identifier)
            else:
                alone.setdefault(identifier["id"], []).append(identifier)
        # (keys, cue sentences, own, known, in a data-availability statement)
        records: list[tuple[list[str], list[str], bool, bool, bool]] = []
        known = doc._.dataset_kb or {}
        title = (doc._.paper or {}).get("title", "")
        text = doc.text
        in_doc = Sentences(doc)
        for root, mentions in members.items():
            sentences = ([sentence_text(in_doc, m.start_char, m.end_char, text=text) for m in mentions]
                         + [i["sentence"] for i in tied.get(root, [])])
            is_known = any(introduced_elsewhere(known.get(key_of(m)), title) for m in mentions)
            records.append(([key_of(m) for m in mentions], _unique(sentences)[:self.max_sentences],
                            notes.get(root) == OWN, is_known, _in_statement(tied.get(root, []))))
        bibliography = doc._.bibliography or {}
        for identifier, found in alone.items():
            own_package = any(is_own_data_package(bibliography.get(i.get("bib_id") or "", {}), title) for i in found)
            records.append(([f"id:{identifier}"], _unique([i["sentence"] for i in found])[:self.max_sentences],
                            own_package, False, _in_statement(found)))
        everything = _unique([s for _, sentences, _, _, _ in records for s in sentences])
        cats = dict(zip(everything, self.classify(everything), strict=True))
        roles: dict[str, dict] = {}
        for keys, sentences, own, is_known, statement in records:
            role = self.decide(sentences, [cats[s] for s in sentences], own, is_known, statement)
            roles.update({key: role for key in keys})
        return roles

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> None:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        if self.classifier is not None:
            self.classifier.to_disk(folder / MODEL_DIR)

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> "DatasetRoles":
        folder = Path(path) / MODEL_DIR
        self.classifier = _load(folder) if folder.exists() else None
        return self

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        """The textcat sub-pipeline (its config and weights); empty when there is none."""
        if self.classifier is None:
            return srsly.msgpack_dumps({})
        return srsly.msgpack_dumps({"config": self.classifier.config.to_str(),
                                    "model": self.classifier.to_bytes(exclude=exclude)})

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()) -> "DatasetRoles":
        data = srsly.msgpack_loads(bytes_data)
        if not data:
            self.classifier = None
            return self
        config = Config().from_str(data["config"])
        classifier = util.get_lang_class(config["nlp"]["lang"]).from_config(config)
        self.classifier = classifier.from_bytes(data["model"], exclude=exclude)
        return self


def _load(path: Path) -> Language:
    import spacy

    try:
        return spacy.load(path)
    except (OSError, ValueError) as err:
        raise DatarefError(Errors.E050.format(path=path, detail=err)) from err


def is_own_data_package(entry: dict, paper_title: str) -> bool:
    """A bibliography entry that is this paper's own data package: Dryad's "Data from: <the paper's title>"."""
    match = _DATA_FROM.match(entry.get("title", ""))
    return match is not None and bool(paper_title) and paper_title_matches(match.group(1), paper_title)


def _in_statement(identifiers: list[dict]) -> bool:
    return any(i.get("where") == "data_statement" for i in identifiers)


def _unique(items: list[str]) -> list[str]:
    return [s for s in dict.fromkeys(items) if s]
