"""Dataset entities: one record per dataset, its splits and parts inside it, versions apart, one decision each."""
import json
from typing import Optional

import pytest
import spacy
from spacy.tokens import DocBin

from dataref.extensions import DATASETS
from dataref.linking.entities import (ACCESSION, KNOWN, NER, Mention, canonical_name, fold_archives, group_mentions,
                                      name_parts, variants_of_kept)
from dataref.linking.entity_features import FEATURES, EntityClassifier
from dataref.readers import PaperReader
from dataref.linking.names import data_paper_name

BOXSUP = "ml-tei/1503.01640v2.tei.xml"  # BoxSup: 25 records for about six datasets before the entity pipe


@pytest.mark.parametrize("text, base, splits, parts", [
    ("VOC 2012 test set", "VOC 2012", ["test"], []),
    ("PASCAL VOC 2012 validation", "PASCAL VOC 2012", ["validation"], []),
    ("VOC training data", "VOC", ["train"], []),
    ("COCO boxes", "COCO", [], ["boxes"]),
    ("VOC masks", "VOC", [], ["masks"]),
    ("VQA 2.0 test-standard", "VQA 2.0", ["test-standard"], []),
    ("Penn Treebank", "Penn Treebank", [], []),  # a capitalised last word is part of the name
    ("SGD", "SGD", [], []),
])
def test_name_parts_strip_splits_and_parts(text, base, splits, parts):
    found = name_parts(text)
    assert (found.base, found.splits, found.parts) == (base, splits, parts)


def test_a_lower_case_tail_goes_only_after_another_name_of_the_paper():
    assert name_parts("PASCAL VOC 2012 semantic segmentation", {"pascalvoc2012"}).base == "PASCAL VOC 2012"
    assert name_parts("PASCAL VOC 2012 semantic segmentation").base == "PASCAL VOC 2012 semantic segmentation"


def _groups(texts: list[str], kb: Optional[dict[str, str]] = None) -> list[set[str]]:
    mentions = [Mention(i * 100, i * 100 + len(t), t, NER, (kb or {}).get(t, "")) for i, t in enumerate(texts)]
    return [{texts[i] for i in group} for group in group_mentions(mentions)]


def test_versions_stay_apart_and_a_name_without_version_joins_the_most_named():
    # the names of BoxSup (ml-tei/1503.01640v2), as the recognizer finds them
    groups = _groups(["PASCAL VOC 2012", "VOC 2012 test set", "PAS-CAL VOC 2012", "PASCAL VOC 2007", "VOC 2007 boxes",
                      "VOC", "VOC masks", "PASCAL VOC", "PASCAL VOC 2012 validation", "COCO", "COCO boxes",
                      "Microsoft COCO"])
    assert {"PASCAL VOC 2012", "VOC 2012 test set", "PAS-CAL VOC 2012", "VOC", "VOC masks", "PASCAL VOC",
            "PASCAL VOC 2012 validation"} in groups
    assert {"PASCAL VOC 2007", "VOC 2007 boxes"} in groups
    assert {"COCO", "COCO boxes", "Microsoft COCO"} in groups


def test_squad_versions_and_cifar_sizes_are_different_datasets():
    groups = _groups(["SQuAD 1.1", "SQuAD 2.0", "CIFAR-10", "CIFAR-100", "CIFAR10"])
    assert {"SQuAD 1.1"} in groups and {"SQuAD 2.0"} in groups
    assert {"CIFAR-10", "CIFAR10"} in groups and {"CIFAR-100"} in groups


@pytest.mark.parametrize("path,apart", [
    # "Cifar10 Cifar100", one recognised span over two names, once joined CIFAR-10 and CIFAR-100 into one record
    ("ml-tei/2001.08856v1.tei.xml", ("CIFAR-10", "CIFAR-100")),
    # a size glued to the name is a version: MovieLens1M and MovieLens20M are two datasets
    ("ml-tei/1809.01703v3.tei.xml", ("MovieLens1M", "MovieLens20M")),
])
def test_versions_in_real_papers_stay_apart(corpora, shipped_entities, path, apart):
    doc = shipped_entities(PaperReader(shipped_entities)(corpora / path))
    forms = [set(r["surface_forms"]) for r in doc._.dataset_entities]
    assert all(any(name in f for f in forms) for name in apart)
    assert not any(set(apart) <= f for f in forms)
    every = set().union(*forms)  # no span of two names side by side ("Cifar10 Cifar100") is a candidate
    assert not any(len(x.split()) == 2 and all(w in every for w in x.split()) for x in every)


