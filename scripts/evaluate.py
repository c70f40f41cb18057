"""End-to-end evaluation on the dataset→citation gold set (corpus/gold/links.jsonl).

Runs the full pipeline on each gold paper (TEI from DATAREF_CORPORA) and reports, for the dev and
the test part apart (the split is fixed in links.jsonl) and by field (ml, bio, other): dataset P/R/F
(distinct datasets per paper, names normalised), link P/R/F over (dataset, bibliography id) pairs,
the wrong-link rate, abstention accuracy on datasets without a citation, links given to the
paper's own datasets, records per gold dataset (a second record for one dataset counts against it), role
`created` P/R against the gold `own` flags, links to "acceptable" entries counted apart (neither right nor
wrong), and a breakdown by linker rule — for dataref's linker and for a baseline
(nearest marker in the sentence) run on the same entities. Gold links that GROBID's TEI makes
unreachable (a marker without or with a wrong target, a citation left as plain text, a missing or
split entry: the gold record's "grobid" field) are counted apart: `links_grobid` gives link recall
on the links GROBID left intact.

    python scripts/evaluate.py [--model en_dataref_sm] [--split dev|test|fresh|all] [--output metrics/evaluate.json]
"""
import json
import os
from bisect import bisect_right
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Optional

import spacy
import typer
from spacy.tokens import Doc

from dataref import PaperReader
from dataref.pipes.windows import window_pipes
from dataref.extensions import key_of
from dataref.linking.logistic import LogisticModel
from dataref.linking.markers import resolve_markers
from dataref.linking.names import normalize
from dataref.linking.sentences import Sentences
from dataref.training.entity_data import gold_names, same_name
from metrics_io import prf, write_json

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "corpus" / "gold" / "links.jsonl"
CORPORA = Path(os.environ.get("DATAREF_CORPORA", ROOT.parent / "shared" / "corpora"))


def match(predicted: list[dict], gold: list[dict]) -> dict[int, Optional[int]]:
    """Predicted dataset index → gold dataset index (or None)."""
    found = {}
    for i, p in enumerate(predicted):
        # a record found only in the bibliography (a data DOI) has no surface form: its name is its form
        names = {normalize(f) for f in p["surface_forms"] or [p["name"]]}
        # an exact name first ("Multi30K-DE" is its own gold record), else one containing the other
        exact = next((j for j, g in enumerate(gold) if names & gold_names(g)), None)
        found[i] = exact if exact is not None else next(
            (j for j, g in enumerate(gold) if any(same_name(n, k) for n in names for k in gold_names(g))), None)
    return found


def baseline_links(doc: Doc) -> dict[str, list[dict]]:
    """The simplest linker: every mention takes the nearest marker of its sentence."""
    markers = resolve_markers(doc)
    links = {}
    for ent in doc.ents:
        sent = ent.sent
        near = [m for m in markers if sent.start <= m.start < sent.end and m.ids]
        if near:
            best = min(near, key=lambda m: min(abs(m.start - ent.end), abs(ent.start - m.end)))
            links[key_of(ent)] = [{"id": i, "score": 1.0, "rule": "nearest_marker", "marker": None,
                                   "resolution": best.resolution} for i in best.ids]
    return links


def score_kb(datasets: list[dict], gold: list[dict], mapping: dict, lookup) -> Counter:
    """Known-dataset ids on the gold datasets the recognizer found: expected where a gold name or alias
    is in the table, right where the record's id is the expected one; a given id that is not is wrong."""
    counts: Counter = Counter()
    expected = {}
    for j, g in enumerate(gold):
        row = next((r for r in map(lookup, [g["name"], *g.get("aliases", [])]) if r is not None), None)
        expected[j] = row["id"] if row else None
        counts["kb_expected"] += row is not None
    given: dict[int, set[str]] = {}
    for i, d in enumerate(datasets):
        if mapping[i] is not None and d.get("kb"):
            given.setdefault(mapping[i], set()).add(d["kb"]["id"])
    for j, ids in given.items():
        counts["kb_given"] += 1
        counts["kb_right"] += expected[j] in ids and len(ids) == 1
        counts["kb_wrong"] += expected[j] not in ids or len(ids) > 1
    counts["kb_found_expected"] = sum(1 for j in expected if expected[j] and j in {m for m in mapping.values()})
    return counts


