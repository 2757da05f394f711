"""Score extraction records against gold annotations (the rules of ``eval/score.py``, reimplemented).

Entities match on a shared normalized form (name or alias), one-to-one per paper; "typed" also needs the
same type, "lenient" also accepts one form being a whole-token part of the other. Relations match on type
and the gold entities both ends resolve to. Claims match on numeric value and unit class; matched claims are
then checked for metric, subject, dataset and direction. Merging is scored over pairs of gold mentions of
the same concept in different papers that share (or should share) a predicted node key.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from kg.errors import InputError

TYPES = ("Method", "Model", "Dataset", "Task", "Metric")
RELATION_TYPES = ("evaluated_on", "addresses", "outperforms", "uses")
_UNIT_CLASS = {"percent": "%", "pct": "%", "percentage": "%", "×": "x", "times": "x", "fold": "x", "-fold": "x",
               "point": "points", "pp": "points", "pts": "points", "millisecond": "ms", "milliseconds": "ms",
               "sec": "s", "second": "s", "seconds": "s", "parameters": "params", "token": "tokens",
               "epoch": "epochs", "hour": "hours", "h": "hours", "gpu hours": "hours"}
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "b": 1e9, "trillion": 1e12,
          "t": 1e12}
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "twice": 2, "half": 0.5, "double": 2, "triple": 3}
_NUMBER = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(thousand|million|billion|trillion|[kmbt]\b)?")


@dataclass(slots=True)
class Score:
    """Counts and precision / recall / F1 of one measure."""

    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, tp: int, pred: int, gold: int) -> None:
        self.tp += tp
        self.pred += pred
        self.gold += gold

    @property
    def precision(self) -> float:
        return self.tp / self.pred if self.pred else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else (1.0 if not self.pred else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Report:
    """All measures of one evaluation run."""

    scores: dict[str, Score]
    attributes: dict[str, tuple[int, int]]  # correct, applicable

    def overall(self) -> float:
        """Mean F1 of typed entities, relations and claims."""
        return sum(self.scores[k].f1 for k in ("entities_typed", "relations", "claims")) / 3

    def format(self) -> str:
        """A fixed-width table."""
        lines = [f"{'measure':28s} {'P':>6s} {'R':>6s} {'F1':>6s} {'tp':>6s} {'pred':>6s} {'gold':>6s}"]
        for name in sorted(self.scores):
            s = self.scores[name]
            lines.append(f"{name:28s} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:6d} {s.pred:6d} {s.gold:6d}")
        for name in sorted(self.attributes):
            correct, total = self.attributes[name]
            accuracy = f"{correct / total:.3f}" if total else "-"
            lines.append(f"claim attribute {name:12s} accuracy {accuracy} over {total} matched claims")
        lines.append(f"overall_f1 {self.overall():.4f}")
        return "\n".join(lines)


def load_records(path: Path) -> dict[str, dict[str, Any]]:
    """Records by id from a JSON Lines file.

    Raises:
        InputError: the file is missing or a line is not a JSON object with an ``id``.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    out: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or "id" not in record:
            raise InputError(f"{path}:{number}: not a record with an 'id'")
        out[str(record["id"])] = record
    return out


def evaluate(gold: dict[str, dict[str, Any]], predicted: dict[str, dict[str, Any]]) -> Report:
    """Score predicted records against gold records (papers missing from ``predicted`` count as empty)."""
    scores: dict[str, Score] = defaultdict(Score)
    attributes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    mentions: list[tuple[str, set[str], str | None]] = []
    for paper_id, g in gold.items():
        p = predicted.get(paper_id, {})
        golds = list(g.get("entities") or [])
        preds = [e for e in p.get("entities") or [] if e.get("name")]
        for label, typed, lenient in (("entities_typed", True, False), ("entities_untyped", False, False),
                                      ("entities_lenient", True, True)):
            scores[label].add(len(_match(preds, golds, typed=typed, lenient=lenient)), len(preds), len(golds))
        for type_name in TYPES:
            gt = [e for e in golds if e.get("type") == type_name]
            pt = [e for e in preds if e.get("type") == type_name]
            scores[f"type:{type_name}"].add(len(_match(pt, gt, typed=True, lenient=False)), len(pt), len(gt))
        untyped = _match(preds, golds, typed=False, lenient=False)
        gold_proposed = {j for j, e in enumerate(golds) if e.get("proposed")}
        pred_proposed = {i for i, e in enumerate(preds) if e.get("proposed")}
        scores["proposed"].add(sum(untyped.get(i) in gold_proposed for i in pred_proposed), len(pred_proposed),
                               len(gold_proposed))
        _score_relations(g, p, preds, golds, untyped, scores)
        _score_claims(g, p, preds, golds, untyped, scores, attributes)
        matched = set(untyped.values())
        mentions += [(paper_id, _forms(golds[j]), preds[i].get("key")) for i, j in untyped.items()]
        mentions += [(paper_id, _forms(e), None) for j, e in enumerate(golds) if j not in matched]
    merge = scores["merge"]
    for (pa, fa, ka), (pb, fb, kb) in combinations(mentions, 2):
        if pa != pb:
            same_gold, same_pred = bool(fa & fb), ka is not None and ka == kb
            merge.add(int(same_gold and same_pred), int(same_pred), int(same_gold))
    return Report(scores=dict(scores), attributes={k: (v[0], v[1]) for k, v in attributes.items()})


