"""`adlint evaluate`: the model alone, the rule layer alone and their fusions, on a labelled split.

Writes evaluation.json and evaluation.md. The recommended fusion is the one with the best macro-F1 (then span F1)
among those that keep false positives on hard negatives and on real external copy within bounds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from model.checker import Checker, fuse
from model.config import CONFIG_FILE, FUSION_POLICIES
from model.findings import CheckResult
from training.corpus import Example, read_jsonl
from training.metrics import label_metrics, span_overlap_f1
from training.train import targets

MAX_HARD_NEGATIVE_FPR = 0.08
MAX_EXTERNAL_FPR = 0.05
GROUPS = ("clean", "hard_negative", "plain", "paraphrased", "multi", "long", "evasion")


def _group(example: Example) -> str:
    return "evasion" if (example.augmentation or "").startswith("evasion") else example.kind


def read_external(path: Path, field: str = "summary") -> list[str]:
    """Unlabelled real copy (e.g. AdvertiseGen): every flag on it is counted as a false positive."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)[field] for line in handle if line.strip()]


def policy_report(examples: list[Example], results: list[CheckResult], labels: list[str], scores: np.ndarray) -> dict:
    gold = targets(examples)
    predicted = np.array([[lab in r.labels for lab in labels] for r in results])
    report = label_metrics(gold, predicted, labels, scores)
    flagged = predicted.any(axis=1)
    report["flag_rate"] = {}
    for group in GROUPS:
        rows = [i for i, e in enumerate(examples) if _group(e) == group]
        if rows:
            report["flag_rate"][group] = round(float(flagged[rows].mean()), 4)
    para = [i for i, e in enumerate(examples) if e.kind == "paraphrased"]
    if para:
        report["paraphrased_recall"] = round(float(predicted[para][gold[para] > 0].mean()), 4)
    report["hard_negative_fpr"] = report["flag_rate"].get("hard_negative", 0.0)
    report["span_overlap"] = span_overlap_f1(
        [list(e.spans) for e in examples], [[(s.start, s.end, s.label) for s in r.spans] for r in results]
    )
    return report


def evaluate(
    artifact: str | Path | None,
    split: Path,
    output: Path,
    external: Path | None = None,
    record: bool = False,
    fusion: str | None = None,
) -> dict:
    checker = Checker.load(artifact)
    examples = list(read_jsonl(split))
    labels = list(checker.config.labels)
    texts = [e.text for e in examples]
    predictions = checker.engine.predict(texts)
    readings = [checker.rules.read(t) for t in texts]
    model_scores = np.array([[p.scores[lab] for lab in labels] for p in predictions])
    external_texts = read_external(external) if external else []
    external_predictions = checker.engine.predict(external_texts) if external_texts else []
    external_readings = [checker.rules.read(t) for t in external_texts]
    report: dict = {"split": str(split), "examples": len(examples), "model_version": checker.version, "policies": {}}
    for policy in FUSION_POLICIES:
        results = [
            fuse(t, p, r.findings, policy, checker.config.thresholds, r.lawful)
            for t, p, r in zip(texts, predictions, readings, strict=True)
        ]
        rule_scores = np.array([[float(lab in r.labels) for lab in labels] for r in results])
        scores = rule_scores if policy == "rules" else np.maximum(model_scores, rule_scores * (policy != "model"))
        entry = policy_report(examples, results, labels, scores)
        if external_texts:
            flagged = [
                bool(fuse(t, p, r.findings, policy, checker.config.thresholds, r.lawful).labels)
                for t, p, r in zip(external_texts, external_predictions, external_readings, strict=True)
            ]
            entry["external_fpr"] = round(float(np.mean(flagged)), 4)
        report["policies"][policy] = entry
    eligible = [
        name
        for name, entry in report["policies"].items()
        if entry["hard_negative_fpr"] <= MAX_HARD_NEGATIVE_FPR and entry.get("external_fpr", 0) <= MAX_EXTERNAL_FPR
    ] or list(FUSION_POLICIES)
    report["recommended_fusion"] = max(
        eligible,
        key=lambda name: (report["policies"][name]["macro_f1"], report["policies"][name]["span_overlap"]["f1"]),
    )
    output.mkdir(parents=True, exist_ok=True)
    (output / "evaluation.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    (output / "evaluation.md").write_text(markdown(report), encoding="utf-8")
    if record and artifact:
        record_in_artifact(Path(artifact), split.stem, report, fusion or report["recommended_fusion"])
    return report


def record_in_artifact(artifact: Path, name: str, report: dict, fusion: str) -> None:
    """Store the chosen fusion and its headline metrics in the artifact config (served by /v1/model)."""
    chosen = report["policies"][fusion]
    path = artifact / CONFIG_FILE
    config = json.loads(path.read_text(encoding="utf-8"))
    config["fusion"] = fusion
    config.setdefault("metrics", {})[name] = {
        "fusion": fusion,
        "examples": report["examples"],
        **{key: chosen[key] for key in ("macro_f1", "micro_f1", "hard_negative_fpr", "flag_rate")},
        "paraphrased_recall": chosen.get("paraphrased_recall"),
        "span_f1": chosen["span_overlap"]["f1"],
        "external_fpr": chosen.get("external_fpr"),
        "f1": {lab: m["f1"] for lab, m in chosen["per_label"].items()},
    }
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")


def markdown(report: dict) -> str:
    policies = report["policies"]
    lines = [
        f"# Evaluation on `{report['split']}` ({report['examples']} texts, model {report['model_version']})",
        "",
        "| policy | macro-F1 | micro-F1 | paraphrased recall | hard-negative FPR | span F1 | external FPR |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, e in policies.items():
        lines.append(
            f"| {name} | {e['macro_f1']} | {e['micro_f1']} | {e.get('paraphrased_recall', '-')} | "
            f"{e['hard_negative_fpr']} | {e['span_overlap']['f1']} | {e.get('external_fpr', '-')} |"
        )
    lines += ["", f"Recommended fusion: **{report['recommended_fusion']}**", ""]
    for name, e in policies.items():
        lines += [
            f"## {name}",
            "",
            "| label | precision | recall | F1 | PR-AUC | support |",
            "|---|---|---|---|---|---|",
        ]
        for lab, m in e["per_label"].items():
            lines.append(
                f"| {lab} | {m['precision']} | {m['recall']} | {m['f1']} | {m.get('pr_auc', '-')} | {m['support']} |"
            )
        lines += ["", "Flag rate by kind: " + ", ".join(f"{k} {v}" for k, v in e["flag_rate"].items()), ""]
    return "\n".join(lines)