def test_the_same_known_dataset_id_is_one_entity():
    assert _groups(["MS-COCO", "Microsoft Common Objects in Context"],
                   {"MS-COCO": "coco", "Microsoft Common Objects in Context": "coco"}) == [
        {"MS-COCO", "Microsoft Common Objects in Context"}]


def test_canonical_name_is_the_table_name_unless_the_paper_names_a_version_it_lacks():
    voc = [Mention(0, 15, "PASCAL VOC 2012", KNOWN, "pascal-voc"), Mention(20, 23, "VOC", NER, "")]
    assert canonical_name(voc, "PASCAL VOC") == "PASCAL VOC 2012"
    cifar = [Mention(0, 7, "CIFAR10", NER, "cifar-10")]
    assert canonical_name(cifar, "CIFAR-10") == "CIFAR-10"
    assert canonical_name([Mention(0, 3, "VOC", NER), Mention(9, 24, "PASCAL VOC 2012", NER)]) == "PASCAL VOC 2012"


@pytest.fixture(scope="module")
def boxsup(corpora, shipped_entities):
    return shipped_entities(PaperReader(shipped_entities)(corpora / BOXSUP))


@pytest.fixture(scope="module")
def shipped_entities(shipped):
    """The shipped pipeline (it carries the entity pipe since 0.4.0)."""
    assert "dataref_dataset_entities" in shipped.pipe_names
    return shipped


def test_boxsup_gets_one_record_per_dataset(boxsup):
    records = boxsup._.datasets
    names = [r["name"] for r in records]
    assert len(records) <= 8, names  # 25 before the entity pipe
    voc = next(r for r in records if r["name"] == "PASCAL VOC 2012")
    assert {"test", "validation"} <= set(voc["splits"])
    assert "VOC 2012 test set" in voc["surface_forms"]
    assert sum(1 for n in names if "VOC 2012" in n) == 1
    coco = next(r for r in records if "COCO" in r["name"])
    assert "boxes" in coco["parts"]


def test_every_record_carries_its_decision(boxsup):
    for record in boxsup._.datasets:
        decision = record["decision"]
        assert decision["score"] >= 0.5
        assert all(push["feature"] in FEATURES for push in decision["evidence"])
        assert record["mentions"] and all(boxsup.text[m["start"]:m["end"]] in record["surface_forms"]
                                          and boxsup.text[m["start"]:m["end"]] in m["sentence"]
                                          for m in record["mentions"])


def test_kept_mentions_are_the_ents_and_the_span_group_with_their_entity_key(boxsup):
    kept = {r["key"] for r in boxsup._.dataset_entities if r["kept"]}
    assert {e.id_ for e in boxsup.ents if e.label_ == "DATASET"} == kept
    assert [(s.start, s.end) for s in boxsup.spans[DATASETS]] == [
        (e.start, e.end) for e in boxsup.ents if e.label_ == "DATASET"]


def test_dropped_candidates_are_recorded_not_output(boxsup):
    dropped = [r for r in boxsup._.dataset_entities if not r["kept"]]
    assert all(r["score"] < 0.5 for r in dropped)
    output = {r["name"] for r in boxsup._.datasets}
    assert not output & {r["name"] for r in dropped}


def test_entities_survive_docbin(boxsup, shipped_entities):
    data = DocBin(store_user_data=True, docs=[boxsup]).to_bytes()
    doc = next(DocBin().from_bytes(data).get_docs(shipped_entities.vocab))
    assert json.dumps(doc._.dataset_entities) == json.dumps(boxsup._.dataset_entities)  # msgpack gives tuples
    assert [e.id_ for e in doc.ents] == [e.id_ for e in boxsup.ents]


def test_classifier_round_trips_bytes_and_disk(shipped_entities, tmp_path):
    pipe = shipped_entities.get_pipe("dataref_dataset_entities")
    assert pipe.classifier is not None
    fresh = spacy.blank("en").add_pipe("dataref_dataset_entities")
    assert fresh.classifier is None
    fresh.from_bytes(pipe.to_bytes())
    assert fresh.classifier == pipe.classifier
    pipe.to_disk(tmp_path / "entities")
    again = spacy.blank("en").add_pipe("dataref_dataset_entities").from_disk(tmp_path / "entities")
    assert again.classifier == pipe.classifier


