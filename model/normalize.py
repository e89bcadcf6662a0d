"""Undoes the ways advertisers disguise words, keeping a map back to the characters they typed.

Steps, in order: case folding, full-width to half-width and circled digits (see `fold`);
traditional to simplified with OpenCC; separators between characters removed (最 好, 最-好, 最🔥好);
pinyin and homophone evasions replaced (zui好, 顶ji, 醉好). Lexicon terms are written in the form this
module produces, so matching is exact; every offset in the result maps back to the original text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import opencc
import yaml

from model.offsets import Edit, OffsetMap

# Texts each normalizer remembers: a micro-batch (the API allows 64 texts per request) is normalized by the
# engine and then again by the rule layer, and the second time is a lookup.
MEMO_TEXTS = 64
EVASIONS_PATH = Path(__file__).resolve().parent / "lexicon" / "evasions.yaml"
HAN = "\u3400-\u4dbf\u4e00-\u9fff"

_CIRCLED_DIGITS = {
    "0": "⓪⓿",
    "1": "①⑴⒈❶➀➊⓵",
    "2": "②⑵⒉❷➁➋⓶",
    "3": "③⑶⒊❸➂➌⓷",
    "4": "④⑷⒋❹➃➍⓸",
    "5": "⑤⑸⒌❺➄➎⓹",
    "6": "⑥⑹⒍❻➅➏⓺",
    "7": "⑦⑺⒎❼➆➐⓻",
    "8": "⑧⑻⒏❽➇➑⓼",
    "9": "⑨⑼⒐❾➈➒⓽",
}

# Chinese sentence punctuation is the ordinary way to write, not an evasion: it stays full-width, so that
# the common text needs no per-character translation at all. Patterns accept both forms where it matters.
KEPT_FULL_WIDTH = "，！？：；（）"


def _fold_table() -> dict[int, str]:
    """Full-width letters, digits and symbols, the ideographic space and circled digits, one to one."""
    table = {cp: chr(cp - 0xFEE0).lower() for cp in range(0xFF01, 0xFF5F) if chr(cp) not in KEPT_FULL_WIDTH}
    table |= {ord("\u3000"): " ", ord("￥"): "¥", ord("￠"): "¢", ord("￡"): "£"}
    table |= {ord(c): digit for digit, chars in _CIRCLED_DIGITS.items() for c in chars}
    return table


_FOLD_TABLE = _fold_table()
_FOLDABLE = re.compile("[" + "".join(map(re.escape, map(chr, sorted(_FOLD_TABLE)))) + "]")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """Lower case, full-width to half-width, circled digits to digits; never changes the length.

    str.lower and a regex check run at C speed; the per-character translate only runs on the rare text
    that has something to fold. str.lower lengthens a handful of characters (İ), so those texts fold ASCII only.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = text.translate(_ASCII_LOWER)
    return lowered.translate(_FOLD_TABLE) if _FOLDABLE.search(lowered) else lowered


_T2S = opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """OpenCC t2s; its tables map one character to one character, which this relies on and checks."""
    simplified = _T2S.convert(text)
    if len(simplified) == len(text):
        return simplified
    return "".join(c if len(s := _T2S.convert(c)) != 1 else s for c in text)


# Characters that only ever sit between the characters of a word to break a filter: spaces, joiners,
# dashes, dots, stars, emoji. Newlines and sentence punctuation are not separators.
SEPARATORS = (
    " \t\u00a0\u2000-\u200f\u2010-\u2015\u2022\u2027\u202f\u205f\u2060\u3000\ufeff"
    "\\-_.*~·・|/\\\\+^=#'\"`"
    "\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\u3030\u303d\ufe00-\ufe0f\U0001f000-\U0001faff"
)
_SEPARATOR_RUN = re.compile(f"[{SEPARATORS}]+")
_HAN_CHAR = re.compile(f"[{HAN}]")
_JOINABLE = re.compile(f"[^\\n\\r{SEPARATORS}]")


def _between_characters(text: str, start: int, end: int) -> bool:
    """A separator run is removed only between two characters, at least one of them Chinese."""
    if start == 0 or end == len(text):
        return False
    before, after = text[start - 1], text[end]
    return bool(
        _JOINABLE.match(before) and _JOINABLE.match(after) and (_HAN_CHAR.match(before) or _HAN_CHAR.match(after))
    )


