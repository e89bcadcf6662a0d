"""The public API: `Checker.load().check(texts)` fuses the model's verdict with the explaining rule layer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from model.engine import Engine, Prediction
from model.findings import CheckResult, Finding
from model.rules import DenyItem, Lawful, Rules

SHIPPED_ARTIFACT = Path(__file__).parent / "artifact"
# Policies under which only a model label (or a customer's deny term) lets a rule finding through.
QUIET_WITHOUT_MODEL = ("model", "explain")


def _overlaps(a: Finding, b: Finding) -> bool:
    return a.start < b.end and b.start < a.end


def _cleared(span: Finding, lawful: Sequence[Lawful]) -> bool:
    return any(
        r.start <= span.start and span.end <= r.end and (r.labels is None or span.label in r.labels) for r in lawful
    )


def fuse(
    text: str,
    prediction: Prediction,
    rule_findings: list[Finding],
    policy: str,
    thresholds: dict[str, float],
    lawful: Sequence[Lawful] = (),
) -> CheckResult:
    """Combine model and rule findings under `policy`.

    model: the model's labels and spans only. rules: the rule layer only. union: either source flags.
    gated: the model decides, but `block` rules flag on their own too. explain: the model decides; rule
    findings only explain the labels it predicts. Customer deny terms flag under every policy but `model`:
    the customer asked for them. `lawful` are the stretches the rule layer reads lawfully (`Rules.read`): a
    model span inside one is dropped, and so is a label all of whose spans were (本品不能代替药物 is a required
    notice, 国家级自然保护区 a designation, an allowed brand the customer's own word). Under `model` only the
    customer's allow terms and names clear the model, not the context rules.
    """
    if policy == "model":
        lawful = [r for r in lawful if r.labels is None]
    model_spans = [s for s in prediction.spans if not _cleared(s, lawful)]
    model_labels = {
        lab
        for lab, p in prediction.scores.items()
        if p >= thresholds[lab]
        and (any(s.label == lab for s in model_spans) or not any(s.label == lab for s in prediction.spans))
    }
    if policy == "model":
        rule_findings = []
    elif policy == "rules":
        model_spans, model_labels = [], set()
    elif policy in ("gated", "explain"):
        rule_findings = [
            f
            for f in rule_findings
            if f.label in model_labels
            or (f.rule_id or "").startswith("custom-")
            or (policy == "gated" and f.severity == "block")
        ]
    spans = list(rule_findings)
    spans += [m for m in model_spans if not any(_overlaps(m, r) for r in rule_findings)]
    spans.sort(key=lambda f: (f.start, f.end))
    labels = [lab for lab in thresholds if lab in model_labels or any(f.label == lab for f in rule_findings)]
    return CheckResult(labels=labels, scores=prediction.scores, spans=spans)


class Checker:
    """Scores advertising copy: labels, per-label scores and explained spans for each text."""

    def __init__(self, engine: Engine, rules: Rules) -> None:
        self.engine = engine
        self.rules = rules
        self.config = engine.config

    @classmethod
    def load(
        cls, model_dir: str | Path | None = None, lists_path: str | Path | None = None, threads: int = 0
    ) -> Checker:
        """Load an artifact folder (default: the shipped model) and the rule layer."""
        engine = Engine(model_dir or SHIPPED_ARTIFACT, threads=threads)
        return cls(engine, Rules.load(lists_path=lists_path))

    @property
    def version(self) -> str:
        return self.config.version

    def info(self) -> dict:
        return {
            "version": self.config.version,
            "labels": list(self.config.labels),
            "thresholds": self.config.thresholds,
            "fusion": self.config.fusion,
            "base_model": self.config.base_model,
            "data_hash": self.config.data_hash,
            "quantized": self.config.quantized,
            "max_length": self.config.max_length,
            "stride": self.config.stride,
            "metrics": self.config.metrics,
        }

    def explain(
        self,
        text: str,
        prediction: Prediction,
        industry: str | None = None,
        allow: Sequence[str] = (),
        deny: Sequence[DenyItem] = (),
    ) -> CheckResult:
        """Fuse one model prediction with the rule layer; the service calls this after micro-batching."""
        flagged = any(p >= self.config.thresholds[lab] for lab, p in prediction.scores.items())
        if not flagged and self.config.fusion in QUIET_WITHOUT_MODEL and not self.rules.denies(deny):
            return CheckResult(labels=[], scores=prediction.scores, spans=[])  # nothing the rules find could show
        reading = self.rules.read(text, industry=industry, allow=allow, deny=deny, lawful=flagged)
        return fuse(text, prediction, reading.findings, self.config.fusion, self.config.thresholds, reading.lawful)

    def check(
        self,
        texts: Sequence[str],
        industry: str | None = None,
        allow: Sequence[str] = (),
        deny: Sequence[DenyItem] = (),
    ) -> list[CheckResult]:
        predictions = self.engine.predict(list(texts))
        return [self.explain(t, p, industry, allow, deny) for t, p in zip(texts, predictions, strict=True)]