def score_paper(datasets: list[dict], gold: list[dict], mapping: dict[int, Optional[int]], rules: Counter,
                lookup=None) -> Counter:
    """The counts of one paper; `mapping` is `match(datasets, gold)`, made once per paper."""
    counts: Counter = Counter()
    if lookup is not None:
        counts.update(score_kb(datasets, gold, mapping, lookup))
    matched_gold = {j for j in mapping.values() if j is not None}
    counts["ds_tp"] = len(matched_gold)
    counts["ds_fp"] = sum(1 for j in mapping.values() if j is None)
    counts["ds_fn"] = len(gold) - len(matched_gold)
    # one record per dataset: a second record for a dataset already reported counts against it
    counts["ds_records_on_gold"] = sum(1 for j in mapping.values() if j is not None)
    created = {i for i, d in enumerate(datasets) if d.get("role") == "created"}
    own = {j for j, g in enumerate(gold) if g.get("own")}
    created_right = {mapping[i] for i in created if mapping[i] in own}
    counts["created_tp"] = len(created_right)
    counts["created_fp"] = len(created) - sum(1 for i in created if mapping[i] in own)
    counts["created_fn"] = len(own - created_right)
    gold_pairs = {(j, r) for j, g in enumerate(gold) for r in g["refs"]}
    predicted_pairs: dict[tuple, set[str]] = {}
    for i, dataset in enumerate(datasets):
        j = mapping[i]
        for ref in dataset["references"]:
            pair = (j if j is not None else f"fp{i}", ref["id"])
            predicted_pairs.setdefault(pair, set()).update(e["rule"] for e in ref["evidence"])
    # a dataset's introducing paper present in the bibliography but not cited next to it: neither required nor
    # wrong (the gold record's "acceptable" ids), counted apart
    acceptable = {(j, r) for j, g in enumerate(gold) for r in g.get("acceptable", []) if (j, r) not in gold_pairs}
    counts["link_acceptable"] = sum(1 for pair in predicted_pairs if pair in acceptable)
    predicted_pairs = {pair: used for pair, used in predicted_pairs.items() if pair not in acceptable}
    for pair, used in predicted_pairs.items():
        if isinstance(pair[0], int):  # the linker judged on datasets that are really there
            for rule in used:
                rules[rule, pair in gold_pairs] += 1
    grobid_pairs = {(j, r) for j, g in enumerate(gold) if g.get("grobid") for r in g["refs"]}
    counts["link_fn_grobid"] = len(grobid_pairs - set(predicted_pairs))
    counts["link_gold_grobid"] = len(grobid_pairs)
    counts["own_datasets"] = sum(1 for g in gold if g.get("own"))
    counts["own_linked_wrongly"] = sum(1 for (j, r) in predicted_pairs
                                       if isinstance(j, int) and gold[j].get("own") and (j, r) not in gold_pairs)
    counts["link_tp"] = sum(1 for p in predicted_pairs if p in gold_pairs)
    counts["link_fp"] = len(predicted_pairs) - counts["link_tp"]
    counts["link_fn"] = len(gold_pairs) - counts["link_tp"]
    counts["wrong_links"] = sum(1 for (j, r) in predicted_pairs if isinstance(j, int) and (j, r) not in gold_pairs)
    counts["links_on_gold_datasets"] = sum(1 for (j, _) in predicted_pairs if isinstance(j, int))
    counts["links_on_false_datasets"] = len(predicted_pairs) - counts["links_on_gold_datasets"]
    counts["link_gold_found"] = sum(1 for (j, _) in gold_pairs if j in matched_gold)
    for j, g in enumerate(gold):
        if j in matched_gold and not g["refs"]:
            counts["abstain_total"] += 1
            counts["abstain_ok"] += not any(pj == j for pj, _ in predicted_pairs)
    return counts


MISS_CLASSES = ("recognizer", "grobid", "no_marker", "marker_beside_mention", "marker_elsewhere")