def _score_relations(g: dict, p: dict, preds: list[dict], golds: list[dict], matches: dict[int, int],
                     scores: dict[str, Score]) -> None:
    gold_rel = {(r.get("type"), _resolve(r.get("head"), golds), _resolve(r.get("tail"), golds))
                for r in g.get("relations") or []}
    pred_rel = set()
    for r in p.get("relations") or []:
        head = _resolve_pred(r.get("head"), preds, matches, golds)
        tail = _resolve_pred(r.get("tail"), preds, matches, golds)
        pred_rel.add((r.get("type"), head if head is not None else ("p", normal_form(r.get("head"))),
                      tail if tail is not None else ("p", normal_form(r.get("tail")))))
    scores["relations"].add(len(gold_rel & pred_rel), len(pred_rel), len(gold_rel))
    for kind in RELATION_TYPES:
        gr = {x for x in gold_rel if x[0] == kind}
        pr = {x for x in pred_rel if x[0] == kind}
        scores[f"relation:{kind}"].add(len(gr & pr), len(pr), len(gr))


def _score_claims(g: dict, p: dict, preds: list[dict], golds: list[dict], matches: dict[int, int],
                  scores: dict[str, Score], attributes: dict[str, list[int]]) -> None:
    gold_claims = list(g.get("claims") or [])
    pred_claims = list(p.get("claims") or [])
    used: set[int] = set()
    used_value: set[int] = set()
    tp = tp_value = full = 0
    for claim in pred_claims:
        for j, gold_claim in enumerate(gold_claims):
            if j not in used and same_value(claim.get("value"), gold_claim.get("value")) and \
                    unit_class(claim.get("unit")) == unit_class(gold_claim.get("unit")):
                used.add(j)
                tp += 1
                full += _claim_attributes(claim, gold_claim, preds, golds, matches, attributes)
                break
        for j, gold_claim in enumerate(gold_claims):
            if j not in used_value and same_value(claim.get("value"), gold_claim.get("value")):
                used_value.add(j)
                tp_value += 1
                break
    scores["claims"].add(tp, len(pred_claims), len(gold_claims))
    scores["claims_full"].add(full, len(pred_claims), len(gold_claims))
    scores["claims_value_only"].add(tp_value, len(pred_claims), len(gold_claims))


def _claim_attributes(claim: dict, gold_claim: dict, preds: list[dict], golds: list[dict],
                      matches: dict[int, int], attributes: dict[str, list[int]]) -> bool:
    """Count a matched claim's attributes; True when it is a whole leaderboard row (``claims_full``): the metric
    (where gold names one), subject and dataset (the gold entity, or both absent) all agree."""
    full = True
    if normal_form(gold_claim.get("metric")):
        right = same_metric(claim.get("metric"), gold_claim.get("metric"))
        attributes["metric"][0] += right
        attributes["metric"][1] += 1
        full &= right
    for field in ("subject", "dataset"):
        gold_index = _resolve(gold_claim.get(field), golds)
        if gold_index is None:
            full &= normal_form(claim.get(field)) == normal_form(gold_claim.get(field))
            continue
        right = _resolve_pred(claim.get(field), preds, matches, golds) == gold_index
        attributes[field][0] += right
        attributes[field][1] += 1
        full &= right
    if gold_claim.get("direction"):
        attributes["direction"][0] += claim.get("direction") == gold_claim.get("direction")
        attributes["direction"][1] += 1
    return full