def test_n_process_2_gives_the_same_entities(corpora, shipped_entities):
    reader = PaperReader(shipped_entities)
    docs = [reader(corpora / BOXSUP), reader(corpora / "ml-tei/1908.07490v3.tei.xml")]
    one = [d._.dataset_entities for d in shipped_entities.pipe([reader(corpora / BOXSUP),
                                                               reader(corpora / "ml-tei/1908.07490v3.tei.xml")])]
    two = [d._.dataset_entities for d in shipped_entities.pipe(docs, n_process=2)]
    assert one == two


def test_classifier_score_explains_itself():
    classifier = EntityClassifier(features=["kb", "all_lower"], mean=[0.5, 0.5], scale=[0.5, 0.5],
                                  weights=[2.0, -3.0], bias=0.0)
    p, pushes = classifier.score({"kb": 1.0, "all_lower": 1.0})
    assert p < 0.5 and pushes[0] == {"feature": "all_lower", "value": 1.0, "push": -3.0}


def test_list_members_become_candidates(corpora):
    """"LFW [14], YouTube Face [19] and IJB-A [16]" (ml-tei/1703.09507v3): the recognizer's LFW brings its
    list's other members as candidates, marked as such for the entity decision."""
    from .conftest import linker_pipeline, set_datasets

    nlp = linker_pipeline()
    consistency = spacy.blank("en").add_pipe("dataref_dataset_consistency", config={"propagate": False})
    doc = set_datasets(PaperReader(nlp)(corpora / "ml-tei/1703.09507v3.tei.xml"), ["LFW"])
    doc = consistency(doc)
    found = {(e.text, e.id_) for e in doc.ents}
    assert {("YouTube Face", "list"), ("IJB-A", "list")} <= found


@pytest.mark.parametrize("words, name, expected", [
    ("we evaluate on OSWorld [3] , R-Judge [4] , AgentHarm [5] , and OpenAgentSafety [6] .", "OSWorld",
     ["R-Judge", "AgentHarm", "OpenAgentSafety"]),
    ("Results on CIFAR-10 and Table 3 show", "CIFAR-10", []),  # a table is not a list member
    ("trained on CoNLL-2003 , which we", "CoNLL-2003", []),
])
def test_list_siblings(words, name, expected):
    from dataref.linking.entities import list_siblings

    tokens = words.split()
    start = tokens.index(name)
    markers = [(i, i + 1) for i, t in enumerate(tokens) if t.startswith("[")]
    assert [" ".join(tokens[a:b]) for a, b in list_siblings(tokens, [(start, start + 1)], markers)] == expected


def test_a_method_paper_beside_a_known_dataset_gives_way_to_its_introducing_paper(corpora, shipped_entities):
    """Maxout networks (ml-tei/1302.4389v4): "better results on MNIST by augmenting the dataset with
    transformations (Ciresan et al., 2010)" cites a method ("Deep big simple neural nets …"), not MNIST."""
    doc = shipped_entities(PaperReader(shipped_entities)(corpora / "ml-tei/1302.4389v4.tei.xml"))
    mnist = next(r for r in doc._.datasets if r["name"] == "MNIST")
    titles = [ref["title"].lower() for ref in mnist["references"]]
    assert not any("deep big simple" in t for t in titles), titles


def test_a_name_cited_with_its_data_paper_is_kept(corpora, shipped_entities):
    """"AgentHarm (Andriushchenko et al., 2025) benchmarks malicious multi-step agent tasks": the recognizer misses
    the name, the entry it cites is "Agentharm: A benchmark for measuring harmfulness of llm agents"."""
    paper = PaperReader(shipped_entities, max_chars=1_000_000)(corpora / "tei-samples" / "osia-paper08.tei.xml")
    doc = shipped_entities(paper)
    record = next(r for r in doc._.dataset_entities if r["name"] == "AgentHarm")
    assert record["kept"] and record["rule"] == "cited_data_paper"
    assert "cited" in record["sources"]
    # a name that says it is a benchmark, whatever the decision scores: "ODCV-Bench"
    bench = next(r for r in doc._.dataset_entities if r["name"] == "ODCV-Bench")
    assert bench["kept"] and bench["rule"] == "benchmark_name"
    # a method paper's title names its method, not data: "Deepedge: A multiscale bifurcated deep network …"
    assert data_paper_name("Deepedge: A multiscale bifurcated deep network for top-down contour detection") == ""
    assert data_paper_name("HotpotQA: A Dataset for Diverse, Explainable Multi-hop Question Answering") == "HotpotQA"


