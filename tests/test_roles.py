"""dataref_dataset_roles keeps its classifier through spaCy's byte serialisation (nlp.to_bytes / from_bytes),
as it does through to_disk."""
import spacy

TEXT = ("We deposited our raw reads in the SRA under SRP123456. We downloaded expression data from GEO (GSE62944). "
        "The models were trained on ImageNet [1].")


def test_shipped_roles_survive_a_bytes_round_trip(shipped):
    before = shipped.get_pipe("dataref_dataset_roles")
    assert before.classifier is not None
    fresh = spacy.util.load_model_from_config(shipped.config, auto_fill=False)
    assert fresh.get_pipe("dataref_dataset_roles").classifier is None  # built, not yet loaded
    fresh.from_bytes(shipped.to_bytes())
    after = fresh.get_pipe("dataref_dataset_roles")
    assert after.classifier is not None and after.classifier.pipe_names == before.classifier.pipe_names
    sentences = ["We deposited our raw reads in the SRA.", "We downloaded expression data from GEO."]
    assert after.classify(sentences) == before.classify(sentences)
    assert fresh(TEXT)._.dataset_roles == shipped(TEXT)._.dataset_roles


def test_component_bytes_without_a_classifier():
    nlp = spacy.blank("en")
    roles = nlp.add_pipe("dataref_dataset_roles")
    again = spacy.blank("en").add_pipe("dataref_dataset_roles").from_bytes(roles.to_bytes())
    assert again.classifier is None


def test_data_the_paper_names_as_its_own_is_created(shipped, corpora):
    """ml-tei/1904.05290v1: "Lacking a suitable dataset, we create our own dataset … We refer to this dataset as
    FlyingChairsOcc." The naming sentence makes it the paper's own data."""
    from dataref import PaperReader
    from dataref.pipes.windows import window_pipes

    nlp = window_pipes(shipped)
    doc = nlp(PaperReader(nlp)(corpora / "ml-tei" / "1904.05290v1.tei.xml"))
    roles = {d["name"]: d["role"] for d in doc._.datasets}
    assert roles.get("FlyingChairsOcc") == "created"
    assert roles.get("MPI Sintel") == roles.get("FlyingChairs") == "used"


def test_a_deposit_under_the_data_availability_heading_is_created(shipped, corpora):
    """jats/f1000research-19540.1: "Data availability / Underlying data / Figshare: SURE2018.zip.
    https://doi.org/10.6084/m9.figshare.8233328.v141." The DOI's sentence is only the URL; the statement says whose
    data it is."""
    from dataref import PaperReader
    from dataref.pipes.windows import window_pipes

    nlp = window_pipes(shipped)
    doc = nlp(PaperReader(nlp)(corpora / "jats" / "f1000research-19540.1.xml"))
    roles = {d["name"]: d["role"] for d in doc._.datasets}
    assert roles.get("10.6084/m9.figshare.8233328.v141") == "created"
    assert roles.get("WorldClim") == "used"


def test_a_data_package_of_the_papers_own_title_is_created(shipped, corpora):
    """jats/oup-beheco-ary157 ("Counting crows: population structure and group size variation …") cites its own Dryad
    package only in the bibliography: "Uhl F, … 2018 Data from: counting crows: flock structure and subgroup size
    variation in an urban population of crows. Dryad Digital Repository. 10.5061/dryad.t0g149j"."""
    from dataref import PaperReader
    from dataref.pipes.roles import is_own_data_package
    from dataref.pipes.windows import window_pipes

    nlp = window_pipes(shipped)
    doc = nlp(PaperReader(nlp)(corpora / "jats" / "oup-beheco-ary157.xml"))
    roles = {d["name"]: d["role"] for d in doc._.datasets}
    assert roles.get("10.5061/dryad.t0g149j") == "created"
    assert not is_own_data_package({"title": "Data from: lizards of the Amazon"}, doc._.paper["title"])
