"""`adlint check`'s readable output: the text with its offending words marked, then each finding explained."""

from __future__ import annotations

from typing import Any

ANSI_RESET = "\x1b[0m"
ANSI_BY_LABEL = {
    "absolute_term": "\x1b[1;37;41m",
    "exaggerated_claim": "\x1b[1;30;43m",
    "misleading_statement": "\x1b[1;37;45m",
}
BRACKETS = ("【", "】")


def _regions(spans: list[Any]) -> list[tuple[int, int, str]]:
    """Overlapping spans merged into disjoint [start, end) regions, each with its first span's label."""
    regions: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if regions and span.start < regions[-1][1]:
            start, end, label = regions[-1]
            regions[-1] = (start, max(end, span.end), label)
        else:
            regions.append((span.start, span.end, span.label))
    return regions


def mark(text: str, spans: list[Any], colour: bool) -> str:
    """`text` with each flagged region wrapped in 【】, or coloured by label on a terminal."""
    pieces, cursor = [], 0
    for start, end, label in _regions(spans):
        before, after = (ANSI_BY_LABEL[label], ANSI_RESET) if colour else BRACKETS
        pieces += [text[cursor:start], before, text[start:end], after]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def render(text: str, result: Any, colour: bool) -> str:
    """The marked text, a verdict line, and per finding its label, source, basis and suggestion."""
    lines = [mark(text, result.spans, colour), ""]
    if not result.labels and not result.spans:
        lines.append("OK: no findings")
        return "\n".join(lines)
    lines.append(f"{len(result.spans)} finding(s); labels: {', '.join(result.labels) or '-'}")
    for number, span in enumerate(result.spans, 1):
        source = f"rule {span.rule_id}" if span.rule_id else span.source
        lines += [
            "",
            f"{number}. {span.text}  [{span.label}, {span.severity}, {source}, score {span.score:.2f}]",
            f"   basis:      {span.basis}",
            f"   suggestion: {span.suggestion}",
        ]
    return "\n".join(lines)
