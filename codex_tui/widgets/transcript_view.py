"""A virtual view of a transcript: blocks are rendered only when they come on screen, and
rendered rows are cached, so a 30 MB session scrolls like a small one.

Heights: every block starts with a cheap estimate; a block drawn on screen gets its exact
height, and a worker thread measures the rest (at the current width) and posts them, the
view keeping the row at its top where it is. Positions are prefix sums of the heights,
and a row maps to its block by bisection.

Attributes down (`set_blocks`, `set_query`, `show_output`, `show_reasoning`), messages up
(`CurrentTurnChanged`, `FindChanged`).
"""

from __future__ import annotations

import time
from bisect import bisect_right
from functools import partial
from itertools import accumulate

from rich.cells import cell_len
from rich.segment import Segment
from textual import on
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from ..render import Block, BlockRenderer
from ..render.blocks import HEADER, OUTPUT, REASONING
from ..store.fold import Needle
from .strip_cache import StripCache
from .transcript_find import Match, TranscriptFind, highlight, restyle

GUTTER = 2  # the cursor bar and a space
ROW_BUDGET = 20_000  # rendered rows kept in the cache
MEASURE_BATCH_SECONDS = 0.1


class TranscriptView(TranscriptFind, ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up,k", "scroll_lines(-1)", "Up", show=False),
        Binding("down,j", "scroll_lines(1)", "Down", show=False),
        Binding("pageup,b", "page(-1)", "Page up", show=False),
        Binding("pagedown,space", "page(1)", "Page down", show=False),
        Binding("home,g", "top", "Top", show=False),
        Binding("end,G", "bottom", "End", show=False),
        Binding("tab", "cursor_block(1)", "Next block", show=False),
        Binding("shift+tab", "cursor_block(-1)", "Previous block", show=False),
        Binding("enter", "toggle_block", "Fold"),
    ]

    COMPONENT_CLASSES = {
        "transcript-view--cursor",
        "transcript-view--match",
        "transcript-view--current-match",
        "transcript-view--new",
    }

    DEFAULT_CSS = """
    TranscriptView {
        background: $surface;
        overflow-x: hidden;
        scrollbar-gutter: stable;
        & > .transcript-view--cursor { color: $accent; }
        &:focus > .transcript-view--cursor { color: $accent-lighten-1; }
        & > .transcript-view--match { background: $warning 45%; }
        & > .transcript-view--current-match {
            background: $warning; color: $background; text-style: bold;
        }
        & > .transcript-view--new { background: $accent; color: $text; text-style: bold; }
    }
    """

    class CurrentTurnChanged(Message):
        """The cursor moved into another turn (`turn` indexes thread.turns; None before
        the first turn)."""

        def __init__(self, turn: int | None) -> None:
            super().__init__()
            self.turn = turn

    class FindChanged(Message):
        """Where find stands: `total` matches (None while counting), `current` the 1-based
        number of the match at the cursor (None when there is none)."""

        def __init__(self, query: str, total: int | None, current: int | None,
                     wrapped: bool = False) -> None:
            super().__init__()
            self.query = query
            self.total = total
            self.current = current
            self.wrapped = wrapped

    class NewBelow(Message):
        """How many blocks arrived below the view since it left the bottom (0: none, or
        the view is back at the bottom)."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class BlocksPainted(Message):
        """The first blocks set have been rendered into a frame (the loader waits for
        this)."""

    class _Measured(Message):
        def __init__(self, generation: int, width: int, heights: dict[int, int]) -> None:
            super().__init__()
            self.generation = generation
            self.width = width
            self.heights = heights

    class _Counted(Message):
        def __init__(self, query: str, counts: dict[int, int]) -> None:
            super().__init__()
            self.query = query
            self.counts = counts

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._blocks: list[Block] = []
        self._painted: bool | None = None  # None until blocks are set (even an empty list)
        self._renderer = BlockRenderer()
        self._heights: list[int] = []
        self._exact: list[bool] = []
        self._tops_cache: list[int] = [0]
        self._tops_dirty = False
        self._width = 0  # the content width the heights are for
        self._overrides: dict[tuple, bool] = {}
        self._show_output = False
        self._show_reasoning = False
        self.cursor = 0
        self._reported_turn: int | None = -2
        self._cache = StripCache(ROW_BUDGET)
        self._query = ""
        self._pattern: Needle | None = None
        self._match: Match | None = None
        self._counts: dict[int, int] | None = None
        self._generation = 0
        self.new_below = 0  # blocks appended below the view while it was not at the bottom
        # The view follows the end: it was scrolled there and not away since. Kept as a
        # state, not read from the geometry when a session grows: heights measured or a
        # size arriving late move the end, and the view must stay on it.
        self._stick = False
        # When the last block set by `replace_from` was first drawn (for benchmarks).
        self.appended_at: float | None = None
        self.appended_painted_at: float | None = None

    # -- attributes down -------------------------------------------------------------------

    @property
    def blocks(self) -> list[Block]:
        return self._blocks

    def set_blocks(self, blocks: list[Block], keep_position: bool = True) -> None:
        """Show `blocks`; with `keep_position`, the block at the top of the view (and the
        cursor's) stay where they are when they are still there (by key)."""
        anchor = None
        cursor_key = None
        if keep_position and self._blocks:
            index, offset = self._anchor()
            anchor = (self._blocks[index].key, offset)
            cursor_key = self._blocks[self.cursor].key
        self._blocks = blocks
        if self._painted is None:
            self._painted = False
        self._cache.clear()
        self._match = None
        keys: dict[tuple | None, int] = {block.key: i for i, block in enumerate(blocks)}
        self.cursor = keys.get(cursor_key, 0) if blocks else 0
        self._reset_heights()
        if anchor is not None and anchor[0] in keys:
            self._scroll_to_anchor((keys[anchor[0]], anchor[1]))
        elif not keep_position:
            self.scroll_to(y=0, animate=False)
        if self._pattern is not None:
            self._count_matches()
        self._report_turn()
        self.refresh()

    def replace_from(self, index: int, blocks: list[Block]) -> None:
        """Replace the blocks from `index` on (a followed session grew: its last turn changed
        and turns were added). The blocks before `index` keep their heights and rendered rows.
        A view at the bottom stays at the bottom; otherwise it keeps its place and counts the
        new blocks below it (`new_below`, drawn as a "↓ N new" marker)."""
        index = max(0, min(index, len(self._blocks)))
        follow = self.at_bottom
        anchor = self._anchor()
        cursor_key = self._blocks[self.cursor].key if self._blocks else None
        added = len(blocks) - (len(self._blocks) - index)
        self._blocks = self._blocks[:index] + blocks
        if self._painted is None:
            self._painted = False
        self._width = self._width or self._content_width()
        estimate = self._renderer.estimate
        self._heights[index:] = [estimate(b, self._width, self.expanded(index + i))
                                 for i, b in enumerate(blocks)]
        self._exact[index:] = [False] * len(blocks)
        self._tops_dirty = True
        self._cache.drop_from(index)
        if self._match is not None and self._match[0] >= index:
            self._match = None
        if self.cursor >= index:
            keys: dict[tuple | None, int] = {
                b.key: index + i for i, b in enumerate(blocks)}
            self.cursor = keys.get(cursor_key, max(0, min(self.cursor, len(self._blocks) - 1)))
        if follow and self._blocks:
            self._measure_range(len(self._blocks) - 1, -1)
            self._sync_virtual_size()
            self.scroll_to(y=self.max_scroll_y, animate=False)
        else:
            if anchor[0] >= index:
                self._scroll_to_anchor(anchor)
            self._sync_virtual_size()
            if added > 0:
                self._set_new_below(self.new_below + added)
        self.appended_at = time.perf_counter()
        self.appended_painted_at = None
        self._start_measuring()
        if self._pattern is not None:
            self._count_matches()
        self._report_turn()
        self.refresh()

    @property
    def at_bottom(self) -> bool:
        """The view follows the end: the last row is on screen (or everything fits), or
        it was scrolled to the end and not away since."""
        return self._stick or self.scroll_y >= self.max_scroll_y

    def _set_new_below(self, count: int) -> None:
        if count != self.new_below:
            self.new_below = count
            self.post_message(self.NewBelow(count))
            self.refresh()

    @property
    def show_output(self) -> bool:
        return self._show_output

    @show_output.setter
    def show_output(self, value: bool) -> None:
        self._set_group(OUTPUT, value)

    @property
    def show_reasoning(self) -> bool:
        return self._show_reasoning

    @show_reasoning.setter
    def show_reasoning(self, value: bool) -> None:
        self._set_group(REASONING, value)

    def _set_group(self, group: str, value: bool) -> None:
        if group == OUTPUT:
            self._show_output = value
        else:
            self._show_reasoning = value
        anchor = self._anchor()
        # The global toggle wins over the blocks toggled one by one.
        for i, block in enumerate(self._blocks):
            if block.group == group:
                self._overrides.pop(block.key, None)
                self._heights[i] = self._renderer.estimate(block, self._width, value)
                self._exact[i] = False
        self._tops_dirty = True
        self._scroll_to_anchor(anchor)
        self._start_measuring()
        self.refresh()

    def expanded(self, index: int) -> bool:
        block = self._blocks[index]
        group = block.group
        if group is None:
            return False
        default = self._show_output if group == OUTPUT else \
            self._show_reasoning if group == REASONING else False
        return self._overrides.get(block.key, default)

    def foldable(self, index: int) -> bool:
        return 0 <= index < len(self._blocks) and \
            self._renderer.foldable(self._blocks[index], self._width)

    def toggle(self, index: int | None = None) -> bool:
        """Expand or fold one block (the cursor's); False when it has nothing to fold."""
        index = self.cursor if index is None else index
        if not self.foldable(index):
            return False
        block = self._blocks[index]
        self._overrides[block.key] = not self.expanded(index)
        self._strips(index)  # its exact height now
        top = self._tops()[index]
        if top < self.scroll_y:
            # Folding a long block seen from its middle: show it from its start.
            self._sync_virtual_size()
            self.scroll_to(y=top, animate=False)
        self._sync_virtual_size()
        if self._match is not None and self._match[0] == index:
            self._match = None
        self.refresh()
        return True

    @property
    def current_turn(self) -> int | None:
        """Position in thread.turns of the turn holding the cursor."""
        if not self._blocks:
            return None
        turn = self._blocks[self.cursor].turn
        return turn if turn >= 0 else None

    # -- heights and positions ---------------------------------------------------------------

    def _content_width(self) -> int:
        return max(1, self.scrollable_content_region.width - GUTTER)

    def _reset_heights(self) -> None:
        self._width = self._content_width()
        estimate = self._renderer.estimate
        width = self._width
        self._heights = [estimate(b, width, self.expanded(i)) for i, b in enumerate(self._blocks)]
        self._exact = [False] * len(self._blocks)
        self._tops_dirty = True
        self._sync_virtual_size()
        self._start_measuring()

    def _tops(self) -> list[int]:
        if self._tops_dirty:
            self._tops_cache = [0, *accumulate(self._heights)]
            self._tops_dirty = False
        return self._tops_cache

    @property
    def total_height(self) -> int:
        return self._tops()[-1]

    def _index_at(self, y: int) -> int:
        tops = self._tops()
        return max(0, min(len(self._blocks) - 1, bisect_right(tops, y) - 1))

    def _anchor(self) -> tuple[int, int]:
        """The block at the top of the view and how far into it the view starts."""
        if not self._blocks:
            return 0, 0
        y = int(self.scroll_y)
        index = self._index_at(y)
        return index, y - self._tops()[index]

    def _scroll_to_anchor(self, anchor: tuple[int, int]) -> None:
        index, offset = anchor
        if not self._blocks:
            return
        index = min(index, len(self._blocks) - 1)
        y = self._tops()[index] + min(offset, max(0, self._heights[index] - 1))
        self._sync_virtual_size()
        self.scroll_to(y=y, animate=False)

    def _set_height(self, index: int, height: int) -> None:
        self._exact[index] = True
        if self._heights[index] != height:
            self._heights[index] = height
            self._tops_dirty = True

    def _sync_virtual_size(self) -> None:
        size = Size(self.scrollable_content_region.width, self.total_height)
        if self.virtual_size != size:
            self.virtual_size = size

    def _measure_view(self) -> bool:
        """Render the blocks on screen (giving them exact heights) until the blocks that
        fill the view are all exact. True when a height changed."""
        changed = False
        height = max(1, self.scrollable_content_region.height)
        for _ in range(8):
            tops = self._tops()
            y = int(self.scroll_y)
            index = self._index_at(y)
            pending = False
            while index < len(self._blocks) and tops[index] < y + height:
                if not self._exact[index]:
                    before = self._heights[index]
                    self._strips(index)
                    changed = changed or self._heights[index] != before
                    pending = True
                index += 1
            if not pending:
                break
        return changed

    def _measure_range(self, start: int, step: int) -> None:
        """Exact heights for the blocks from `start` (going by `step`) that fill a view."""
        height = max(1, self.scrollable_content_region.height)
        total = 0
        index = start
        while 0 <= index < len(self._blocks) and total < height + 1:
            self._strips(index)
            total += self._heights[index]
            index += step

    # -- measuring in a worker ---------------------------------------------------------------

    def _start_measuring(self) -> None:
        self._generation += 1
        if not self._blocks or not self.is_mounted or self._width <= 1:
            return
        todo = [(i, b, self.expanded(i)) for i, b in enumerate(self._blocks)
                if not self._exact[i]]
        if todo:
            # A description, or Textual would repr() the arguments: every block's text.
            self.run_worker(partial(self._measure, self._generation, self._width, todo),
                            thread=True, exclusive=True, group="transcript-measure",
                            description="measure block heights", exit_on_error=False)

    def _measure(self, generation: int, width: int, todo: list) -> None:
        """Worker thread: exact heights, with a renderer (and Console) of its own."""
        worker = get_current_worker()
        renderer = BlockRenderer()
        batch: dict[int, int] = {}
        last = time.monotonic()
        for index, block, expanded in todo:
            if worker.is_cancelled:
                return
            batch[index] = renderer.measure(block, width, expanded)
            if time.monotonic() - last >= MEASURE_BATCH_SECONDS:
                self.post_message(self._Measured(generation, width, batch))
                batch = {}
                last = time.monotonic()
        self.post_message(self._Measured(generation, width, batch))

    @on(_Measured)
    def _on_measured(self, message: _Measured) -> None:
        message.stop()
        if message.generation != self._generation or message.width != self._width:
            return
        at_end = self._at_end()
        anchor = self._anchor()
        for index, height in message.heights.items():
            if index < len(self._exact) and not self._exact[index]:
                self._set_height(index, height)
        if at_end:
            self._sync_virtual_size()
            self.scroll_to(y=self.max_scroll_y, animate=False)
        else:
            self._scroll_to_anchor(anchor)
        self.refresh()

    def _at_end(self) -> bool:
        return self.max_scroll_y > 0 and self.at_bottom

    # -- rendering ---------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        if not self._blocks:
            return
        follow = self._stick and self.max_scroll_y > 0
        if self._content_width() != self._width:
            anchor = self._anchor()
            self._reset_heights()
            self._measure_range(anchor[0], 1)
            if not follow:
                self._scroll_to_anchor(anchor)
        else:
            self._sync_virtual_size()
        if follow:
            self.action_bottom()

    def _strips(self, index: int) -> list[Strip]:
        """The block's rows at the current width, rendered once and cached."""
        expanded = self.expanded(index)
        key = (index, self._width, expanded, self._query)
        strips = self._cache.get(key)
        if strips is None:
            block = self._blocks[index]
            width = self._width
            lines = self._renderer.render(block, width, expanded)
            strips = [Strip(line).adjust_cell_length(width) for line in lines]
            if self._pattern is not None:
                match_style = self.get_component_rich_style("transcript-view--match")
                strips = [highlight(s, self._pattern, match_style) for s in strips]
            self._cache.put(key, strips)
            self._set_height(index, len(strips))
        return strips

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._blocks and self._measure_view():
            self.call_later(self._sync_virtual_size)
        lines = super().render_lines(crop)
        if self._painted is False:
            self._painted = True
            self.post_message(self.BlocksPainted())
        if self.appended_at is not None and self.appended_painted_at is None:
            self.appended_painted_at = time.perf_counter()
        return lines

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row_y = int(self.scroll_y) + y
        if not self._blocks or row_y >= self.total_height:
            return self._with_marker(y, Strip.blank(width, self.rich_style), width)
        index = self._index_at(row_y)
        row = row_y - self._tops()[index]
        strips = self._strips(index)
        if row >= len(strips):
            return self._with_marker(y, Strip.blank(width, self.rich_style), width)
        line = strips[row]
        match = self._match
        if match is not None and match[0] == index and match[1] == row:
            style = self.get_component_rich_style("transcript-view--current-match")
            line = restyle(line, match[2], match[3], style)
        mark = "▌" if index == self.cursor else " "
        gutter = Strip([Segment(mark, self.get_component_rich_style("transcript-view--cursor")),
                        Segment(" ")], GUTTER)
        strip = Strip.join([gutter, line]).adjust_cell_length(width).apply_style(self.rich_style)
        return self._with_marker(y, strip, width)

    def _marker_label(self) -> str:
        n = self.new_below
        return f" ↓ {n} new block{'s' if n != 1 else ''} · End to follow "

    def _with_marker(self, y: int, strip: Strip, width: int) -> Strip:
        """The "↓ N new" marker over the right end of the view's last row."""
        if not self.new_below or y != self.scrollable_content_region.height - 1:
            return strip
        label = self._marker_label()
        cells = min(width, cell_len(label))
        marker = Strip([Segment(label, self.get_component_rich_style("transcript-view--new"))],
                       cell_len(label)).crop(0, cells)
        return Strip.join([strip.crop(0, width - cells), marker])

    # -- moving ------------------------------------------------------------------------------

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new >= self.max_scroll_y:
            self._stick = True
        elif new < old:  # scrolled up, away from the end
            self._stick = False
        self._follow_view()
        if self.new_below and self.at_bottom:
            self._set_new_below(0)

    def _follow_view(self) -> None:
        """Keep the cursor on a block that is on screen."""
        if not self._blocks:
            return
        tops = self._tops()
        top = int(self.scroll_y)
        bottom = top + max(1, self.scrollable_content_region.height)
        if tops[self.cursor + 1] <= top:
            index = self._index_at(top)
            # Rather the first block that starts on screen than one cut at the top.
            if tops[index] < top and index + 1 < len(self._blocks) and \
                    tops[index + 1] < bottom:
                index += 1
            self._set_cursor(index)
        elif tops[self.cursor] >= bottom:
            self._set_cursor(self._index_at(bottom - 1))

    def _set_cursor(self, index: int) -> None:
        index = max(0, min(index, len(self._blocks) - 1))
        if index != self.cursor:
            self.cursor = index
            self.refresh()
        self._report_turn()

    def _report_turn(self) -> None:
        turn = self.current_turn
        if turn != self._reported_turn:
            self._reported_turn = turn
            self.post_message(self.CurrentTurnChanged(turn))

    def show_block(self, index: int, row: int = 0, where: str = "top") -> None:
        """Scroll block `index` (its row `row`) into view: at the `top`, or only as far as
        needed (`nearest`, centring it when it is far)."""
        if not self._blocks:
            return
        index = max(0, min(index, len(self._blocks) - 1))
        self._measure_range(index, 1)
        self._sync_virtual_size()
        y = self._tops()[index] + row
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_y)
        if where == "top":
            target = y
        elif top <= y < top + height:
            return
        else:
            target = y - height // 2
        self.scroll_to(y=max(0, target), animate=False)

    def action_scroll_lines(self, delta: int) -> None:
        self.scroll_to(y=self.scroll_y + delta, animate=False)

    def action_page(self, direction: int) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_y + direction * page, animate=False)

    def action_top(self) -> None:
        self.scroll_to(y=0, animate=False)
        self._set_cursor(0)

    def action_bottom(self) -> None:
        if not self._blocks:
            return
        self._measure_range(len(self._blocks) - 1, -1)
        self._sync_virtual_size()
        self.scroll_to(y=self.max_scroll_y, animate=False)
        self._stick = True  # (also when it was there already: no scroll to watch)
        self._set_cursor(len(self._blocks) - 1)

    def action_cursor_block(self, delta: int) -> None:
        if not self._blocks:
            return
        self._set_cursor(self.cursor + delta)
        self.show_block(self.cursor, where="nearest")
        self._ensure_cursor_rows_visible()

    def _ensure_cursor_rows_visible(self) -> None:
        # A block taller than the view: its first row is what "visible" means.
        tops = self._tops()
        top = int(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        start = tops[self.cursor]
        if start < top or start >= top + height:
            self.scroll_to(y=start, animate=False)

    def action_toggle_block(self) -> None:
        if not self.toggle():
            self.notify("Nothing to expand here: Enter folds tool output, reasoning and raw "
                        "records", timeout=3)

    def next_turn(self, direction: int) -> bool:
        """Move to the next (1) or previous (-1) turn's header; False when there is none."""
        headers = [i for i, b in enumerate(self._blocks) if b.kind == HEADER]
        if direction > 0:
            target = next((i for i in headers if i > self.cursor), None)
        else:
            target = next((i for i in reversed(headers) if i < self.cursor), None)
        if target is None:
            return False
        self._set_cursor(target)
        self.show_block(target)
        return True

    def show_turn(self, number: int) -> bool:
        """Put the cursor on the header of turn `number` (Turn.index) and scroll it to the
        top; False when no such turn is shown."""
        target = next((i for i, b in enumerate(self._blocks)
                       if b.kind == HEADER and b.item.index == number), None)
        if target is None:
            return False
        self._set_cursor(target)
        self.show_block(target)
        # Blocks set in this same turn of the loop are not laid out yet (the scroll would
        # be clamped to the old height): scroll again once they are.
        self.call_after_refresh(self.show_block, target)
        return True

    def on_click(self, event: Click) -> None:
        if not self._blocks:
            return
        if self.new_below and event.y == self.scrollable_content_region.height - 1 and \
                event.x >= self.scrollable_content_region.width - cell_len(self._marker_label()):
            self.action_bottom()  # the "↓ N new" marker
            return
        row_y = int(self.scroll_y) + event.y
        if row_y >= self.total_height:
            return
        index = self._index_at(row_y)
        self._set_cursor(index)
        if row_y == self._tops()[index] and self.foldable(index):
            self.toggle(index)

    @on(_Counted)
    def _on_counted(self, message: _Counted) -> None:
        message.stop()
        self.counted(message.query, message.counts)