def miss_classes(doc: Doc, datasets: list[dict], gold: list[dict], mapping: dict[int, Optional[int]]) -> Counter:
    """Why each gold link is missed: the dataset not found ("recognizer"), GROBID broke the citation (the gold
    record's "grobid"), no marker of the paper resolves to the entry ("no_marker": a citation GROBID left as text
    or one the paper gives elsewhere), or the linker did not take a marker that is there — in a sentence with a
    mention of the dataset ("marker_beside_mention": lists, variants, another thing's marker nearer) or only in
    other sentences ("marker_elsewhere": a long form or description between name and citation)."""
    found: dict[int, list[int]] = {}
    for i, j in mapping.items():
        if j is not None:
            found.setdefault(j, []).append(i)
    linked = {(j, ref["id"]) for i, j in mapping.items() if j is not None for ref in datasets[i]["references"]}
    starts = Sentences(doc).start_chars

    def sentence(char: int) -> int:
        return bisect_right(starts, char) - 1

    marker_sentences: dict[str, set[int]] = {}
    for marker in resolve_markers(doc):
        for i in marker.ids:
            marker_sentences.setdefault(i, set()).add(sentence(marker.start_char))
    counts: Counter = Counter()
    for j, g in enumerate(gold):
        for ref in g["refs"]:
            if (j, ref) in linked:
                continue
            if j not in found:
                why = "recognizer"
            elif g.get("grobid"):
                why = "grobid"
            elif ref not in marker_sentences:
                why = "no_marker"
            else:
                mention_sentences = {sentence(m["start"]) for i in found[j] for m in datasets[i]["mentions"]}
                why = "marker_beside_mention" if mention_sentences & marker_sentences[ref] else "marker_elsewhere"
            counts[f"miss_{why}"] += 1
    return counts


def summarize(counts: Counter, rules: Counter) -> dict:
    return {
        "datasets": prf(counts["ds_tp"], counts["ds_fp"], counts["ds_fn"], 3),
        "records_per_gold_dataset": (round(counts["ds_records_on_gold"] / counts["ds_tp"], 3)
                                     if counts["ds_tp"] else None),
        "created": prf(counts["created_tp"], counts["created_fp"], counts["created_fn"], 3),
        "links": prf(counts["link_tp"], counts["link_fp"], counts["link_fn"], 3),
        "links_grobid": prf(counts["link_tp"], counts["link_fp"], counts["link_fn"] - counts["link_fn_grobid"], 3),
        # the linker judged alone: links on the gold datasets the recognizer found
        "links_on_found_datasets": prf(counts["link_tp"], counts["wrong_links"],
                                       counts["link_gold_found"] - counts["link_tp"], 3),
        "wrong_link_rate": round(counts["wrong_links"] / counts["links_on_gold_datasets"], 3)
        if counts["links_on_gold_datasets"] else 0.0,
        "abstention_accuracy": round(counts["abstain_ok"] / counts["abstain_total"], 3)
        if counts["abstain_total"] else None,
        "link_misses": {why: counts[f"miss_{why}"] for why in MISS_CLASSES},
        "counts": dict(counts),
        "rules": {rule: {"correct": rules[rule, True], "wrong": rules[rule, False]}
                  for rule in sorted({r for r, _ in rules})},
    }


def evaluate(nlp, records: list[dict]) -> tuple[list[dict], dict, dict]:
    """Run the pipeline over the gold papers; per-paper rows, counts and rule tallies per system."""
    reader = PaperReader(nlp, max_chars=1_000_000)  # one gold paper (PEGASUS, 252k characters) is over the default
    linker = nlp.get_pipe("dataref_citation_linker")
    lookup = nlp.get_pipe("dataref_dataset_kb").lookup if "dataref_dataset_kb" in nlp.component_names else None
    totals = {"dataref": Counter(), "baseline": Counter()}
    rules = {"dataref": Counter(), "baseline": Counter()}
    papers = []
    for record in records:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = nlp(reader(CORPORA / record["file"]))
        row = {"file": record["file"], "split": record["split"], "field": record["field"],
               "gold": len(record["datasets"]), "predicted": [d["name"] for d in doc._.datasets]}
        mapping = match(doc._.datasets, record["datasets"])
        by_gold: dict[int, list[str]] = {}
        for i, j in mapping.items():
            if j is not None:
                by_gold.setdefault(j, []).append(doc._.datasets[i]["name"])
        # a gold dataset reported as more than one record: what the entity layer failed to join
        row["split_records"] = {record["datasets"][j]["name"]: names for j, names in by_gold.items() if len(names) > 1}
        row["missed"] = [g["name"] for j, g in enumerate(record["datasets"]) if j not in by_gold]
        row["false"] = [doc._.datasets[i]["name"] for i, j in mapping.items() if j is None]
        for system in ("dataref", "baseline"):
            if system == "baseline":
                doc._.citation_links = baseline_links(doc)
            used: Counter = Counter()
            counts = score_paper(doc._.datasets, record["datasets"], mapping, used, lookup)
            counts.update(miss_classes(doc, doc._.datasets, record["datasets"], mapping))
            totals[system].update(counts)
            rules[system].update(used)
            row[system] = dict(counts)
            row[f"{system}_rules"] = {f"{rule}|{int(ok)}": n for (rule, ok), n in used.items()}
        linker(doc)  # restore dataref's links on the Doc
        papers.append(row)
    return papers, totals, rules


