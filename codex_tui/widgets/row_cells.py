"""One cell of a session-list row: a field cut or padded to an exact width, its matched
characters styled, built straight as Segments.

Every visible row is rendered again on each search keystroke; building Rich `Text`s, copying,
truncating and rendering them cost about three times as much. The result is the same, cell
for cell, as `Text` with `truncate(overflow="ellipsis")` (or an ellipsis at the start for
paths) and `pad_right` (a property test holds the two together).
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from ..textutil import one_line

ELLIPSIS = "…"


def field_segments(value: str, width: int, positions: set[int] | None, match: Style,
                   base: Style | None = None, left: bool = False) -> list[Segment]:
    """`value` on one line in exactly `width` cells: cut with an ellipsis at the end (at the
    start with `left`, for paths, whose end says more), or padded with spaces. `positions`
    index the characters of `value` to show in the `match` style."""
    if width <= 0:
        return []
    flat = one_line(value)
    marked = _flat_positions(value, flat, positions) if positions else set()
    narrow = flat.isascii()  # one_line() made every control visible: one cell per char
    total = len(flat) if narrow else cell_len(flat)
    if total <= width:
        return _runs(flat, 0, marked, match, base) + _pad(width - total, base)
    if left:
        return _cut_start(flat, narrow, total, width, marked, match, base)
    return _cut_end(flat, width, marked, match, base)


def _cut_end(flat: str, width: int, marked: set[int], match: Style,
             base: Style | None) -> list[Segment]:
    cut = set_cell_size(flat, width - 1)  # room for the ellipsis; a split wide char: spaces
    # Styles go by position, so what replaces the cut text keeps the styles of the positions
    # it takes, as Text trims its spans.
    return _runs(cut + ELLIPSIS, 0, marked, match, base)


def _cut_start(flat: str, narrow: bool, total: int, width: int, marked: set[int],
               match: Style, base: Style | None) -> list[Segment]:
    drop = total - width + 1  # cells to drop, making room for the ellipsis
    if narrow:
        start, rest = drop, total - drop
    else:
        start = dropped = 0
        while start < len(flat) and dropped < drop:
            dropped += cell_len(flat[start])
            start += 1
        rest = cell_len(flat[start:])
        while 1 + rest > width:  # a wide character left it a cell too wide: one more
            start += 1
            rest = cell_len(flat[start:])
    return [Segment(ELLIPSIS), *_runs(flat[start:], start, marked, match, base),
            *_pad(width - 1 - rest, None)]


def _runs(text: str, offset: int, marked: set[int], match: Style,
          base: Style | None) -> list[Segment]:
    """`text` (whose first character is at `offset` in the field) in runs of one style."""
    if not text:
        return []
    if not marked:
        return [Segment(text, base)]
    hit = base + match if base else match
    segments: list[Segment] = []
    start = 0
    state = offset in marked
    for i in range(1, len(text)):
        now = (offset + i) in marked
        if now != state:
            segments.append(Segment(text[start:i], hit if state else base))
            start, state = i, now
    segments.append(Segment(text[start:], hit if state else base))
    return segments


def _pad(cells: int, base: Style | None) -> list[Segment]:
    return [Segment(" " * cells, base)] if cells > 0 else []


def _flat_positions(value: str, flat: str, positions: set[int]) -> set[int]:
    """Matched positions in the one-line text: the same when it is unchanged; otherwise each
    matched run is looked for again (whitespace was collapsed or controls made visible)."""
    if flat == value:
        return {p for p in positions if p < len(flat)}
    lowered = flat.lower()
    found: set[int] = set()
    for word in _matched_runs(value, positions):
        start = lowered.find(word.lower())
        if start != -1:
            found.update(range(start, start + len(word)))
    return found


def _matched_runs(value: str, positions: set[int]) -> list[str]:
    runs: list[str] = []
    current = ""
    for i, ch in enumerate(value):
        if i in positions:
            current += ch
        elif current:
            runs.append(current)
            current = ""
    if current:
        runs.append(current)
    return runs
