"""What a batch run found: counts for the terminal summary and the self-contained HTML report."""

from __future__ import annotations

import html
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from model.labels import LABELS

COLOURS = {"absolute_term": "#d9480f", "exaggerated_claim": "#c2255c", "misleading_statement": "#1971c2"}


@dataclass
class Summary:
    """Streaming counts: memory grows with distinct terms and groups, not with rows."""

    group_by: str | None = None
    rows: int = 0
    errors: int = 0
    chars: int = 0
    flagged: Counter = field(default_factory=Counter)
    terms: Counter = field(default_factory=Counter)
    groups: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    started: float = field(default_factory=time.perf_counter)
    seconds: float = 0.0

    def add(self, record: dict[str, Any]) -> None:
        self.rows += 1
        if record.get("error"):
            self.errors += 1
            return
        labels = record.get("labels") or []
        self.flagged.update(labels)
        self.flagged["any"] += bool(labels)
        self.terms.update((s["label"], s["text"]) for s in record.get("spans") or [])
        if self.group_by:
            group = self.groups[str(record.get(self.group_by, ""))]
            group["rows"] += 1
            group.update(labels)

    def finish(self) -> None:
        self.seconds = time.perf_counter() - self.started

    def share(self, label: str) -> float:
        scored = self.rows - self.errors
        return self.flagged[label] / scored if scored else 0.0

    def text(self) -> str:
        lines = [
            f"rows: {self.rows}  errors: {self.errors}  flagged: {self.share('any'):.1%}",
            *(f"  {lab}: {self.share(lab):.1%}" for lab in LABELS),
            f"throughput: {self.rows / self.seconds:.1f} rows/s over {self.seconds:.1f} s" if self.seconds else "",
            "top flagged terms: " + "，".join(f"{t}（{n}）" for (_, t), n in self.terms.most_common(10)),
        ]
        return "\n".join(line for line in lines if line)

    def html(self, title: str) -> str:
        """A self-contained page: inline SVG bars per label and per group, and the top findings."""
        bars = _bars([(lab, self.share(lab), COLOURS[lab]) for lab in LABELS])
        group_rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{counts['rows']}</td>"
            + "".join(f"<td>{_share_cell(counts[lab] / counts['rows'], COLOURS[lab])}</td>" for lab in LABELS)
            + "</tr>"
            for name, counts in sorted(self.groups.items(), key=lambda kv: -kv[1]["rows"])
        )
        group_table = (
            f"<h2>Flagged share by {html.escape(self.group_by)}</h2><table><tr><th>{html.escape(self.group_by)}</th>"
            "<th>rows</th>" + "".join(f"<th>{lab}</th>" for lab in LABELS) + f"</tr>{group_rows}</table>"
            if self.group_by
            else ""
        )
        top = "".join(
            f"<tr><td>{html.escape(term)}</td><td>{lab}</td><td>{n}</td></tr>"
            for (lab, term), n in self.terms.most_common(30)
        )
        return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}}h1{{font-size:1.4rem}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{self.rows} rows, {self.errors} with errors, {self.share("any"):.1%} flagged.</p>
<h2>Flagged share per label</h2>{bars}{group_table}
<h2>Top findings</h2><table><tr><th>term</th><th>label</th><th>count</th></tr>{top}</table>
</body></html>"""


def _share_cell(share: float, colour: str) -> str:
    return (
        f'<svg width="120" height="14"><rect width="{share * 100:.1f}" height="14" fill="{colour}"/></svg> {share:.1%}'
    )


def _bars(items: list[tuple[str, float, str]]) -> str:
    rows = "".join(
        f'<text x="0" y="{20 + i * 28}" font-size="13">{lab}</text>'
        f'<rect x="170" y="{8 + i * 28}" width="{share * 400:.1f}" height="16" fill="{colour}"/>'
        f'<text x="{176 + share * 400:.1f}" y="{20 + i * 28}" font-size="13">{share:.1%}</text>'
        for i, (lab, share, colour) in enumerate(items)
    )
    return f'<svg width="640" height="{len(items) * 28 + 10}" role="img">{rows}</svg>'
