"""Score ``kg extract`` on the test split, the development set and public gold sets (run by hand).

    python bench/public_sets.py [--shared ../shared] [--sets test dev scierc gsap datafinder]

``test`` is the test split of ``bench/annotations`` (every ``*test*`` pair: abstracts no model, rule or threshold
was chosen on); ``dev`` is ``../shared/eval``. ``KG_MODELS`` picks other trained models than the packaged ones.

The sets are converted to our record schema as ``../shared/benchmarks/README.md`` says: SciERC's Material is
Dataset and our Model counts as Method; GSAP-NER's MLModel is Model and ModelArchitecture is Method; a prediction
equal to a span marked OtherScientificTerm or Generic (SciERC) or as a generic mention or data source (GSAP-NER)
counts neither right nor wrong (it is dropped before scoring); DataFinder keeps only the labels whose Papers with
Code name or variant occurs in the abstract and counts only Dataset predictions. Gold entities are the distinct
normalized mention texts of each type in an abstract. None of these sets is used to build or tune kg.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from kg.extract import extract
from kg.settings import Settings
from kg.sinks.jsonl import record_to_json, write_jsonl

ANNOTATIONS = Path(__file__).parent / "annotations"
Converted = tuple[list[dict], dict[str, dict], dict[str, set[str]], Callable[[dict], dict]]


def _scorer(shared: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", shared / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _entities(mentions: list[tuple[str, str]], norm: Callable[[str], str]) -> list[dict]:
    seen: dict[tuple[str, str], dict] = {}
    for type_name, text in mentions:
        seen.setdefault((type_name, norm(text)), {"type": type_name, "name": text, "aliases": [], "proposed": False})
    return list(seen.values())


def scierc(shared: Path, norm: Callable[[str], str]) -> Converted:
    """SciERC test: Task, Method, Metric, Material -> Dataset; OtherScientificTerm and Generic are neutral."""
    types = {"Task": "Task", "Method": "Method", "Metric": "Metric", "Material": "Dataset"}
    papers, gold, neutral = [], {}, {}
    for line in (shared / "benchmarks" / "scierc" / "test.json").read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        doc = json.loads(line)
        tokens = [t for sentence in doc["sentences"] for t in sentence]
        text = _detokenize(tokens)
        mentions, neutral_forms = [], set()
        for sentence in doc["ner"]:
            for start, end, label in sentence:
                surface = _detokenize(tokens[start:end + 1])
                if label in types:
                    mentions.append((types[label], surface))
                else:
                    neutral_forms.add(norm(surface))
        first_end = len(doc["sentences"][0])
        papers.append({"id": doc["doc_key"], "title": _detokenize(tokens[:first_end]),
                       "abstract": _detokenize(tokens[first_end:]) or text})
        gold[doc["doc_key"]] = {"id": doc["doc_key"], "entities": _entities(mentions, norm), "relations": [],
                                "claims": []}
        neutral[doc["doc_key"]] = neutral_forms

    def adapt(record: dict) -> dict:
        for entity in record["entities"]:
            if entity["type"] == "Model":
                entity["type"] = "Method"
        return record

    return papers, gold, neutral, adapt


def gsap(shared: Path, norm: Callable[[str], str]) -> Converted:
    """GSAP-NER abstracts: MLModel -> Model, ModelArchitecture -> Method; generic mentions and data sources neutral."""
    types = {"MLModel": "Model", "ModelArchitecture": "Method", "Method": "Method", "Dataset": "Dataset",
             "Task": "Task"}
    neutral_labels = {"MLModelGeneric", "DatasetGeneric", "Datasource"}
    papers, gold, neutral = [], {}, {}
    for line in (shared / "benchmarks" / "gsap_ner" / "abstracts.jsonl").read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        row = json.loads(line)
        sentences = re.split(r"(?<=[.!?])\s+", row["text"], maxsplit=1)
        title, abstract = (sentences[0], sentences[1]) if len(sentences) == 2 else ("", row["text"])
        papers.append({"id": row["id"], "title": title or "Untitled", "abstract": abstract})
        mentions = [(types[label], surface) for _, _, label, surface in row["entities"] if label in types]
        gold[row["id"]] = {"id": row["id"], "entities": _entities(mentions, norm), "relations": [], "claims": []}
        neutral[row["id"]] = {norm(surface) for _, _, label, surface in row["entities"] if label in neutral_labels}
    return papers, gold, neutral, lambda record: record


def datafinder(shared: Path, norm: Callable[[str], str]) -> Converted:
    """DataFinder test: the labelled datasets whose PwC name or a variant occurs in the abstract; Dataset only."""
    variants: dict[str, list[str]] = {}
    gazetteer = shared / "gazetteers" / "pwc_datasets_datafinder" / "pwc_datasets_3327.jsonl"
    for line in gazetteer.read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        row = json.loads(line)
        variants[row["id"]] = [row["id"], *row.get("variants", [])]
    papers, gold = [], {}
    for n, line in enumerate((shared / "benchmarks" / "datafinder" / "test_data.jsonl").read_text(
            encoding="utf-8").split("\n")):
        if not line.strip():
            continue
        row = json.loads(line)
        paper_id = f"df{n:04d}"
        abstract = row["abstract"]
        entities = []
        for label in row["documents"]:
            present = [v for v in variants.get(label, [label]) if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", abstract)]
            if present:
                entities.append({"type": "Dataset", "name": present[0], "aliases": present[1:], "proposed": False})
        papers.append({"id": paper_id, "title": (row.get("query") or "Untitled")[:200], "abstract": abstract})
        gold[paper_id] = {"id": paper_id, "entities": entities, "relations": [], "claims": []}

    def adapt(record: dict) -> dict:
        record["entities"] = [e for e in record["entities"] if e["type"] == "Dataset"]
        return record

    return papers, gold, {}, adapt


def _detokenize(tokens: list[str]) -> str:
    text = " ".join(tokens)
    for src, dst in (("-LRB- ", "("), (" -RRB-", ")"), ("-LSB- ", "["), (" -RSB-", "]"), ("-LRB-", "("),
                     ("-RRB-", ")"), (" ,", ","), (" .", "."), (" ;", ";"), (" :", ":"), (" 's", "'s"),
                     ("`` ", '"'), (" ''", '"')):
        text = text.replace(src, dst)
    return text


def run(name: str, converted: Converted, scorer: ModuleType, tmp: Path) -> dict:
    """Extract, drop neutral predictions, score; returns the scorer's report."""
    papers, gold, neutral, adapt = converted
    abstracts = tmp / f"{name}_abstracts.jsonl"
    write_jsonl(abstracts, papers)
    result = extract([abstracts], settings=Settings())
    predicted = {}
    for record in result.records:
        row = adapt(record_to_json(record))
        forms = neutral.get(row["id"], set())
        row["entities"] = [e for e in row["entities"] if scorer.norm(e["name"]) not in forms]
        predicted[row["id"]] = row
    report, _ = scorer.score(gold, predicted)
    return report


