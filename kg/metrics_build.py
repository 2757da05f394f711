"""Rebuild the metric table ``kg/data/metrics.jsonl`` (run by hand when a source changes).

    python -m kg.metrics_build ../shared/gazetteers

The canonical metrics, their families, directions and units are the hand-written
``kg/data/metric_families.json``. The metric names of four public lists (Hugging Face ``evaluate``, NLP-progress
table columns, the Papers with Code sota-extractor leaderboards and the IBM NLP-TDMS knowledge base; sources and
licenses in ``kg/data/ATTRIBUTION.md``) are added to it: a name that resolves to a canonical metric becomes one
of its aliases, a name that only matches a family's patterns becomes a new metric of that family, and the rest
(columns such as "Books" or "Number of params" that are no metric, or no metric kg can rank) is left out. A
direction that IBM NLP-TDMS gives and the family contradicts is reported; the family's wins.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.normalize import FAMILIES_PATH, METRICS_PATH, Metric, MetricTable, read_latex, tokens

_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*")
_QUALIFIED = re.compile(r"\s+(?:on|for|of|in)\s+.*$", re.IGNORECASE)
_LEADING = re.compile(r"^(?:[%#]\s*)?(?:(?:test|validation|dev)[\s-]+)?", re.IGNORECASE)
_ACRONYM = re.compile(r"[A-Z][A-Za-z0-9@.\-]{0,7}")
_METRIC_WORD = re.compile(r"\s+metric$", re.IGNORECASE)


def main(argv: list[str] | None = None) -> int:
    """Write the metric table from the gazetteer folder given as the only argument."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    rows, report = build(Path(args[0]))
    METRICS_PATH.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    for line in report:
        print(line, file=sys.stderr)
    print(f"wrote {len(rows)} metrics to {METRICS_PATH}", file=sys.stderr)
    return 0


def build(gazetteers: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The table's rows, sorted by family and name, and notes on what was left out or contradicted."""
    spec = json.loads(FAMILIES_PATH.read_text(encoding="utf-8"))
    rows: dict[str, dict[str, Any]] = {}
    for family in spec["families"]:
        for metric in family["metrics"]:
            rows[metric["name"]] = {
                "name": metric["name"], "family": family["family"],
                "higher_is_better": metric.get("higher_is_better", family["higher_is_better"]),
                "unit": metric.get("unit", family["unit"]), "leaderboard": family["leaderboard"],
                "aliases": list(metric["aliases"]), "sources": ["kg_curated"]}
    curated = MetricTable(map(Metric.from_json, rows.values()), spec["words"])
    patterns = [(family, [re.compile(p, re.IGNORECASE) for p in family["match"]]) for family in spec["families"]]
    new: dict[tuple[str, ...], str] = {}
    report: list[str] = []
    left_out: set[str] = set()
    for source, raw, higher in _names(gazetteers):
        names = _clean(raw)
        if not names:
            left_out.add(raw)
            continue
        row = _place(names[0], curated, patterns, rows, new)
        if row is None:
            left_out.add(raw)
            continue
        for name in names:
            if name != row["name"] and tokens(name) not in (tokens(a) for a in [row["name"], *row["aliases"]]):
                row["aliases"].append(name)
        if source not in row["sources"]:
            row["sources"].append(source)
        if higher is not None and higher != row["higher_is_better"]:
            report.append(f"direction: {source} says {raw!r} is {'higher' if higher else 'lower'}-is-better; "
                          f"kept the {row['family']} family's")
    report.append(f"left out {len(left_out)} names that are no metric kg ranks, e.g. "
                  + ", ".join(repr(n) for n in sorted(left_out)[:12]))
    for row in rows.values():
        row["aliases"] = sorted(set(row["aliases"]) - {row["name"]}, key=str.casefold)
    return sorted(rows.values(), key=lambda r: (r["family"].casefold(), r["name"].casefold())), report


def _place(name: str, curated: MetricTable, patterns: list[tuple[dict[str, Any], list[re.Pattern[str]]]],
           rows: dict[str, dict[str, Any]], new: dict[tuple[str, ...], str]) -> dict[str, Any] | None:
    """The row a gazetteer name belongs to: a curated metric it names, a new metric of the family it matches."""
    match = curated.resolve(name)
    if match is not None and not match.change and not match.head:
        return rows[match.metric.name]
    key = tuple(tokens(name))
    if key in new:
        return rows[new[key]]
    family = next((f for f, regexes in patterns if any(r.search(name) for r in regexes)), None)
    if family is None or name in rows:
        return None
    new[key] = name
    rows[name] = {"name": name, "family": family["family"], "higher_is_better": family["higher_is_better"],
                  "unit": family["unit"], "leaderboard": family["leaderboard"], "aliases": [], "sources": []}
    return rows[name]


def _clean(raw: str) -> list[str]:
    """A list column's name as metric names: the name itself, then an acronym it gives in parentheses.

    "Bit per Character (BPC)" -> Bit per Character, BPC; "% Test Accuracy" -> Accuracy; "Accuracy on RACE-h"
    -> Accuracy; "EM (Quasar-T)" -> EM. Training-set columns give nothing.
    """
    text = read_latex(raw).strip().rstrip("*%").strip()
    if re.match(r"^(?:%\s*)?train", text, re.IGNORECASE):
        return []
    parenthesized = [m.group(1) for m in _PARENTHESIS.finditer(text)]
    text = _QUALIFIED.sub("", _PARENTHESIS.sub(" ", text)).strip()
    text = _LEADING.sub("", _METRIC_WORD.sub("", text)).strip()
    if len(text) < 2 or not re.search(r"[A-Za-z]", text):
        return []
    return [text, *(a for a in parenthesized if _abbreviates(a, text))]


def _abbreviates(short: str, name: str) -> bool:
    """Whether ``short`` is an acronym of ``name``: its capitals appear in order in the name, starting with its
    first letter ("BPC" of "Bit per Character", not "Quasar-T" of "EM")."""
    capitals = [c.lower() for c in short if c.isupper()]
    if len(capitals) < 2 or not _ACRONYM.fullmatch(short) or capitals[0] != name[:1].lower():
        return False
    rest = iter(name.lower())
    return all(c in rest for c in capitals)


def _names(gazetteers: Path) -> Iterator[tuple[str, str, bool | None]]:
    """(source, metric name, higher-is-better when the source says) of every list, in a fixed order."""
    for line in (gazetteers / "hf_evaluate_metrics" / "hf_evaluate_metrics.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        if row["kind"] == "metrics" and not row["title"].startswith("emoji"):  # cards without a title
            yield "hf_evaluate", row["title"], None
    names = json.loads((gazetteers / "nlp_progress" / "nlp_progress_names.json").read_text("utf-8"))
    for name in names["metrics"]:
        yield "nlp_progress", name, None
    seen: set[str] = set()
    for line in (gazetteers / "pwc_sota_extractor" / "sota_rows_flat.jsonl").read_text("utf-8").splitlines():
        name = json.loads(line)["metric"]
        if name not in seen:
            seen.add(name)
            yield "pwc_sota", name, None
    with (gazetteers / "ibm_tdms_kb" / "evaMatrixKB.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) >= 3 and row[2] in ("0", "1"):
                yield "ibm_tdms", row[1], row[2] == "1"


if __name__ == "__main__":
    sys.exit(main())
