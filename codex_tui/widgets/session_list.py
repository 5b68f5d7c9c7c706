"""A virtual list of sessions: only the rows on screen are rendered, and rendered rows are
cached, so 10,000 sessions scroll as fast as 10.

Attributes down (`set_rows`), messages up (`Highlighted`, `Selected`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from operator import attrgetter

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .. import timefmt
from ..store.model import ThreadSummary
from ..store.query import ID_FIELD, search_fields
from ..store.search import match_fields
from .row_cells import field_segments

_SPACE = Segment(" ")

FORK_MARK = "↳ "  # before a fork's title: Codex titles a fork as its source until it is named
WHEN_WIDTH = 9
SIZE_WIDTH = 6
_BRANCH = attrgetter("git_branch")
_CWD = attrgetter("cwd")
TOKENS_WIDTH = 6
HOME_WIDTH = 16  # at most, for the column naming each row's machine or home


class SessionList(ScrollView, can_focus=True):
    """Rows of sessions with a cursor. `action_select` (or a double click) posts Selected;
    the screen binds Enter to it, as only the screen knows what Enter means there."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    COMPONENT_CLASSES = {
        "session-list--cursor",
        "session-list--when",
        "session-list--live",
        "session-list--dim",
        "session-list--match",
        "session-list--pending",
        "session-list--empty",
        "session-list--notice",
        "session-list--home",
        "session-list--fork",
    }

    DEFAULT_CSS = """
    SessionList {
        background: $surface;
        overflow-x: hidden;  /* rows are cut to the width: never a horizontal scrollbar */
        & > .session-list--cursor { background: $accent 40%; text-style: bold; }
        &:focus > .session-list--cursor { background: $accent 70%; }
        & > .session-list--when { color: $text-muted; }
        & > .session-list--live { color: $success; text-style: bold; }
        & > .session-list--dim { color: $text-muted; }
        & > .session-list--match { color: $warning; text-style: bold underline; }
        & > .session-list--pending { color: $text-disabled; text-style: italic; }
        & > .session-list--empty { color: $text-muted; }
        & > .session-list--notice { color: $error; text-style: bold; }
        & > .session-list--home { color: $text-secondary; }
        & > .session-list--fork { color: $text-muted; }
    }
    """

    class Highlighted(Message):
        def __init__(self, summary: ThreadSummary | None) -> None:
            super().__init__()
            self.summary = summary

    class Selected(Message):
        def __init__(self, summary: ThreadSummary) -> None:
            super().__init__()
            self.summary = summary

    class RowsPainted(Message):
        """The first rows have been rendered into a frame (the loader waits for this)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[ThreadSummary] = []
        self._query = ""
        self._show_cwd = False
        self._now = datetime.now(UTC)
        self.cursor = 0
        self._version = 0
        self._branch_cells = 0
        self._cwd_cells = 0
        self._created = False
        self._user_moved = False
        self._strips: LRUCache[tuple, Strip] = LRUCache(1024)
        self._painted = False
        self._empty = Text()
        self._notices: list[str] = []  # one line each above the rows (a home that failed)
        self._home_cells = 0  # the home column's width (0: one home, no column)

    # -- attributes down -------------------------------------------------------------------

    def set_rows(self, rows: list[ThreadSummary], *, query: str = "", show_cwd: bool = False,
                 now: datetime | None = None, created: bool = False,
                 homes: list[str] | None = None) -> None:
        """Replace the rows, keeping the cursor on the same session when the user put it
        there (else on the first row, as rows stream in). `created` shows creation times
        instead of update times (when sorted by them); `homes`, when there are several,
        adds a column naming each row's home."""
        keep = self.current if self._user_moved else None
        self._rows = rows
        self._created = created
        self._query = query
        self._show_cwd = show_cwd
        self._home_cells = min(HOME_WIDTH, max(map(len, homes))) \
            if homes and len(homes) > 1 else 0
        if now is not None:
            self._now = now
        # Columns as wide as their widest value (capped), so empty columns take no room.
        # (map/filter: C-level loops, as this runs for up to 10,000 rows per keystroke.)
        branches = filter(None, map(_BRANCH, rows))
        self._branch_cells = min(18, max(map(len, branches), default=0))
        cwds = filter(None, map(_CWD, rows))
        self._cwd_cells = max(map(len, cwds), default=1) if show_cwd else 0
        index = 0
        if keep is not None:
            index = next((i for i, r in enumerate(rows) if r.id == keep.id), 0)
        self._rows_replaced(index)

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
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        # A new row count changes no layout but this widget's scrolling, yet setting the
        # reactive asks for a layout: a reflow and a repaint of every widget on the screen
        # (~8 ms a search keystroke). So set it quietly and update the scrollbars as a
        # reflow would; a scrollbar appearing or going still asks for the layout it needs.
        scroll_update = getattr(self, "_scroll_update", None)  # Textual's, private
        if scroll_update is None or not self.is_mounted:
            self.virtual_size = size
        elif size != self.virtual_size:
            self.set_reactive(SessionList.virtual_size, size)
            scroll_update(size)

    def set_now(self, now: datetime) -> None:
        """The clock moved on: relative times and live markers are drawn again."""
        if now != self._now:
            self._now = now
            self._version += 1
            self._strips.clear()
            self.refresh()

    def set_empty_message(self, message: Text) -> None:
        """What the list says, centred, while it has no rows."""
        if message.plain != self._empty.plain or message.spans != self._empty.spans:
            self._empty = message
            if not self._rows:
                self.refresh()

    @property
    def rows(self) -> list[ThreadSummary]:
        return self._rows

    @property
    def _lines(self) -> int:
        return len(self._notices) + len(self._rows)

    @property
    def current(self) -> ThreadSummary | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def visible_ids(self) -> list[str]:
        top = max(0, int(self.scroll_offset.y) - len(self._notices))
        return [r.id for r in self._rows[top: top + self.size.height + 1]]

    def reset_cursor(self) -> None:
        """Follow the first row again (say, for a new search)."""
        self._user_moved = False

    def pin_cursor(self) -> None:
        """Keep the cursor on its session through the next changes (say, a filter toggle)."""
        self._user_moved = self.current is not None

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
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def on_click(self, event) -> None:
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
            style = self.rich_style
            if selected:
                style += self.get_component_rich_style("session-list--cursor")
            segments = self._row_segments(row, width)
            strip = Strip(
                [Segment(text, style + own if own else style) for text, own, _ in segments],
                cell_len("".join(text for text, _, _ in segments)),  # whole: graphemes span styles
            ).adjust_cell_length(width, style)
            self._strips[key] = strip
        return strip

    def _notice_line(self, notice: str, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("session-list--notice")
        return Strip(field_segments("✗ " + notice, width, None, style), width).apply_style(style)

    def _empty_line(self, y: int, width: int) -> Strip:
        lines = self._empty.wrap(self.app.console, width, justify="center")
        top = max(0, (self.size.height - len(lines)) // 2)
        style = self.rich_style + self.get_component_rich_style("session-list--empty")
        if not top <= y < top + len(lines):
            return Strip.blank(width, style)
        line = lines[y - top]
        segments = [s for s in line.render(self.app.console) if s.text != "\n"]
        return Strip(segments, line.cell_len).adjust_cell_length(width, style) \
            .apply_style(style)

    def _row_segments(self, row: ThreadSummary, width: int) -> list[Segment]:
        """when, live marker, title (after ↳ for a fork), [cwd], [branch], size, tokens: as
        segments, each field cut or padded to its column (no Rich Text: this runs for every
        visible row on every search keystroke)."""
        style = self.get_component_rich_style
        dim = style("session-list--dim", partial=True)
        match = self._match
        shown = row.created_at if self._created else row.updated_at
        live = row.live(self._now)
        segments = [
            Segment(timefmt.relative(shown, self._now).rjust(WHEN_WIDTH - 1) + " ",
                    style("session-list--when", partial=True)),
            Segment("● " if live else "  ", style("session-list--live", partial=True)),
        ]
        home = self._home_cells
        if home:
            segments += field_segments(row.home or "?", home, None, match,
                                       style("session-list--home", partial=True))
            segments.append(_SPACE)
            width -= home + 1
        highlights = self._highlights(row)
        # The title matters most: it keeps at least 40% of the row; the branch gets at most
        # an eighth, and the directory what is left, up to its natural width.
        branch_width = min(self._branch_cells, max(6, width // 8))
        base = WHEN_WIDTH + 2 + (branch_width + 1 if branch_width else 0) + 1 + SIZE_WIDTH \
            + 1 + TOKENS_WIDTH
        room = width - base - max(24, int(width * 0.4)) - 1
        cwd_width = min(self._cwd_cells, max(12, room)) if self._show_cwd else 0
        fixed = WHEN_WIDTH + 2 + (cwd_width + 1 if cwd_width else 0) \
            + (branch_width + 1 if branch_width else 0) + 1 + SIZE_WIDTH + 1 + TOKENS_WIDTH
        title_width = max(8, width - fixed)
        if row.forked_from_id and title_width > 2 * len(FORK_MARK):
            segments.append(Segment(FORK_MARK, style("session-list--fork", partial=True)))
            title_width -= len(FORK_MARK)
        if row.pending and not row.title:
            segments += field_segments("reading…", title_width, None, match,
                                       style("session-list--pending", partial=True))
        else:
            segments += field_segments(row.title or "(no message yet)", title_width,
                                       highlights.get(0), match)
        if cwd_width:
            segments.append(_SPACE)
            segments += field_segments(row.cwd or "?", cwd_width, highlights.get(2), match,
                                       dim, left=True)
        if branch_width:
            segments.append(_SPACE)
            segments += field_segments(row.git_branch or "", branch_width, highlights.get(3),
                                       match, dim)
        segments.append(_SPACE)
        segments.append(Segment(timefmt.size(row.size).rjust(SIZE_WIDTH) + " "
                                + timefmt.tokens(row.tokens).rjust(TOKENS_WIDTH), dim))
        return segments

    @property
    def _match(self) -> Style:
        return self.get_component_rich_style("session-list--match", partial=True)

    def _highlights(self, row: ThreadSummary) -> dict[int, set[int]]:
        if not self._query:
            return {}
        found = match_fields(self._query, search_fields(row), exact=ID_FIELD)
        return found[1] if found else {}