def _input_kind(file: str) -> str:
    """JATS articles (exact callouts) are reported apart from GROBID TEI."""
    return "jats" if file.startswith("jats/") else "tei"


def report(name: str, papers: list[dict]) -> dict:
    """Summaries of one part of the gold set, overall and by field, printed and returned."""
    out = {}
    for system in ("dataref", "baseline"):
        total = sum((Counter(p[system]) for p in papers), Counter())
        rules: Counter = Counter()
        for p in papers:
            for key, n in p[f"{system}_rules"].items():
                rule, ok = key.split("|")
                rules[rule, ok == "1"] += n
        out[system] = summarize(total, rules)
        out[system]["by_field"] = {}
        for field in sorted({p["field"] for p in papers}):
            part = sum((Counter(p[system]) for p in papers if p["field"] == field), Counter())
            out[system]["by_field"][field] = {"papers": sum(1 for p in papers if p["field"] == field),
                                              "datasets": prf(part["ds_tp"], part["ds_fp"], part["ds_fn"], 3),
                                              "records_per_gold_dataset": (
                                                  round(part["ds_records_on_gold"] / part["ds_tp"], 3)
                                                  if part["ds_tp"] else None),
                                              "links": prf(part["link_tp"], part["link_fp"], part["link_fn"], 3)}
        out[system]["by_input"] = {}
        for kind in sorted({_input_kind(p["file"]) for p in papers}):
            part = sum((Counter(p[system]) for p in papers if _input_kind(p["file"]) == kind), Counter())
            out[system]["by_input"][kind] = {
                "papers": sum(1 for p in papers if _input_kind(p["file"]) == kind),
                "datasets": prf(part["ds_tp"], part["ds_fp"], part["ds_fn"], 3),
                "links": prf(part["link_tp"], part["link_fp"], part["link_fn"], 3),
                "links_on_found_datasets": prf(part["link_tp"], part["wrong_links"],
                                               part["link_gold_found"] - part["link_tp"], 3)}
        s, c = out[system], out[system]["counts"]
        if c.get("kb_expected"):
            found = c.get("kb_found_expected", 0)
            s["kb"] = {"gold_in_table": c["kb_expected"], "found_by_recognizer": found,
                       "right_id_share_of_found": round(c.get("kb_right", 0) / max(1, found), 3),
                       "wrong_id_rate": round(c.get("kb_wrong", 0) / max(1, c.get("kb_given", 0)), 3)}
        print(f"\n[{name}] {system} ({len(papers)} papers): datasets P {s['datasets']['p']} R {s['datasets']['r']} "
              f"F {s['datasets']['f']} | links P {s['links']['p']} R {s['links']['r']} F {s['links']['f']} "
              f"(R without GROBID-caused misses {s['links_grobid']['r']}; {c.get('link_fn_grobid', 0)} of "
              f"{c.get('link_gold_grobid', 0)} GROBID-affected gold links missed) | wrong-link rate "
              f"{s['wrong_link_rate']} | abstention accuracy {s['abstention_accuracy']} | own datasets linked "
              f"to another entry: {c.get('own_linked_wrongly', 0)} of {c.get('own_datasets', 0)}")
        f = s["links_on_found_datasets"]
        print(f"    records per gold dataset {s['records_per_gold_dataset']} | created P {s['created']['p']} "
              f"R {s['created']['r']} ({c.get('created_tp', 0)}/{c.get('created_fp', 0)}/{c.get('created_fn', 0)})")
        print(f"    links on the gold datasets the recognizer found: P {f['p']} R {f['r']} F {f['f']}")
        print("    gold links missed, by why: " + ", ".join(f"{why} {n}" for why, n in s["link_misses"].items()))
        if "kb" in s and system == "dataref":
            k = s["kb"]
            print(f"    known datasets: {k['gold_in_table']} gold datasets are in the table, "
                  f"{k['found_by_recognizer']} found; right id on {k['right_id_share_of_found']} of those found; "
                  f"wrong-id rate {k['wrong_id_rate']}")
        for field, f in s["by_field"].items():
            print(f"    {field:6} {f['papers']:3} papers: datasets P {f['datasets']['p']} R {f['datasets']['r']} "
                  f"records/gold {f['records_per_gold_dataset']} | "
                  f"links P {f['links']['p']} R {f['links']['r']}")
        for kind, f in s["by_input"].items():
            print(f"    {kind:6} {f['papers']:3} papers: datasets P {f['datasets']['p']} R {f['datasets']['r']} | "
                  f"links P {f['links']['p']} R {f['links']['r']} | on found datasets P "
                  f"{f['links_on_found_datasets']['p']} R {f['links_on_found_datasets']['r']}")
        if system == "dataref":
            print(f"    rules on gold datasets (links on false datasets: {c.get('links_on_false_datasets', 0)}):")
            for rule, n in s["rules"].items():
                print(f"    {rule:16} correct {n['correct']:3}  wrong {n['wrong']:3}")
    return out


