"""The picker's list of sessions: a RowList whose rows are ThreadSummaries, drawn as
columns (when, live marker, [home], title, [directory], [branch], size, tokens).

Attributes down (`set_rows`), messages up (RowList's `Highlighted`, `Selected`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import attrgetter

from rich.segment import Segment
from rich.style import Style

from .. import timefmt
from ..store.model import ThreadSummary
from ..store.query import ID_FIELD, search_fields
from ..store.search import match_fields
from .row_cells import field_segments
from .row_list import RowList

_SPACE = Segment(" ")

FORK_MARK = "↳ "  # before a fork's title: Codex titles a fork as its source until it is named
WHEN_WIDTH = 9
SIZE_WIDTH = 6
_BRANCH = attrgetter("git_branch")
_CWD = attrgetter("cwd")
TOKENS_WIDTH = 6
HOME_WIDTH = 16  # at most, for the column naming each row's machine or home


class SessionList(RowList[ThreadSummary]):
    """Rows of sessions, with the search's matched characters highlighted."""

    COMPONENT_CLASSES = {
        "session-list--live",
        "session-list--pending",
        "session-list--home",
        "session-list--fork",
    }

    DEFAULT_CSS = """
    SessionList {
        & > .session-list--live { color: $success; text-style: bold; }
        & > .session-list--pending { color: $text-disabled; text-style: italic; }
        & > .session-list--home { color: $text-secondary; }
        & > .session-list--fork { color: $text-muted; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._show_cwd = False
        self._branch_cells = 0
        self._cwd_cells = 0
        self._created = False
        self._home_cells = 0  # the home column's width (0: one home, no column)

    def set_rows(self, rows: Sequence[ThreadSummary], *, query: str = "",
                 show_cwd: bool = False, now: datetime | None = None, created: bool = False,
                 homes: list[str] | None = None,
                 longest: tuple[int, int] | None = None) -> None:
        """Replace the rows. `created` shows creation times instead of update times (when
        sorted by them); `homes`, when there are several, adds a column naming each row's
        home. `longest`: the rows' longest (branch, directory), when the caller keeps them
        (else they are measured here, a pass over every row)."""
        self._created = created
        self._query = query
        self._show_cwd = show_cwd
        self._home_cells = min(HOME_WIDTH, max(map(len, homes))) \
            if homes and len(homes) > 1 else 0
        if now is not None:
            self._now = now
        # Columns as wide as their widest value (capped), so empty columns take no room.
        # (map/filter: C-level loops, as this runs for up to 50,000 rows per keystroke.)
        if longest is None:
            branches = filter(None, map(_BRANCH, rows))
            cwds = filter(None, map(_CWD, rows))
            longest = (max(map(len, branches), default=0),
                       max(map(len, cwds), default=0) if show_cwd else 0)
        self._branch_cells = min(18, longest[0])
        self._cwd_cells = max(longest[1], 1) if show_cwd else 0
        # (Not the time: the clock redraws the rows when it moves on, `set_now`.)
        self._replace(rows, (created, query, show_cwd, self._home_cells, self._branch_cells,
                             self._cwd_cells))

    def _row_key(self, row: ThreadSummary) -> str:
        return row.id

    def _same_row(self, old: ThreadSummary, rows: Sequence[ThreadSummary]) -> int | None:
        return next((i for i, r in enumerate(rows) if r.id == old.id), None)

    def visible_ids(self) -> list[str]:
        return [r.id for r in self.visible_rows()]

    # -- rendering -------------------------------------------------------------------------

    def _row_segments(self, row: ThreadSummary, width: int) -> list[Segment]:
        """when, live marker, title (after ↳ for a fork), [cwd], [branch], size, tokens: as
        segments, each field cut or padded to its column (no Rich Text: this runs for every
        visible row on every search keystroke)."""
        style = self._style
        dim = style("row-list--dim")
        match = self._match
        shown = row.created_at if self._created else row.updated_at
        live = row.live(self._now)
        segments = [
            Segment(timefmt.relative(shown, self._now, short=True).rjust(WHEN_WIDTH - 1) + " ",
                    style("row-list--when")),
            Segment("● " if live else "  ", style("session-list--live")),
        ]
        home = self._home_cells
        if home:
            segments += field_segments(row.home or "?", home, None, match,
                                       style("session-list--home"))
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
            segments.append(Segment(FORK_MARK, style("session-list--fork")))
            title_width -= len(FORK_MARK)
        if row.pending and not row.title:
            segments += field_segments("reading…", title_width, None, match,
                                       style("session-list--pending"))
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
        return self._style("row-list--match")

    def _highlights(self, row: ThreadSummary) -> dict[int, set[int]]:
        if not self._query:
            return {}
        found = match_fields(self._query, search_fields(row), exact=ID_FIELD)
        return found[1] if found else {}

