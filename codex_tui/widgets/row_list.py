"""A virtual list of rows with a cursor: only the rows on screen are rendered, and rendered
rows are cached, so 50,000 rows scroll as fast as 10. What a row is (a session, a prompt, a
transcript hit) and how it is drawn belong to the subclass.

Attributes down (the subclass's setter, then `_rows_replaced`), messages up (`Highlighted`,
`Selected`, `RowsPainted`), each carrying the row as `row`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import UTC, datetime
from operator import is_
from typing import Generic, TypeVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .row_cells import field_segments

RowT = TypeVar("RowT")
STRIP_CACHE = 1024  # rendered rows kept (a few screens' worth)
# The messages' own: a class nested in a generic class cannot take its type variable.
# `event: SessionList.Highlighted[ThreadSummary]` types a handler's row.
MessageRowT = TypeVar("MessageRowT")


class RowList(ScrollView, Generic[RowT], can_focus=True):
    """Rows with a cursor. `action_select` (or a double click) posts Selected; the screen
    binds Enter to it, as only the screen knows what Enter means there."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    COMPONENT_CLASSES = {
        "row-list--cursor",
        "row-list--when",
        "row-list--dim",
        "row-list--match",
        "row-list--empty",
        "row-list--notice",
        "row-list--mark",
        "row-list--marked",
    }

    DEFAULT_CSS = """
    RowList {
        background: $surface;
        overflow-x: hidden;  /* rows are cut to the width: never a horizontal scrollbar */
        & > .row-list--cursor { background: $accent 40%; text-style: bold; }
        &:focus > .row-list--cursor { background: $accent 70%; }
        & > .row-list--when { color: $text-muted; }
        & > .row-list--dim { color: $text-muted; }
        & > .row-list--match { color: $warning; text-style: bold underline; }
        & > .row-list--empty { color: $text-muted; }
        & > .row-list--notice { color: $error; text-style: bold; }
        & > .row-list--mark { color: $success; text-style: bold; }
        & > .row-list--marked { background: $success 15%; }
    }
    """
    MARK = "✓ "  # the gutter drawn before every row while any row is marked

    class Highlighted(Message, Generic[MessageRowT]):
        """The cursor is on `row` (None: the list is empty)."""

        def __init__(self, row: MessageRowT | None) -> None:
            super().__init__()
            self.row = row

    class Selected(Message, Generic[MessageRowT]):
        def __init__(self, row: MessageRowT) -> None:
            super().__init__()
            self.row = row

    class RowsPainted(Message):
        """The first rows have been rendered into a frame (the loader waits for this)."""

    class MarksChanged(Message):
        """Rows were marked or unmarked (`marks` is the new set of row keys)."""

        def __init__(self, marks: frozenset[Hashable]) -> None:
            super().__init__()
            self.marks = marks

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: Sequence[RowT] = []
        self._query = ""
        self._now = datetime.now(UTC)
        self.cursor = 0
        self._version = 0
        self._user_moved = False
        # Rendered rows. A plain dict, emptied when full: Textual's LRUCache links its
        # entries in a ring, so each clear (every keystroke) left the rows it held as cyclic
        # garbage, which the collector freed in 20-40 ms pauses every few keys at 50,000
        # sessions; a dict's rows are freed as it is cleared.
        self._strips: dict[tuple, Strip] = {}
        self._painted = False
        self._empty = Text()
        self._notices: list[str] = []  # one line each above the rows (a home that failed)
        self._frame_style: Style | None = None  # rich_style, during one render_lines
        self._looks: Hashable = None  # what the subclass said shapes the rows (`_replace`)
        self._drawing = False  # rows were set that are not drawn yet
        self._after_paint: list[Callable[[], object]] = []  # to call once they are
        # Marked rows, by key (`_row_key`): kept through searches and filters, so a row
        # marked, then hidden, stays marked. While any is marked every row has a gutter.
        self._marks: set[Hashable] = set()

    # -- what a subclass says --------------------------------------------------------------

    def _row_segments(self, row: RowT, width: int) -> list[Segment]:
        """The row drawn in exactly `width` cells."""
        raise NotImplementedError

    def _row_key(self, row: RowT) -> Hashable:
        """What identifies a row through refreshes (marks are kept by it)."""
        return id(row)

    def _same_row(self, old: RowT, rows: Sequence[RowT]) -> int | None:
        """Where `old`, the row under the cursor, is among new `rows` (None: gone)."""
        return next((i for i, r in enumerate(rows) if r is old), None)

    # -- attributes down -------------------------------------------------------------------

    def _replace(self, rows: Sequence[RowT], looks: Hashable = None) -> None:
        """Replace the rows, keeping the cursor on the same row when the user put it there
        (else on the first row, as rows stream in or a new search starts). `looks`: what
        else shapes the rows' drawing (column widths...): while it and the rows on screen
        stay the same, nothing is drawn again (a listing's batches mostly add rows below).
        None: every change is drawn."""
        keep = self.current if self._user_moved else None
        index = (self._same_row(keep, rows) or 0) if keep is not None else 0
        same = looks is not None and looks == self._looks and index == self.cursor \
            and self._painted \
            and self._same_view(rows)
        self._rows = rows
        self._looks = looks
        if same:  # only the scrollbar changes
            self._set_virtual_size(Size(self.size.width, self._lines))
        else:
            self._rows_replaced(index)

    def _same_view(self, rows: Sequence[RowT]) -> bool:
        """Whether the rows on screen would be the very same objects with `rows`."""
        top = max(0, int(self.scroll_offset.y) - len(self._notices))
        end = top + self.size.height + 1
        old, new = self._rows[top:end], rows[top:end]
        return len(old) == len(new) and all(map(is_, old, new))

    def set_notices(self, notices: list[str]) -> None:
        """Lines above the rows, one per home that could not be listed (never selected)."""
        if notices != self._notices:
            self._notices = list(notices)
            self._rows_replaced(self.cursor)

    def _rows_replaced(self, cursor: int) -> None:
        """After `_rows` changed: draw every row anew, size the scrolling to them, and put
        the cursor on row `cursor`."""
        self._version += 1
        self._strips.clear()
        self._set_virtual_size(Size(self.size.width, self._lines))
        self._move_to(cursor, force=True)
        self._drawing = True
        self.refresh()

    def _redraw(self) -> None:
        """Every row drawn anew (the clock or what rows refer to changed)."""
        self._version += 1
        self._strips.clear()
        self._drawing = True
        self.refresh()

    def after_paint(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the rows set last are drawn into a frame (soon, when there
        is nothing new to draw): for work that must not hold that frame back. (A screen's
        call_after_refresh can run before a frame that a widget has yet to ask for.)"""
        if self._drawing and self.is_mounted:
            self._after_paint.append(callback)
        else:
            self.call_later(callback)

    def _set_virtual_size(self, size: Size) -> None:
        # A new row count changes no layout but this widget's scrolling, yet setting the
        # reactive asks for a layout: a reflow and a repaint of every widget on the screen
        # (~8 ms a search keystroke). So set it quietly and update the scrollbars as a
        # reflow would; a scrollbar appearing or going still asks for the layout it needs.
        scroll_update = getattr(self, "_scroll_update", None)  # Textual's, private
        if scroll_update is None or not self.is_mounted:
            self.virtual_size = size
        elif size != self.virtual_size:
            self.set_reactive(RowList.virtual_size, size)
            scroll_update(size)

    def set_now(self, now: datetime) -> None:
        """The clock moved on: relative times (and live markers) are drawn again."""
        if now != self._now:
            self._now = now
            self._redraw()

    def set_empty_message(self, message: Text) -> None:
        """What the list says, centred, while it has no rows."""
        if message.plain != self._empty.plain or message.spans != self._empty.spans:
            self._empty = message
            if not self._rows:
                self.refresh()

    @property
    def rows(self) -> Sequence[RowT]:
        return self._rows

    @property
    def _lines(self) -> int:
        return len(self._notices) + len(self._rows)

    @property
    def current(self) -> RowT | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def visible_rows(self) -> Sequence[RowT]:
        top = max(0, int(self.scroll_offset.y) - len(self._notices))
        return self._rows[top: top + self.size.height + 1]

    def reset_cursor(self) -> None:
        """Follow the first row again (say, for a new search)."""
        self._user_moved = False

    def pin_cursor(self) -> None:
        """Keep the cursor on its row through the next changes (say, a filter toggle)."""
        self._user_moved = self.current is not None

    # -- marks -----------------------------------------------------------------------------

    @property
    def marks(self) -> frozenset[Hashable]:
        return frozenset(self._marks)

    def is_marked(self, row: RowT) -> bool:
        return self._row_key(row) in self._marks

    def toggle_mark(self) -> None:
        """Mark the row under the cursor, or unmark it, and move to the next row."""
        if (row := self.current) is None:
            return
        self._marks ^= {self._row_key(row)}
        self._marks_changed()
        self._user_moved = True
        self._move_to(self.cursor + 1)

    def mark_shown(self) -> None:
        """Mark every row shown (after a search or a filter); when all of them are marked
        already, unmark them."""
        keys = {self._row_key(row) for row in self._rows}
        if keys <= self._marks:
            self._marks -= keys
        else:
            self._marks |= keys
        self._marks_changed()

    def mark_to_end(self) -> None:
        """Mark the row under the cursor and every row below it (sorted newest first:
        this session and all older ones)."""
        if self.current is None:
            return
        self._marks |= {self._row_key(row) for row in self._rows[self.cursor:]}
        self._marks_changed()

    def set_marks(self, keys: Iterable[Hashable]) -> None:
        keys = set(keys)
        if keys != self._marks:
            self._marks = keys
            self._marks_changed()

    def _marks_changed(self) -> None:
        self._redraw()  # (the gutter comes and goes with the first and last mark)
        self.post_message(self.MarksChanged(frozenset(self._marks)))

    # -- actions ---------------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self._user_moved = True
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._user_moved = True
        self._move_to(self.cursor + direction * max(1, self.size.height - 1))

    def action_jump(self, index: int) -> None:
        self._user_moved = True
        self._move_to(index if index >= 0 else len(self._rows) - 1)

    def action_select(self) -> None:
        if (row := self.current) is not None:
            self.post_message(self.Selected(row))

    def on_click(self, event: Click) -> None:
        index = int(self.scroll_offset.y) + event.y - len(self._notices)
        if 0 <= index < len(self._rows):
            self._user_moved = True
            if index == self.cursor and event.chain == 2:
                self.action_select()
            self._move_to(index)

    def _move_to(self, index: int, force: bool = False) -> None:
        index = max(0, min(index, len(self._rows) - 1)) if self._rows else 0
        changed = index != self.cursor
        if changed:
            self._refresh_row(self.cursor)
            self.cursor = index
            self._refresh_row(index)
        self._scroll_to_cursor()
        if changed or force:
            self.post_message(self.Highlighted(self.current))

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_offset.y)
        height = max(1, self.size.height)
        line = self.cursor + len(self._notices)
        if self.cursor == 0:
            self.scroll_to(y=0, animate=False)  # the notices above the first row in view
        elif line < top:
            self.scroll_to(y=line, animate=False)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False)

    def _refresh_row(self, index: int) -> None:
        top = int(self.scroll_offset.y)
        line = index + len(self._notices)
        if top <= line < top + self.size.height:
            self.refresh_line(line - top)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self._lines)
        self._strips.clear()
        self._scroll_to_cursor()

    # -- rendering -------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style, worked out once per frame, not once per row (Textual walks
        # every ancestor's styles for it: ~0.1 ms, times every row drawn on a keystroke).
        self._frame_style = None
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None
            self._drawing = False
            if self._after_paint:  # (run once this frame is out)
                callbacks, self._after_paint = self._after_paint, []
                for callback in callbacks:
                    self.call_later(callback)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y - len(self._notices)
        width = self.scrollable_content_region.width  # without the scrollbar
        if index < 0 and width > 0:
            return self._notice_line(self._notices[index], width)
        if not self._rows and width > 0:
            return self._empty_line(y - len(self._notices), width)
        if index >= len(self._rows) or width <= 0:
            return Strip.blank(width, self.rich_style)
        if not self._painted:
            self._painted = True
            self.post_message(self.RowsPainted())
        row = self._rows[index]
        selected = index == self.cursor
        key = (self._version, index, width, selected, self.has_focus)
        strip = self._strips.get(key)
        if strip is None:
            style = self._frame_style
            if style is None:
                style = self._frame_style = self.rich_style
            marked = bool(self._marks) and self._row_key(row) in self._marks
            if marked:
                style += self.get_component_rich_style("row-list--marked")
            if selected:
                style += self.get_component_rich_style("row-list--cursor")
            if self._marks:
                gutter = Segment(self.MARK if marked else " " * len(self.MARK),
                                 self._style("row-list--mark"))
                segments = [gutter, *self._row_segments(row, width - len(self.MARK))]
            else:
                segments = self._row_segments(row, width)
            strip = Strip(
                [Segment(text, style + own if own else style) for text, own, _ in segments],
                cell_len("".join(text for text, _, _ in segments)),  # whole: graphemes span styles
            ).adjust_cell_length(width, style)
            if len(self._strips) >= STRIP_CACHE:
                self._strips.clear()
            self._strips[key] = strip
        return strip

    def _notice_line(self, notice: str, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("row-list--notice")
        return Strip(field_segments("✗ " + notice, width, None, style), width).apply_style(style)

    def _empty_line(self, y: int, width: int) -> Strip:
        lines = self._empty.wrap(self.app.console, width, justify="center")
        top = max(0, (self.size.height - len(lines)) // 2)
        style = self.rich_style + self.get_component_rich_style("row-list--empty")
        if not top <= y < top + len(lines):
            return Strip.blank(width, style)
        line = lines[y - top]
        segments = [s for s in line.render(self.app.console) if s.text != "\n"]
        return Strip(segments, line.cell_len).adjust_cell_length(width, style) \
            .apply_style(style)

    def _style(self, name: str) -> Style:
        """A component class's style, to be layered on a row's (partial)."""
        return self.get_component_rich_style(name, partial=True)