def same_metric(predicted: str | None, gold: str | None) -> bool:
    """The scorer's metric agreement: the same normal form, or one a whole-word part of the other."""
    if not normal_form(predicted) or not normal_form(gold):
        return False
    p, g = _tokens(predicted or ""), _tokens(gold or "")
    return normal_form(predicted) == normal_form(gold) or _contains(p, g) or _contains(g, p)


def normal_form(text: str | None) -> str:
    """The scorer's form of a name: case, punctuation and a final plural "s" ignored."""
    if not text:
        return ""
    t = re.sub(r"[^0-9a-z]+", "", unicodedata.normalize("NFKC", text).lower())
    return t[:-1] if len(t) > 3 and t.endswith("s") and not t.endswith("ss") else t


def _tokens(text: str) -> list[str]:
    words = re.findall(r"[0-9a-z]+", unicodedata.normalize("NFKC", text or "").lower())
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]


def _contains(long: list[str], short: list[str]) -> bool:
    n = len(short)
    return n > 0 and any(long[i:i + n] == short for i in range(len(long) - n + 1))


def _forms(entity: dict) -> set[str]:
    return {f for f in (normal_form(n) for n in [entity.get("name"), *(entity.get("aliases") or [])]) if f}


def _matches(pred: dict, gold: dict, *, typed: bool, lenient: bool) -> bool:
    if typed and pred.get("type") != gold.get("type"):
        return False
    if _forms(pred) & _forms(gold):
        return True
    if not lenient:
        return False
    pred_tokens = [_tokens(n) for n in [pred.get("name"), *(pred.get("aliases") or [])] if n]
    gold_tokens = [_tokens(n) for n in [gold.get("name"), *(gold.get("aliases") or [])] if n]
    return any(_contains(a, b) or _contains(b, a) for a in pred_tokens for b in gold_tokens)


def _match(preds: list[dict], golds: list[dict], *, typed: bool, lenient: bool) -> dict[int, int]:
    """Greedy one-to-one matching, exact forms first: prediction index -> gold index."""
    used: set[int] = set()
    pairs: dict[int, int] = {}
    for strict in (True, False):
        for i, pred in enumerate(preds):
            if i in pairs:
                continue
            for j, gold in enumerate(golds):
                if j not in used and _matches(pred, gold, typed=typed, lenient=lenient and not strict):
                    pairs[i] = j
                    used.add(j)
                    break
    return pairs


def _resolve(name: str | None, golds: list[dict]) -> int | None:
    if not name:
        return None
    form = normal_form(name)
    return next((j for j, g in enumerate(golds) if form in _forms(g)), None)


def _resolve_pred(name: str | None, preds: list[dict], matches: dict[int, int], golds: list[dict]) -> int | None:
    form = normal_form(name)
    for i, entity in enumerate(preds):
        if form in _forms(entity) and i in matches:
            return matches[i]
    return _resolve(name, golds)


def _parse_value(value: Any) -> tuple[float, ...]:
    if value is None:
        return ()
    if isinstance(value, (int, float)):
        return (float(value),)
    s = unicodedata.normalize("NFKC", str(value)).lower().replace(",", "")
    s = s.replace("×", " ").replace("times", " ").strip()
    numbers = [float(m.group(1)) * (_SCALE[m.group(2)] if m.group(2) else 1.0) for m in _NUMBER.finditer(s)]
    if not numbers and re.search(r"\border of magnitude\b", s):
        numbers.append(10.0)
    if not numbers:
        numbers += [float(x) for w, x in _WORD_NUMBERS.items() if re.search(rf"\b{w}\b", s)][:1]
    return tuple(numbers)


def same_value(a: Any, b: Any) -> bool:
    """The scorer's value agreement: the same numbers ("2-3" is two), scale words applied."""
    va, vb = _parse_value(a), _parse_value(b)
    return bool(va) and len(va) == len(vb) and all(
        math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9) for x, y in zip(va, vb, strict=True))


def unit_class(unit: str | None) -> str:
    """The scorer's unit class ("times", "fold" and "x" are one)."""
    u = (unit or "").strip().lower()
    return _UNIT_CLASS.get(u, u)


def evaluate_files(gold_path: Path, records: Iterable[dict[str, Any]]) -> Report:
    """Score in-memory predicted records against a gold file."""
    return evaluate(load_records(gold_path), {str(r["id"]): r for r in records})
