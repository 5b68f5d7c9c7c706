"""The history search's result list: a RowList (cursor, scrolling, cached strips, empty
message) whose rows are prompts or transcript hits.

A row shows the prompt (or the matching excerpt) on one line with the matched characters
highlighted, when, and its session's title and directory; a prompt whose session has no
rollout file any more is marked. Text from sessions is shown literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from .. import timefmt
from ..store.history import HistoryEntry, highlight_positions
from ..store.model import ThreadSummary
from ..store.text_index import TextHit
from ..textutil import one_line, printable
from .row_cells import field_segments
from .row_list import RowList
from .session_list import WHEN_WIDTH

KINDS = {"user": "you", "assistant": "codex", "command": "$", "search": "web", "plan": "plan"}
WHEN = WHEN_WIDTH + 2  # "2025-12-19": dates of other years are ten characters
KIND_WIDTH = 6


HistoryRow = HistoryEntry | TextHit


class HistoryList(RowList[HistoryRow]):
    """Rows of `HistoryEntry` or `TextHit`, each with its session's title and directory."""

    COMPONENT_CLASSES = {"history-list--missing", "history-list--kind"}

    DEFAULT_CSS = """
    HistoryList {
        & > .history-list--missing { color: $error; text-style: italic; }
        & > .history-list--kind { color: $accent; text-style: bold; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._sessions: dict[str, ThreadSummary] = {}
        self._known: set[str] | None = None
        self._show_cwd = True
        # The session part of rows, by (session, width): the same sessions come back
        # keystroke after keystroke, while the rows' strips are drawn anew.
        self._session_texts: dict[tuple[str, int], Text] = {}
        self._session_segments: dict[tuple, list[Segment]] = {}  # the same, rendered

    def show(self, rows: Sequence[HistoryEntry] | Sequence[TextHit], *, query: str,
             sessions: dict[str, ThreadSummary], known: set[str] | None,
             now: datetime | None = None, show_cwd: bool = True) -> None:
        """Replace the rows. `sessions`: what is known of each session so far; `known`: the
        ids of every session that exists (None until the sessions have been listed)."""
        self._query = query
        if sessions is not self._sessions or known is not self._known \
                or len(self._session_texts) > 4096:
            self._session_texts.clear()
            self._session_segments.clear()
        self._sessions = sessions
        self._known = known
        self._show_cwd = show_cwd
        if now is not None:
            self._now = now
        # (What shapes the rows beside them: a search's page filled in after its first
        # screenful, the same rows on top, draws none of them again. Not the time: relative
        # times are those of the last search that drew the rows, as they were before.)
        self._replace(rows, (query, show_cwd, id(sessions), id(known)))

    def _same_row(self, old: HistoryRow, rows: Sequence[HistoryRow]) -> int | None:
        found = next((i for i, r in enumerate(rows) if r is old), None)
        if found is None and isinstance(old, TextHit):  # a new search's equal hit
            found = next((i for i, r in enumerate(rows) if r == old), None)
        return found

    def sessions_changed(self, sessions: dict[str, ThreadSummary],
                         known: set[str] | None) -> None:
        """Titles and directories arrived: draw the rows again."""
        self._sessions = sessions
        self._known = known
        self._session_texts.clear()
        self._session_segments.clear()
        self._redraw()

    # -- rendering -------------------------------------------------------------------------

    def _row_segments(self, row: HistoryRow, width: int) -> list[Segment]:
        if isinstance(row, HistoryEntry):
            return self._prompt_segments(row, width)
        return self._segments_of(self._row_text(row, width))

    def _segments_of(self, text: Text) -> list[Segment]:
        return [s for s in text.render(self.app.console) if s.text != "\n"]

    def _prompt_segments(self, row: HistoryEntry, width: int) -> list[Segment]:
        """A prompt's row, as `_row_text` draws it, built straight as segments (no Rich Text:
        this runs for every visible row on every keystroke; see row_cells.py)."""
        side, main_width = self._widths(row, width)
        flat, positions = self._prompt_shown(row, main_width)
        segments = [Segment(timefmt.relative(row.when, self._now).rjust(WHEN - 1) + " ",
                            self._style("row-list--when"))]
        # `flat` is one line already, so field_segments keeps it and its positions as they are.
        segments += field_segments(flat, main_width, positions,
                                   self._style("row-list--match"))
        if side:
            segments.append(Segment(" "))
            key = (row.session_id, side, "segments")
            session = self._session_segments.get(key)
            if session is None:
                # (Appended to a line, as _row_text does: Text.render drops the style of a
                # Text without spans, its own included.)
                line = Text()
                line.append_text(self._session_part(row.session_id, side))
                session = self._session_segments[key] = self._segments_of(line)
            segments += session
        return segments

    def _widths(self, row: HistoryRow, width: int) -> tuple[int, int]:
        """The session part's width (0: none) and the text's."""
        # The text gets most of the row; the session's title and directory the rest.
        share = 0.35 if isinstance(row, TextHit) else 0.4
        side = max(16, int(width * share)) if width >= 60 else 0
        return side, max(8, width - WHEN - side - (1 if side else 0))

    def _prompt_shown(self, row: HistoryEntry, main_width: int) -> tuple[str, set[int]]:
        """The prompt on one line as shown in `main_width` cells, and its matched positions."""
        flat = one_line(row.text)
        positions = highlight_positions(self._query, flat) if self._query else set()
        if positions and max(positions) >= main_width - 1:
            # The match is further right than the column shows: start later, keeping
            # as much as fits before the match.
            start = max(0, min(min(positions) - 3, max(positions) - main_width + 3))
            flat = "…" + flat[start + 1:]
            positions = {p - start for p in positions if p > start}
        return flat, positions

    def _session_part(self, sid: str, width: int) -> Text:
        key = (sid, width)
        session = self._session_texts.get(key)
        if session is None:
            summary = self._sessions.get(sid)
            missing = self._known is not None and sid not in self._known
            session = self._session_texts[key] = self._session_text(
                summary, missing, width, self._style("row-list--dim"))
        return session

    def _row_text(self, row: HistoryRow, width: int) -> Text:
        dim = self._style("row-list--dim")
        match = self._style("row-list--match")
        if isinstance(row, TextHit):
            sid = row.thread_id
            shown = datetime.fromtimestamp(row.ts, UTC) if row.ts is not None else None
        else:
            sid = row.session_id
            shown = row.when
        when = Text(timefmt.relative(shown, self._now).rjust(WHEN - 1) + " ",
                    self._style("row-list--when"))
        side, main_width = self._widths(row, width)
        prefix = Text()
        if isinstance(row, TextHit):
            kind = Text()  # (a style given to Text() would cover what is appended too)
            kind.append(KINDS.get(row.kind, row.kind).ljust(KIND_WIDTH),
                        self._style("history-list--kind"))
            body = _marked(row.excerpt, set(row.positions), match)
            main = kind + _fit(body, max(4, main_width - KIND_WIDTH))
            prefix = Text(f"turn {row.turn} ", dim)
        else:
            flat, positions = self._prompt_shown(row, main_width)
            main = _fit(_marked(flat, positions, match), main_width)
        line = Text.assemble(when, main, no_wrap=True, overflow="crop")
        if side:
            line.append(" ")
            line.append_text(prefix)
            line.append_text(self._session_part(sid, side - prefix.cell_len))
        return line

    def _session_text(self, summary: ThreadSummary | None, missing: bool, width: int,
                      dim: Style) -> Text:
        if missing:
            return _fit(Text("⚠ session not found",
                             self._style("history-list--missing")), width)
        if summary is None:
            return _fit(Text("…", dim), width)
        title = one_line(summary.title) or "(no message yet)"
        if summary.archived:
            title = "[archived] " + title
        if not self._show_cwd:
            return _fit(Text(title), width)
        cwd_width = min(len(one_line(summary.cwd)) if summary.cwd else 1, width // 2)
        title_width = width - cwd_width - 1
        return _fit(Text(title), title_width) + Text(" ") + \
            _fit(Text(one_line(summary.cwd) or "?", dim), cwd_width, left=True)


def _marked(flat: str, positions: set[int], style: Style) -> Text:
    """One line of literal text, the characters at `positions` styled."""
    shown = printable(flat)
    text = Text(shown)
    if positions and len(shown) == len(flat):
        for pos in positions:
            if pos < len(shown):
                text.stylize(style, pos, pos + 1)
    return text


def _fit(text: Text, width: int, left: bool = False) -> Text:
    """Exactly `width` cells: cut with an ellipsis (at the start for paths), or padded."""
    if width <= 0:
        return Text()
    if text.cell_len > width:
        if left:
            # Keep the end of a path, which says more than its start.
            cut = text.cell_len - width + 1
            text = Text("…") + text[_char_index_for_cells(text.plain, cut):]
            while text.cell_len > width:
                text = Text("…") + text[2:]
        else:
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
    text = text.copy()
    text.pad_right(width - text.cell_len)
    return text


def _char_index_for_cells(plain: str, cells: int) -> int:
    total = 0
    for i, ch in enumerate(plain):
        if total >= cells:
            return i
        total += cell_len(ch)
    return len(plain)
