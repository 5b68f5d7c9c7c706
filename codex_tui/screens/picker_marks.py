"""Marking many sessions in the picker, and acting on all of them at once.

Space marks (or unmarks) the highlighted session and moves on; `*` marks every session
shown (after a search or a filter), or unmarks them when all are marked; `>` marks the
highlighted session and every one below it (newest first: it and all older ones); Esc,
with the search box empty, clears the marks. The header counts the marked sessions and their bytes.
While sessions are marked, archive, unarchive, delete and export (the single-session keys)
act on all of them: one question, then the run (flows/bulk.py).
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding

if TYPE_CHECKING:
    from ..store import ThreadStore, ThreadSummary
    from ..store.bulk import BulkOutcome
    from ..widgets.row_list import RowList
    from ..widgets.session_list import SessionList

# (The bulk flow, its dialogs and the byte counts are imported on first use: the picker's
# start-up does not build their classes.)

# Not in the key bar, which is full at 150 columns already: the command palette lists them
# with their keys, and the header says how many are marked once one is.
MARK_BINDINGS = [
    Binding("space", "toggle_mark", "Mark", show=False),
    Binding("asterisk", "mark_shown", "Mark all", key_display="*", show=False),
    Binding("greater_than_sign", "mark_to_end", "Mark to end", key_display=">", show=False),
]


class MarkActions:
    """The picker's marks (kept by the SessionList) and the bulk actions on them. The
    screen provides `list`, `search`, `store`, `_summaries`, `update_header` and
    `finish_search`."""

    list: SessionList
    store: ThreadStore

    if TYPE_CHECKING:
        @property
        def _summaries(self) -> dict[str, ThreadSummary]: ...

        def finish_search(self) -> None: ...

    def marked(self) -> builtins.list[ThreadSummary]:
        """The marked sessions as they are now (shown or not), oldest activity first (the
        order prune writes them in). Costs the marks, not the home: the header asks."""
        found = [s for tid in self.list.marks
                 if isinstance(tid, str) and (s := self._summaries.get(tid)) is not None]
        found.sort(key=lambda s: (s.updated_at is None, s.updated_at.timestamp()
                                  if s.updated_at else 0, s.id))
        return found

    def mark_status(self) -> Text:
        marked = self.marked()
        if not marked:
            return Text()
        from ..store.storage import human_bytes

        size = sum(s.size or 0 for s in marked)
        return Text.assemble("  ·  ", (f"{len(marked):,} marked ({human_bytes(size)})",
                                        "bold reverse"),
                             ("  Ctrl+A d e: act on them · Esc: unmark", "dim"))

    def action_toggle_mark(self) -> None:
        self.list.toggle_mark()

    def action_mark_shown(self) -> None:
        self.finish_search()  # every row the search finds, not those found so far
        self.list.mark_shown()

    def action_mark_to_end(self) -> None:
        self.finish_search()
        self.list.mark_to_end()

    def clear_marks(self) -> bool:
        if not self.list.marks:
            return False
        self.list.set_marks(())
        return True

    def on_row_list_marks_changed(self, _message: RowList.MarksChanged) -> None:
        # (A named handler: `@on` in a class that is not a widget is not collected.)
        self.update_header()  # type: ignore[attr-defined]

    # -- the single-session keys act on every marked session ---------------------------------

    def _bulk(self, action: str) -> bool:
        marked = self.marked()
        if not marked:
            return False
        from ..flows.bulk import start_bulk

        start_bulk(self, self.store, marked, action, self._bulk_done)  # type: ignore[arg-type]
        return True

    def _bulk_done(self, outcomes: builtins.list[BulkOutcome]) -> None:
        """Sessions written leave the marks; those refused (or not reached) stay marked."""
        from ..store.bulk import DONE

        done = {o.id for o in outcomes if o.result == DONE}
        self.list.set_marks(self.list.marks - done)

    def action_archive(self) -> None:
        if not self._bulk("archive"):
            super().action_archive()  # type: ignore[misc]

    def action_unarchive(self) -> None:
        if not self._bulk("unarchive"):
            super().action_unarchive()  # type: ignore[misc]

    def action_delete(self) -> None:
        if not self._bulk("delete"):
            super().action_delete()  # type: ignore[misc]

    def action_export(self) -> None:
        if not self._bulk("export"):
            super().action_export()  # type: ignore[misc]

    def mark_commands(self) -> builtins.list[tuple[str, str, object]]:
        commands: builtins.list[tuple[str, str, object]] = [
            ("Mark / unmark session", "Mark the highlighted session for a bulk action (Space)",
             self.action_toggle_mark),
            ("Mark every session shown", "After a search or a filter; again to unmark (*)",
             self.action_mark_shown),
            ("Mark this session and every one below it",
             "Sorted by update: this one and all older ones (>)", self.action_mark_to_end),
        ]
        if self.list.marks:
            n = len(self.list.marks)
            commands += [
                (f"Archive the {n} marked sessions", "One question, then each in turn",
                 lambda: self._bulk("archive")),
                (f"Unarchive the {n} marked sessions", "One question, then each in turn",
                 lambda: self._bulk("unarchive")),
                (f"Delete the {n} marked sessions", "One question, then each in turn; no undo",
                 lambda: self._bulk("delete")),
                (f"Export the {n} marked sessions", "One file each, into a folder",
                 lambda: self._bulk("export")),
                ("Clear the marks", "Esc", self.clear_marks),
            ]
        return commands
