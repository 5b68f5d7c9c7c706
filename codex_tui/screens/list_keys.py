"""Arrow and page keys that move a screen's SessionList (the picker's, the history search's)
even while its search box has the focus."""

from __future__ import annotations

from textual.binding import Binding

from ..widgets.session_list import SessionList

LIST_BINDINGS = [
    Binding("down", "list_cursor(1)", show=False),
    Binding("up", "list_cursor(-1)", show=False),
    Binding("pagedown", "list_page(1)", show=False),
    Binding("pageup", "list_page(-1)", show=False),
]


class ListKeys:
    """The actions LIST_BINDINGS name, for a screen holding one SessionList."""

    def action_list_cursor(self, delta: int) -> None:
        self.query_one(SessionList).action_cursor(delta)  # type: ignore[attr-defined]

    def action_list_page(self, direction: int) -> None:
        self.query_one(SessionList).action_page(direction)  # type: ignore[attr-defined]