def test_an_archive_named_beside_its_records_is_one_dataset_with_them(corpora, shipped_entities):
    """"The Gene Expression Omnibus accession numbers for the … data … reported by Cotney et al. are GSE42413 and
    GSE42237": GEO joins the first of its series, named by the series, not a dataset of its own."""
    paper = PaperReader(shipped_entities)(corpora / "grobid-tei-bulk" / "2193e1c4-70b7-4a87-91ab-19964e0d5661.tei.xml")
    kept = [r for r in shipped_entities(paper)._.dataset_entities if r["kept"]]
    assert not any(r["name"] == "Gene Expression Omnibus" for r in kept)
    series = next(r for r in kept if r["kb_id"] == "bioregistry:geo")
    assert series["name"] == "GSE42413" and "Gene Expression Omnibus" in series["surface_forms"]


def test_fold_archives_joins_a_registry_group_to_its_first_record():
    mentions = [Mention(0, 3, "GEO", KNOWN, "bioregistry:geo"), Mention(10, 18, "GSE65963", ACCESSION),
                Mention(20, 28, "GSE65960", ACCESSION), Mention(30, 38, "ImageNet", NER)]
    archive = {"GSE65963": "geo", "GSE65960": "geo"}
    assert fold_archives([[0], [1], [2], [3]], mentions, lambda t: archive.get(t, "")) == [[0, 1], [2], [3]]


def test_a_kept_datasets_tagged_variant_is_kept(corpora, shipped_entities):
    """ml-tei/2103.01913v2 evaluates on "Multi30K-DE", "Multi30K-CS" and "MS-COCO-CN" beside "Multi30K" and
    "MS-COCO": each a dataset of its own that the decision alone scored under its threshold."""
    paper = PaperReader(shipped_entities, max_chars=1_000_000)(corpora / "ml-tei" / "2103.01913v2.tei.xml")
    records = {r["name"]: r for r in shipped_entities(paper)._.dataset_entities}
    assert records["Multi30K-DE"]["kept"] and records["Multi30K-DE"]["rule"] == "variant_of_kept"
    assert records["MS-COCO-CN"]["kept"]
    # "Multi30K-FR (French) [10]": the recognizer tags nothing there, the tagged "Multi30K" spreads with its tag
    assert records["Multi30K-FR"]["kept"]


def test_a_tagged_name_spreads_with_its_tag_whatever_the_tokenizer_does(corpora, shipped_entities):
    """ml-tei/1810.08768: "the Vimeo90K dataset [9], namely Vimeo90K-SR, Vimeo90K-DN, and Vimeo90K-DB": "Vimeo90K"
    alone is two tokens ("Vimeo90", "K"), one before a hyphen."""
    paper = PaperReader(shipped_entities, max_chars=1_000_000)(corpora / "ml-tei" / "1810.08768.tei.xml")
    kept = {r["name"] for r in shipped_entities(paper)._.dataset_entities if r["kept"]}
    assert {"Vimeo90K", "Vimeo90K-DN", "Vimeo90K-DB"} <= kept


def test_variants_of_kept_need_a_kept_base_and_a_tag_that_names_nothing_else():
    forms = [["Multi30K"], ["Multi30K-DE"], ["DBpedia"], ["YAGO3"], ["DBpedia-YAGO3"], ["BERT-Base"]]
    assert variants_of_kept(forms, [True, False, True, False, False, False]) == [1]


def test_one_plain_lower_case_word_is_no_dataset(corpora, shipped_entities):
    """ml-tei/2003.13401v1: "With the new extended dataset we retrained …": the recognizer tags "extended"."""
    paper = PaperReader(shipped_entities, max_chars=1_000_000)(corpora / "ml-tei" / "2003.13401v1.tei.xml")
    records = [r for r in shipped_entities(paper)._.dataset_entities if r["name"] == "extended"]
    assert records and not any(r["kept"] for r in records) and records[0]["rule"] == "not_a_name"
