"""Maps offsets in a rewritten text back to the text it was rewritten from.

Normalization only changes a text in a few places (a removed separator, a pinyin syllable turned into a
character), so a map is a short sorted list of edits, not an array per character: building it costs
nothing when nothing changed, and looking an offset up is a binary search.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Edit:
    """Original [orig_start, orig_end) became rewritten [new_start, new_end); outside edits text is copied."""

    new_start: int
    new_end: int
    orig_start: int
    orig_end: int


@dataclass(frozen=True)
class OffsetMap:
    """One rewriting step's edits, sorted and non-overlapping."""

    edits: tuple[Edit, ...] = ()
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(e.new_start for e in self.edits))

    def start(self, pos: int) -> int:
        """Original offset of the character at rewritten `pos`: a span starting inside an edit starts at it."""
        k = bisect_right(self._starts, pos) - 1
        if k < 0:
            return pos
        edit = self.edits[k]
        if pos < edit.new_end:
            return edit.orig_start
        return edit.orig_end + pos - edit.new_end

    def end(self, pos: int) -> int:
        """Original offset for an exclusive end `pos`: a span ending inside an edit takes all of it."""
        k = bisect_left(self._starts, pos) - 1
        if k < 0:
            return pos
        edit = self.edits[k]
        if pos <= edit.new_end:
            return edit.orig_end
        return edit.orig_end + pos - edit.new_end
