"""Find in a transcript (`/`, `n`, `N`): every match of a query highlighted, counted in a
worker over all the text (folded parts too), and the cursor moved from match to match,
a folded block unfolded when the match to go to is hidden in it. Literal, with case and
accents ignored as in every search (store/fold.py)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.worker import get_current_worker

from ..render import Block, search_text
from ..store.fold import Needle

if TYPE_CHECKING:
    from collections.abc import Callable

Match = tuple[int, int, int, int]  # block, row, first cell, cell after the match


class TranscriptFind:
    """Mixed into TranscriptView: the find state and moves, over the view's blocks and
    rendered rows."""

    _blocks: list[Block]
    _query: str
    _pattern: Needle | None
    _match: Match | None
    _counts: dict[int, int] | None
    _overrides: dict[tuple, bool]
    cursor: int
    _Counted: Any  # the view's message carrying a worker's counts
    FindChanged: Any
    _strips: Callable[[int], list[Strip]]
    expanded: Callable[[int], bool]
    foldable: Callable[[int], bool]

    if TYPE_CHECKING:  # the view's and Textual's methods used here (loosely: any signature)
        def refresh(self, *args: Any, **kwargs: Any) -> Any: ...
        def run_worker(self, *args: Any, **kwargs: Any) -> Any: ...
        def post_message(self, *args: Any, **kwargs: Any) -> Any: ...
        def _sync_virtual_size(self) -> None: ...
        def _set_cursor(self, index: int) -> None: ...
        def show_block(self, index: int, row: int = 0, where: str = "top") -> None: ...

    @property
    def find_query(self) -> str:
        """What find highlights ("" when find is off). (Not `query`: that is Textual's
        DOMNode.query(), which the view must keep.)"""
        return self._query

    def set_query(self, query: str) -> None:
        """Highlight every match of `query` (literal; case and accents ignored, as in every
        search: store/fold.py); "" clears."""
        if query == self._query:
            return
        self._query = query
        self._pattern = Needle(query) if query and Needle(query) else None
        self._match = None
        self._counts = None
        if query:
            self._count_matches()
        self.refresh()

    def _count_matches(self) -> None:
        self._counts = None
        self.run_worker(partial(self._count, self._query, list(self._blocks)),
                        thread=True, exclusive=True, group="transcript-find",
                        description="count find matches", exit_on_error=False)

    def _count(self, query: str, blocks: list[Block]) -> None:
        """Worker thread: matches per block, in all their text (folded parts too)."""
        worker = get_current_worker()
        needle = Needle(query)
        counts: dict[int, int] = {}
        for index, block in enumerate(blocks):
            if worker.is_cancelled:
                return
            # str.count, not a regex: megabytes of tool output, a common letter.
            n = needle.count(search_text(block))
            if n:
                counts[index] = n
        self.post_message(self._Counted(query, counts))

    def counted(self, query: str, counts: dict[int, int]) -> None:
        """The worker's counts arrived (they are dropped when the query has changed)."""
        if query != self._query:
            return
        self._counts = counts
        self._post_find()

    @property
    def match_total(self) -> int | None:
        return None if self._counts is None else sum(self._counts.values())

    def _post_find(self, wrapped: bool = False) -> None:
        self.post_message(self.FindChanged(self._query, self.match_total,
                                           self._match_number(), wrapped))

    def _match_number(self) -> int | None:
        if self._match is None or self._counts is None:
            return None
        index, row, start, _ = self._match
        before = sum(n for i, n in self._counts.items() if i < index)
        rank = sum(1 for m in self._row_matches(index) if (m[1], m[2]) < (row, start))
        return min(before + rank + 1, self.match_total or 0) or None

    def _row_matches(self, index: int) -> list[Match]:
        """Every match in the block's rendered rows."""
        found: list[Match] = []
        pattern = self._pattern
        if pattern is None:
            return found
        for row, strip in enumerate(self._strips(index)):
            plain = strip.text
            for m_start, m_end in pattern.spans(plain):
                start, end = _cells(plain, m_start), _cells(plain, m_end)
                found.append((index, row, start, end))
        return found

    def find_next(self, direction: int = 1) -> bool:
        """Move to the next (1) or previous (-1) match, wrapping around. A folded block is
        expanded when the match to go to is in its hidden part. False when there is no
        match at all."""
        if self._pattern is None or not self._blocks:
            return False
        forward = direction > 0
        if self._match is not None:
            here, row, col = self._match[:3]
        else:
            here, row, col = self.cursor, (-1 if forward else 1 << 30), 0

        def beyond(m: Match) -> bool:
            return (m[1], m[2]) > (row, col) if forward else (m[1], m[2]) < (row, col)

        def pick(found: list[Match], wrapped: bool) -> bool:
            self._go_to_match(found[0] if forward else found[-1])
            self._post_find(wrapped)
            return True

        found = self._matches_in(here, forward, beyond)
        if found:
            return pick(found, False)
        n = len(self._blocks)
        for step in range(1, n):
            index = (here + direction * step) % n
            if not self._pattern.search(search_text(self._blocks[index])):
                continue
            found = self._matches_in(index, forward)
            if found:
                return pick(found, (index < here) == forward)
        found = self._matches_in(here, forward, lambda m: not beyond(m))
        if found:
            return pick(found, True)
        self._post_find()
        return False

    def _matches_in(self, index: int, forward: bool,
                    keep: Callable[[Match], bool] | None = None) -> list[Match]:
        """The block's matches as drawn (those `keep` accepts). A folded block is expanded
        when its hidden part holds matches that come next: going forward, once the drawn
        ones are passed; going back, first (the hidden part is at the end)."""
        found = [m for m in self._row_matches(index) if keep is None or keep(m)]
        if (forward and found) or self.expanded(index) or not self.foldable(index):
            return found
        assert self._pattern is not None
        total = self._pattern.count(search_text(self._blocks[index]))
        if total > len(self._row_matches(index)):
            self._overrides[self._blocks[index].key] = True
            self._sync_virtual_size()
            found = [m for m in self._row_matches(index) if keep is None or keep(m)]
        return found

    def _go_to_match(self, match: Match) -> None:
        self._match = match
        self._set_cursor(match[0])
        self.show_block(match[0], match[1], where="nearest")
        self.refresh()

def _cells(plain: str, index: int) -> int:
    return index if plain.isascii() else cell_len(plain[:index])


def highlight(strip: Strip, pattern: Needle, style: Style) -> Strip:
    plain = strip.text
    spans = pattern.spans(plain)
    if not spans:
        return strip
    for start, end in reversed(spans):
        strip = restyle(strip, _cells(plain, start), _cells(plain, end), style)
    return strip


def restyle(strip: Strip, start: int, end: int, style: Style) -> Strip:
    """`strip` with the cells start..end drawn in `style` (over their own style)."""
    length = strip.cell_length
    end = min(end, length)
    if start >= end:
        return strip
    before, middle, after = strip.divide([start, end, length])
    return Strip.join([before, Strip(Segment.apply_style(list(middle), post_style=style),
                                     middle.cell_length), after])
