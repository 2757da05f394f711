"""A numeric claim under construction, and the record ``kg_claims`` stores for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.tokens import Span


@dataclass(slots=True)
class _Claim:
    """A claim under construction, with what list neighbours may borrow."""

    value: str
    number: float
    unit: str
    start: int
    end: int
    rule: str
    confidence: float
    sent: Span
    sentence: int
    last: int  # token index of the last token the claim consumed (value, unit, metric words)
    consumed_end: int  # char offset of the same
    metric: str | None = None
    metric_explicit: bool = False
    direction: str = "absolute"
    direction_explicit: bool = False
    baseline: str | None = None
    subject: list[int] | None = None
    dataset: list[int] | None = None
    group: int = -1
    group_pos: int = 0
    evidence: tuple[int, int] = (0, 0)

    def to_dict(self) -> dict[str, Any]:
        """The msgpack-safe record stored in ``doc._.kg_claims``."""
        return {"value": self.value, "number": self.number, "unit": self.unit,
                "metric": self.metric, "direction": self.direction, "baseline": self.baseline,
                "start": self.start, "end": self.end,
                "evidence_start": self.evidence[0], "evidence_end": self.evidence[1],
                "sentence": self.sentence, "subject": self.subject, "dataset": self.dataset,
                "rule": self.rule, "confidence": self.confidence}
