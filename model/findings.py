"""What a check returns: findings with spans into the original text, and per-text results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["block", "review"]
Source = Literal["model", "rule"]


@dataclass(frozen=True)
class Finding:
    """One problem in a text: [start, end) are offsets into the original, un-normalized text."""

    start: int
    end: int
    text: str
    label: str
    score: float
    source: Source
    rule_id: str | None = None
    basis: str = ""
    suggestion: str = ""
    severity: Severity = "review"

    def to_dict(self) -> dict:
        return dict(self.__dict__)  # all fields are flat; asdict's recursive copy costs more than scoring them


@dataclass
class CheckResult:
    """The verdict on one text: labels over threshold, a score per label and the spans behind them."""

    labels: list[str]
    scores: dict[str, float]
    spans: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "labels": list(self.labels),
            "scores": dict(self.scores),
            "spans": [s.to_dict() for s in self.spans],
        }