def main(model: str = "en_dataref_sm", gold_path: Path = GOLD, output: Optional[Path] = None,
         split: str = typer.Option("all", help="dev, test, fresh, fresh2 or all (each part reported apart)"),
         without: list[str] = typer.Option([], "--without", help="Leave a component out (e.g. dataref_dataset_kb)"),
         ranker: Optional[Path] = typer.Option(None, help="A link ranker (scripts/train_links.py) for the linker; "
                                               "'none' for the ordered rules alone"),
         verbose: bool = typer.Option(False, "--verbose", help="Per-paper rows with the predicted names")) -> None:
    if not CORPORA.exists():
        raise SystemExit(f"No corpora at {CORPORA}: set DATAREF_CORPORA.")
    records = [json.loads(line) for line in gold_path.read_text(encoding="utf8").splitlines()]
    records = [r for r in records if split == "all" or r["split"] == split]
    nlp = window_pipes(spacy.load(model))  # as `dataref extract` loads it
    for name in without:
        nlp.disable_pipe(name)
    if ranker is not None:
        linker = nlp.get_pipe("dataref_citation_linker")
        linker.ranker = None if str(ranker) == "none" else LogisticModel.from_dict(json.loads(ranker.read_text()))
    start = time.perf_counter()
    papers, _, _ = evaluate(nlp, records)
    results = {"date": time.strftime("%Y-%m-%d"), "model": model, "without": without,
               "ranker": str(ranker) if ranker else None, "papers": papers,
               "seconds": round(time.perf_counter() - start, 1)}
    print(f"{'paper':52} {'split':5} {'datasets tp/fp/fn':>18} {'links tp/fp/fn':>15} {'baseline links':>15}")
    for row in papers:
        d, b = row["dataref"], row["baseline"]
        print(f"{row['file'][:52]:52} {row['split']:5} "
              f"{d.get('ds_tp', 0):>6}/{d.get('ds_fp', 0)}/{d.get('ds_fn', 0):<8} "
              f"{d.get('link_tp', 0):>6}/{d.get('link_fp', 0)}/{d.get('link_fn', 0):<6} "
              f"{b.get('link_tp', 0):>6}/{b.get('link_fp', 0)}/{b.get('link_fn', 0)}")
        if verbose:
            print("        predicted:", "; ".join(row["predicted"]))
    for part in ("dev", "test", "fresh", "fresh2"):
        chosen = [p for p in papers if p["split"] == part]
        if chosen:
            results[part] = report(part, chosen)
    write_json(results, output)


if __name__ == "__main__":
    typer.run(main)