def main() -> int:
    """Convert, extract and score each requested set; print one line per measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--sets", nargs="+", default=["test", "dev", "scierc", "gsap", "datafinder"])
    parser.add_argument("--tmp", type=Path, default=Path("/tmp/kg-bench"))
    args = parser.parse_args()
    scorer = _scorer(args.shared)
    args.tmp.mkdir(parents=True, exist_ok=True)
    for name in args.sets:
        if name in ("dev", "test"):
            pairs = [(args.shared / "eval" / "dev_abstracts.jsonl", args.shared / "eval" / "dev_gold.jsonl")] \
                if name == "dev" else [(a, a.with_name(a.name.replace("_abstracts", "_gold")))
                                       for a in sorted(ANNOTATIONS.glob("*test*_abstracts.jsonl"))]
            result = extract([a for a, _ in pairs], settings=Settings())
            gold = {k: v for _, g in pairs for k, v in scorer.load(str(g)).items()}
            report, _ = scorer.score(gold, {r.paper.id: record_to_json(r) for r in result.records})
        else:
            converter = {"scierc": scierc, "gsap": gsap, "datafinder": datafinder}[name]
            report = run(name, converter(args.shared, scorer.norm), scorer, args.tmp)
        keys = ["entities_typed", "entities_lenient"] + [k for k in report if k.startswith("type:")]
        if name in ("dev", "test"):
            keys += ["relations", "claims", "claims_full", "merge"]
        cells = [f"{k}={report[k]['f1']:.3f}(p{report[k]['p']:.2f}/r{report[k]['r']:.2f})" for k in keys
                 if report[k]["gold"] or report[k]["pred"]]
        print(f"{name:10s} " + "  ".join(cells), flush=True)
        if name in ("dev", "test"):
            attrs = report["claim_attributes"]
            print(f"{'':10s} claim attributes: " + "  ".join(
                f"{k}={v['accuracy']:.3f}" for k, v in attrs.items() if v["accuracy"] is not None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
