"""Rebuild ``extractors/gazetteers/terms.jsonl`` from the public name lists (run by hand).

    python -m extractors.gazetteer_build ../shared/gazetteers

Sources and licenses are listed in ``extractors/gazetteers/ATTRIBUTION.md``. The public lists are noisy, so
only names that can be matched safely are kept: generic words are dropped, short and single-word names are
matched with their exact case, and each entry gets one entity type.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from extractors.lexicon import load_lexicon

OUT = Path(__file__).parent / "gazetteers" / "terms.jsonl"
CURATED = Path(__file__).parent / "gazetteers" / "curated.jsonl"

# PwC method collections whose proper-named members are trained model families (Model, not Method).
MODEL_COLLECTIONS = frozenset({
    "Language Models", "Image Models", "Convolutional Neural Networks", "Vision Transformers",
    "Object Detection Models", "Semantic Segmentation Models", "Vision and Language Pre-Trained Models",
    "Autoencoding Transformers", "Autoregressive Transformers", "One-Stage Object Detection Models",
    "Instance Segmentation Models", "Text-to-Speech Models", "Image Generation Models", "Generative Audio Models",
    "Light-weight neural networks", "Sequence To Sequence Models", "Feature Extractors", "Speech Recognition Models",
    "Transformers", "Video Model Blocks", "Image Semantic Segmentation Models", "Large Language Models",
})
_SPLIT_WORDS = frozenset({"test", "val", "validation", "dev", "train", "training", "split", "subset"})
_PROPER = re.compile(r"[A-Z].*[A-Z0-9]|[0-9]")
_JUNK = re.compile(r"[@#&;|\\{}<>]|\(|\)|\bet al\b|^\W|\W$")


def main(argv: list[str] | None = None) -> int:
    """Write the merged term file from the gazetteer folder given as the only argument."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    src = Path(args[0])
    lexicon = load_lexicon()
    generic = set(lexicon.generic_words) | set(lexicon.research_fields) | set(lexicon.non_entity_names) | \
        set(lexicon.hardware_heads)
    terms: dict[tuple[str, str], dict] = {}
    for entry in _curated():
        _add(terms, entry, generic)
    for producer in (_pwc_methods, _pwc_datasets, _hf_models, _metrics, _tasks):
        for entry in producer(src, lexicon):
            _add(terms, entry, generic)
    OUT.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in sorted(
        terms.values(), key=lambda t: (t["type"], t["name"].lower()))), encoding="utf-8")
    print(f"wrote {len(terms)} terms to {OUT}")
    return 0


def _add(terms: dict[tuple[str, str], dict], entry: dict, generic: set[str]) -> None:
    names = [n.strip() for n in [entry["name"], *entry.get("aliases", [])] if n and n.strip()]
    names = [n for n in names if _usable(n, generic)]
    if not names:
        return
    key = names[0].lower()
    if any((t, key) in terms for t in ("Method", "Model", "Dataset", "Task", "Metric")):
        return  # first source wins: curated entries, then the order of producers
    terms[(entry["type"], key)] = {"type": entry["type"], "name": names[0],
                                   "aliases": sorted(set(names[1:]) - {names[0]}), "source": entry["source"]}


def _usable(name: str, generic: set[str]) -> bool:
    if len(name) < 2 or len(name) > 60 or _JUNK.search(name) or name.lower() in generic:
        return False
    if not re.search(r"[A-Za-z]", name) or re.fullmatch(r"[A-Za-z]{1,2}\d?", name):
        return False
    return len(name.split()) <= 6


def _curated() -> Iterator[dict]:
    with CURATED.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _pwc_methods(src: Path, lexicon) -> Iterator[dict]:
    with (src / "pwc_methods" / "pwc_methods_names.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            name, full = row["name"].strip(), row["full_name"].strip()
            collections = set(filter(None, row["collections"].split("|")))
            if " " not in name and name[:1].isupper() and name[1:].islower():
                continue  # "Focus", "Library": capitalized English words, not safe to match
            is_model = bool(collections & MODEL_COLLECTIONS) and bool(_PROPER.search(name)) and " " not in name
            aliases = [full] if full and full.lower() != name.lower() else []
            yield {"type": "Model" if is_model else "Method", "name": name, "aliases": aliases,
                   "source": "pwc_methods"}


def _pwc_datasets(src: Path, lexicon) -> Iterator[dict]:
    task_heads = set(lexicon.task_heads)
    with (src / "pwc_datasets_datafinder" / "pwc_datasets_3327.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            variants = [record["id"], *record.get("variants", [])]
            # A variant that reads like a task ("Visual Question Answering") is not a safe dataset name.
            variants = [v for v in variants if v.split()[-1].lower() not in task_heads | _SPLIT_WORDS and
                        (_PROPER.search(v) or len(v.split()) > 1)]
            if variants:
                yield {"type": "Dataset", "name": variants[0], "aliases": variants[1:], "source": "pwc_datasets"}


def _hf_models(src: Path, lexicon) -> Iterator[dict]:
    path = src / "hf_transformers_model_names" / "hf_transformers_model_names.tsv"
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        _, display = line.split("\t", 1)
        if re.search(r"(Model|Encoder|Decoder|Backbone|Wrapper|For[A-Z]\w+)$|[ _]", display) and \
                not re.fullmatch(r"[A-Z][\w.-]+ \d[\w.]*|[A-Z][\w-]+ [A-Z][\w-]*", display):
            continue
        yield {"type": "Model", "name": display, "aliases": [], "source": "hf_transformers"}


def _metrics(src: Path, lexicon) -> Iterator[dict]:
    for name in lexicon.metric_exact:
        yield {"type": "Metric", "name": name, "aliases": [], "source": "kg_lexicon"}
    with (src / "hf_evaluate_metrics" / "hf_evaluate_metrics.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record.get("kind") == "metrics" and not re.search(r"Eval|Matrix|Split|Match$", record["title"]):
                yield {"type": "Metric", "name": record["title"], "aliases": [], "source": "hf_evaluate"}
    with (src / "ibm_tdms_kb" / "evaMatrixKB.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and not re.search(r"\bon\b|\(|_|@|SQuAD|Split|Number", parts[1]):
                yield {"type": "Metric", "name": parts[1], "aliases": [], "source": "ibm_tdms"}


def _tasks(src: Path, lexicon) -> Iterator[dict]:
    task_heads = set(lexicon.task_heads)
    names: list[str] = []
    names += json.loads((src / "nlp_progress" / "nlp_progress_names.json").read_text(encoding="utf-8"))["tasks"]
    with (src / "ibm_tdms_kb" / "taskKB.tsv").open(encoding="utf-8") as fh:
        names += [line.split("\t")[1].replace("_", " ") for line in fh if "\t" in line]
    with (src / "pwc_sota_extractor" / "synonyms.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            names += [cell.strip() for cell in row if cell.strip() not in ("task", "synonym")]
    with (src / "pwc_sota_extractor" / "sota_rows_flat.jsonl").open(encoding="utf-8") as fh:
        names += sorted({json.loads(line)["task"] for line in fh})
    for name in names:
        name = name.strip()
        # Keep only names that read as tasks: a task head word last ("Machine translation").
        if name and name.split()[-1].lower() in task_heads | {"answering", "analysis", "tagging", "labeling"}:
            yield {"type": "Task", "name": name, "aliases": [], "source": "tasks"}


if __name__ == "__main__":
    sys.exit(main())