def _beside_han(text: str, start: int, end: int) -> bool:
    """A Latin evasion key (zui) counts only next to a Chinese character and not inside a Latin word."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if before.isascii() and before.isalpha() or after.isascii() and after.isalpha():
        return False
    return bool(_HAN_CHAR.match(before or " ") or _HAN_CHAR.match(after or " "))


@dataclass(frozen=True)
class Normalized:
    """The normalized text and the maps that lead each offset back to `original`."""

    original: str
    text: str
    maps: tuple[OffsetMap, ...] = ()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """[start, end) in `text` as the span of `original` that produced it."""
        for offset_map in reversed(self.maps):
            start, end = offset_map.start(start), offset_map.end(end)
        return start, end


Replacement = Callable[[str, int, int], "str | None"]


def _rewrite(text: str, pattern: re.Pattern[str], replacement: Replacement) -> tuple[str, OffsetMap | None]:
    """Replaces each match of `pattern` by replacement(text, start, end), which may return None to keep it."""
    pieces: list[str] = []
    edits: list[Edit] = []
    last = shift = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        new = replacement(text, start, end)
        if new is None:
            continue
        pieces += (text[last:start], new)
        edits.append(Edit(start + shift, start + shift + len(new), start, end))
        shift += len(new) - (end - start)
        last = end
    if not edits:
        return text, None
    pieces.append(text[last:])
    return "".join(pieces), OffsetMap(tuple(edits))


def _drop_separator(text: str, start: int, end: int) -> str | None:
    return "" if _between_characters(text, start, end) else None


class Normalizer:
    """Normalizes with a given evasion table ({evasive form: normalized form}, both lower case)."""

    def __init__(self, evasions: Mapping[str, str] | None = None) -> None:
        self.evasions = dict(evasions or {})
        self._latin = {key for key in self.evasions if not _HAN_CHAR.search(key)}
        keys = sorted(self.evasions, key=len, reverse=True)
        self._evasion = re.compile("|".join(map(re.escape, keys))) if keys else None

    def _undo_evasion(self, text: str, start: int, end: int) -> str | None:
        key = text[start:end]
        if key in self._latin and not _beside_han(text, start, end):
            return None
        return self.evasions[key]

    def __call__(self, text: str) -> Normalized:
        return self._normalize(text)

    @lru_cache(maxsize=MEMO_TEXTS)  # noqa: B019 (normalizers are few and long-lived)
    def _normalize(self, text: str) -> Normalized:
        folded = to_simplified(fold(text))
        maps = []
        joined, separator_map = _rewrite(folded, _SEPARATOR_RUN, _drop_separator)
        if separator_map:
            maps.append(separator_map)
        if self._evasion:
            joined, evasion_map = _rewrite(joined, self._evasion, self._undo_evasion)
            if evasion_map:
                maps.append(evasion_map)
        return Normalized(text, joined, tuple(maps))

    def term(self, term: str) -> str:
        """The normalized form of a lexicon or customer term."""
        return self(term).text


class EvasionsError(ValueError):
    """The evasion table is malformed; the message names the offending key."""


def load_evasions(path: Path) -> dict[str, str]:
    """Reads {evasive form: normalized form}; keys are written as normalization sees them (lower case)."""
    table = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(table, dict):
        raise EvasionsError(f"{path}: expected a mapping of evasive form to normalized form")
    plain = Normalizer()
    for key, value in table.items():
        if not isinstance(key, str) or not isinstance(value, str) or not key or not value:
            raise EvasionsError(f"{path}: {key!r}: both sides must be non-empty strings")
        if plain.term(key) != key or plain.term(value) != value:
            raise EvasionsError(f"{path}: {key!r}: write both sides normalized (simplified, half-width, lower case)")
    return dict(table)


def normalizer_for(evasions: Mapping[str, str]) -> Normalizer:
    """One shared normalizer per evasion table: the engine and the rule layer normalize each text once between them."""
    return _shared(frozenset(evasions.items()))


@cache
def _shared(evasions: frozenset[tuple[str, str]]) -> Normalizer:
    return Normalizer(dict(evasions))


@cache
def default_normalizer() -> Normalizer:
    """The normalizer with the shipped evasion table."""
    return normalizer_for(load_evasions(EVASIONS_PATH))


def normalize(text: str) -> Normalized:
    """Normalizes with the shipped evasion table."""
    return default_normalizer()(text)
