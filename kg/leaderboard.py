"""Leaderboards rebuilt from a build's triples: ranked results per dataset, metric and setting.

A leaderboard gathers the claims that are results (``is_result``: an absolute value of a rankable metric, or a
ratio such as a speed-up; not a change, nor a share of a baseline such as "99% of its accuracy") measured on one
dataset node by one metric node in one setting ("256×256", "5-shot"; "" for the dataset's default). A system (the
claim's subject; none when the claim names none) gets one row per paper, its best value there, and rows are ranked
by the metric's direction, ties by paper id and system.

``queries/leaderboard.cypher`` (Neo4j) and ``queries/leaderboard.rq`` (SPARQL) give the same rows with the same
parameters; ``leaderboards.cypher`` and ``leaderboards.rq`` the same list of leaderboards.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kg.ids import digest, slug
from kg.normalize import dataset_table, metric_table, parse_setting
from kg.schema import NodeKind, Predicate
from kg.types import NodeRef, Triple

ROW_COLUMNS = ("dataset", "metric", "setting", "rank", "system", "value", "unit", "paper", "title", "date",
               "evidence", "confidence")
"""Columns of a leaderboard row, as ``leaderboard.cypher`` returns them."""

BOARD_COLUMNS = ("dataset", "metric", "setting", "rows", "best", "unit", "system", "paper")
"""Columns of the list of leaderboards, as ``leaderboards.cypher`` returns them."""

ANY = "*"
"""The filter value that keeps everything (the canned queries' parameters take no empty values)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One system's best result of one paper on a leaderboard."""

    rank: int
    system: str | None
    system_key: str | None
    value: float
    value_text: str
    unit: str
    paper: str
    title: str
    date: str | None
    evidence: str
    confidence: float
    claim: str


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """The ranked results of one dataset, metric and setting.

    Attributes:
        tasks: the tasks the rows' papers mention, most mentioned first.
    """

    dataset: str
    dataset_key: str
    metric: str
    metric_key: str
    setting: str
    higher_is_better: bool
    rows: tuple[Row, ...]
    tasks: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """"ImageNet · FID · 256×256"."""
        return " · ".join(part for part in (self.dataset, self.metric, self.setting) if part)

    @property
    def slug(self) -> str:
        """A file name for the leaderboard's page: readable, and unique per (dataset, metric, setting) key."""
        name = "-".join(slug(part) for part in (self.dataset, self.metric, self.setting) if part)
        return f"{name[:80]}-{digest(self.dataset_key + '|' + self.metric_key + '|' + self.setting, 8)}"

    def row_dicts(self) -> list[dict[str, Any]]:
        """The rows as ``leaderboard.cypher`` returns them."""
        return [{"dataset": self.dataset, "metric": self.metric, "setting": self.setting, "rank": r.rank,
                 "system": r.system, "value": r.value, "unit": r.unit, "paper": r.paper, "title": r.title,
                 "date": r.date, "evidence": r.evidence, "confidence": r.confidence} for r in self.rows]

    def summary(self) -> dict[str, Any]:
        """The leaderboard as ``leaderboards.cypher`` lists it."""
        best = self.rows[0]
        return {"dataset": self.dataset, "metric": self.metric, "setting": self.setting, "rows": len(self.rows),
                "best": best.value, "unit": best.unit, "system": best.system, "paper": best.paper}


@dataclass
class _Claim:
    key: str
    fields: dict[Predicate, Any] = field(default_factory=dict)
    links: dict[Predicate, str] = field(default_factory=dict)
    paper: str = ""
    confidence: float = 0.0


class _Index:
    """What leaderboards need of the triples: claims, node names and aliases, papers and the tasks they mention."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.names: dict[str, str] = {}
        self.aliases: dict[str, list[str]] = defaultdict(list)
        self.papers: dict[str, dict[Predicate, str]] = defaultdict(dict)
        self.tasks: dict[str, set[str]] = defaultdict(set)
        self.claims: dict[str, _Claim] = {}
        for t in triples:
            subject = t.subject
            if subject.kind is NodeKind.CLAIM:
                claim = self.claims.setdefault(subject.key, _Claim(subject.key))
                claim.confidence = t.provenance.confidence
                if isinstance(t.object, NodeRef):
                    claim.links[t.predicate] = t.object.key
                else:
                    claim.fields[t.predicate] = t.object.value
            elif subject.kind is NodeKind.PAPER:
                if isinstance(t.object, NodeRef):
                    if t.predicate is Predicate.REPORTS:
                        self.claims.setdefault(t.object.key, _Claim(t.object.key)).paper = subject.key
                    elif t.predicate is Predicate.MENTIONS and t.object.kind is NodeKind.TASK:
                        self.tasks[subject.key].add(t.object.key)
                else:
                    self.papers[subject.key][t.predicate] = str(t.object.value)
            elif t.predicate is Predicate.NAME and not isinstance(t.object, NodeRef):
                self.names.setdefault(subject.key, str(t.object.value))
            elif t.predicate is Predicate.ALIAS and not isinstance(t.object, NodeRef):
                self.aliases[subject.key].append(str(t.object.value))

    def named(self, key: str, text: str) -> bool:
        """Whether ``text`` is the node's key, or its name or an alias up to case."""
        wanted = text.lower()
        return key == text or self.names.get(key, "").lower() == wanted or \
            any(a.lower() == wanted for a in self.aliases.get(key, ()))


def leaderboards(triples: Iterable[Triple], *, dataset: str = ANY, metric: str = ANY, setting: str = ANY,
                 task: str = ANY, min_rows: int = 1) -> list[Leaderboard]:
    """The leaderboards of a build, sorted by dataset, metric and setting.

    Args:
        triples: a build's triples.
        dataset: only this dataset (name, alias or key; case-insensitive); :data:`ANY` for all.
        metric: only this metric (name, alias or key; case-insensitive); :data:`ANY` for all.
        setting: only this setting, or settings with this part ("256×256", "5-shot"); :data:`ANY` for all.
        task: only results of papers that mention this task (name, alias or key); :data:`ANY` for all.
        min_rows: only leaderboards with at least this many rows.
    """
    index = _Index(triples)
    wanted = setting.lower()
    groups: dict[tuple[str, str, str], dict[tuple[str, str], _Claim]] = defaultdict(dict)
    for claim in index.claims.values():
        f, links = claim.fields, claim.links
        if f.get(Predicate.IS_RESULT) is not True or Predicate.MEASURED_ON not in links \
                or Predicate.MEASURES not in links or not claim.paper:
            continue
        d, m, label = links[Predicate.MEASURED_ON], links[Predicate.MEASURES], str(f.get(Predicate.SETTING, ""))
        parts = [str(f[p]).lower() for p in (Predicate.SUBSET, Predicate.RESOLUTION, Predicate.SPLIT, Predicate.SHOTS)
                 if p in f]
        if (dataset != ANY and not index.named(d, dataset)) or (metric != ANY and not index.named(m, metric)) \
                or (setting != ANY and label.lower() != wanted and wanted not in parts) \
                or (task != ANY and not any(index.named(t, task) for t in index.tasks[claim.paper])):
            continue
        best = groups[(d, m, label)]
        slot = (links.get(Predicate.ABOUT, ""), claim.paper)
        if slot not in best or (_score(claim), claim.key) < (_score(best[slot]), best[slot].key):
            best[slot] = claim
    boards = []
    for (d, m, label), claims in groups.items():
        if len(claims) < min_rows:
            continue
        ranked = sorted(claims.values(), key=lambda c: (_score(c), c.paper, c.links.get(Predicate.ABOUT, "")))
        rows = tuple(_row(index, rank, claim) for rank, claim in enumerate(ranked, start=1))
        tasks = Counter(t for c in ranked for t in index.tasks[c.paper])
        boards.append(Leaderboard(
            dataset=index.names.get(d, d), dataset_key=d, metric=index.names.get(m, m), metric_key=m, setting=label,
            higher_is_better=bool(ranked[0].fields.get(Predicate.HIGHER_IS_BETTER)), rows=rows,
            tasks=tuple(index.names.get(t, t) for t, _ in sorted(tasks.items(), key=lambda kv: (-kv[1], kv[0])))))
    return sorted(boards, key=lambda b: (b.dataset, b.dataset_key, b.metric, b.metric_key, b.setting))


def largest_first(boards: Iterable[Leaderboard]) -> list[Leaderboard]:
    """Leaderboards by number of rows, largest first (``leaderboards.cypher``'s order)."""
    return sorted(boards, key=lambda b: (-len(b.rows), b.dataset, b.metric, b.setting))


def canonical_filters(*, dataset: str = "", metric: str = "", setting: str = "") -> dict[str, str]:
    """Filters as a user writes them ("" for none), in the graph's terms: the dataset a variant belongs to (its
    setting becomes the setting filter unless one is given), the metric table's name of a metric, a setting as
    leaderboards label it ("ImageNet 256x256" -> ImageNet, 256×256; "top-1 accuracy" -> accuracy)."""
    base, variant = dataset_table().variant(dataset) if dataset else (ANY, None)
    match = metric_table().resolve(metric) if metric else None
    named = match.metric.name if match is not None and not match.change and not match.head else metric
    return {"dataset": base, "metric": named or ANY,
            "setting": parse_setting(setting) if setting else variant.label if variant and variant.label else ANY}


def to_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV with a header line (empty when there are no rows)."""
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().rstrip("\n")


def _score(claim: _Claim) -> float:
    value = float(claim.fields[Predicate.VALUE])
    return -value if claim.fields.get(Predicate.HIGHER_IS_BETTER) else value


def _row(index: _Index, rank: int, claim: _Claim) -> Row:
    f, paper = claim.fields, index.papers[claim.paper]
    system = claim.links.get(Predicate.ABOUT)
    return Row(rank=rank, system=index.names.get(system, system) if system else None, system_key=system,
               value=float(f[Predicate.VALUE]), value_text=str(f.get(Predicate.VALUE_TEXT, "")),
               unit=str(f.get(Predicate.UNIT, "")), paper=claim.paper.removeprefix("paper:"),
               title=paper.get(Predicate.TITLE, ""), date=paper.get(Predicate.DATE), evidence=str(f.get(
                   Predicate.EVIDENCE, "")), confidence=claim.confidence, claim=claim.key)
