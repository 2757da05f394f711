"""Metric and dataset normalization: the canonical metric a phrase names, and the dataset a name is a variant of.

Papers write one metric many ways ("FID score", "FID", "Fréchet Inception Distance"; "top-1 accuracy",
"accuracy") and one dataset with its setting in the name ("ImageNet 256×256", "ImageNet-1K", "COCO val2017").
Two tables, both data files, make them one:

* ``kg/data/metrics.jsonl`` (built by :mod:`kg.metrics_build` from public metric lists and
  ``kg/data/metric_families.json``): canonical metrics with their aliases, family, direction and unit;
* ``kg/data/datasets.json``: how resolutions, shots and splits are written, and the benchmarks whose names
  carry subsets or resolutions.

LaTeX left in a text (``81.7\\%``, ``256$\\times$256``, ``1.62times``) is read before anything is matched.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any

from kg.ids import singular
from kg.types import Paper, Setting

DATA_DIR = Path(__file__).resolve().parent / "data"
METRICS_PATH = DATA_DIR / "metrics.jsonl"
FAMILIES_PATH = DATA_DIR / "metric_families.json"
DATASETS_PATH = DATA_DIR / "datasets.json"

# LaTeX ------------------------------------------------------------------------------------------------------

_SYMBOLS = {"times": "×", "sim": "~", "approx": "≈", "pm": "±", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
            "cdot": "·", "ast": "*", "mu": "μ", "alpha": "α", "beta": "β", "gamma": "γ", "lambda": "λ",
            "tau": "τ", "rightarrow": "→", "to": "→", "infty": "∞", "%": "%", "&": "&", "_": "_", "#": "#",
            "$": "$", "{": "{", "}": "}", "@": "@", ",": " ", ";": " ", "!": "", " ": " "}
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303"}
_ACCENT = re.compile(r"\{?\\(['`^\"~])\{?([A-Za-z])\}?\}?")
_WRAPPER = re.compile(r"\\[A-Za-z]+\s*\{([^{}]*)\}")
_COMMAND = re.compile(r"\\([A-Za-z]+|[%&_#${}@,;! ])")
_MATH = re.compile(r"\$([^$]*)\$")
_SCRIPT = re.compile(r"[_^]\{([^{}]*)\}|[_^](\w)")
_GLUED_TIMES = re.compile(r"(?<=\d)\s*times(?=\s*\d)|(?<=\d)times")
_GLUED_SIM = re.compile(r"(?<=×)sim(?=\s*\d)")
_SPACED_TIMES = re.compile(r"(?<=\d)\s*×\s*(?=\d)")


def read_latex(text: str) -> str:
    """``text`` with the LaTeX of abstracts read as plain text: ``81.7\\%`` -> ``81.7%``, ``256$\\times$256`` and
    ``256times256`` -> ``256×256``, ``Pok{\\'e}mon`` -> ``Pokémon``, ``F$_1$`` -> ``F1``.

    Only what abstracts use is read; an unknown command loses its backslash and keeps its argument.
    """
    if "\\" not in text and "$" not in text and "times" not in text:
        return text
    text = _ACCENT.sub(lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)]), text)
    text = _MATH.sub(lambda m: _SCRIPT.sub(lambda s: s.group(1) or s.group(2), m.group(1)), text)
    previous = None
    while previous != text:
        previous, text = text, _WRAPPER.sub(lambda m: m.group(1), text)
    text = _COMMAND.sub(lambda m: _SYMBOLS.get(m.group(1), m.group(1)), text)
    text = _SPACED_TIMES.sub("×", _GLUED_SIM.sub("~", _GLUED_TIMES.sub("×", text)))
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """Lower-case letter and digit runs of a name, split where letters meet digits: "ImageNet1K" -> imagenet, 1k."""
    out = []
    for word in re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", read_latex(text)).casefold()):
        out += re.findall(r"\d+[a-z]?(?![a-z])|\d+|[^\W\d_]+", word)
    return out


# Metrics ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Metric:
    """A canonical metric of the table.

    Attributes:
        name: its canonical name ("FID", "accuracy", "pass@1").
        family: the family it belongs to ("FID", "accuracy", "speedup", ...).
        higher_is_better: its direction.
        unit: the unit its values are usually given in ("%", "x", "ms", "" for a plain number).
        leaderboard: its values can be ranked (a result, not a cost such as parameters or FLOPs).
        aliases: other names papers and metric lists use for it.
        sources: where the table has it from (``kg_curated``, ``hf_evaluate``, ``pwc_sota``, ...).
    """

    name: str
    family: str
    higher_is_better: bool
    unit: str
    leaderboard: bool
    aliases: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The table row of this metric."""
        return {"name": self.name, "family": self.family, "higher_is_better": self.higher_is_better,
                "unit": self.unit, "leaderboard": self.leaderboard, "aliases": list(self.aliases),
                "sources": list(self.sources)}

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Metric:
        """A metric from its table row."""
        return cls(name=row["name"], family=row["family"], higher_is_better=bool(row["higher_is_better"]),
                   unit=row["unit"], leaderboard=bool(row["leaderboard"]), aliases=tuple(row.get("aliases", ())),
                   sources=tuple(row.get("sources", ())))


@dataclass(frozen=True, slots=True)
class MetricMatch:
    """What a metric phrase names.

    Attributes:
        metric: the canonical metric.
        change: the phrase names a change of the metric ("accuracy drop", "FID improvement"), not a value.
        split: a split word of the phrase ("validation perplexity" -> "val"; a plain test split is "").
        head: the metric was found as the head noun of a longer phrase ("ImageNet top-1 accuracy").
    """

    metric: Metric
    change: bool = False
    split: str = ""
    head: bool = False


class MetricTable:
    """Canonical metrics looked up by any of their names (case, hyphens, spacing and a plural ignored).

    Args:
        metrics: the table's metrics.
        words: the vocabulary of metric phrases (``words`` of ``metric_families.json``): qualifiers dropped
            before the head noun, split words, the words that make a phrase a change, and those that make a
            percentage a share of a baseline.
    """

    def __init__(self, metrics: Iterable[Metric], words: Mapping[str, Any]) -> None:
        self.metrics = {m.name: m for m in metrics}
        self.qualifiers = frozenset(words.get("qualifiers", ()))
        self.splits: dict[str, str] = dict(words.get("splits", {}))
        self.changes = frozenset(words.get("changes", ()))
        self.speed_words: tuple[str, ...] = tuple(words.get("speed", ()))
        self.shares = frozenset(words.get("shares", ()))
        self.share_units = frozenset(words.get("share_units", ()))
        self._by_form: dict[str, Metric] = {}
        for metric in sorted(self.metrics.values(), key=lambda m: (not m.sources or m.sources[0] != "kg_curated",
                                                                     m.name)):
            for form in (metric.name, *metric.aliases):
                self._by_form.setdefault(_key(tokens(form)), metric)
        self._heads = {form: metric for form, metric in self._by_form.items() if len(form.replace(" ", "")) > 2}

    @classmethod
    def load(cls, metrics: Path = METRICS_PATH, families: Path = FAMILIES_PATH) -> MetricTable:
        """The table shipped with kg."""
        rows = [json.loads(line) for line in metrics.read_text(encoding="utf-8").splitlines() if line.strip()]
        words = json.loads(families.read_text(encoding="utf-8"))["words"]
        return cls(map(Metric.from_json, rows), words)

    def get(self, name: str) -> Metric | None:
        """The metric of this canonical name."""
        return self.metrics.get(name)

    def lookup(self, name: str) -> Metric | None:
        """The metric one of whose names is ``name`` exactly (up to case, hyphens and spacing)."""
        return self._by_form.get(_key(tokens(name)))

    def resolve(self, phrase: str) -> MetricMatch | None:
        """The metric a claim's metric phrase names: "FID scores", "competitive test accuracy", "accuracy drop".

        A phrase matches a name exactly; else after its leading split words and qualifiers are dropped; else by
        its head (the longest name the phrase ends with, "ImageNet top-1 accuracy" -> accuracy). Change words at
        the end ("drop", "gain", "improvement") make it a change of the metric.
        """
        words = tokens(phrase)
        change = False
        while words and words[-1] in self.changes:
            words, change = words[:-1], True
        split = ""
        while words and (words[0] in self.splits or words[0] in self.qualifiers):
            if _key(words) in self._by_form:
                break
            if words[0] in self.splits:
                split = split or self.splits[words[0]]
            words = words[1:]
        if not words:
            return None
        metric = self._by_form.get(_key(words))
        if metric is not None:
            return MetricMatch(metric, change=change, split=split)
        metric = next((self._heads[_key(words[i:])] for i in range(1, len(words)) if _key(words[i:]) in self._heads),
                      None)
        return None if metric is None else MetricMatch(metric, change=change, split=split, head=True)

    def is_share(self, after: str) -> bool:
        """Whether the text right after a percentage makes it a share of a baseline ("% of its accuracy",
        "% of the teacher's mIoU"), not a value of the metric itself."""
        words = tokens(after)[:3]
        if words and words[0] in self.share_units:
            words = words[1:]
        return len(words) >= 2 and words[0] in self.shares and not words[1][0].isdigit()

    def is_speed(self, phrase: str) -> bool:
        """Whether a phrase speaks of speed ("faster inference", "throughput"): with a unit of x it is a speed-up."""
        text = phrase.casefold()
        return any(word in text for word in self.speed_words)


def _key(words: Sequence[str]) -> str:
    """The lookup key of a name's words: joined by spaces, the last one singular ("F1 scores" is "f 1 score")."""
    return " ".join([*words[:-1], singular(words[-1])]) if words else ""


@cache
def metric_table() -> MetricTable:
    """The metric table shipped with kg, read once."""
    return MetricTable.load()


# Datasets ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Dataset:
    name: str
    forms: tuple[tuple[str, ...], ...]
    resolution_suffix: bool
    subsets: tuple[tuple[tuple[str, ...], str], ...]


class DatasetTable:
    """Dataset names split into the dataset and its setting.

    Args:
        spec: the content of ``datasets.json``.
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.resolution = [re.compile(p, re.IGNORECASE) for p in spec["resolution"]]
        self.shots = re.compile(spec["shots"], re.IGNORECASE)
        self.shot_numbers: dict[str, str] = dict(spec["shot_numbers"])
        self.splits = [re.compile(p, re.IGNORECASE) for p in spec["splits"]]
        self.split_names: dict[str, str] = dict(spec["split_names"])
        self.suffix_resolutions = frozenset(str(n) for n in spec["suffix_resolutions"])
        self.datasets = []
        for row in spec["datasets"]:
            forms = sorted({tuple(tokens(f)) for f in [row["name"], *row.get("aliases", ())]}, key=len, reverse=True)
            subsets = sorted(((tuple(tokens(alias)), subset) for subset, aliases in row.get("subsets", {}).items()
                              for alias in aliases), key=lambda item: len(item[0]), reverse=True)
            self.datasets.append(_Dataset(row["name"], tuple(forms), row.get("numeric_suffix") == "resolution",
                                          tuple(subsets)))

    @classmethod
    def load(cls, path: Path = DATASETS_PATH) -> DatasetTable:
        """The table shipped with kg."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def setting_in(self, text: str) -> Setting:
        """The resolution, split and shots a text names anywhere ("on ImageNet 256×256", "5-shot", "val set")."""
        return self._generic(read_latex(text))[1]

    def variant(self, name: str) -> tuple[str, Setting]:
        """The dataset a name denotes and the setting it adds.

        "ImageNet 256×256" -> ImageNet, 256×256; "ImageNet-1K" -> ImageNet (its default subset);
        "ImageNet-21K" -> ImageNet, 21k; "COCO val2017" -> COCO, val2017; "CIFAR-10" -> CIFAR-10.
        """
        base, setting = self._generic(read_latex(name))
        words = tokens(base)
        for dataset in self.datasets:
            for form in dataset.forms:
                if tuple(words[:len(form)]) != form:
                    continue
                rest = self._suffix(dataset, tuple(words[len(form):]))
                if rest is not None:
                    return dataset.name, setting.fill(rest)
        return base, setting

    def _generic(self, text: str) -> tuple[str, Setting]:
        resolution = shots = split = ""
        for pattern in self.resolution:
            match = pattern.search(text)
            if match:
                width = match.group("w")
                resolution = f"{width}×{match.groupdict().get('h') or width}"
                text = text[:match.start()] + " " + text[match.end():]
                break
        match = self.shots.search(text)
        if match:
            n = match.group("n").lower()
            shots = "few-shot" if n == "few" else f"{self.shot_numbers.get(n, n)}-shot"
            text = text[:match.start()] + " " + text[match.end():]
        for pattern in self.splits:
            match = pattern.search(text)
            if match:
                word = match.group("s").lower()
                split = self.split_names.get(word, word)
                text = text[:match.start()] + " " + text[match.end():]
                break
        base = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
        base = " ".join(base.split()).strip(" -_,:;(")
        return base, Setting(resolution=resolution, split=split, shots=shots)

    def _suffix(self, dataset: _Dataset, rest: tuple[str, ...]) -> Setting | None:
        """The setting the words after a dataset's name give, or None when one of them is not a setting."""
        subset = resolution = ""
        while rest:
            for words, name in dataset.subsets:
                if rest[:len(words)] == words:
                    subset, rest = name, rest[len(words):]
                    break
            else:
                if dataset.resolution_suffix and rest[0] in self.suffix_resolutions:
                    resolution, rest = f"{rest[0]}×{rest[0]}", rest[1:]
                else:
                    return None
        return Setting(subset=subset, resolution=resolution)


@cache
def dataset_table() -> DatasetTable:
    """The dataset table shipped with kg, read once."""
    return DatasetTable.load()


def claim_setting(text: str, number: tuple[int, int], others: Sequence[tuple[int, int]],
                  mentions: Sequence[tuple[int, int]]) -> Setting:
    """The setting a number of a sentence was measured in.

    Read, in this order of precedence: the words after the number up to the next number of another claim
    ("1.62 (256×256) and 2.22 (512×512)"), then the clause of the dataset mention nearest after the number (else
    before it): the words before the mention back to a comma, "and" or another claim's number ("5-shot MMLU"),
    the mention, and the words after it up to a comma or "and" ("on Cityscapes test set", "On ImageNet 256×256,
    X reaches 1.5 FID").

    Args:
        text: the sentence (the claim's evidence).
        number: the number's span in ``text``.
        others: spans of the other claims' numbers in ``text``.
        mentions: spans in ``text`` of the names of the claim's dataset.
    """
    table = dataset_table()
    start, end = number
    following = min((s for s, _ in others if s >= end), default=len(text))
    setting = table.setting_in(text[end:following])
    after = sorted(m for m in mentions if m[0] >= end)
    before = sorted((m for m in mentions if m[1] <= start), reverse=True)
    nearest = after[0] if after else before[0] if before else None
    if nearest is None:
        return setting
    floor = max([e for _, e in others if e <= nearest[0]] + ([end] if nearest[0] >= end else []), default=0)
    prefix = _CLAUSE.split(text[floor:nearest[0]])[-1]
    tail = _CLAUSE.split(text[nearest[1]:], maxsplit=1)[0]
    name, context = text[nearest[0]:nearest[1]], table.setting_in(prefix + " " + tail)
    return setting.fill(table.variant(name + tail)[1]).fill(context)


_CLAUSE = re.compile(r"[,;]|\band\b|(?<=\w)\.(?!\d)")


def parse_setting(text: str) -> str:
    """A setting as a user writes it, as leaderboards label it: "256x256" -> "256×256", "5 shot" -> "5-shot"."""
    setting = dataset_table().setting_in(text)
    return setting.label or " ".join(text.split())


# Papers -----------------------------------------------------------------------------------------------------

_ARXIV = re.compile(r"(?:arxiv:)?(?P<yy>\d{2})(?P<mm>\d{2})\.\d{4,5}(?:v\d+)?", re.IGNORECASE)
_ARXIV_OLD = re.compile(r"(?:arxiv:)?[a-z-]+(?:\.[a-z]{2})?/(?P<yy>\d{2})(?P<mm>\d{2})\d{3}(?:v\d+)?", re.IGNORECASE)
_ISO = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")


def paper_date(paper: Paper) -> str:
    """When a paper appeared, as ISO ``YYYY-MM-DD`` or ``YYYY-MM``; "" when unknown.

    From the first version's date of arXiv metadata (``versions``), else the month of its arXiv id
    (``2401.00001`` -> 2024-01, ``cs/0112017`` -> 2001-12), else a ``published``, ``date`` or ``update_date``
    field of the input record.
    """
    versions = paper.extra.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        try:
            return parsedate_to_datetime(str(versions[0].get("created", ""))).date().isoformat()
        except (TypeError, ValueError):
            pass
    for pattern in (_ARXIV, _ARXIV_OLD):
        match = pattern.fullmatch(paper.id.strip())
        if match and 1 <= int(match["mm"]) <= 12:
            yy = int(match["yy"])  # old-style ids start in 1991, new-style ones in 2007
            return f"{1900 + yy if pattern is _ARXIV_OLD and yy >= 91 else 2000 + yy}-{match['mm']}"
    for name in ("published", "date", "update_date"):
        value = paper.extra.get(name)
        match = _ISO.match(value) if isinstance(value, str) else None
        if match:
            return match.group(0)
    return ""
