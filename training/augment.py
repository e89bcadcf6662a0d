"""Deterministic augmentation of the hand-authored corpus, spans preserved, origin recorded.

Two rewrites: evasions of violating spans (the way marketers dodge word filters), and long texts
composed from paragraphs of one split with violations placed anywhere, often past character 512.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import opencc

from training.corpus import Example, labels_of

_S2T = opencc.OpenCC("s2t")
_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz%."}
_PINYIN = {"最": "zui", "第一": "第yi", "顶级": "顶ji", "第1": "第①", "一": "yi"}

LONG_MIN_CHARS = 540
EVASION_RATE = 0.35


def _separate(content: str, rng: random.Random) -> str:
    return rng.choice([" ", "-", ".", "*", "_", "·"]).join(content)


def _traditional(content: str, rng: random.Random) -> str:
    return _S2T.convert(content)


def _full_width(content: str, rng: random.Random) -> str:
    return "".join(_FULL_WIDTH.get(c, c) for c in content)


def _pinyin(content: str, rng: random.Random) -> str:
    for plain, evasive in _PINYIN.items():
        if plain in content:
            return content.replace(plain, evasive, 1)
    return _separate(content, rng)


REWRITES: dict[str, Callable[[str, random.Random], str]] = {
    "separator": _separate,
    "traditional": _traditional,
    "full_width": _full_width,
    "pinyin": _pinyin,
}


def rewrite_spans(example: Example, name: str, rng: random.Random) -> Example:
    """Apply one rewrite to every span, shifting offsets so each span still covers its (new) words."""
    rewrite = REWRITES[name]
    parts, spans, cursor, shift = [], [], 0, 0
    for start, end, label in sorted(example.spans):
        new = rewrite(example.text[start:end], rng)
        parts += [example.text[cursor:start], new]
        spans.append((start + shift, start + shift + len(new), label))
        shift += len(new) - (end - start)
        cursor = end
    parts.append(example.text[cursor:])
    return Example(
        id=f"{example.id}~{name}",
        text="".join(parts),
        spans=spans,
        labels=example.labels,
        industry=example.industry,
        channel=example.channel,
        kind=example.kind,
        source=example.source,
        hand_authored=False,
        augmentation=f"evasion:{name}",
    )


def compose_long(pieces: list[Example], number: int) -> Example:
    """Join paragraphs into one long text; the first piece names the composite's source group."""
    text, spans = "", []
    for piece in pieces:
        if text:
            text += "\n"
        spans += [(s + len(text), e + len(text), lab) for s, e, lab in piece.spans]
        text += piece.text
    first = pieces[0]
    violating = next((p for p in pieces if p.spans), first)
    return Example(
        id=f"{violating.id}~long{number}",
        text=text,
        spans=spans,
        labels=labels_of(spans),
        industry=violating.industry,
        channel="wechat_article",
        kind="long",
        source=violating.source,
        hand_authored=False,
        augmentation="long_compose:" + ",".join(p.id for p in pieces),
    )


def augment(examples: list[Example], seed: int = 7, long_per_industry: int = 12) -> list[Example]:
    """Augmented variants of one split's examples (never mixing splits, so groups cannot leak)."""
    rng = random.Random(seed)
    out = []
    names = sorted(REWRITES)
    for example in examples:
        if example.spans and example.kind != "long" and rng.random() < EVASION_RATE:
            variant = rewrite_spans(example, rng.choice(names), rng)
            if variant.text != example.text:
                out.append(variant)
    short = [e for e in examples if e.kind != "long"]
    seen: set[str] = set()
    for industry in sorted({e.industry for e in short}):
        clean = [e for e in short if e.industry == industry and not e.spans]
        violating = [e for e in short if e.industry == industry and e.spans]
        if len(clean) < 4:
            continue
        for number in range(long_per_industry):
            filler = rng.sample(clean, k=len(clean))
            pieces: list[Example] = []
            while sum(len(p.text) + 1 for p in pieces) < LONG_MIN_CHARS and filler:
                pieces.append(filler.pop())
            if violating and number % 4 != 0:
                # Most composites hide the violation at the end, past the first window.
                pieces.append(rng.choice(violating))
                if number % 3 == 0:
                    pieces.insert(rng.randrange(len(pieces)), rng.choice(violating))
            composite = compose_long(pieces, number)
            if composite.text not in seen:
                seen.add(composite.text)
                out.append(composite)
    return out
