"""The labelled corpus: inline markup, the record schema, and reading and writing JSONL splits."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from model.labels import LABELS, MARKUP_CODES

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
AUTHORED_DIR = DATA_DIR / "authored"
CORPUS_DIR = DATA_DIR / "corpus"
CHALLENGE_DIR = DATA_DIR / "challenge"
SPLITS = ("train", "dev", "test")
# Hard cases written by a different author, never trained on: a second, harder test set.
CHALLENGE = "challenge"

CHANNELS = (
    "product_title",
    "detail_page",
    "short_video",
    "livestream",
    "social_post",
    "wechat_article",
    "banner",
    "sms",
)
KINDS = ("clean", "hard_negative", "plain", "paraphrased", "multi", "long")

_MARKUP = re.compile(r"\{([AEM])\|([^{}|]+)\}")

Span = tuple[int, int, str]


@dataclass
class Example:
    """One labelled text; spans are [start, end) character offsets into `text`, one label each."""

    id: str
    text: str
    spans: list[Span] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    industry: str = ""
    channel: str = ""
    kind: str = ""
    source: str = ""
    hand_authored: bool = True
    augmentation: str | None = None

    def to_json(self) -> str:
        data = asdict(self)
        data["spans"] = [list(s) for s in self.spans]
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict) -> Example:
        """A record in the corpus schema, or a hand-authored one (inline `{A|…}` markup and no `labels`)."""
        data = dict(data)
        if "labels" not in data:
            data["text"], spans = parse_markup(data["text"])
            data |= {"spans": spans, "labels": labels_of(spans), "source": data.get("source", data["id"])}
        data["spans"] = [tuple(s) for s in data.get("spans") or []]
        return cls(**data)


def parse_markup(markup: str) -> tuple[str, list[Span]]:
    """Turn `这款{A|最好}` into plain text and exact offsets; a stray brace or bar is an error."""
    parts, spans, pos, cursor = [], [], 0, 0
    for match in _MARKUP.finditer(markup):
        parts.append(markup[cursor : match.start()])
        pos += match.start() - cursor
        content = match.group(2)
        spans.append((pos, pos + len(content), MARKUP_CODES[match.group(1)]))
        parts.append(content)
        pos += len(content)
        cursor = match.end()
    parts.append(markup[cursor:])
    text = "".join(parts)
    if any(c in text for c in "{}|"):
        raise ValueError(f"stray markup character in {markup[:60]!r}")
    return text, spans


def labels_of(spans: Iterable[Span]) -> list[str]:
    present = {s[2] for s in spans}
    return [lab for lab in LABELS if lab in present]


def load_authored(directory: Path = AUTHORED_DIR) -> list[Example]:
    """Every hand-authored item, markup resolved into offsets."""
    examples = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                examples.append(Example.from_dict(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path.name}:{number}: {exc}") from exc
    return examples


def read_jsonl(path: Path) -> Iterator[Example]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield Example.from_dict(json.loads(line))


def write_jsonl(path: Path, examples: Iterable[Example]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(example.to_json() + "\n")


def load_splits(directory: Path = CORPUS_DIR, with_challenge: bool = False) -> dict[str, list[Example]]:
    names = SPLITS + ((CHALLENGE,) if with_challenge and (directory / f"{CHALLENGE}.jsonl").exists() else ())
    return {split: list(read_jsonl(directory / f"{split}.jsonl")) for split in names}


def data_hash(directory: Path = CORPUS_DIR) -> str:
    """A short content hash of the built splits, recorded in every run and artifact."""
    digest = hashlib.sha256()
    for split in SPLITS:
        digest.update((directory / f"{split}.jsonl").read_bytes())
    return digest.hexdigest()[:16]
